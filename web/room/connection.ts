/**
 * The page's connection to its room: opens the room's socket (net.ts) with this page's HELLO,
 * asks over HTTP whether the room still exists before retrying a refused upgrade, retries at
 * once when the tab becomes visible again, and shows the connection's state — the status pill
 * with its retry countdown, and the banner when the room is full or the connection is gone.
 */
import { type ClientMessage, type ServerMessage, CloseCode, MAX_PLAYER_NAME, REFUSAL_CLOSE_CODES, sanitizeName } from "../../common/protocol/index.ts";
import { ApiError, getRoom } from "../api.ts";
import { savedPlayerName } from "../browser-storage.ts";
import { byId, setText } from "../dom.ts";
import { type ConnectionState, RoomSocket } from "../net.ts";
import type { Banner } from "./banner.ts";
import type { RoomSession } from "./session.ts";

export interface ConnectionHandlers {
  /** The generation to resume from, sent in HELLO. */
  resumeGeneration(): number | null;
  message(message: ServerMessage): Promise<void>;
  /** The connection dropped (`forGood` after a terminal close): edits and requests in flight
   *  died with it. */
  lost(forGood: boolean): void;
}

export class RoomConnection {
  readonly #session: RoomSession;
  readonly #predict: boolean;
  readonly #banner: Banner;
  readonly #handlers: ConnectionHandlers;
  readonly #indicator = new ConnectionIndicator(() => this.#socket?.retryNow());
  #socket: RoomSocket | undefined;

  /** `predict`: the page runs the engine itself and asks for STEP frames (common/lockstep/). */
  constructor(session: RoomSession, predict: boolean, banner: Banner, handlers: ConnectionHandlers) {
    this.#session = session;
    this.#predict = predict;
    this.#banner = banner;
    this.#handlers = handlers;
  }

  get state(): ConnectionState {
    return this.#indicator.state;
  }

  get isOpen(): boolean {
    return this.#socket?.isOpen ?? false;
  }

  /** Sends a message if connected; returns false when it was not sent. */
  send(message: ClientMessage): boolean {
    return this.#socket?.send(message) ?? false;
  }

  /** Connects, once the page is ready for frames. */
  open(): void {
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.#socket?.retryNow();
    });
    this.#socket = this.#connect();
  }

  /** Connects again with a fresh HELLO (the player's name travels in it). */
  reconnect(): void {
    this.#socket?.close();
    this.#socket = this.#connect();
  }

  #connect(): RoomSocket {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const id = this.#session.id;
    return new RoomSocket(`${scheme}//${location.host}/api/rooms/${encodeURIComponent(id)}/ws`, {
      hello: () => ({
        type: "hello",
        name: sanitizeName(savedPlayerName(), MAX_PLAYER_NAME),
        resumeGeneration: this.#handlers.resumeGeneration(),
        token: this.#session.token ?? null,
        predict: this.#predict,
      }),
      message: (message) => this.#handlers.message(message),
      state: (state) => this.#onState(state),
      shouldRetry: async (attempt) => {
        // A refused upgrade looks like any network failure (1006) to a browser; ask over HTTP
        // whether the room still exists before trying again.
        if (attempt < 1) return true;
        try {
          await getRoom(id);
          return true;
        } catch (error) {
          return !(error instanceof ApiError && error.status === 404);
        }
      },
    });
  }

  #onState(state: ConnectionState): void {
    this.#indicator.set(state);
    if (state.kind === "open") {
      this.#banner.hide();
    } else if (state.kind === "closed") {
      const detail = state.reason && state.code !== CloseCode.ROOM_NOT_FOUND ? ` (${state.reason})` : "";
      if (state.code === CloseCode.ROOM_NOT_FOUND) this.#banner.show(`${closedText(state.code)}.`, "error", undefined, ["Back to the lobby", "/"]);
      else {
        // Refused again and again: say that the page stopped trying, and how to start afresh.
        const times = state.refusals && state.refusals > 1 ? ` ${state.refusals} times in a row` : "";
        this.#banner.show(`${closedText(state.code)}${detail}${times}; not reconnecting.`, "error", undefined, ["Reload the page", location.href]);
      }
      this.#handlers.lost(true);
    } else if (state.kind === "waiting") {
      if (state.code === CloseCode.TRY_AGAIN) this.#banner.show("This room is full right now; joining again in a few seconds.", "info");
      // Edits that were not acknowledged died with the connection; the keyframe on reconnect
      // shows what the room really holds.
      this.#handlers.lost(false);
    }
  }
}

/** The status pill's text and state attribute; `now` is for the retry countdown. */
export function describeConnection(state: ConnectionState, now: number): { text: string; kind: string } {
  switch (state.kind) {
    case "connecting":
      return { text: state.attempt === 0 ? "Connecting…" : "Reconnecting…", kind: "connecting" };
    case "open":
      return { text: "Live", kind: "open" };
    case "waiting": {
      const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
      const why = state.code === CloseCode.TRY_AGAIN ? "Room full" : REFUSAL_CLOSE_CODES.includes(state.code) ? "Refused" : "Offline";
      return { text: `${why} · retry in ${seconds}s`, kind: "reconnecting" };
    }
    case "closed":
      return { text: closedText(state.code), kind: "closed" };
  }
}

/** A sentence for the banner shown after a close the page does not come back from. */
export function closedText(code: number): string {
  switch (code) {
    case CloseCode.ROOM_NOT_FOUND:
      return "Room not found";
    case CloseCode.POLICY:
      return "Disconnected: too many refused requests";
    case CloseCode.UNSUPPORTED:
      return "Disconnected: the server could not read this client's messages";
    case CloseCode.TOO_BIG:
      return "Disconnected: a message was too large";
    default:
      return "Disconnected";
  }
}

/** The status pill in the header; clicking it while waiting retries at once. */
class ConnectionIndicator {
  readonly #element = byId("conn", HTMLSpanElement);
  #state: ConnectionState = { kind: "connecting", attempt: 0 };
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(onRetry: () => void) {
    this.#element.addEventListener("click", () => {
      if (this.#state.kind === "waiting") onRetry();
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  set(state: ConnectionState): void {
    this.#state = state;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (state.kind === "waiting") this.#timer = setInterval(() => this.#render(), 1000);
    this.#render();
  }

  #render(): void {
    const { text, kind } = describeConnection(this.#state, Date.now());
    setText(this.#element, text);
    this.#element.dataset.state = kind;
    this.#element.title = this.#state.kind === "waiting" ? "Click to retry now" : "";
  }
}
