/**
 * The byte level every frame is written and read with: the frame header, a little-endian Writer
 * and Reader, and the one place a malformed frame turns into a {@link ProtocolError}.
 *
 * Every frame starts with the same two bytes; all multi-byte numbers are little-endian.
 *
 *   offset  0         1         2 ...
 *         +---------+---------+-------------------------------+
 *         | version |  type   |  body (layout fixed per type)  |
 *         +---------+---------+-------------------------------+
 *
 * Types 0x01..0x3f go from server to client, 0x41..0x7f from client to server (codes.ts). Each
 * body is drawn beside its encoder (server-frames.ts, client-frames.ts, settings.ts) and pinned by
 * golden-bytes tests (test/common/protocol.test.ts).
 *
 * Decoders never trust their input: they return a checked union or a ProtocolError; they never
 * throw and never cast.
 */
import { ErrorCode, type ErrorCodeId } from "./codes.ts";
import { PROTOCOL_VERSION } from "./limits.ts";
import type { Decoded, ProtocolError } from "./messages.ts";

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Writes a frame. It grows as needed, and `finish()` returns the written bytes. A frame whose size
 * is known up front (the per-tick DELTA and STEP frames, tile records, keyframes) gets a writer of
 * exactly that size and `finishExact()`: one buffer per frame, written once, never copied.
 */
export class Writer {
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
  /** A copy of the written bytes. */
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
  /** The buffer itself, for a writer made with the frame's exact size. Any other length means the
   *  encoder's size sum and its writes disagree: a bug, so it throws. */
  finishExact(): Uint8Array {
    if (this.#length !== this.#bytes.length) throw new Error(`frame size ${this.#length} written into a ${this.#bytes.length}-byte frame`);
    return this.#bytes;
  }
}

/** Thrown only inside the decoders (by {@link fail} and the Reader) and turned into a
 *  ProtocolError by {@link decodeWith}. */
class Malformed extends Error {
  constructor(
    readonly code: ErrorCodeId,
    reason: string,
  ) {
    super(reason);
  }
}

export class Reader {
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

/** A writer for one frame of `type`, its two header bytes written. Give `capacity` when the
 *  frame's size is known, and finish with `finishExact()`. */
export function frame(type: number, capacity?: number): Writer {
  return new Writer(capacity).u8(PROTOCOL_VERSION).u8(type);
}

export function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return data instanceof Uint8Array
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
}

/** Checks the header, hands the body to `body` (which reads it and fails through {@link fail}),
 *  and refuses trailing bytes. */
export function decodeWith<T>(data: ArrayBuffer | ArrayBufferView, body: (r: Reader, type: number) => T): Decoded<T> {
  const r = new Reader(toBytes(data));
  try {
    if (r.remaining < 2) return refused(ErrorCode.BAD_FRAME, "frame too short");
    if (r.u8() !== PROTOCOL_VERSION) return refused(ErrorCode.BAD_VERSION, "unsupported protocol version");
    const value = body(r, r.u8());
    r.end();
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Malformed) return refused(e.code, e.message);
    throw e;
  }
}

/** A decoder's answer to a frame it refuses. */
export function refused(code: ErrorCodeId, reason: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: { code, reason } };
}

/** Refuses the frame being decoded; only valid inside a {@link decodeWith} body. */
export function fail(reason: string, code: ErrorCodeId = ErrorCode.BAD_FRAME): never {
  throw new Malformed(code, reason);
}
