/**
 * The pointer's tool — move, draw, erase or select — and its toolbar buttons. A player who may
 * not edit (a locked room, without the owner's token) keeps move and select; the board's
 * `data-mode` (its cursor in styles.css) says "stamp" while a stamp is held.
 */
import type { Mode } from "../input.ts";
import type { RoomSession } from "./session.ts";

export interface ToolHandlers {
  stamping(): boolean;
  /** Choosing a tool puts a held stamp away. */
  dropStamp(): void;
}

export class Tools {
  readonly #canvas: HTMLCanvasElement;
  readonly #session: RoomSession;
  readonly #handlers: ToolHandlers;
  #mode: Mode = "draw";

  constructor(canvas: HTMLCanvasElement, session: RoomSession, handlers: ToolHandlers) {
    this.#canvas = canvas;
    this.#session = session;
    this.#handlers = handlers;
    for (const button of document.querySelectorAll<HTMLButtonElement>(".tool[data-mode]")) {
      button.addEventListener("click", () => {
        const mode = button.dataset.mode;
        if (mode === "move" || mode === "draw" || mode === "erase" || mode === "select") this.set(mode);
      });
    }
  }

  /** The tool the pointer acts with: the chosen one, or move while editing is not allowed. */
  effectiveMode(): Mode {
    return this.#session.canEdit() || this.#mode === "select" ? this.#mode : "move";
  }

  set(mode: Mode): void {
    this.#mode = mode;
    if (this.#handlers.stamping()) this.#handlers.dropStamp();
    this.update();
  }

  /** Shows which tools are available and chosen (after settings, ownership or a stamp changed). */
  update(): void {
    const editable = this.#session.canEdit();
    for (const button of document.querySelectorAll<HTMLButtonElement>(".tool[data-mode]")) {
      const mode = button.dataset.mode;
      button.disabled = !editable && (mode === "draw" || mode === "erase");
      button.setAttribute("aria-pressed", String(mode === this.effectiveMode()));
    }
    this.#canvas.dataset.mode = this.#handlers.stamping() ? "stamp" : this.effectiveMode();
  }
}
