/**
 * Client → server frames: their layouts, the client's encoder and the room's decoder.
 *
 * HELLO     41 | flags u8 (bit0 resume, bit1 predict) | resumeGeneration u64 | nameLen u8 | name | tokenLen u8 | token
 * VIEWPORT  42 | x i32 | y i32 | width u32 | height u32 | scale u16        (x..height in grid cells)
 * SET_CELLS 43 | seq u32 | flags u8 (bit0 alive, bit7 continues) | count u16 | count × (x u16, y u16)
 * STAMP     44 | seq u32 | x i32 | y i32 | mode u8 (bit0: 0 or, 1 replace; bit7 continues) | pattern text (UTF-8, to the end)
 * CURSOR    45 | x i32 | y i32                                         (x < 0: cursor hidden)
 * CONTROL   46 | seq u32 | action u8 | fields:
 *   1 pause · 2 resume · 3 step: generations u32 · 4 clear · 5 randomize: density f64, seed u32
 *   6 configure: present u8 (bit0 rule, bit1 tickMs, bit2 generationsPerTick, bit3 private,
 *                bit4 locked), then in bit order: ruleLen u8 + rule (ASCII) | u32 | u16 | u8 | u8
 * RESYNC    47 |                                                        (asks for a keyframe)
 * RECEIVED  48 | frames u32   (KEYFRAME + DELTA frames received on this socket so far)
 * UNDO      49 | seq u32      (undo this player's own last edit; ACK or ERROR like an edit)
 * REDO      4a | seq u32      (redo the edit this player undid last)
 *
 *   offset 0       2         6
 *        +-------+---------+
 *        | 01 49 | seq u32 |      REDO: 01 4a, the same body
 *        +-------+---------+
 *
 * `seq` is chosen by the client (non-zero) and echoed in the ACK or ERROR that answers the request.
 *
 * "continues" (bit7 of SET_CELLS's flags and of STAMP's mode) says that the edit continues the
 * sender's previous one — the next batch of a brush stroke — so that one undo takes back the
 * whole stroke. The room honours it only when the sender's previous edit, UNDO or REDO frame was
 * an edit it accepted.
 *
 * STAMP, the one frame whose size is the pattern's, has a fixed header before the text:
 *
 *   offset 0       2         6        10       14        15
 *        +-------+---------+--------+--------+---------+------------------------------+
 *        | 01 44 | seq u32 | x i32  | y i32  | mode u8 | pattern (UTF-8, to the end)  |
 *        +-------+---------+--------+--------+---------+------------------------------+
 */
import { type Reader, decodeWith, fail, frame, refused, toBytes } from "./bytes.ts";
import { ClientType, ErrorCode } from "./codes.ts";
import {
  MAX_CELLS_PER_EDIT,
  MAX_CLIENT_FRAME_BYTES,
  MAX_GENERATIONS_PER_TICK,
  MAX_GRID_SIDE,
  MAX_PLAYER_NAME,
  MAX_RULE_LENGTH,
  MAX_STEP_GENERATIONS,
  MAX_TICK_MS,
  MAX_TOKEN_LENGTH,
  MIN_GENERATIONS_PER_TICK,
  MIN_TICK_MS,
  isPowerOfTwoScale,
} from "./limits.ts";
import type { ClientMessage, ControlAction, Decoded } from "./messages.ts";
import { sanitizeName } from "./text.ts";

/** The bytes of a STAMP before its pattern text. */
export const STAMP_HEADER_BYTES = 15;

const utf8Encoder = new TextEncoder();

const ControlOp = { pause: 1, resume: 2, step: 3, clear: 4, randomize: 5, configure: 6 } as const;

/** Bit7 of SET_CELLS's flags and STAMP's mode: the edit continues the sender's previous one. */
const CONTINUES = 0x80;

export function encodeClientMessage(m: ClientMessage): Uint8Array {
  switch (m.type) {
    case "hello":
      return frame(ClientType.HELLO)
        .u8((m.resumeGeneration === null ? 0 : 1) | (m.predict ? 2 : 0))
        .u64(m.resumeGeneration ?? 0)
        .text8(m.name)
        .text8(m.token ?? "")
        .finish();
    case "viewport":
      return frame(ClientType.VIEWPORT).i32(m.x).i32(m.y).u32(m.width).u32(m.height).u16(m.scale).finish();
    case "setCells": {
      const count = m.cells.length >>> 1;
      const w = frame(ClientType.SET_CELLS).u32(m.seq).u8((m.alive ? 1 : 0) | (m.continues ? CONTINUES : 0)).u16(count);
      for (let i = 0; i < count * 2; i++) w.u16(m.cells[i]);
      return w.finish();
    }
    case "stamp": {
      const pattern = utf8Encoder.encode(m.pattern);
      const w = frame(ClientType.STAMP, STAMP_HEADER_BYTES + pattern.length).u32(m.seq).i32(m.x).i32(m.y).u8((m.mode === "replace" ? 1 : 0) | (m.continues ? CONTINUES : 0));
      return w.bytes(pattern).finishExact();
    }
    case "cursor":
      return frame(ClientType.CURSOR).i32(m.x).i32(m.y).finish();
    case "control": {
      const c = m.control;
      const w = frame(ClientType.CONTROL).u32(m.seq).u8(ControlOp[c.action]);
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
      return frame(ClientType.RESYNC).finish();
    case "received":
      return frame(ClientType.RECEIVED).u32(m.frames).finish();
    case "undo":
      return frame(ClientType.UNDO).u32(m.seq).finish();
    case "redo":
      return frame(ClientType.REDO).u32(m.seq).finish();
  }
}

/**
 * Decodes one client frame into a checked message. Checks everything that does not depend on the
 * room (lengths, ranges, enum values, UTF-8); the room checks coordinates against its grid.
 */
export function decodeClientFrame(data: ArrayBuffer | ArrayBufferView): Decoded<ClientMessage> {
  const bytes = toBytes(data);
  if (bytes.length > MAX_CLIENT_FRAME_BYTES) return refused(ErrorCode.TOO_LARGE, "frame too large");
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
        const flags = r.u8();
        const alive = flags & ~CONTINUES;
        if (alive > 1) fail("alive must be 0 or 1");
        const count = r.u16();
        if (count > MAX_CELLS_PER_EDIT) fail("too many cells in one edit", ErrorCode.TOO_LARGE);
        if (r.remaining !== count * 4) fail("cell count does not match the frame length");
        const cells = new Uint16Array(count * 2);
        for (let i = 0; i < count * 2; i++) cells[i] = r.u16();
        const edit: ClientMessage = { type: "setCells", seq, alive: alive === 1, cells };
        // `continues` only when set, so an edit without it decodes exactly as it did before.
        return flags & CONTINUES ? { ...edit, continues: true } : edit;
      }
      case ClientType.STAMP: {
        const seq = r.u32();
        const x = r.i32();
        const y = r.i32();
        const flags = r.u8();
        const mode = flags & ~CONTINUES;
        if (mode > 1) fail("mode must be 0 (or) or 1 (replace)");
        const pattern = r.text(r.remaining);
        const edit: ClientMessage = { type: "stamp", seq, x, y, mode: mode === 1 ? "replace" : "or", pattern };
        return flags & CONTINUES ? { ...edit, continues: true } : edit;
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
      case ClientType.UNDO:
        return { type: "undo", seq: r.u32() };
      case ClientType.REDO:
        return { type: "redo", seq: r.u32() };
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
