/**
 * The page's undo and redo: the toolbar's two buttons (shown on phones too), Ctrl+Z (⌘Z), and
 * Ctrl+Shift+Z or Ctrl+Y. The room keeps each player's history (worker/undo.ts) and answers UNDO
 * and REDO like edits: other players see the change as ordinary frames, and a refusal ("nothing
 * to undo", a locked room) comes back as an ERROR, shown on the banner.
 *
 * A brush stroke goes out in many SET_CELLS frames (strokes.ts sends a batch every 50 ms); every
 * frame after a stroke's first says it continues the stroke, so that one undo takes back the
 * whole stroke rather than its last 50 ms (StrokeFrames).
 */
import type { ClientMessage } from "../../common/protocol/index.ts";
import { byId } from "../dom.ts";
import type { Banner } from "./banner.ts";
import type { Requests } from "./requests.ts";
import type { RoomSession } from "./session.ts";

/** UNDO and REDO requests waiting for their answers at most: a held Ctrl+Z repeats ~30 times a
 *  second, past the room's edit allowance, whose refusals would count against the socket. */
const MAX_UNANSWERED = 4;

export class UndoControls {
  readonly #session: RoomSession;
  readonly #requests: Requests;
  readonly #banner: Banner;
  readonly #send: (message: ClientMessage) => boolean;
  #unanswered = 0;

  constructor(session: RoomSession, requests: Requests, banner: Banner, send: (message: ClientMessage) => boolean) {
    this.#session = session;
    this.#requests = requests;
    this.#banner = banner;
    this.#send = send;
    byId("undo", HTMLButtonElement).addEventListener("click", () => this.request("undo"));
    byId("redo", HTMLButtonElement).addEventListener("click", () => this.request("redo"));
    // Its own listener: keys.ts leaves every key with Ctrl or Meta held to the browser, and only
    // these three combinations are taken from it here.
    document.addEventListener("keydown", (e) => {
      const type = historyKey(e);
      if (!type) return;
      const target = e.target;
      if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
      if (target instanceof HTMLElement && target.isContentEditable) return;
      e.preventDefault();
      this.request(type);
    });
  }

  request(type: "undo" | "redo"): void {
    if (!this.#session.canEdit()) return this.#banner.show("The owner has locked editing.", "info", 2500);
    if (this.#unanswered >= MAX_UNANSWERED) return;
    const seq = this.#requests.next();
    this.#unanswered++;
    this.#requests.track(seq, type === "undo" ? "Undo" : "Redo", (ok, text) => {
      this.#unanswered--;
      if (!ok) this.#banner.show(text, "info", 2500);
    });
    if (!this.#send({ type, seq })) this.#requests.refused(seq, "not connected");
  }
}

/** Ctrl+Z (⌘Z on a Mac) undoes; Ctrl+Shift+Z and Ctrl+Y redo. Any other key: undefined. */
function historyKey(e: KeyboardEvent): "undo" | "redo" | undefined {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return undefined;
  const key = e.key.toLowerCase();
  if (key === "z") return e.shiftKey ? "redo" : "undo";
  if (key === "y" && !e.shiftKey) return "redo";
  return undefined;
}

/**
 * Marks every SET_CELLS of a stroke after its first as continuing it. The page calls begin() as a
 * stroke starts and gives the stroke code `send` in place of the socket's.
 */
export class StrokeFrames {
  readonly #send: (message: ClientMessage) => boolean;
  #started = false;

  constructor(send: (message: ClientMessage) => boolean) {
    this.#send = send;
  }

  begin(): void {
    this.#started = false;
  }

  readonly send = (message: ClientMessage): boolean => {
    if (message.type !== "setCells") return this.#send(message);
    const continues = this.#started;
    this.#started = true;
    return this.#send(continues ? { ...message, continues } : message);
  };
}
