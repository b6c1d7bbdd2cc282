/**
 * The page's undo and redo: the toolbar's two buttons (on phones too), Ctrl+Z, and Ctrl+Shift+Z
 * or Ctrl+Y. The room keeps each player's history (worker/undo.ts) and answers UNDO and REDO
 * like edits, so other players see the change and a refusal ("nothing to undo", a locked room)
 * comes back as an ERROR, shown on the banner.
 */
import type { ClientMessage } from "../../common/protocol/index.ts";
import { byId } from "../dom.ts";
import type { Banner } from "./banner.ts";
import type { Requests } from "./requests.ts";
import type { RoomSession } from "./session.ts";

export class UndoControls {
  readonly #session: RoomSession;
  readonly #requests: Requests;
  readonly #banner: Banner;
  readonly #send: (message: ClientMessage) => boolean;

  constructor(session: RoomSession, requests: Requests, banner: Banner, send: (message: ClientMessage) => boolean) {
    this.#session = session;
    this.#requests = requests;
    this.#banner = banner;
    this.#send = send;
    byId("undo", HTMLButtonElement).addEventListener("click", () => this.request("undo"));
    byId("redo", HTMLButtonElement).addEventListener("click", () => this.request("redo"));
    document.addEventListener("keydown", (e) => {
      const target = e.target;
      if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      const type = key === "z" ? (e.shiftKey ? "redo" : "undo") : key === "y" && !e.shiftKey ? "redo" : undefined;
      if (!type) return;
      e.preventDefault();
      this.request(type);
    });
  }

  request(type: "undo" | "redo"): void {
    if (!this.#session.canEdit()) return this.#banner.show("The owner has locked editing.", "info", 2500);
    const seq = this.#requests.next();
    this.#requests.track(seq, type === "undo" ? "Undo" : "Redo", (ok, text) => {
      if (!ok) this.#banner.show(text, "info", 2500);
    });
    if (!this.#send({ type, seq })) this.#requests.refused(seq, "not connected");
  }
}
