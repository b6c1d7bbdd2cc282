/**
 * The room's WebSocket: connects, says HELLO on every (re)connection, decodes frames into
 * checked messages in arrival order, and reconnects with exponential backoff and jitter after
 * every close but a terminal one (room not found: docs/protocol.md). After the server refused
 * what the connection sent (undecodable frames, policy, too big) it reconnects too — a fresh
 * connection has a clean record — but gives up after MAX_REFUSED_RECONNECTS such closes in a row,
 * and the page says so, rather than loop against a server that keeps refusing it.
 *
 * Why not partysocket: this protocol needs a fresh HELLO (with the generation to resume from)
 * on each connection, must not replay frames queued while offline (stale viewports and edits
 * whose pending state the page already dropped), and must stop on specific close codes and
 * treat "room full" (1013) with a longer wait. With a reconnecting-socket library those are
 * all switched off or worked around (zero-length queue, close() from inside its close handler,
 * URL providers), which leaves its backoff timer as the only part used; the backoff below is
 * a dozen lines, tested in test/web/net.test.ts.
 */
import {
  type ClientMessage,
  type ServerMessage,
  CloseCode,
  MAX_REFUSED_RECONNECTS,
  REFUSAL_CLOSE_CODES,
  TERMINAL_CLOSE_CODES,
  decodeServerFrame,
  encodeClientMessage,
} from "../common/protocol/index.ts";

export const BACKOFF = {
  firstDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  /** A full room frees up slowly: wait at least this long before asking again. */
  roomFullDelayMs: 5_000,
  /** A connection that stayed open this long resets the attempt count. */
  stableAfterMs: 10_000,
} as const;

/**
 * Delay before reconnection attempt `attempt` (0-based): exponential, capped, with "equal
 * jitter" (half fixed, half random) so a room's players do not all return in the same instant
 * after a restart. `random` is injectable for tests.
 */
export function reconnectDelay(attempt: number, closeCode: number | undefined, random: () => number = Math.random): number {
  const exponential = Math.min(BACKOFF.maxDelayMs, BACKOFF.firstDelayMs * BACKOFF.factor ** Math.min(attempt, 30));
  const base = closeCode === CloseCode.TRY_AGAIN ? Math.max(exponential, BACKOFF.roomFullDelayMs) : exponential;
  return Math.round(base / 2 + (random() * base) / 2);
}

/** The encoded frame on its own ArrayBuffer, the type WebSocket.send is declared to take
 *  (the encoder's Uint8Array may in principle view a SharedArrayBuffer). Frames are small. */
function frame(message: ClientMessage): Uint8Array<ArrayBuffer> {
  return new Uint8Array(encodeClientMessage(message));
}

export function isTerminalClose(code: number): boolean {
  return TERMINAL_CLOSE_CODES.includes(code);
}

/** Whether to reconnect after a close with `code`, the `refusals`-th refusal close in a row
 *  (counting this one; a connection that stayed open BACKOFF.stableAfterMs resets the count). */
export function shouldReconnect(code: number, refusals: number): boolean {
  if (isTerminalClose(code)) return false;
  return !REFUSAL_CLOSE_CODES.includes(code) || refusals <= MAX_REFUSED_RECONNECTS;
}

/** What the status indicator shows. */
export type ConnectionState =
  | { kind: "connecting"; attempt: number }
  | { kind: "open" }
  | { kind: "waiting"; retryAt: number; code: number; reason: string }
  | { kind: "closed"; code: number; reason: string; refusals?: number };

export interface SocketHandlers {
  /** The HELLO to send on this connection (its resume generation changes over time). */
  hello(): ClientMessage;
  message(message: ServerMessage): void | Promise<void>;
  state(state: ConnectionState): void;
  /** Called before a retry after a failed or dropped connection; returning false stops retrying
   *  (the page found out, e.g. over HTTP, that the room is gone). */
  shouldRetry?(attempt: number, code: number): Promise<boolean>;
}

export class RoomSocket {
  readonly #url: string;
  readonly #handlers: SocketHandlers;
  #socket: WebSocket | undefined;
  #attempt = 0;
  /** Refusal closes (REFUSAL_CLOSE_CODES) since the last stable connection. */
  #refusals = 0;
  #openedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** Frames are handled one after another even when decoding a payload is asynchronous. */
  #queue: Promise<void> = Promise.resolve();

  constructor(url: string, handlers: SocketHandlers) {
    this.#url = url;
    this.#handlers = handlers;
    this.#connect();
  }

  get isOpen(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a message if connected; returns false when it was not sent. */
  send(message: ClientMessage): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(frame(message));
    return true;
  }

  /** Closes for good (leaving the page). */
  close(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#socket?.close(CloseCode.NORMAL, "bye");
  }

  /** Skips the remaining wait and reconnects now (the "retry" button, or the tab became visible). */
  retryNow(): void {
    if (this.#stopped || this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#connect();
  }

  #connect(): void {
    this.#handlers.state({ kind: "connecting", attempt: this.#attempt });
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.#url);
    } catch {
      this.#scheduleRetry(1006, "could not open a connection");
      return;
    }
    // Frames arrive as ArrayBuffers: decoding needs bytes, and a Blob would cost an extra await.
    socket.binaryType = "arraybuffer";
    this.#socket = socket;
    socket.addEventListener("open", () => {
      this.#openedAt = Date.now();
      socket.send(frame(this.#handlers.hello()));
      this.#handlers.state({ kind: "open" });
    });
    socket.addEventListener("message", (event: MessageEvent) => {
      if (!(event.data instanceof ArrayBuffer)) return; // the server sends only binary frames
      const decoded = decodeServerFrame(event.data);
      if (!decoded.ok) return; // a frame from a newer server, or corruption: skip it
      this.#queue = this.#queue.then(() => this.#handlers.message(decoded.value)).catch((error: unknown) => {
        // A handler bug must not stall the queue; report it once without a stack in the UI.
        console.warn("edgelife: frame handler failed", error);
      });
    });
    socket.addEventListener("close", (event: CloseEvent) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      if (this.#stopped) return;
      if (this.#openedAt && Date.now() - this.#openedAt >= BACKOFF.stableAfterMs) {
        this.#attempt = 0;
        this.#refusals = 0;
      }
      this.#openedAt = 0;
      if (REFUSAL_CLOSE_CODES.includes(event.code)) this.#refusals++;
      if (!shouldReconnect(event.code, this.#refusals)) {
        this.#stopped = true;
        this.#handlers.state({ kind: "closed", code: event.code, reason: event.reason, refusals: this.#refusals });
        return;
      }
      this.#scheduleRetry(event.code, event.reason);
    });
  }

  #scheduleRetry(code: number, reason: string): void {
    const attempt = this.#attempt++;
    const delay = reconnectDelay(attempt, code);
    this.#handlers.state({ kind: "waiting", retryAt: Date.now() + delay, code, reason });
    this.#timer = setTimeout(async () => {
      this.#timer = undefined;
      if (this.#stopped) return;
      if (this.#handlers.shouldRetry && !(await this.#handlers.shouldRetry(attempt, code))) {
        this.#stopped = true;
        this.#handlers.state({ kind: "closed", code: CloseCode.ROOM_NOT_FOUND, reason: "room not found" });
        return;
      }
      this.#connect();
    }, delay);
  }
}
