/**
 * Room ids and owner tokens. Both are random 128-bit values from the platform's CSPRNG, written
 * as base64url. A room stores only the SHA-256 of its owner token, so a leaked database does not
 * leak control of the room, and compares digests in constant time, so response timing does not
 * leak how much of a guess was right.
 */

/** 16 random bytes as 22 base64url characters (the shape isRoomId accepts). */
export function newRoomId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/** 32 random bytes (256 bits) as 43 base64url characters; shown to the creator once. */
export function newOwnerToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return hex(new Uint8Array(digest));
}

/** Whether `token` hashes to `storedHash`, taking the same time wherever the digests differ. */
export async function tokenMatches(token: string, storedHash: string): Promise<boolean> {
  const candidate = new TextEncoder().encode(await hashToken(token));
  const stored = new TextEncoder().encode(storedHash);
  if (candidate.length !== stored.length) return false; // both are 64 hex digits; lengths are public
  return crypto.subtle.timingSafeEqual(candidate, stored);
}

/** The token from an `Authorization: Bearer <token>` header, or null when there is none. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("Authorization");
  if (header === null) return null;
  const match = /^Bearer\s+([A-Za-z0-9_-]{1,64})\s*$/.exec(header);
  return match ? match[1] : "";
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}
