/**
 * The HTTP API's handlers: read and check the request (sizes first, then shapes; request.ts), call
 * the lobby or the room over RPC, and answer JSON (response.ts).
 */
import {
  MAX_GENERATIONS_PER_TICK,
  MAX_GRID_SIDE,
  MAX_ROOM_NAME,
  MAX_RULE_LENGTH,
  MAX_TICK_MS,
  MIN_GENERATIONS_PER_TICK,
  MIN_GRID_SIDE,
  MIN_TICK_MS,
  parseControlJson,
  sanitizeName,
  type CreatedRoom,
  type RoomSettings,
} from "../common/protocol/index.ts";
import { parseRule } from "../common/rules.ts";
import { lobbyStub, roomStub, type Env } from "./env.ts";
import { MAX_PATTERN_BODY_BYTES, MAX_TICK_CELL_GENERATIONS } from "./limits.ts";
import { clientAddress, intParam, readJson, readText } from "./request.ts";
import { errorResponse, fromOutcome, json } from "./response.ts";
import { bearerToken, hashToken, newOwnerToken, newRoomId } from "./tokens.ts";

/** Defaults for optional fields of POST /api/rooms. */
export const DEFAULT_TICK_MS = 100;
export const DEFAULT_GENERATIONS_PER_TICK = 1;

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/** Checks a POST /api/rooms body into the room's settings, or says what is wrong. */
export function parseCreateRoom(value: unknown): { ok: true; value: RoomSettings } | { ok: false; error: string } {
  const bad = (error: string) => ({ ok: false as const, error });
  if (typeof value !== "object" || value === null || Array.isArray(value)) return bad("body must be a JSON object");
  const b = value as Record<string, unknown>;
  if (typeof b.name !== "string") return bad("name must be a string");
  const name = sanitizeName(b.name, Number.MAX_SAFE_INTEGER);
  if (name.length === 0 || name.length > MAX_ROOM_NAME) return bad(`name must be 1 to ${MAX_ROOM_NAME} characters`);
  if (!isInt(b.width, MIN_GRID_SIDE, MAX_GRID_SIDE) || !isInt(b.height, MIN_GRID_SIDE, MAX_GRID_SIDE)) {
    return bad(`width and height must be whole numbers from ${MIN_GRID_SIDE} to ${MAX_GRID_SIDE}`);
  }
  if (b.topology !== "torus" && b.topology !== "plane") return bad('topology must be "torus" or "plane"');
  if (typeof b.rule !== "string" || b.rule.length > MAX_RULE_LENGTH) return bad("rule must be a rule string such as B3/S23");
  const rule = parseRule(b.rule);
  if (!rule.ok) return bad(`invalid rule: ${rule.error}`.slice(0, 120));
  const bounds = rule.value.bounds;
  if (bounds && (bounds.topology !== b.topology || bounds.width !== b.width || bounds.height !== b.height)) {
    return bad("the rule's bounds suffix does not match width, height and topology");
  }
  const tickMs = b.tickMs ?? DEFAULT_TICK_MS;
  if (!isInt(tickMs, MIN_TICK_MS, MAX_TICK_MS)) return bad(`tickMs must be a whole number from ${MIN_TICK_MS} to ${MAX_TICK_MS}`);
  const generationsPerTick = b.generationsPerTick ?? DEFAULT_GENERATIONS_PER_TICK;
  if (!isInt(generationsPerTick, MIN_GENERATIONS_PER_TICK, MAX_GENERATIONS_PER_TICK)) {
    return bad(`generationsPerTick must be a whole number from ${MIN_GENERATIONS_PER_TICK} to ${MAX_GENERATIONS_PER_TICK}`);
  }
  if (generationsPerTick * b.width * b.height > MAX_TICK_CELL_GENERATIONS) {
    return bad(`at most ${Math.floor(MAX_TICK_CELL_GENERATIONS / (b.width * b.height))} generations per tick on a grid this size`);
  }
  const running = b.running ?? true;
  const isPrivate = b.private ?? false;
  if (typeof running !== "boolean") return bad("running must be true or false");
  if (typeof isPrivate !== "boolean") return bad("private must be true or false");
  return {
    ok: true,
    value: {
      name,
      width: b.width,
      height: b.height,
      topology: b.topology,
      rule: rule.value.rule,
      tickMs,
      generationsPerTick,
      running,
      private: isPrivate,
      locked: false,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Handlers

/** POST /api/rooms */
export async function createRoom(request: Request, env: Env): Promise<Response> {
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const settings = parseCreateRoom(body.value);
  if (!settings.ok) return errorResponse(400, settings.error);
  if (!(await lobbyStub(env).admitCreation(clientAddress(request)))) return errorResponse(429, "too many rooms created; try again later");
  const id = newRoomId();
  const ownerToken = newOwnerToken();
  const info = await roomStub(env, id).create({ id, ownerHash: await hashToken(ownerToken), settings: settings.value });
  if (info === null) return errorResponse(409, "room id already taken; try again");
  return json({ ...info, ownerToken } satisfies CreatedRoom, 201, { Location: `/api/rooms/${id}` });
}

/** GET /api/rooms */
export async function listRooms(request: Request, env: Env): Promise<Response> {
  const lobby = lobbyStub(env);
  if (!(await lobby.admitList(clientAddress(request)))) return errorResponse(429, "too many requests");
  return json({ rooms: await lobby.list() });
}

/** GET /api/rooms/:id */
export async function getRoom(request: Request, env: Env, id: string): Promise<Response> {
  return fromOutcome(await roomStub(env, id).info(clientAddress(request)), (info) => json(info));
}

/** DELETE /api/rooms/:id */
export async function deleteRoom(request: Request, env: Env, id: string): Promise<Response> {
  return fromOutcome(await roomStub(env, id).destroy(clientAddress(request), bearerToken(request)), () => new Response(null, { status: 204 }));
}

/** GET /api/rooms/:id/pattern[?x=&y=&w=&h=] */
export async function getPattern(request: Request, env: Env, id: string): Promise<Response> {
  const url = new URL(request.url);
  const [x, y, width, height] = ["x", "y", "w", "h"].map((name) => intParam(url, name));
  let rect: { x: number; y: number; width: number; height: number } | null = null;
  if (typeof x === "number" && typeof y === "number" && typeof width === "number" && typeof height === "number") rect = { x, y, width, height };
  else if (x !== undefined || y !== undefined || width !== undefined || height !== undefined) {
    return errorResponse(400, "give all of x, y, w, h as whole numbers, or none");
  }
  return fromOutcome(
    await roomStub(env, id).exportPattern(clientAddress(request), rect),
    (text) => new Response(text, { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } }),
  );
}

/** POST /api/rooms/:id/pattern?x=&y=[&mode=or|replace] */
export async function postPattern(request: Request, env: Env, id: string): Promise<Response> {
  const url = new URL(request.url);
  const x = intParam(url, "x");
  const y = intParam(url, "y");
  if (x === undefined || y === undefined || x === null || y === null) return errorResponse(400, "x and y must be whole numbers");
  const mode = url.searchParams.get("mode") ?? "or";
  if (mode !== "or" && mode !== "replace") return errorResponse(400, 'mode must be "or" or "replace"');
  const body = await readText(request, MAX_PATTERN_BODY_BYTES);
  if (!body.ok) return body.response;
  return fromOutcome(await roomStub(env, id).stampPattern(clientAddress(request), bearerToken(request), body.text, x, y, mode), (result) => json(result));
}

/** POST /api/rooms/:id/control */
export async function controlRoom(request: Request, env: Env, id: string): Promise<Response> {
  const token = bearerToken(request);
  if (token === null) return errorResponse(401, "owner token required");
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const action = parseControlJson(body.value);
  if (!action.ok) return errorResponse(400, action.error.reason);
  return fromOutcome(await roomStub(env, id).control(clientAddress(request), token, action.value), (info) => json(info));
}

/** GET /api/rooms/:id/ws: hands the upgrade to the room, after the Origin check. */
export async function connectRoom(request: Request, env: Env, id: string): Promise<Response> {
  if (!originAllowed(request, env)) return errorResponse(403, "origin not allowed");
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return errorResponse(426, "expected a WebSocket upgrade", { Upgrade: "websocket" });
  return roomStub(env, id).fetch(request);
}

/**
 * Browsers send Origin with WebSocket upgrades and with POST/DELETE requests, and any page may
 * make them (a WebSocket needs no CORS permission; a form or a no-cors fetch can POST): allow only
 * the serving host and the deployment's ALLOWED_ORIGINS, so another site cannot make its visitors
 * play, stamp or create rooms from their addresses.
 *
 * A request without Origin is allowed: browsers always send one on these requests, so a missing
 * Origin means a client that is not a browser (the tests, the benchmarks, curl, a bot). Such a
 * client could send any Origin it likes, so checking it would protect nothing; the per-address
 * rate limits are what bound it. `Origin: null` (sandboxed frames, file: pages) is refused.
 */
export function originAllowed(request: Request, env: Env): boolean {
  const origin = request.headers.get("Origin");
  if (origin === null) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.host === new URL(request.url).host) return true;
  return allowedOrigins(env.ALLOWED_ORIGINS).includes(parsed.origin);
}

/** ALLOWED_ORIGINS as normalised origins ("https://life.example.com"); unparsable entries are
 *  ignored rather than matched as text. */
export function allowedOrigins(configured: string | undefined): string[] {
  const out: string[] = [];
  for (const entry of (configured ?? "").split(",")) {
    const text = entry.trim();
    if (text === "") continue;
    try {
      const url = new URL(text);
      if (url.protocol === "http:" || url.protocol === "https:") out.push(url.origin);
    } catch {
      // not an origin
    }
  }
  return out;
}
