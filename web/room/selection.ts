/**
 * The selected rectangle (select mode): dragged out cell by cell, clipped to the grid, shown
 * on the board and in the selection bar, and what the bar's actions act on.
 *
 * A drag that starts inside the selection, by a player who may edit, moves it instead: the
 * rectangle follows the pointer (held at the cell it was grabbed by, and stopped at the grid's
 * edges), the handlers lift the cells as it starts and drop them where it ends. A player who may
 * not edit drags out a new selection from there, as anywhere else.
 */
import { byId, setText } from "../dom.ts";
import { containsCell, movedRect } from "../selection-ops.ts";
import type { CellRect, View } from "../view.ts";

export interface SelectionHandlers {
  view(): View | undefined;
  /** While a stamp is held its bar takes the selection bar's place. */
  stamping(): boolean;
  /** A drag inside the selection starts: whether it moves the cells (false: a new selection). */
  lift(rect: CellRect): boolean;
  /** The lifted cells are over `rect` now. */
  drag(rect: CellRect): void;
  /** The drag ended with the cells over `to`; undefined: the move was called off (Esc). */
  drop(from: CellRect, to: CellRect | undefined): void;
  changed(): void;
}

export class Selection {
  readonly #handlers: SelectionHandlers;
  #anchor: { x: number; y: number } | undefined;
  /** A move in progress: where the cells were, and the grabbed cell's offset inside them. */
  #move: { from: CellRect; dx: number; dy: number } | undefined;
  #rect: CellRect | undefined;

  constructor(handlers: SelectionHandlers) {
    this.#handlers = handlers;
    byId("select-clear", HTMLButtonElement).addEventListener("click", () => this.clear());
  }

  get rect(): CellRect | undefined {
    return this.#rect;
  }

  /** Whether the selection is being dragged to a new place. */
  get moving(): boolean {
    return this.#move !== undefined;
  }

  start(x: number, y: number): void {
    const rect = this.#rect;
    if (rect && containsCell(rect, x, y) && this.#handlers.lift(rect)) {
      this.#move = { from: rect, dx: x - rect.x, dy: y - rect.y };
      return;
    }
    this.#anchor = { x, y };
    // A new selection: what the bar said about the last one no longer applies.
    setText(byId("select-status", HTMLSpanElement), "");
    this.to(x, y);
  }

  to(x: number, y: number): void {
    const view = this.#handlers.view();
    if (!view) return;
    const move = this.#move;
    if (move) {
      const rect = movedRect(move.from, x - move.dx, y - move.dy, { width: view.gridWidth, height: view.gridHeight });
      this.#rect = rect;
      this.#handlers.drag(rect);
      this.show();
      this.#handlers.changed();
      return;
    }
    const a = this.#anchor;
    if (!a) return;
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
    const move = this.#move;
    this.#move = undefined;
    if (move && this.#rect) this.#handlers.drop(move.from, this.#rect);
  }

  /** Selects `rect` (after an action moved or turned the cells); a rectangle that does not lie
   *  inside the grid (cells wrapped across a torus's edge) clears the selection instead. */
  set(rect: CellRect | undefined): void {
    const view = this.#handlers.view();
    const inside = rect && view && rect.x >= 0 && rect.y >= 0 && rect.x + rect.w <= view.gridWidth && rect.y + rect.h <= view.gridHeight;
    this.#rect = inside ? rect : undefined;
    this.show();
    this.#handlers.changed();
  }

  clear(): void {
    const move = this.#move;
    this.#move = undefined;
    if (move) this.#handlers.drop(move.from, undefined);
    this.set(undefined);
  }

  show(): void {
    const s = this.#rect;
    byId("select-bar", HTMLDivElement).hidden = !s || this.#handlers.stamping();
    byId("export-selection", HTMLButtonElement).disabled = !s;
    setText(byId("select-size", HTMLSpanElement), s ? `${s.w}×${s.h} at (${s.x}, ${s.y})` : "");
  }
}
