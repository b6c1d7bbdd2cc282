/**
 * A player's socket session: who the player is and what it looks at (the attachment, which
 * survives hibernation), and what may be forgotten on hibernation: its allowances, its offences,
 * its view rectangle and the flow-control window of the frames it was sent.
 */
import {
  MAX_UNACKED_BYTES,
  MAX_UNACKED_FRAMES,
  RECEIVED_EVERY_FRAMES,
  encodeServerMessage,
  type ErrorCodeId,
  type ServerMessage,
} from "../common/protocol/index.ts";
import type { ViewRect, Viewport } from "../common/view-frames.ts";
import { EDIT_BURST, STALLED_SOCKET_MS, VIEW_BURST } from "./limits.ts";
import { fullBucket, type Bucket } from "./ratelimit.ts";

/** Per-socket state that must survive hibernation (serializeAttachment keeps ≤ 2 KiB): who the
 *  player is and what it looks at. Rate-limit buckets and offence counts live in the session
 *  instead: the object hibernates only after seconds without events, by when every bucket has
 *  refilled, and keeping them out of the attachment saves a serialisation on every edit and
 *  refused frame. */
export interface Attachment {
  playerId: number;
  hello: boolean;
  name: string;
  colour: number;
  owner: boolean;
  view: Viewport | null;
  cursor: [number, number];
  /** The client address the socket came from (CF-Connecting-IP), for per-address limits. */
  address?: string;
  /** Asked in HELLO for lockstep STEP frames (common/lockstep/); absent in older attachments. */
  predict?: boolean;
}

/** Distinct, readable on dark and light backgrounds. */
const COLOURS = [0xe6194b, 0x3cb44b, 0x4363d8, 0xf58231, 0x911eb4, 0x42d4f4, 0xf032e6, 0xbfef45, 0x469990, 0x9a6324, 0x800000, 0x000075];

/** The attachment of a socket that just connected and has not said HELLO yet. */
export function newAttachment(playerId: number, address: string): Attachment {
  return { playerId, hello: false, name: "", colour: COLOURS[playerId % COLOURS.length], owner: false, view: null, cursor: [-1, -1], address };
}

export function isAttachment(value: unknown): value is Attachment {
  if (typeof value !== "object" || value === null) return false;
  const a = value as Partial<Attachment>;
  return typeof a.playerId === "number" && typeof a.hello === "boolean" && typeof a.name === "string" && typeof a.owner === "boolean";
}

/** The tag a player's socket is accepted with, so that the room finds it by player id. */
export function playerTag(playerId: number): string {
  return `p${playerId}`;
}

export function send(ws: WebSocket, message: ServerMessage | Uint8Array): void {
  try {
    ws.send(message instanceof Uint8Array ? message : encodeServerMessage(message));
  } catch {
    // closing sockets refuse sends; their close handler cleans up
  }
}

export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

/**
 * A socket's attachment plus what may be forgotten on hibernation: its view rectangle and flow
 * control. Flow control counts KEYFRAME and DELTA frames (what RECEIVED acknowledges):
 *
 *   frames the client counts = offset + our count         (offset is 0 on a fresh socket)
 *   sent ─────────────────────────────────────────────►
 *   acked ───────────►[ window: sizes of unacknowledged frames ]
 *
 * When the window holds more than MAX_UNACKED_FRAMES frames, or at least RECEIVED_EVERY_FRAMES
 * frames and more than MAX_UNACKED_BYTES bytes, the socket is behind: it gets no deltas and no
 * keyframes until it catches up (then one keyframe), and after STALLED_SOCKET_MS it is closed.
 */
export class PlayerSession {
  readonly ws: WebSocket;
  readonly att: Attachment;
  readonly edits: Bucket; // SET_CELLS, STAMP, CONTROL
  readonly views: Bucket; // VIEWPORT, RESYNC, repeated HELLO
  badFrames = 0;
  strikes = 0;
  /** The rectangle the client is kept up to date on; null until its first keyframe (or after
   *  hibernation, when what the client holds is unknown). */
  rect: ViewRect | null = null;
  #sent = 0; // KEYFRAME + DELTA frames sent since this object woke up
  #acked = 0; // how many of them the client acknowledged
  readonly #window: number[] = []; // byte sizes of frames acked+1 .. sent
  #unackedBytes = 0;
  /**
   * Client count − our count. Exact (0) on a fresh socket. After hibernation it is unknown: the
   * client counted frames the previous instance sent, and its RECEIVED reports cross this
   * instance's first frames on the wire, so no single report says which of them it had read.
   * Then it is a lower bound (−∞ until the first report), raised whenever a report proves it
   * too low; see received().
   */
  #offset: number;
  readonly #offsetExact: boolean;
  #behind = false; // deltas and keyframes paused until the client catches up
  #behindSince = 0;

  /** `offset` is 0 for a socket that just connected, null for one woken from hibernation. */
  constructor(ws: WebSocket, att: Attachment, offset: number | null) {
    const now = Date.now();
    this.ws = ws;
    this.att = att;
    this.edits = fullBucket(EDIT_BURST, now);
    this.views = fullBucket(VIEW_BURST, now);
    this.#offset = offset ?? -Infinity;
    this.#offsetExact = offset !== null;
  }

  /** Whether deltas and keyframes are paused until the client catches up. */
  get behind(): boolean {
    return this.#behind;
  }

  /** Writes the attachment, so that it survives hibernation. */
  save(): void {
    try {
      this.ws.serializeAttachment(this.att);
    } catch {
      // the socket closed meanwhile
    }
  }

  send(message: ServerMessage | Uint8Array): void {
    send(this.ws, message);
  }

  /** An ERROR frame: `seq` is the refused request's, or 0. */
  error(seq: number, code: ErrorCodeId, reason: string): void {
    send(this.ws, { type: "error", code, seq, reason });
  }

  /** Sends a KEYFRAME or DELTA frame and counts it in the window. */
  sendCounted(frame: Uint8Array): void {
    send(this.ws, frame);
    this.#sent++;
    this.#window.push(frame.length);
    this.#unackedBytes += frame.length;
    const frames = this.#window.length;
    if (!this.#behind && (frames > MAX_UNACKED_FRAMES || (frames >= RECEIVED_EVERY_FRAMES && this.#unackedBytes > MAX_UNACKED_BYTES))) {
      this.#behind = true;
      this.#behindSince = Date.now();
    }
  }

  /**
   * A RECEIVED: slides the window. "lie" when it counts frames never sent (which would defeat
   * flow control), "caught up" when a socket that was behind may have frames again (it needs a
   * fresh keyframe), else "ok".
   */
  received(frames: number): "ok" | "caught up" | "lie" {
    if (!this.#offsetExact) {
      // The client has read at most every frame sent since the wake, so its true offset is at
      // least frames − sent: take the highest such bound yet. A report that counts more than
      // was sent only proves the bound too low — an honest client's reports do that when the
      // first one after a wake crossed several of this instance's frames — so it is never
      // called a lie here. Counting a frame as read too early costs a little slack in the
      // window, never a client.
      this.#offset = Math.max(this.#offset, frames - this.#sent);
    }
    const count = frames - this.#offset;
    if (count > this.#sent) return "lie";
    while (this.#acked < count) {
      this.#unackedBytes -= this.#window.shift() ?? 0;
      this.#acked++;
    }
    if (this.#behind && this.#window.length <= MAX_UNACKED_FRAMES / 2 && this.#unackedBytes <= MAX_UNACKED_BYTES / 2) {
      this.#behind = false;
      return "caught up";
    }
    return "ok";
  }

  /** Whether the socket has been behind for longer than STALLED_SOCKET_MS (then it is closed). */
  stalled(now: number): boolean {
    return this.#behind && now - this.#behindSince > STALLED_SOCKET_MS;
  }
}
