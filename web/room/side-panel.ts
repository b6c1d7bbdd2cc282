/**
 * The side panel's toggle: the panel starts collapsed on narrow screens, and the header button
 * (or "p") shows and hides it. The stage changes size with it; its ResizeObserver redraws.
 */
import { byId } from "../dom.ts";

export class SidePanel {
  readonly #panel = byId("panel", HTMLElement);
  readonly #button = byId("panel-toggle", HTMLButtonElement);

  constructor() {
    this.#set(!matchMedia("(max-width: 720px)").matches);
    this.#button.addEventListener("click", () => this.toggle());
  }

  toggle(): void {
    this.#set(this.#panel.classList.contains("collapsed"));
  }

  /** Opens the panel (an export shows its result there). */
  open(): void {
    this.#panel.classList.remove("collapsed");
  }

  #set(open: boolean): void {
    this.#panel.classList.toggle("collapsed", !open);
    this.#button.setAttribute("aria-expanded", String(open));
  }
}
