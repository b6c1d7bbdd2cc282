/**
 * Every frame as a value: what the encoders take and the decoders return. The byte layouts are
 * drawn beside their encoders (server-frames.ts, client-frames.ts, settings.ts).
 */
import type { Rule, Topology } from "../rules.ts";
import type { CodecId, ErrorCodeId } from "./codes.ts";

/** The room's settings as every client sees them (never the owner token). */
export interface RoomSettings {
  name: string;
  width: number;
  height: number;
  topology: Topology;
  rule: Rule;
  tickMs: number;
  generationsPerTick: number;
  running: boolean;
  private: boolean;
  locked: boolean;
}

export interface PresenceEntry {
  id: number;
  colour: number; // 0xRRGGBB
  x: number; // cursor cell, or -1 when the cursor is hidden
  y: number;
  name: string;
}

export interface TileRecord {
  tx: number; // tile column in scaled cells / TILE_SIZE
  ty: number;
  codec: CodecId;
  payload: Uint8Array; // encodes tileBytes(scale) bytes: 64×64 packed cells (at scale 1 bits, common/bitmap.ts; above, density levels, common/density.ts)
}

export type ServerMessage =
  | { type: "welcome"; playerId: number; colour: number; owner: boolean; generation: number; settings: RoomSettings }
  | {
      type: "keyframe";
      generation: number;
      scale: number;
      x: number; // top-left in scaled cells (grid cell = x * scale)
      y: number;
      width: number; // in scaled cells
      height: number;
      codec: CodecId;
      payload: Uint8Array; // encodes width × height packed cells: a bitmap at scale 1, density levels above (keyframeBytes)
    }
  | { type: "delta"; generation: number; scale: number; tiles: TileRecord[] }
  | {
      /** Lockstep prediction (common/lockstep/), only to clients that asked for it in HELLO and
       *  view at scale 1: the client runs `steps` generations on the cells it holds. */
      type: "step";
      from: number; // the generation the client must hold; otherwise it ignores the frame and sends RESYNC
      to: number; // its generation afterwards (from + steps, or later when ticks in between changed nothing)
      steps: number; // 0 … MAX_PREDICT_STEPS; 0 = its cells are already right, only the generation moves
      sides: number; // StepSide bits: the sides of the rectangle whose band follows
      checksum: number | null; // FNV-1a 32 of the rectangle's packed bits after the step, every few ticks
      tiles: TileRecord[]; // whole tiles as they are BEFORE the step (edits applied at this tick boundary)
      bandCodec: CodecId;
      band: Uint8Array; // encodes the band's bits AFTER the step, in common/lockstep/band.ts order
    }
  | { type: "presence"; full: boolean; players: PresenceEntry[]; left: number[] }
  | { type: "stats"; generation: number; population: number; generationsPerSecond: number; players: number; running: boolean; still: boolean }
  | { type: "settings"; generation: number; settings: RoomSettings }
  | { type: "ack"; seq: number; generation: number }
  | { type: "error"; code: ErrorCodeId; seq: number; reason: string };

/** The owner's actions, identical over HTTP (JSON) and WebSocket (CONTROL frames). */
export type ControlAction =
  | { action: "pause" }
  | { action: "resume" }
  | { action: "step"; generations: number }
  | { action: "clear" }
  | { action: "randomize"; density: number; seed: number }
  | {
      action: "configure";
      rule?: string;
      tickMs?: number;
      generationsPerTick?: number;
      private?: boolean;
      locked?: boolean;
    };

export type ClientMessage =
  | {
      type: "hello";
      name: string;
      resumeGeneration: number | null;
      token: string | null;
      /** The client runs the engine on its view and wants STEP frames (absent: DELTA frames only). */
      predict?: boolean;
    }
  | { type: "viewport"; x: number; y: number; width: number; height: number; scale: number }
  /** `continues`: the edit continues the sender's previous one (the next batch of a stroke), so
   *  that one UNDO takes both back (absent: a new edit). */
  | { type: "setCells"; seq: number; alive: boolean; cells: Uint16Array /* x0, y0, x1, y1, … */; continues?: boolean }
  | { type: "stamp"; seq: number; x: number; y: number; mode: "or" | "replace"; pattern: string; continues?: boolean }
  | { type: "cursor"; x: number; y: number }
  | { type: "control"; seq: number; control: ControlAction }
  | { type: "resync" }
  | { type: "received"; frames: number }
  /** Undo (or redo) this player's own last edit, or the stroke it continued (docs/protocol.md,
   *  UNDO and REDO). */
  | { type: "undo" | "redo"; seq: number };

export interface ProtocolError {
  code: ErrorCodeId;
  reason: string;
}

/** What every decoder returns: a checked value or the error to answer with. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };
