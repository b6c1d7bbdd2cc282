/**
 * The HTTP half of the server's API (the WebSocket half is in net.ts). Responses are checked
 * field by field before the page uses them, so a wrong-shaped answer becomes an ApiError with
 * a message instead of `undefined` surfacing somewhere in the UI.
 */
import type { ControlAction, CreateRoomRequest, CreatedRoom, RoomInfo } from "../common/protocol/index.ts";
import type { Topology } from "../common/rules.ts";

export type { ControlAction, CreateRoomRequest, CreatedRoom, RoomInfo };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The server's short reason, or a generic one for a non-JSON error page. */
async function failure(response: Response): Promise<ApiError> {
  let reason = `${response.status} ${response.statusText}`.trim();
  try {
    const body: unknown = await response.json();
    if (isRecord(body) && typeof body.error === "string") reason = body.error;
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  return new ApiError(response.status, reason);
}

async function json(response: Response): Promise<unknown> {
  if (!response.ok) throw await failure(response);
  return response.json();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field<T>(record: Record<string, unknown>, key: string, check: (v: unknown) => v is T): T {
  const value = record[key];
  if (!check(value)) throw new ApiError(0, `the server sent a room without a valid "${key}"`);
  return value;
}
const isString = (v: unknown): v is string => typeof v === "string";
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
const isTopology = (v: unknown): v is Topology => v === "torus" || v === "plane";

export function parseRoomInfo(value: unknown): RoomInfo {
  if (!isRecord(value)) throw new ApiError(0, "the server sent a room that is not an object");
  return {
    id: field(value, "id", isString),
    name: field(value, "name", isString),
    width: field(value, "width", isNumber),
    height: field(value, "height", isNumber),
    rule: field(value, "rule", isString),
    topology: field(value, "topology", isTopology),
    tickMs: field(value, "tickMs", isNumber),
    generationsPerTick: field(value, "generationsPerTick", isNumber),
    running: field(value, "running", isBoolean),
    private: isBoolean(value.private) ? value.private : false,
    locked: isBoolean(value.locked) ? value.locked : false,
    generation: field(value, "generation", isNumber),
    population: field(value, "population", isNumber),
    players: field(value, "players", isNumber),
    url: isString(value.url) ? value.url : `/r/${encodeURIComponent(String(value.id))}`,
    created: isNumber(value.created) ? value.created : 0,
    lastActive: isNumber(value.lastActive) ? value.lastActive : 0,
    idleSince: isNumber(value.idleSince) ? value.idleSince : null,
    still: isBoolean(value.still) ? value.still : false,
    slowed: isRecord(value.slowed) && isNumber(value.slowed.at) && isNumber(value.slowed.generations) ? { at: value.slowed.at, generations: value.slowed.generations } : null,
  };
}

export async function listRooms(signal?: AbortSignal): Promise<RoomInfo[]> {
  const body = await json(await fetch("/api/rooms", { signal, cache: "no-store" }));
  if (!isRecord(body) || !Array.isArray(body.rooms)) throw new ApiError(0, "the room list is malformed");
  return body.rooms.map(parseRoomInfo);
}

export async function getRoom(id: string): Promise<RoomInfo> {
  return parseRoomInfo(await json(await fetch(`/api/rooms/${encodeURIComponent(id)}`, { cache: "no-store" })));
}

export async function createRoom(request: CreateRoomRequest): Promise<CreatedRoom> {
  const body = await json(
    await fetch("/api/rooms", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    }),
  );
  const room = parseRoomInfo(body);
  if (!isRecord(body) || typeof body.ownerToken !== "string") throw new ApiError(0, "the server sent no owner token");
  return { ...room, ownerToken: body.ownerToken };
}

export async function control(id: string, token: string, action: ControlAction): Promise<RoomInfo> {
  return parseRoomInfo(
    await json(
      await fetch(`/api/rooms/${encodeURIComponent(id)}/control`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(action),
      }),
    ),
  );
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The whole grid, or one rectangle of it, as RLE text. */
export async function exportPattern(id: string, rect?: Rect): Promise<string> {
  const query = rect ? `?x=${rect.x}&y=${rect.y}&w=${rect.w}&h=${rect.h}` : "";
  const response = await fetch(`/api/rooms/${encodeURIComponent(id)}/pattern${query}`, { cache: "no-store" });
  if (!response.ok) throw await failure(response);
  return response.text();
}

/** Stamps pattern text (RLE, .cells or Life 1.06) with its top-left corner at (x, y). */
export async function stampPattern(
  id: string,
  x: number,
  y: number,
  text: string,
  mode: "or" | "replace" = "or",
): Promise<{ generation: number; population: number }> {
  const body = await json(
    await fetch(`/api/rooms/${encodeURIComponent(id)}/pattern?x=${x}&y=${y}&mode=${mode}`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: text,
    }),
  );
  if (!isRecord(body) || !isNumber(body.generation) || !isNumber(body.population)) {
    throw new ApiError(0, "the stamp answer is malformed");
  }
  return { generation: body.generation, population: body.population };
}
