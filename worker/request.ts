/**
 * Reading a request: the client's address, a bounded body (sizes first, then shapes) and query
 * parameters. Used by the HTTP handlers and by the room, which meters sockets per address.
 */
import { readUpTo } from "../common/stream.ts";
import { MAX_JSON_BODY_BYTES } from "./limits.ts";
import { errorResponse } from "./response.ts";

/** The client's address as the edge reports it (wrangler dev sets it too). */
export function clientAddress(request: Request): string {
  return request.headers.get("CF-Connecting-IP") ?? "unknown";
}

/** Reads at most `max` bytes of UTF-8 body, refusing larger ones before reading them. */
export async function readText(request: Request, max: number): Promise<{ ok: true; text: string } | { ok: false; response: Response }> {
  const tooLarge = { ok: false as const, response: errorResponse(413, `body larger than ${max} bytes`) };
  const declared = request.headers.get("Content-Length");
  if (declared !== null && !(Number(declared) <= max)) return tooLarge; // unread (the router cancels it)
  if (request.body === null) return { ok: true, text: "" };
  const bytes = await readUpTo(request.body, max);
  if (bytes === null) return tooLarge;
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    return { ok: false, response: errorResponse(400, "body is not UTF-8") };
  }
}

/** Reads a JSON body of at most MAX_JSON_BODY_BYTES. */
export async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const body = await readText(request, MAX_JSON_BODY_BYTES);
  if (!body.ok) return body;
  try {
    return { ok: true, value: JSON.parse(body.text) };
  } catch {
    return { ok: false, response: errorResponse(400, "body is not valid JSON") };
  }
}

/** A whole-number query parameter in the i32 range: undefined when absent, null when malformed. */
export function intParam(url: URL, name: string): number | undefined | null {
  const text = url.searchParams.get(name);
  if (text === null) return undefined;
  if (!/^-?\d{1,10}$/.test(text)) return null;
  const value = Number(text);
  return value >= -(2 ** 31) && value < 2 ** 31 ? value : null;
}
