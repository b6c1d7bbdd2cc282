/**
 * The wire contract between a room and its players, defined once: the binary WebSocket frames,
 * their payload codecs, the JSON shapes of the HTTP API, and every limit a client must respect.
 * The worker, the web client, the tests and the benchmarks all import this file.
 *
 * Every frame starts with the same two bytes; all multi-byte numbers are little-endian.
 *
 *   offset  0         1         2 ...
 *         +---------+---------+-------------------------------+
 *         | version |  type   |  body (layout fixed per type)  |
 *         +---------+---------+-------------------------------+
 *
 * Types 0x01..0x3f go from server to client, 0x41..0x7f from client to server. Each layout is
 * drawn beside its encoder below and pinned by golden-bytes tests (test/common/protocol.test.ts).
 *
 * Decoders never trust their input: they return a checked union or a {@link ProtocolError};
 * they never throw and never cast.
 */
import { MAX_SIDE, TILE_BYTES, TILE_SIZE } from "./grid.ts";
import { readUpTo } from "./stream.ts";
import type { Rule, Topology } from "./rules.ts";

export { TILE_BYTES, TILE_SIZE };

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Limits a client must know (the server's own policy limits live in worker/limits.ts).
// ---------------------------------------------------------------------------------------------

/** Largest client frame the server reads; bigger ones are refused with close code 1009. A stamp of
 *  a large RLE pattern is the biggest legitimate frame; 64 KiB of RLE is a very big pattern. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
/** Cells in one SET_CELLS frame: a fast brush stroke at 60 Hz sends tens, not thousands. */
export const MAX_CELLS_PER_EDIT = 4096;
/** Player names, in UTF-16 code units after control characters are stripped. */
export const MAX_PLAYER_NAME = 32;
/** Room names, same unit. */
export const MAX_ROOM_NAME = 64;
/** Owner tokens are 22 base64url characters; anything longer is not a token. */
export const MAX_TOKEN_LENGTH = 64;
/** Rule strings such as "B36/S23"; "B012345678/S012345678" is 21 characters. */
export const MAX_RULE_LENGTH = 32;
/** A viewport is at most this many output cells on a side (a 4K screen at one pixel per cell);
 *  a client wanting more of the grid asks for a coarser scale. */
export const MAX_VIEW_SIDE = 4096;
/** Overview scales are powers of two from 1 (every cell) to MAX_SCALE (one bit per 256² block,
 *  so a 16384² grid fits in 64×64 output cells). */
export const MAX_SCALE = 256;
/** Generations one "step" control may ask for (the server may refuse less on a huge grid). */
export const MAX_STEP_GENERATIONS = 100_000;
/** Grid sides, ticks and speed: the room's settings bounds (grid sides are the engine's). */
export const MIN_GRID_SIDE = 1;
export const MAX_GRID_SIDE = MAX_SIDE;
export const MIN_TICK_MS = 16;
export const MAX_TICK_MS = 10_000;
export const MIN_GENERATIONS_PER_TICK = 1;
export const MAX_GENERATIONS_PER_TICK = 1000;
/** A client should send RECEIVED at least every this many KEYFRAME/DELTA frames; the server stops
 *  sending deltas to a socket that is further behind than MAX_UNACKED_FRAMES and sends it one
 *  fresh keyframe once it catches up, instead of queueing without bound. */
export const RECEIVED_EVERY_FRAMES = 8;
export const MAX_UNACKED_FRAMES = 64;
/** The same bound in bytes: once at least RECEIVED_EVERY_FRAMES frames and more than this many
 *  bytes of KEYFRAME/DELTA frames are unacknowledged, the socket counts as behind too. Keyframes
 *  of a 4096² view are 2 MiB, so frames alone would let 64 of them (128 MiB) pile up. Counting at
 *  least RECEIVED_EVERY_FRAMES frames first means a client that acknowledges every 8 frames
 *  always gets to send its RECEIVED. */
export const MAX_UNACKED_BYTES = 8 * 1024 * 1024;
/** Generations one STEP frame may ask a predicting client to run (see common/predict.ts). Its band
 *  is this many cells deep; beyond it the server sends the changed tiles (DELTA) instead. */
export const MAX_PREDICT_STEPS = 64;


// ---------------------------------------------------------------------------------------------
// Opcodes, codes and names.
// ---------------------------------------------------------------------------------------------

export const ServerType = {
  WELCOME: 0x01,
  KEYFRAME: 0x02,
  DELTA: 0x03,
  PRESENCE: 0x04,
  STATS: 0x05,
  SETTINGS: 0x06,
  ACK: 0x07,
  ERROR: 0x08,
  STEP: 0x09,
} as const;

/** The sides of a view rectangle that carry a band in a STEP frame (its `sides` bits). */
export const StepSide = { TOP: 1, RIGHT: 2, BOTTOM: 4, LEFT: 8 } as const;

export const ClientType = {
  HELLO: 0x41,
  VIEWPORT: 0x42,
  SET_CELLS: 0x43,
  STAMP: 0x44,
  CURSOR: 0x45,
  CONTROL: 0x46,
  RESYNC: 0x47,
  RECEIVED: 0x48,
} as const;

/** How a packed-bits payload is encoded. The frame says which, so a client decodes any of them. */
export const Codec = {
  /** The packed bytes as they are. */
  NONE: 0,
  /** Zero runs and literals (see {@link encodeRuns}); synchronous and cheap, good on sparse grids. */
  RUNS: 1,
  /** DEFLATE without header (CompressionStream "deflate-raw"); asynchronous, better on dense data. */
  DEFLATE: 2,
} as const;
export type CodecId = (typeof Codec)[keyof typeof Codec];

/** The `code` of ERROR frames. */
export const ErrorCode = {
  BAD_FRAME: 1, // malformed: wrong length, bad field value, invalid UTF-8, text frame
  BAD_VERSION: 2, // first byte is not PROTOCOL_VERSION
  UNKNOWN_TYPE: 3, // second byte is not a client type
  TOO_LARGE: 4, // over a size limit (the socket is also closed with 1009 when the frame itself is)
  RATE_LIMITED: 5, // too many edits; wait and retry
  NOT_OWNER: 6, // control needs the owner token (sent in HELLO)
  LOCKED: 7, // the owner locked editing
  BAD_PATTERN: 8, // the stamped text is not a pattern
  OUT_OF_BOUNDS: 9, // cells or pattern outside a plane grid
  BAD_REQUEST: 10, // a well-formed request the room cannot accept (invalid rule, out-of-range value)
  NOT_READY: 11, // a frame other than HELLO before HELLO
  CONFLICT: 12, // e.g. "step" while running
  INTERNAL: 13, // the room failed; nothing was changed
} as const;
export type ErrorCodeId = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the server uses. A client should not reconnect after a terminal one. */
export const CloseCode = {
  NORMAL: 1000,
  UNSUPPORTED: 1003, // repeated undecodable frames
  POLICY: 1008, // repeated rate-limit or permission violations
  TOO_BIG: 1009, // a frame above MAX_CLIENT_FRAME_BYTES
  INTERNAL: 1011,
  TRY_AGAIN: 1013, // room full, or too many connections from one address: retry later
  ROOM_NOT_FOUND: 4404, // unknown or deleted room
  TOO_SLOW: 4408, // acknowledged no frame for STALLED_SOCKET_MS while behind: reconnect
} as const;
export const TERMINAL_CLOSE_CODES: readonly number[] = [
  CloseCode.UNSUPPORTED,
  CloseCode.POLICY,
  CloseCode.TOO_BIG,
  CloseCode.ROOM_NOT_FOUND,
];

// ---------------------------------------------------------------------------------------------
// Messages as values.
// ---------------------------------------------------------------------------------------------

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
  payload: Uint8Array; // encodes TILE_BYTES bytes: a 64×64 packed bitmap (common/bitmap.ts layout)
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
      payload: Uint8Array; // encodes a width × height packed bitmap
    }
  | { type: "delta"; generation: number; scale: number; tiles: TileRecord[] }
  | {
      /** Lockstep prediction (common/predict.ts), only to clients that asked for it in HELLO and
       *  view at scale 1: the client runs `steps` generations on the cells it holds. */
      type: "step";
      from: number; // the generation the client must hold; otherwise it ignores the frame and sends RESYNC
      to: number; // its generation afterwards (from + steps, or later when ticks in between changed nothing)
      steps: number; // 0 … MAX_PREDICT_STEPS; 0 = its cells are already right, only the generation moves
      sides: number; // StepSide bits: the sides of the rectangle whose band follows
      checksum: number | null; // FNV-1a 32 of the rectangle's packed bits after the step, every few ticks
      tiles: TileRecord[]; // whole tiles as they are BEFORE the step (edits applied at this tick boundary)
      bandCodec: CodecId;
      band: Uint8Array; // encodes the band's bits AFTER the step, in common/predict.ts order
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
  | { type: "setCells"; seq: number; alive: boolean; cells: Uint16Array /* x0, y0, x1, y1, … */ }
  | { type: "stamp"; seq: number; x: number; y: number; mode: "or" | "replace"; pattern: string }
  | { type: "cursor"; x: number; y: number }
  | { type: "control"; seq: number; control: ControlAction }
  | { type: "resync" }
  | { type: "received"; frames: number };

export interface ProtocolError {
  code: ErrorCodeId;
  reason: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

// ---------------------------------------------------------------------------------------------
// HTTP API shapes (JSON).
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Text rules shared by both ends.
// ---------------------------------------------------------------------------------------------

// What a name may not contain, so that it reads as what it is:
// - \p{Cc}: C0/C1 controls (NUL, escape sequences, line breaks other than spaces);
// - \p{Cf}: every invisible format character — bidi embeddings, overrides and isolates
//   (U+202A..U+202E, U+2066..U+2069: "abc\u202Egnp.exe" would render as "abcexe.png"), marks
//   (U+200E/F, U+061C), zero-width space/joiners (U+200B..U+200D, U+2060), the BOM, soft hyphens
//   and Unicode tag characters (U+E0000..). Emoji sequences that use U+200D fall apart into
//   their parts; that is the price of a name without hidden characters;
// - \p{Cs}: lone surrogates (a JSON string can carry one; UTF-8 cannot encode it).
// Line and paragraph separators (U+2028/9) are whitespace and collapse to a space.
const UNSAFE_CHARS = /[\p{Cc}\p{Cf}\p{Cs}]/gu;

/** Strips control and format characters, collapses whitespace, trims, and cuts to `max` code
 *  units without splitting a surrogate pair. */
export function sanitizeName(text: string, max: number): string {
  let clean = text.replace(UNSAFE_CHARS, "").replace(/\s+/gu, " ").trim();
  if (clean.length > max) {
    clean = clean.slice(0, max);
    const last = clean.charCodeAt(clean.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) clean = clean.slice(0, -1);
    clean = clean.trim();
  }
  return clean;
}

export function isPowerOfTwoScale(scale: number): boolean {
  return Number.isInteger(scale) && scale >= 1 && scale <= MAX_SCALE && (scale & (scale - 1)) === 0;
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

// ---------------------------------------------------------------------------------------------
// Byte-level reader and writer.
// ---------------------------------------------------------------------------------------------

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Grows as needed; `finish()` returns the written bytes. */
class Writer {
  #bytes: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(capacity = 64) {
    this.#bytes = new Uint8Array(capacity);
    this.#view = new DataView(this.#bytes.buffer);
  }

  /** Makes room for n bytes and returns where they go. It may replace #bytes and #view, so
   *  callers take the offset first and touch the buffers after. */
  #reserve(n: number): number {
    const at = this.#length;
    if (at + n > this.#bytes.length) {
      const bigger = new Uint8Array(Math.max(this.#bytes.length * 2, at + n));
      bigger.set(this.#bytes.subarray(0, at));
      this.#bytes = bigger;
      this.#view = new DataView(bigger.buffer);
    }
    this.#length += n;
    return at;
  }

  u8(v: number): this {
    const at = this.#reserve(1);
    this.#view.setUint8(at, v);
    return this;
  }
  u16(v: number): this {
    const at = this.#reserve(2);
    this.#view.setUint16(at, v, true);
    return this;
  }
  u32(v: number): this {
    const at = this.#reserve(4);
    this.#view.setUint32(at, v, true);
    return this;
  }
  i32(v: number): this {
    const at = this.#reserve(4);
    this.#view.setInt32(at, v, true);
    return this;
  }
  u64(v: number): this {
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, BigInt(v), true);
    return this;
  }
  f32(v: number): this {
    const at = this.#reserve(4);
    this.#view.setFloat32(at, v, true);
    return this;
  }
  f64(v: number): this {
    const at = this.#reserve(8);
    this.#view.setFloat64(at, v, true);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.#reserve(b.length);
    this.#bytes.set(b, at);
    return this;
  }
  /** UTF-8 text preceded by its byte length as u8; the caller keeps it ≤ 255 bytes. */
  text8(s: string): this {
    const b = utf8Encoder.encode(s);
    if (b.length > 255) throw new RangeError("text longer than 255 bytes");
    return this.u8(b.length).bytes(b);
  }
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

/** Thrown only inside this module and turned into a ProtocolError by the decoders. */
class Malformed extends Error {
  constructor(
    readonly code: ErrorCodeId,
    reason: string,
  ) {
    super(reason);
  }
}

class Reader {
  readonly view: DataView;
  readonly bytes: Uint8Array;
  offset = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  #need(n: number): number {
    if (this.offset + n > this.bytes.length) throw new Malformed(ErrorCode.BAD_FRAME, "frame too short");
    const at = this.offset;
    this.offset += n;
    return at;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  u8(): number {
    return this.view.getUint8(this.#need(1));
  }
  u16(): number {
    return this.view.getUint16(this.#need(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.#need(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.#need(4), true);
  }
  u64(): number {
    const v = this.view.getBigUint64(this.#need(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Malformed(ErrorCode.BAD_FRAME, "number too large");
    return Number(v);
  }
  f32(): number {
    return this.view.getFloat32(this.#need(4), true);
  }
  f64(): number {
    return this.view.getFloat64(this.#need(8), true);
  }
  bytesOf(n: number): Uint8Array {
    const at = this.#need(n);
    return this.bytes.subarray(at, at + n);
  }
  text(n: number): string {
    try {
      return utf8Decoder.decode(this.bytesOf(n));
    } catch {
      throw new Malformed(ErrorCode.BAD_FRAME, "invalid UTF-8");
    }
  }
  text8(): string {
    return this.text(this.u8());
  }
  end(): void {
    if (this.remaining !== 0) throw new Malformed(ErrorCode.BAD_FRAME, "trailing bytes");
  }
}

function header(w: Writer, type: number): Writer {
  return w.u8(PROTOCOL_VERSION).u8(type);
}

function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return data instanceof Uint8Array
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
}

function decodeWith<T>(data: ArrayBuffer | ArrayBufferView, body: (r: Reader, type: number) => T): Decoded<T> {
  const r = new Reader(toBytes(data));
  try {
    if (r.remaining < 2) return { ok: false, error: { code: ErrorCode.BAD_FRAME, reason: "frame too short" } };
    if (r.u8() !== PROTOCOL_VERSION) return { ok: false, error: { code: ErrorCode.BAD_VERSION, reason: "unsupported protocol version" } };
    const value = body(r, r.u8());
    r.end();
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Malformed) return { ok: false, error: { code: e.code, reason: e.message } };
    throw e;
  }
}

function fail(reason: string, code: ErrorCodeId = ErrorCode.BAD_FRAME): never {
  throw new Malformed(code, reason);
}

// ---------------------------------------------------------------------------------------------
// Settings block (inside WELCOME and SETTINGS).
//
//   +0 width u16 | +2 height u16 | +4 topology u8 (0 plane, 1 torus) | +5 birth u16 | +7 survive u16
//   +9 tickMs u32 | +13 generationsPerTick u16 | +15 flags u8 | +16 nameLen u8 | +17 name (UTF-8)
//   flags: bit0 running, bit1 private, bit2 locked
// ---------------------------------------------------------------------------------------------

function writeSettings(w: Writer, s: RoomSettings): void {
  w.u16(s.width).u16(s.height).u8(s.topology === "torus" ? 1 : 0).u16(s.rule.birth).u16(s.rule.survive);
  w.u32(s.tickMs).u16(s.generationsPerTick);
  w.u8((s.running ? 1 : 0) | (s.private ? 2 : 0) | (s.locked ? 4 : 0));
  w.text8(s.name);
}

function readSettings(r: Reader): RoomSettings {
  const width = r.u16();
  const height = r.u16();
  const topologyByte = r.u8();
  const birth = r.u16();
  const survive = r.u16();
  const tickMs = r.u32();
  const generationsPerTick = r.u16();
  const flags = r.u8();
  const name = r.text8();
  if (width < MIN_GRID_SIDE || width > MAX_GRID_SIDE || height < MIN_GRID_SIDE || height > MAX_GRID_SIDE) fail("bad grid size");
  if (topologyByte > 1 || birth >= 512 || survive >= 512 || flags > 7) fail("bad settings");
  return {
    name,
    width,
    height,
    topology: topologyByte === 1 ? "torus" : "plane",
    rule: { birth, survive },
    tickMs,
    generationsPerTick,
    running: (flags & 1) !== 0,
    private: (flags & 2) !== 0,
    locked: (flags & 4) !== 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Server → client frames.
//
// WELCOME  01 | playerId u32 | colour u32 | role u8 (bit0 owner) | generation u64 | settings
// KEYFRAME 02 | generation u64 | scale u16 | x u16 | y u16 | width u16 | height u16 | codec u8
//             | payload (to the end; decodes to ceil(width/8) * height bytes)
// DELTA    03 | generation u64 | scale u16 | count u16 | count × tile record
//   record:  tx u16 | ty u16 | codec u8 | length u16 | payload (decodes to TILE_BYTES bytes)
// PRESENCE 04 | flags u8 (bit0 full list) | count u16 | count × entry | leftCount u16 | left ids u32…
//   entry:   id u32 | colour u32 | x i32 | y i32 | nameLen u8 | name
// STATS    05 | generation u64 | population u32 | generationsPerSecond f32 | players u16
//             | flags u8 (bit0 running, bit1 still)
// SETTINGS 06 | generation u64 | settings
// ACK      07 | seq u32 | generation u64
// ERROR    08 | code u16 | seq u32 (0: not about a request) | reasonLen u8 | reason
// STEP     09 | from u64 | to u64 | steps u16 | sides u8 | flags u8 (bit0 checksum) | [checksum u32]
//             | count u16 | count × tile record (as in DELTA) | bandCodec u8 | band payload (to the end)
// ---------------------------------------------------------------------------------------------

/** One DELTA tile record, encoded once per tick and shared by every client that needs the tile. */
export function encodeTileRecord(tile: TileRecord): Uint8Array {
  const w = new Writer(7 + tile.payload.length);
  return w.u16(tile.tx).u16(tile.ty).u8(tile.codec).u16(tile.payload.length).bytes(tile.payload).finish();
}

/** A DELTA frame from pre-encoded tile records: the per-client work is one copy of each record. */
export function assembleDelta(generation: number, scale: number, records: readonly Uint8Array[]): Uint8Array {
  let size = 14;
  for (const rec of records) size += rec.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = PROTOCOL_VERSION;
  out[1] = ServerType.DELTA;
  view.setBigUint64(2, BigInt(generation), true);
  view.setUint16(10, scale, true);
  view.setUint16(12, records.length, true);
  let at = 14;
  for (const rec of records) {
    out.set(rec, at);
    at += rec.length;
  }
  return out;
}

/** A STEP frame from pre-encoded parts: the override tile records and the band payload are shared
 *  by every client with the same view; only the 25–29 header bytes are per client. */
export function assembleStep(
  from: number,
  to: number,
  steps: number,
  sides: number,
  checksum: number | null,
  records: readonly Uint8Array[],
  bandCodec: CodecId,
  band: Uint8Array,
): Uint8Array {
  const head = checksum === null ? 22 : 26;
  let size = head + 2 + 1 + band.length;
  for (const rec of records) size += rec.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = PROTOCOL_VERSION;
  out[1] = ServerType.STEP;
  view.setBigUint64(2, BigInt(from), true);
  view.setBigUint64(10, BigInt(to), true);
  view.setUint16(18, steps, true);
  out[20] = sides;
  out[21] = checksum === null ? 0 : 1;
  if (checksum !== null) view.setUint32(22, checksum >>> 0, true);
  view.setUint16(head, records.length, true);
  let at = head + 2;
  for (const rec of records) {
    out.set(rec, at);
    at += rec.length;
  }
  out[at++] = bandCodec;
  out.set(band, at);
  return out;
}

export function encodeServerMessage(m: ServerMessage): Uint8Array {
  const w = new Writer();
  switch (m.type) {
    case "welcome":
      header(w, ServerType.WELCOME).u32(m.playerId).u32(m.colour).u8(m.owner ? 1 : 0).u64(m.generation);
      writeSettings(w, m.settings);
      return w.finish();
    case "keyframe":
      header(w, ServerType.KEYFRAME).u64(m.generation).u16(m.scale).u16(m.x).u16(m.y).u16(m.width).u16(m.height).u8(m.codec);
      return w.bytes(m.payload).finish();
    case "delta":
      return assembleDelta(m.generation, m.scale, m.tiles.map(encodeTileRecord));
    case "step":
      return assembleStep(m.from, m.to, m.steps, m.sides, m.checksum, m.tiles.map(encodeTileRecord), m.bandCodec, m.band);
    case "presence":
      header(w, ServerType.PRESENCE).u8(m.full ? 1 : 0).u16(m.players.length);
      for (const p of m.players) w.u32(p.id).u32(p.colour).i32(p.x).i32(p.y).text8(p.name);
      w.u16(m.left.length);
      for (const id of m.left) w.u32(id);
      return w.finish();
    case "stats":
      header(w, ServerType.STATS).u64(m.generation).u32(m.population).f32(m.generationsPerSecond).u16(m.players);
      return w.u8((m.running ? 1 : 0) | (m.still ? 2 : 0)).finish();
    case "settings":
      header(w, ServerType.SETTINGS).u64(m.generation);
      writeSettings(w, m.settings);
      return w.finish();
    case "ack":
      return header(w, ServerType.ACK).u32(m.seq).u64(m.generation).finish();
    case "error":
      return header(w, ServerType.ERROR).u16(m.code).u32(m.seq).text8(truncateUtf8(m.reason, 120)).finish();
  }
}

export function decodeServerFrame(data: ArrayBuffer | ArrayBufferView): Decoded<ServerMessage> {
  return decodeWith<ServerMessage>(data, (r, type) => {
    switch (type) {
      case ServerType.WELCOME: {
        const playerId = r.u32();
        const colour = r.u32();
        const role = r.u8();
        const generation = r.u64();
        return { type: "welcome", playerId, colour, owner: (role & 1) !== 0, generation, settings: readSettings(r) };
      }
      case ServerType.KEYFRAME: {
        const generation = r.u64();
        const scale = r.u16();
        const x = r.u16();
        const y = r.u16();
        const width = r.u16();
        const height = r.u16();
        const codec = readCodec(r);
        if (!isPowerOfTwoScale(scale) || width > MAX_VIEW_SIDE || height > MAX_VIEW_SIDE) fail("bad keyframe shape");
        return { type: "keyframe", generation, scale, x, y, width, height, codec, payload: r.bytesOf(r.remaining) };
      }
      case ServerType.DELTA: {
        const generation = r.u64();
        const scale = r.u16();
        if (!isPowerOfTwoScale(scale)) fail("bad scale");
        const count = r.u16();
        const tiles: TileRecord[] = [];
        for (let i = 0; i < count; i++) {
          const tx = r.u16();
          const ty = r.u16();
          const codec = readCodec(r);
          tiles.push({ tx, ty, codec, payload: r.bytesOf(r.u16()) });
        }
        return { type: "delta", generation, scale, tiles };
      }
      case ServerType.STEP: {
        const from = r.u64();
        const to = r.u64();
        const steps = r.u16();
        const sides = r.u8();
        const flags = r.u8();
        if (steps > MAX_PREDICT_STEPS || from + steps > to) fail("bad step generations");
        if (sides > 15 || flags > 1) fail("bad step flags");
        const checksum = flags & 1 ? r.u32() : null;
        const count = r.u16();
        const tiles: TileRecord[] = [];
        for (let i = 0; i < count; i++) {
          const tx = r.u16();
          const ty = r.u16();
          const codec = readCodec(r);
          tiles.push({ tx, ty, codec, payload: r.bytesOf(r.u16()) });
        }
        const bandCodec = readCodec(r);
        return { type: "step", from, to, steps, sides, checksum, tiles, bandCodec, band: r.bytesOf(r.remaining) };
      }
      case ServerType.PRESENCE: {
        const full = (r.u8() & 1) !== 0;
        const count = r.u16();
        const players: PresenceEntry[] = [];
        for (let i = 0; i < count; i++) {
          players.push({ id: r.u32(), colour: r.u32(), x: r.i32(), y: r.i32(), name: r.text8() });
        }
        const leftCount = r.u16();
        const left: number[] = [];
        for (let i = 0; i < leftCount; i++) left.push(r.u32());
        return { type: "presence", full, players, left };
      }
      case ServerType.STATS: {
        const generation = r.u64();
        const population = r.u32();
        const generationsPerSecond = r.f32();
        const players = r.u16();
        const flags = r.u8();
        return { type: "stats", generation, population, generationsPerSecond, players, running: (flags & 1) !== 0, still: (flags & 2) !== 0 };
      }
      case ServerType.SETTINGS: {
        const generation = r.u64();
        return { type: "settings", generation, settings: readSettings(r) };
      }
      case ServerType.ACK:
        return { type: "ack", seq: r.u32(), generation: r.u64() };
      case ServerType.ERROR: {
        const code = r.u16();
        const seq = r.u32();
        const reason = r.text8();
        return { type: "error", code: asErrorCode(code), seq, reason };
      }
      default:
        return fail("unknown frame type", ErrorCode.UNKNOWN_TYPE);
    }
  });
}

function readCodec(r: Reader): CodecId {
  const c = r.u8();
  if (c === Codec.NONE || c === Codec.RUNS || c === Codec.DEFLATE) return c;
  return fail("unknown codec");
}

function asErrorCode(code: number): ErrorCodeId {
  for (const known of Object.values(ErrorCode)) if (known === code) return known;
  return ErrorCode.INTERNAL;
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = text;
  while (utf8Encoder.encode(out).length > maxBytes) out = out.slice(0, -1);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Client → server frames.
//
// HELLO     41 | flags u8 (bit0 resume, bit1 predict) | resumeGeneration u64 | nameLen u8 | name | tokenLen u8 | token
// VIEWPORT  42 | x i32 | y i32 | width u32 | height u32 | scale u16        (x..height in grid cells)
// SET_CELLS 43 | seq u32 | alive u8 | count u16 | count × (x u16, y u16)
// STAMP     44 | seq u32 | x i32 | y i32 | mode u8 (0 or, 1 replace) | pattern text (UTF-8, to the end)
// CURSOR    45 | x i32 | y i32                                         (x < 0: cursor hidden)
// CONTROL   46 | seq u32 | action u8 | fields:
//   1 pause · 2 resume · 3 step: generations u32 · 4 clear · 5 randomize: density f64, seed u32
//   6 configure: present u8 (bit0 rule, bit1 tickMs, bit2 generationsPerTick, bit3 private,
//                bit4 locked), then in bit order: ruleLen u8 + rule (ASCII) | u32 | u16 | u8 | u8
// RESYNC    47 |                                                        (asks for a keyframe)
// RECEIVED  48 | frames u32   (KEYFRAME + DELTA frames received on this socket so far)
//
// `seq` is chosen by the client (non-zero) and echoed in the ACK or ERROR that answers the request.
// ---------------------------------------------------------------------------------------------

const ControlOp = { pause: 1, resume: 2, step: 3, clear: 4, randomize: 5, configure: 6 } as const;

export function encodeClientMessage(m: ClientMessage): Uint8Array {
  const w = new Writer();
  switch (m.type) {
    case "hello":
      header(w, ClientType.HELLO).u8((m.resumeGeneration === null ? 0 : 1) | (m.predict ? 2 : 0)).u64(m.resumeGeneration ?? 0);
      return w.text8(m.name).text8(m.token ?? "").finish();
    case "viewport":
      return header(w, ClientType.VIEWPORT).i32(m.x).i32(m.y).u32(m.width).u32(m.height).u16(m.scale).finish();
    case "setCells": {
      const count = m.cells.length >>> 1;
      header(w, ClientType.SET_CELLS).u32(m.seq).u8(m.alive ? 1 : 0).u16(count);
      for (let i = 0; i < count * 2; i++) w.u16(m.cells[i]);
      return w.finish();
    }
    case "stamp":
      header(w, ClientType.STAMP).u32(m.seq).i32(m.x).i32(m.y).u8(m.mode === "replace" ? 1 : 0);
      return w.bytes(utf8Encoder.encode(m.pattern)).finish();
    case "cursor":
      return header(w, ClientType.CURSOR).i32(m.x).i32(m.y).finish();
    case "control": {
      const c = m.control;
      header(w, ClientType.CONTROL).u32(m.seq).u8(ControlOp[c.action]);
      if (c.action === "step") w.u32(c.generations);
      else if (c.action === "randomize") w.f64(c.density).u32(c.seed);
      else if (c.action === "configure") {
        const present =
          (c.rule !== undefined ? 1 : 0) |
          (c.tickMs !== undefined ? 2 : 0) |
          (c.generationsPerTick !== undefined ? 4 : 0) |
          (c.private !== undefined ? 8 : 0) |
          (c.locked !== undefined ? 16 : 0);
        w.u8(present);
        if (c.rule !== undefined) w.text8(c.rule);
        if (c.tickMs !== undefined) w.u32(c.tickMs);
        if (c.generationsPerTick !== undefined) w.u16(c.generationsPerTick);
        if (c.private !== undefined) w.u8(c.private ? 1 : 0);
        if (c.locked !== undefined) w.u8(c.locked ? 1 : 0);
      }
      return w.finish();
    }
    case "resync":
      return header(w, ClientType.RESYNC).finish();
    case "received":
      return header(w, ClientType.RECEIVED).u32(m.frames).finish();
  }
}

/**
 * Decodes one client frame into a checked message. Checks everything that does not depend on the
 * room (lengths, ranges, enum values, UTF-8); the room checks coordinates against its grid.
 */
export function decodeClientFrame(data: ArrayBuffer | ArrayBufferView): Decoded<ClientMessage> {
  const bytes = toBytes(data);
  if (bytes.length > MAX_CLIENT_FRAME_BYTES) return { ok: false, error: { code: ErrorCode.TOO_LARGE, reason: "frame too large" } };
  return decodeWith<ClientMessage>(bytes, (r, type) => {
    switch (type) {
      case ClientType.HELLO: {
        const flags = r.u8();
        if (flags > 3) fail("bad hello flags");
        const resume = r.u64();
        const rawName = r.text8();
        const token = r.text8();
        if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]*$/.test(token)) fail("bad token");
        const hello: ClientMessage = { type: "hello", name: sanitizeName(rawName, MAX_PLAYER_NAME), resumeGeneration: flags & 1 ? resume : null, token: token || null };
        // `predict` only when asked for, so a HELLO without it decodes exactly as it did before.
        return flags & 2 ? { ...hello, predict: true } : hello;
      }
      case ClientType.VIEWPORT: {
        const x = r.i32();
        const y = r.i32();
        const width = r.u32();
        const height = r.u32();
        const scale = r.u16();
        if (!isPowerOfTwoScale(scale)) fail("scale must be a power of two from 1 to 256");
        if (width < 1 || height < 1 || width > MAX_GRID_SIDE * 2 || height > MAX_GRID_SIDE * 2) fail("bad viewport size");
        return { type: "viewport", x, y, width, height, scale };
      }
      case ClientType.SET_CELLS: {
        const seq = r.u32();
        const alive = r.u8();
        if (alive > 1) fail("alive must be 0 or 1");
        const count = r.u16();
        if (count > MAX_CELLS_PER_EDIT) fail("too many cells in one edit", ErrorCode.TOO_LARGE);
        if (r.remaining !== count * 4) fail("cell count does not match the frame length");
        const cells = new Uint16Array(count * 2);
        for (let i = 0; i < count * 2; i++) cells[i] = r.u16();
        return { type: "setCells", seq, alive: alive === 1, cells };
      }
      case ClientType.STAMP: {
        const seq = r.u32();
        const x = r.i32();
        const y = r.i32();
        const mode = r.u8();
        if (mode > 1) fail("mode must be 0 (or) or 1 (replace)");
        const pattern = r.text(r.remaining);
        return { type: "stamp", seq, x, y, mode: mode === 1 ? "replace" : "or", pattern };
      }
      case ClientType.CURSOR:
        return { type: "cursor", x: r.i32(), y: r.i32() };
      case ClientType.CONTROL: {
        const seq = r.u32();
        return { type: "control", seq, control: readControl(r) };
      }
      case ClientType.RESYNC:
        return { type: "resync" };
      case ClientType.RECEIVED:
        return { type: "received", frames: r.u32() };
      default:
        return fail("unknown frame type", ErrorCode.UNKNOWN_TYPE);
    }
  });
}

function readControl(r: Reader): ControlAction {
  const op = r.u8();
  switch (op) {
    case ControlOp.pause:
      return { action: "pause" };
    case ControlOp.resume:
      return { action: "resume" };
    case ControlOp.clear:
      return { action: "clear" };
    case ControlOp.step: {
      const generations = r.u32();
      if (generations < 1 || generations > MAX_STEP_GENERATIONS) fail(`generations must be from 1 to ${MAX_STEP_GENERATIONS}`);
      return { action: "step", generations };
    }
    case ControlOp.randomize: {
      const density = r.f64();
      const seed = r.u32();
      if (!(density >= 0 && density <= 1)) fail("density must be from 0 to 1");
      return { action: "randomize", density, seed };
    }
    case ControlOp.configure: {
      const present = r.u8();
      if (present > 31) fail("unknown configure fields");
      const c: ControlAction & { action: "configure" } = { action: "configure" };
      if (present & 1) {
        const rule = r.text8();
        if (rule.length > MAX_RULE_LENGTH) fail("rule too long");
        c.rule = rule;
      }
      if (present & 2) {
        c.tickMs = r.u32();
        if (c.tickMs < MIN_TICK_MS || c.tickMs > MAX_TICK_MS) fail(`tickMs must be from ${MIN_TICK_MS} to ${MAX_TICK_MS}`);
      }
      if (present & 4) {
        c.generationsPerTick = r.u16();
        if (c.generationsPerTick < MIN_GENERATIONS_PER_TICK || c.generationsPerTick > MAX_GENERATIONS_PER_TICK) {
          fail(`generationsPerTick must be from ${MIN_GENERATIONS_PER_TICK} to ${MAX_GENERATIONS_PER_TICK}`);
        }
      }
      if (present & 8) c.private = readBool(r);
      if (present & 16) c.locked = readBool(r);
      return c;
    }
    default:
      return fail("unknown control action");
  }
}

function readBool(r: Reader): boolean {
  const b = r.u8();
  if (b > 1) fail("boolean must be 0 or 1");
  return b === 1;
}

// ---------------------------------------------------------------------------------------------
// Payload codecs.
//
// RUNS: a sequence of (zeros, literals) pairs until the decoded length is reached:
//
//   +----------------+-------------------+----------------------+
//   | zeros (varint) | literals (varint) | `literals` raw bytes | ... repeated
//   +----------------+-------------------+----------------------+
//
// varint = unsigned LEB128 (7 bits per byte, low group first, high bit = more), at most 5 bytes.
// An empty 64×64 tile is 3 bytes (zeros = 512, literals = 0); a 16384² empty grid is 6 bytes.
// The decoder knows the decoded length from the frame and refuses anything that over- or under-
// fills it, so a payload can never make the client allocate more than the frame promised.
// ---------------------------------------------------------------------------------------------

/** A zero run shorter than this stays inside the literal run: cutting it costs two varints. */
const MIN_ZERO_RUN = 3;

/** encodeRuns' working buffer, kept between calls (up to RUNS_SCRATCH_KEEP bytes): a buffer per
 *  call, thousands of times a second in a busy server, makes the runtime collect garbage in full. */
let runsScratch = new Uint8Array(0);
const RUNS_SCRATCH_KEEP = 4 << 20;

export function encodeRuns(raw: Uint8Array): Uint8Array {
  // Worst case: one literal run of everything, plus two 5-byte varints.
  const n = raw.length;
  const need = n + 10 + (n >>> 6);
  if (runsScratch.length < need) {
    const grown = new Uint8Array(need);
    if (need > RUNS_SCRATCH_KEEP) return encodeRunsInto(raw, grown);
    runsScratch = grown;
  }
  return encodeRunsInto(raw, runsScratch);
}

/** Encodes `raw` into `out` (room for the worst case) and returns a copy of what was written. */
function encodeRunsInto(raw: Uint8Array, out: Uint8Array): Uint8Array {
  const n = raw.length;
  let o = 0;
  let i = 0;
  // One pass, no allocation per run (this runs over every snapshot chunk and every changed tile).
  while (i < n) {
    const zeroStart = i;
    while (i < n && raw[i] === 0) i++;
    let v = i - zeroStart;
    while (v >= 0x80) {
      out[o++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[o++] = v;
    // Extend the literal run until a zero run of MIN_ZERO_RUN bytes starts; zeros at the very end
    // are left out of it (the next pair carries them).
    const litStart = i;
    let zeros = 0;
    while (i < n) {
      if (raw[i] !== 0) {
        zeros = 0;
        i++;
      } else if (++zeros === MIN_ZERO_RUN) {
        break;
      } else {
        i++;
      }
    }
    i -= i < n ? MIN_ZERO_RUN - 1 : zeros;
    const length = i - litStart;
    v = length;
    while (v >= 0x80) {
      out[o++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[o++] = v;
    if (length < 64) {
      for (let k = litStart; k < i; k++) out[o++] = raw[k];
    } else {
      out.set(raw.subarray(litStart, i), o);
      o += length;
    }
  }
  return out.slice(0, o);
}

/** Decodes RUNS into exactly `rawLength` bytes, or null when the payload is malformed. */
export function decodeRuns(encoded: Uint8Array, rawLength: number): Uint8Array | null {
  const out = new Uint8Array(rawLength);
  let i = 0;
  let o = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (i >= encoded.length) return -1;
      const b = encoded[i++];
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
    return -1;
  };
  while (o < rawLength) {
    const zeros = varint();
    if (zeros < 0 || o + zeros > rawLength) return null;
    o += zeros;
    const literals = varint();
    if (literals < 0 || o + literals > rawLength || i + literals > encoded.length) return null;
    out.set(encoded.subarray(i, i + literals), o);
    o += literals;
    i += literals;
    if (zeros === 0 && literals === 0) return null; // no progress: a malformed (or hostile) stream
  }
  return i === encoded.length ? out : null;
}

export async function deflateRaw(raw: Uint8Array): Promise<Uint8Array> {
  const cs = new CompressionStream("deflate-raw");
  const writer = cs.writable.getWriter();
  // The stream API wants bytes over a plain ArrayBuffer; a copy also detaches us from Wasm memory.
  void writer.write(new Uint8Array(raw)).then(() => writer.close()).catch(() => {});
  const out = await readUpTo(cs.readable, Number.MAX_SAFE_INTEGER);
  if (out === null) throw new Error("unreachable: no limit");
  return out;
}

/** Inflates at most `rawLength` bytes; null when the stream is malformed or has another length. */
export async function inflateRaw(encoded: Uint8Array, rawLength: number): Promise<Uint8Array | null> {
  try {
    const ds = new DecompressionStream("deflate-raw");
    const writer = ds.writable.getWriter();
    void writer.write(new Uint8Array(encoded)).then(() => writer.close()).catch(() => {});
    const out = await readUpTo(ds.readable, rawLength);
    return out !== null && out.length === rawLength ? out : null;
  } catch {
    return null;
  }
}

/** Encodes `raw` with `codec`. */
export async function encodePayload(codec: CodecId, raw: Uint8Array): Promise<Uint8Array> {
  if (codec === Codec.RUNS) return encodeRuns(raw);
  if (codec === Codec.DEFLATE) return deflateRaw(raw);
  return raw;
}

/** Decodes a payload that must expand to exactly `rawLength` bytes; null when it does not. */
export async function decodePayload(codec: CodecId, payload: Uint8Array, rawLength: number): Promise<Uint8Array | null> {
  if (codec === Codec.RUNS) return decodeRuns(payload, rawLength);
  if (codec === Codec.DEFLATE) return inflateRaw(payload, rawLength);
  return payload.length === rawLength ? payload.slice() : null;
}

/** The decoded byte length of a KEYFRAME payload. */
export function keyframeBytes(width: number, height: number): number {
  return ((width + 7) >>> 3) * height;
}
