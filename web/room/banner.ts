/**
 * The message over the board: errors (room not found, locked, refused edits) and short notices.
 * Every name or reason from the network goes in as text.
 */
import { byId, h, replaceChildren } from "../dom.ts";

export class Banner {
  readonly #element = byId("banner", HTMLDivElement);
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Shows `message`; with `ms` it hides itself again. Links are given as [text, href]. */
  show(message: string, kind: "error" | "info", ms?: number, link?: [string, string]): void {
    clearTimeout(this.#timer);
    replaceChildren(this.#element, message, link ? " " : null, link ? h("a", { href: link[1] }, link[0]) : null);
    this.#element.dataset.kind = kind;
    this.#element.hidden = false;
    if (ms !== undefined) this.#timer = setTimeout(() => this.hide(), ms);
  }

  hide(): void {
    clearTimeout(this.#timer);
    this.#element.hidden = true;
  }
}
