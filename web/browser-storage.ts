/**
 * The owner token of each room this browser created, kept in localStorage under the room id,
 * so the creator keeps control of the room across reloads. Storage can be unavailable
 * (blocked cookies, some private modes); then the token lives only as long as the page.
 */
const PREFIX = "edgelife:owner:";
const memory = new Map<string, string>();

export function saveOwnerToken(roomId: string, token: string): void {
  memory.set(roomId, token);
  try {
    localStorage.setItem(PREFIX + roomId, token);
  } catch {
    // Storage refused: the in-memory copy above still serves this page.
  }
}

export function ownerToken(roomId: string): string | undefined {
  try {
    return localStorage.getItem(PREFIX + roomId) ?? memory.get(roomId);
  } catch {
    return memory.get(roomId);
  }
}

export function forgetOwnerToken(roomId: string): void {
  memory.delete(roomId);
  try {
    localStorage.removeItem(PREFIX + roomId);
  } catch {
    // Nothing stored.
  }
}

const NAME_KEY = "edgelife:name";

/** The player's display name, remembered between rooms. */
export function savedPlayerName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return "";
  }
}

export function savePlayerName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // Not remembered; harmless.
  }
}
