/** The HTTP API's JSON shapes, room ids, and the JSON form of the owner's control actions. */
import type { Topology } from "../rules.ts";
import { ErrorCode } from "./codes.ts";
import {
  MAX_GENERATIONS_PER_TICK,
  MAX_RULE_LENGTH,
  MAX_STEP_GENERATIONS,
  MAX_TICK_MS,
  MIN_GENERATIONS_PER_TICK,
  MIN_TICK_MS,
} from "./limits.ts";
import type { ControlAction, Decoded } from "./messages.ts";

/** One room as GET /api/rooms/:id and the lobby list describe it. */
export interface RoomInfo {
  id: string;
  name: string;
  width: number;
  height: number;
  rule: string; // e.g. "B3/S23"
  topology: Topology;
  tickMs: number;
  generationsPerTick: number;
  running: boolean;
  private: boolean;
  locked: boolean;
  generation: number;
  population: number;
  players: number;
  url: string; // "/r/<id>"
  created: number; // ms since the epoch
  lastActive: number;
  /** A running room that nobody watches does not tick: since when (ms since the epoch), or null
   *  while it ticks or is paused. It catches up when next observed (see worker/room-clock.ts). */
  idleSince?: number | null;
  /** The grid's last step changed nothing (a fixed point). */
  still?: boolean;
  /** The last catch-up fell this many generations short of the room's clock (its budget ran
   *  out), at `at`; null when it never did. */
  slowed?: { at: number; generations: number } | null;
}

/** POST /api/rooms answers this once; `ownerToken` is never shown again. */
export interface CreatedRoom extends RoomInfo {
  ownerToken: string;
}

export interface CreateRoomRequest {
  name: string;
  width: number;
  height: number;
  rule: string;
  topology: Topology;
  tickMs?: number;
  generationsPerTick?: number;
  running?: boolean;
  private?: boolean;
}

/** Room ids: 16 random bytes as 22 base64url characters (128 bits, unguessable). */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export function isRoomId(text: string): boolean {
  return ROOM_ID_PATTERN.test(text);
}

/** Validates a control action given as JSON (the HTTP body); the WebSocket decoder produces the
 *  same union. Range checks of values that depend on the room (grid size) happen in the room. */
export function parseControlJson(value: unknown): Decoded<ControlAction> {
  const bad = (reason: string): Decoded<ControlAction> => ({ ok: false, error: { code: ErrorCode.BAD_REQUEST, reason } });
  if (typeof value !== "object" || value === null || Array.isArray(value)) return bad("body must be a JSON object");
  const body = value as Record<string, unknown>;
  switch (body.action) {
    case "pause":
    case "resume":
    case "clear":
      return { ok: true, value: { action: body.action } };
    case "step": {
      const generations = body.generations ?? 1;
      if (!isIntIn(generations, 1, MAX_STEP_GENERATIONS)) return bad(`generations must be a whole number from 1 to ${MAX_STEP_GENERATIONS}`);
      return { ok: true, value: { action: "step", generations } };
    }
    case "randomize": {
      const density = body.density ?? 0.5;
      const seed = body.seed ?? 0;
      if (typeof density !== "number" || !(density >= 0 && density <= 1)) return bad("density must be a number from 0 to 1");
      if (!isIntIn(seed, 0, 0xffff_ffff)) return bad("seed must be a whole number from 0 to 4294967295");
      return { ok: true, value: { action: "randomize", density, seed } };
    }
    case "configure": {
      const action: ControlAction & { action: "configure" } = { action: "configure" };
      if (body.rule !== undefined) {
        if (typeof body.rule !== "string" || body.rule.length > MAX_RULE_LENGTH) return bad("rule must be a rule string");
        action.rule = body.rule;
      }
      if (body.tickMs !== undefined) {
        if (!isIntIn(body.tickMs, MIN_TICK_MS, MAX_TICK_MS)) return bad(`tickMs must be a whole number from ${MIN_TICK_MS} to ${MAX_TICK_MS}`);
        action.tickMs = body.tickMs;
      }
      if (body.generationsPerTick !== undefined) {
        if (!isIntIn(body.generationsPerTick, MIN_GENERATIONS_PER_TICK, MAX_GENERATIONS_PER_TICK)) {
          return bad(`generationsPerTick must be a whole number from ${MIN_GENERATIONS_PER_TICK} to ${MAX_GENERATIONS_PER_TICK}`);
        }
        action.generationsPerTick = body.generationsPerTick;
      }
      if (body.private !== undefined) {
        if (typeof body.private !== "boolean") return bad("private must be true or false");
        action.private = body.private;
      }
      if (body.locked !== undefined) {
        if (typeof body.locked !== "boolean") return bad("locked must be true or false");
        action.locked = body.locked;
      }
      return { ok: true, value: action };
    }
    default:
      return bad("unknown action");
  }
}

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}
