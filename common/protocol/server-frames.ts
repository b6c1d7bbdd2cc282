/**
 * Server → client frames: their layouts, the room's encoders and the client's decoder.
 *
 * WELCOME  01 | playerId u32 | colour u32 | role u8 (bit0 owner) | generation u64 | settings
 * KEYFRAME 02 | generation u64 | scale u16 | x u16 | y u16 | width u16 | height u16 | codec u8
 *             | payload (to the end; decodes to keyframeBytes(width, height, scale) bytes)
 * DELTA    03 | generation u64 | scale u16 | count u16 | count × tile record
 *   record:  tx u16 | ty u16 | codec u8 | length u16 | payload (decodes to tileBytes(scale) bytes)
 * PRESENCE 04 | flags u8 (bit0 full list) | count u16 | count × entry | leftCount u16 | left ids u32…
 *   entry:   id u32 | colour u32 | x i32 | y i32 | nameLen u8 | name
 * STATS    05 | generation u64 | population u32 | generationsPerSecond f32 | players u16
 *             | flags u8 (bit0 running, bit1 still)
 * SETTINGS 06 | generation u64 | settings                                     (settings.ts)
 * ACK      07 | seq u32 | generation u64
 * ERROR    08 | code u16 | seq u32 (0: not about a request) | reasonLen u8 | reason
 * STEP     09 | from u64 | to u64 | steps u16 | sides u8 | flags u8 (bit0 checksum) | [checksum u32]
 *             | count u16 | count × tile record (as in DELTA) | bandCodec u8 | band payload (to the end)
 *
 * The frames sent every tick (DELTA, STEP) and their tile records have fixed-size headers, drawn
 * with their offsets beside their encoders below; the sizes are exported for code that budgets
 * or measures frames.
 *
 * What a KEYFRAME or DELTA payload holds is decided by the frame's scale (codecs.ts bitsPerCell):
 * at scale 1 one bit per cell (common/bitmap.ts: 512 bytes a tile); at a coarser scale two bits
 * per scaled cell, its block's density level (common/density.ts: 1024 bytes a tile). STEP frames
 * are only ever at scale 1.
 */
import { type Reader, Writer, decodeWith, fail, frame } from "./bytes.ts";
import { Codec, type CodecId, ErrorCode, type ErrorCodeId, ServerType } from "./codes.ts";
import { MAX_PREDICT_STEPS, MAX_VIEW_SIDE, isPowerOfTwoScale } from "./limits.ts";
import type { Decoded, PresenceEntry, ServerMessage, TileRecord } from "./messages.ts";
import { readSettings, writeSettings } from "./settings.ts";
import { truncateUtf8 } from "./text.ts";

/** ERROR reasons are cut to this many UTF-8 bytes: a short reason, never a stack. */
const MAX_REASON_BYTES = 120;

// ---------------------------------------------------------------------------------------------
// KEYFRAME
//
//  offset 0       2                 10          12      14      16          18           20         21
//       +-------+-----------------+-----------+-------+-------+-----------+------------+----------+---------------------+
//       | 01 02 | generation u64  | scale u16 | x u16 | y u16 | width u16 | height u16 | codec u8 | payload (to the end) |
//       +-------+-----------------+-----------+-------+-------+-----------+------------+----------+---------------------+
// ---------------------------------------------------------------------------------------------

/** The bytes of a KEYFRAME before its payload. */
export const KEYFRAME_HEADER_BYTES = 21;

function encodeKeyframe(m: ServerMessage & { type: "keyframe" }): Uint8Array {
  // Sized up front: a keyframe of a 4096² view is 2 MiB, and growing a writer would copy it twice.
  const w = frame(ServerType.KEYFRAME, KEYFRAME_HEADER_BYTES + m.payload.length);
  w.u64(m.generation).u16(m.scale).u16(m.x).u16(m.y).u16(m.width).u16(m.height).u8(m.codec);
  return w.bytes(m.payload).finishExact();
}

// ---------------------------------------------------------------------------------------------
// DELTA and its tile records
//
//  offset 0       2                 10          12          14
//       +-------+-----------------+-----------+-----------+-------------------------------------+
//       | 01 03 | generation u64  | scale u16 | count u16 | count × tile record (to the end)    |
//       +-------+-----------------+-----------+-----------+-------------------------------------+
//
//  tile record:
//  offset 0        2        4          5            7
//       +--------+--------+----------+------------+------------------------------------------+
//       | tx u16 | ty u16 | codec u8 | length u16 | `length` bytes (decode to tileBytes(scale)) |
//       +--------+--------+----------+------------+------------------------------------------+
//
//  tile contents at scale 1 (TILE_BYTES = 512): 64 rows of 8 bytes, bit (c & 7) of byte
//  8r + (c >> 3) is cell (c, r) of the tile.
//  tile contents at scale > 1 (DENSITY_TILE_BYTES = 1024): 64 rows of 16 bytes, bits
//  2(c & 3) … 2(c & 3) + 1 of byte 16r + (c >> 2) are the level (0 … 3) of scaled cell (c, r):
//
//       byte 16r + k:  | c=4k+3 | c=4k+2 | c=4k+1 | c=4k  |
//                      | b7 b6  | b5 b4  | b3 b2  | b1 b0 |
// ---------------------------------------------------------------------------------------------

/** The bytes of a DELTA before its tile records: the only part of a DELTA that is per client. */
export const DELTA_HEADER_BYTES = 14;
/** The bytes of a tile record (in DELTA and STEP) before its payload. */
export const TILE_RECORD_HEADER_BYTES = 7;

/** One DELTA tile record, encoded once per tick and shared by every client that needs the tile. */
export function encodeTileRecord(tile: TileRecord): Uint8Array {
  const w = new Writer(TILE_RECORD_HEADER_BYTES + tile.payload.length);
  return w.u16(tile.tx).u16(tile.ty).u8(tile.codec).u16(tile.payload.length).bytes(tile.payload).finishExact();
}

/** A DELTA frame from pre-encoded tile records: the per-client work is one copy of each record. */
export function assembleDelta(generation: number, scale: number, records: readonly Uint8Array[]): Uint8Array {
  let size = DELTA_HEADER_BYTES;
  for (const rec of records) size += rec.length;
  const w = frame(ServerType.DELTA, size).u64(generation).u16(scale).u16(records.length);
  for (const rec of records) w.bytes(rec);
  return w.finishExact();
}

function readTileRecords(r: Reader): TileRecord[] {
  const count = r.u16();
  const tiles: TileRecord[] = [];
  for (let i = 0; i < count; i++) {
    const tx = r.u16();
    const ty = r.u16();
    const codec = readCodec(r);
    tiles.push({ tx, ty, codec, payload: r.bytesOf(r.u16()) });
  }
  return tiles;
}

// ---------------------------------------------------------------------------------------------
// STEP (lockstep prediction, common/lockstep/)
//
//  offset 0       2           10          18          20         21         22
//       +-------+-----------+-----------+-----------+----------+----------+------------------------------+
//       | 01 09 | from u64  | to u64    | steps u16 | sides u8 | flags u8 | checksum u32 (if flags bit0) |
//       +-------+-----------+-----------+-----------+----------+----------+------------------------------+
//  then (at 22, or 26 with the checksum)
//       +-----------+-----------------------------------+--------------+---------------------------+
//       | count u16 | count × tile record (as in DELTA) | bandCodec u8 | band payload (to the end) |
//       +-----------+-----------------------------------+--------------+---------------------------+
// ---------------------------------------------------------------------------------------------

/** The bytes of a STEP before its optional checksum. */
export const STEP_HEADER_BYTES = 22;
/** The checksum a STEP carries when its flags bit 0 is set. */
export const STEP_CHECKSUM_BYTES = 4;
/** The tile count (u16) and the band codec (u8) around a STEP's tile records. */
const STEP_COUNT_BYTES = 2;
const STEP_BAND_CODEC_BYTES = 1;

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
  let size = STEP_HEADER_BYTES + (checksum === null ? 0 : STEP_CHECKSUM_BYTES) + STEP_COUNT_BYTES + STEP_BAND_CODEC_BYTES + band.length;
  for (const rec of records) size += rec.length;
  const w = frame(ServerType.STEP, size).u64(from).u64(to).u16(steps).u8(sides).u8(checksum === null ? 0 : 1);
  if (checksum !== null) w.u32(checksum >>> 0);
  w.u16(records.length);
  for (const rec of records) w.bytes(rec);
  return w.u8(bandCodec).bytes(band).finishExact();
}

// ---------------------------------------------------------------------------------------------
// Every server frame.
// ---------------------------------------------------------------------------------------------

export function encodeServerMessage(m: ServerMessage): Uint8Array {
  switch (m.type) {
    case "welcome": {
      const w = frame(ServerType.WELCOME).u32(m.playerId).u32(m.colour).u8(m.owner ? 1 : 0).u64(m.generation);
      writeSettings(w, m.settings);
      return w.finish();
    }
    case "keyframe":
      return encodeKeyframe(m);
    case "delta":
      return assembleDelta(m.generation, m.scale, m.tiles.map(encodeTileRecord));
    case "step":
      return assembleStep(m.from, m.to, m.steps, m.sides, m.checksum, m.tiles.map(encodeTileRecord), m.bandCodec, m.band);
    case "presence": {
      const w = frame(ServerType.PRESENCE).u8(m.full ? 1 : 0).u16(m.players.length);
      for (const p of m.players) w.u32(p.id).u32(p.colour).i32(p.x).i32(p.y).text8(p.name);
      w.u16(m.left.length);
      for (const id of m.left) w.u32(id);
      return w.finish();
    }
    case "stats":
      return frame(ServerType.STATS)
        .u64(m.generation)
        .u32(m.population)
        .f32(m.generationsPerSecond)
        .u16(m.players)
        .u8((m.running ? 1 : 0) | (m.still ? 2 : 0))
        .finish();
    case "settings": {
      const w = frame(ServerType.SETTINGS).u64(m.generation);
      writeSettings(w, m.settings);
      return w.finish();
    }
    case "ack":
      return frame(ServerType.ACK).u32(m.seq).u64(m.generation).finish();
    case "error":
      return frame(ServerType.ERROR).u16(m.code).u32(m.seq).text8(truncateUtf8(m.reason, MAX_REASON_BYTES)).finish();
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
        return { type: "delta", generation, scale, tiles: readTileRecords(r) };
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
        const tiles = readTileRecords(r);
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

/** An ERROR code this client does not know reads as INTERNAL rather than refusing the frame. */
function asErrorCode(code: number): ErrorCodeId {
  for (const known of Object.values(ErrorCode)) if (known === code) return known;
  return ErrorCode.INTERNAL;
}
