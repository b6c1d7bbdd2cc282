/**
 * Tools for the attack tests against the real server: a raw socket that sends anything (bytes or
 * text, valid or not) and records every decoded server frame and the close, client addresses for
 * the per-address limits, and hostile frames made from valid ones of every client type.
 */
import WebSocket from "ws";
import {
  ClientType,
  MAX_CELLS_PER_EDIT,
  PROTOCOL_VERSION,
  decodeClientFrame,
  decodeServerFrame,
  encodeClientMessage,
  type ClientMessage,
  type ControlAction,
  type ServerMessage,
} from "../../common/protocol/index.ts";
import { Prng } from "../assembly/prng.ts";
import { Signal } from "../signal.ts";

let addressCounter = 0;

/** A client address nobody else in this run uses (wrangler dev passes CF-Connecting-IP on). */
export function freshAddress(): string {
  addressCounter++;
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

export interface Closed {
  code: number;
  reason: string;
}

/**
 * A socket that sends whatever it is given and keeps every server frame, decoded, in arrival
 * order. When `ack` is set it answers KEYFRAME and DELTA frames with RECEIVED as a well-behaved
 * client does (so flow control never pauses it).
 */
export class RawSocket {
  readonly messages: ServerMessage[] = [];
  /** When each message arrived (performance.now()), index for index. */
  readonly arrivals: number[] = [];
  readonly closed: Promise<Closed>;
  /** KEYFRAME + DELTA frames received. */
  frames = 0;
  /** Bytes of every frame received. */
  bytes = 0;
  ack = true;
  /** Transport errors and frames that did not decode, for failure messages. */
  readonly problems: string[] = [];
  #closedWith: Closed | null = null;
  readonly #arrived = new Signal();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.#closedWith = { code, reason: reason.toString() };
        resolve(this.#closedWith);
        this.#arrived.wake();
      });
    });
    ws.on("error", (e) => {
      // A refused or reset connection ends in "close" too.
      this.problems.push(`transport: ${String(e)}`);
    });
    ws.on("message", (data, isBinary) => {
      if (!isBinary || !(data instanceof Buffer)) {
        this.problems.push("the server sent a text frame");
        return;
      }
      this.bytes += data.length;
      const decoded = decodeServerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (!decoded.ok) {
        this.problems.push(`undecodable server frame: ${decoded.error.reason}`);
        return;
      }
      const m = decoded.value;
      if (m.type === "keyframe" || m.type === "delta" || m.type === "step") {
        this.frames++;
        if (this.ack && ws.readyState === WebSocket.OPEN) ws.send(encodeClientMessage({ type: "received", frames: this.frames }));
      }
      this.messages.push(m);
      this.arrivals.push(performance.now());
      this.#arrived.wake();
    });
  }

  /** Opens a socket to a room (from a fresh address unless one is given). */
  static open(baseUrl: string, roomId: string, options: { address?: string; origin?: string } = {}): Promise<RawSocket> {
    const headers: Record<string, string> = { "CF-Connecting-IP": options.address ?? freshAddress() };
    if (options.origin !== undefined) headers.Origin = options.origin;
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/api/rooms/${roomId}/ws`, { headers, perMessageDeflate: false });
    const socket = new RawSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(socket));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  get isClosed(): boolean {
    return this.#closedWith !== null;
  }

  send(data: ClientMessage | Uint8Array | string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (typeof data === "string") this.ws.send(data);
    else this.ws.send(data instanceof Uint8Array ? data : encodeClientMessage(data));
  }

  /** Says HELLO and waits for the WELCOME and the first KEYFRAME. */
  async hello(name: string, token: string | null = null): Promise<void> {
    this.send({ type: "hello", name, resumeGeneration: null, token });
    await this.until(() => this.messages.some((m) => m.type === "welcome") && this.messages.some((m) => m.type === "keyframe"), "welcome");
  }

  /** Waits until `check` holds (or the socket closes, which then also ends the wait). */
  async until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    await this.#arrived.until(
      () => {
        if (check()) return true;
        if (this.#closedWith) throw new Error(`closed (${this.#closedWith.code} ${this.#closedWith.reason}) while waiting for ${what}`);
        return false;
      },
      timeoutMs,
      () => `no ${what} within ${timeoutMs} ms`,
    );
  }

  /** Waits for the close, bounded. */
  async closedWithin(timeoutMs = 15_000): Promise<Closed> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, "done");
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): void {
    this.ws.terminate();
  }

  /** The TCP socket under the WebSocket: to stop reading, or to write half a frame. */
  get tcp(): import("node:net").Socket {
    return (this.ws as unknown as { _socket: import("node:net").Socket })._socket;
  }

  errors(): Array<Extract<ServerMessage, { type: "error" }>> {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: "error" }> => m.type === "error");
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile frames

/** Small patterns in every format the room reads. */
const PATTERN_TEXTS = [
  "x = 3, y = 3, rule = B3/S23\nbo$2bo$3o!",
  "x = 2, y = 2\n2o$2o!",
  "#N blinker\nx = 3, y = 1\n3o!",
  "!Name: glider\n.O.\n..O\nOOO\n",
  "#Life 1.06\n0 0\n1 0\n2 0\n",
  "x = 4, y = 3\nb2o$2ob$bo!",
];

const CONTROLS: ControlAction[] = [
  { action: "pause" },
  { action: "resume" },
  { action: "step", generations: 3 },
  { action: "clear" },
  { action: "randomize", density: 0.5, seed: 7 },
  { action: "configure", rule: "B36/S23", tickMs: 100, generationsPerTick: 2, private: true, locked: false },
  { action: "configure", locked: false },
];

/** A valid frame of a random client type for a `width` × `height` grid. */
export function validMessage(prng: Prng, width: number, height: number): ClientMessage {
  const seq = prng.int(1, 0xffff_ffff);
  switch (prng.int(0, 7)) {
    case 0:
      return { type: "hello", name: `fuzz ${prng.int(0, 999)}`, resumeGeneration: prng.chance(0.5) ? null : prng.int(0, 1000), token: null };
    case 1:
      return { type: "viewport", x: prng.int(-8, width), y: prng.int(-8, height), width: prng.int(1, width * 2), height: prng.int(1, height * 2), scale: 1 << prng.int(0, 3) };
    case 2: {
      const count = prng.int(1, 6);
      const cells = new Uint16Array(count * 2);
      for (let i = 0; i < count; i++) {
        cells[2 * i] = prng.int(0, width - 1);
        cells[2 * i + 1] = prng.int(0, height - 1);
      }
      return { type: "setCells", seq, alive: prng.chance(0.7), cells };
    }
    case 3:
      return { type: "stamp", seq, x: prng.int(-width, 2 * width), y: prng.int(-height, 2 * height), mode: prng.chance(0.8) ? "or" : "replace", pattern: prng.pick(PATTERN_TEXTS) };
    case 4:
      return { type: "cursor", x: prng.int(-2, width + 2), y: prng.int(-2, height + 2) };
    case 5:
      return { type: "control", seq, control: prng.pick(CONTROLS) };
    case 6:
      return { type: "resync" };
    default:
      return { type: "received", frames: 0 };
  }
}

export type MutationKind = "random" | "truncated" | "oversized-count" | "wrong-version" | "unknown-type" | "bit-flip" | "byte-edit";

/** A hostile variant of a valid frame (or plain random bytes). */
export function mutate(prng: Prng, frame: Uint8Array): { kind: MutationKind; frame: Uint8Array } {
  const out = Array.from(frame);
  switch (prng.int(0, 6)) {
    case 0: {
      // Random bytes, often with a plausible header so the body parsers see them.
      const length = prng.int(0, 48);
      const bytes = Array.from({ length }, () => prng.int(0, 255));
      if (length > 0 && prng.chance(0.7)) bytes[0] = PROTOCOL_VERSION;
      if (length > 1 && prng.chance(0.7)) bytes[1] = prng.int(0x41, 0x48);
      return { kind: "random", frame: new Uint8Array(bytes) };
    }
    case 1:
      return { kind: "truncated", frame: new Uint8Array(out.slice(0, prng.int(0, Math.max(0, out.length - 1)))) };
    case 2: {
      // A SET_CELLS count beyond MAX_CELLS_PER_EDIT, with or without the cells to match.
      const count = prng.int(MAX_CELLS_PER_EDIT + 1, 0xffff);
      const bytes = [PROTOCOL_VERSION, ClientType.SET_CELLS, 1, 0, 0, 0, 1, count & 255, count >> 8];
      const body = prng.chance(0.5) ? 0 : prng.int(0, 64);
      for (let i = 0; i < body; i++) bytes.push(prng.int(0, 255));
      return { kind: "oversized-count", frame: new Uint8Array(bytes) };
    }
    case 3:
      if (out.length > 0) out[0] = prng.pick([0, 2, 3, 0x7f, 0xff]);
      return { kind: "wrong-version", frame: new Uint8Array(out) };
    case 4:
      if (out.length > 1) out[1] = prng.pick([0x00, 0x01, 0x08, 0x40, 0x49, 0x4a, 0x7f, 0x80, 0xff]);
      return { kind: "unknown-type", frame: new Uint8Array(out) };
    case 5: {
      const flips = prng.int(1, 4);
      for (let i = 0; i < flips && out.length > 0; i++) out[prng.int(0, out.length - 1)] ^= 1 << prng.int(0, 7);
      return { kind: "bit-flip", frame: new Uint8Array(out) };
    }
    default: {
      const edits = prng.int(1, 4);
      for (let i = 0; i < edits; i++) {
        const op = prng.int(0, 2);
        if (op === 0 && out.length) out[prng.int(0, out.length - 1)] = prng.int(0, 255);
        else if (op === 1) out.splice(prng.int(0, out.length), 0, ...Array.from({ length: prng.int(1, 6) }, () => prng.int(0, 255)));
        else if (out.length) out.splice(prng.int(0, out.length - 1), prng.int(1, 4));
      }
      return { kind: "byte-edit", frame: new Uint8Array(out) };
    }
  }
}

/** Text frames: the protocol is binary, so every one is refused. */
export function hostileText(prng: Prng): string {
  return prng.pick([
    "",
    "ping",
    "hello",
    '{"type":"hello","name":"x"}',
    '{"action":"clear"}',
    "\u0000\u0001\u0002",
    "\u202Eevil",
    "A".repeat(prng.int(1, 2000)),
    String.fromCharCode(...Array.from({ length: prng.int(1, 40) }, () => prng.int(1, 0xd7ff))),
  ]);
}

/** The type a frame decodes to, or its error code. */
export function localDecode(frame: Uint8Array): { ok: true; message: ClientMessage } | { ok: false; code: number } {
  const decoded = decodeClientFrame(frame);
  return decoded.ok ? { ok: true, message: decoded.value } : { ok: false, code: decoded.error.code };
}

/** Writes `seq` into a SET_CELLS / STAMP / CONTROL frame (bytes 2..5), so its answer can be found. */
export function withSeq(frame: Uint8Array, seq: number): Uint8Array {
  const out = frame.slice();
  new DataView(out.buffer).setUint32(2, seq, true);
  return out;
}

export { Prng };
