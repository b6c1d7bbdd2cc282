/**
 * The selected rectangle (select mode): dragged out cell by cell, clipped to the grid, shown
 * on the board and in the selection bar, and what "Export selection" exports.
 */
import { byId, setText } from "../dom.ts";
import type { CellRect, View } from "../view.ts";

export interface SelectionHandlers {
  view(): View | undefined;
  /** While a stamp is held its bar takes the selection bar's place. */
  stamping(): boolean;
  changed(): void;
}

export class Selection {
  readonly #handlers: SelectionHandlers;
  #anchor: { x: number; y: number } | undefined;
  #rect: CellRect | undefined;

  constructor(handlers: SelectionHandlers) {
    this.#handlers = handlers;
    byId("select-clear", HTMLButtonElement).addEventListener("click", () => this.clear());
  }

  get rect(): CellRect | undefined {
    return this.#rect;
  }

  start(x: number, y: number): void {
    this.#anchor = { x, y };
    this.to(x, y);
  }

  to(x: number, y: number): void {
    const a = this.#anchor;
    const view = this.#handlers.view();
    if (!a || !view) return;
    const x0 = Math.max(0, Math.min(a.x, x));
    const y0 = Math.max(0, Math.min(a.y, y));
    const x1 = Math.min(view.gridWidth, Math.max(a.x, x) + 1);
    const y1 = Math.min(view.gridHeight, Math.max(a.y, y) + 1);
    this.#rect = x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : undefined;
    this.show();
    this.#handlers.changed();
  }

  end(): void {
    this.#anchor = undefined;
  }

  /** Selects `rect` (after an action moved or turned the cells). */
  set(rect: CellRect | undefined): void {
    this.#rect = rect;
    this.show();
    this.#handlers.changed();
  }

  clear(): void {
    this.#rect = undefined;
    this.show();
    this.#handlers.changed();
  }

  show(): void {
    const s = this.#rect;
    byId("select-bar", HTMLDivElement).hidden = !s || this.#handlers.stamping();
    byId("export-selection", HTMLButtonElement).disabled = !s;
    setText(byId("select-size", HTMLSpanElement), s ? `${s.w}×${s.h} at (${s.x}, ${s.y})` : "");
  }
}
