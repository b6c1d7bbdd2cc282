/**
 * Payload codecs for packed bits (KEYFRAME payloads, tile records, STEP bands): RUNS, DEFLATE and
 * the choice between them by the id a frame carries (codes.ts: Codec); and the decoded length of
 * a payload, which the frame's scale decides (bitsPerCell).
 *
 * RUNS: a sequence of (zeros, literals) pairs until the decoded length is reached:
 *
 *   +----------------+-------------------+----------------------+
 *   | zeros (varint) | literals (varint) | `literals` raw bytes | ... repeated
 *   +----------------+-------------------+----------------------+
 *
 * varint = unsigned LEB128 (7 bits per byte, low group first, high bit = more), at most 5 bytes.
 * An empty 64×64 tile is 3 bytes (zeros = 512, literals = 0); a 16384² empty grid is 6 bytes.
 * The decoder knows the decoded length from the frame and refuses anything that over- or under-
 * fills it, so a payload can never make the client allocate more than the frame promised.
 */
import { bitmapStride } from "../bitmap.ts";
import { DENSITY_BITS, DENSITY_TILE_BYTES, densityStride } from "../density.ts";
import { TILE_BYTES } from "../grid.ts";
import { readUpTo } from "../stream.ts";
import { Codec, type CodecId } from "./codes.ts";

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

/**
 * What one scaled cell is on the wire, by the frame's scale: at scale 1 one bit, the cell itself
 * (common/bitmap.ts layout); at any coarser scale two bits, the density level of its block
 * (common/density.ts layout). The scale in the frame's header is what says which; no other field
 * does, so a decoder that knows the scale knows every payload's length.
 */
export function bitsPerCell(scale: number): 1 | 2 {
  return scale === 1 ? 1 : DENSITY_BITS;
}

/** The decoded byte length of a KEYFRAME payload (`scale` as in the frame: 1 unless said). */
export function keyframeBytes(width: number, height: number, scale = 1): number {
  return (bitsPerCell(scale) === 1 ? bitmapStride(width) : densityStride(width)) * height;
}

/** The decoded byte length of a tile record's payload in a DELTA (or STEP, always scale 1) of this scale. */
export function tileBytes(scale: number): number {
  return bitsPerCell(scale) === 1 ? TILE_BYTES : DENSITY_TILE_BYTES;
}
