/**
 * The camera over the grid: which cell sits at the centre of the canvas and how many CSS
 * pixels one cell spans. Pure arithmetic (no DOM), so it is unit-tested in Node.
 *
 *   screen x = (cell x - cx) * scale + width / 2        (CSS pixels, origin top-left)
 *
 * `scale` runs from a whole-world overview (far below one pixel per cell on a 16384² grid)
 * up to MAX_SCALE pixels per cell.
 */
export const MAX_SCALE = 64;
/** Zooming out stops once the whole grid fits in this fraction of the canvas. */
const MIN_FIT_FRACTION = 0.25;
const FIT_MARGIN = 0.92;

export interface CellRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export class View {
  /** Canvas size in CSS pixels. */
  width = 1;
  height = 1;
  cx: number;
  cy: number;
  scale = 1;

  constructor(
    readonly gridWidth: number,
    readonly gridHeight: number,
  ) {
    this.cx = gridWidth / 2;
    this.cy = gridHeight / 2;
  }

  resize(width: number, height: number): void {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.#clamp();
  }

  /** The scale at which the whole grid fits the canvas with a small margin. */
  fitScale(): number {
    return Math.min(this.width / this.gridWidth, this.height / this.gridHeight) * FIT_MARGIN;
  }

  minScale(): number {
    return Math.min(this.fitScale() * MIN_FIT_FRACTION, MAX_SCALE);
  }

  fit(): void {
    this.cx = this.gridWidth / 2;
    this.cy = this.gridHeight / 2;
    this.scale = Math.min(this.fitScale(), MAX_SCALE);
  }

  screenToCell(sx: number, sy: number): { x: number; y: number } {
    return { x: (sx - this.width / 2) / this.scale + this.cx, y: (sy - this.height / 2) / this.scale + this.cy };
  }

  cellToScreen(x: number, y: number): { x: number; y: number } {
    return { x: (x - this.cx) * this.scale + this.width / 2, y: (y - this.cy) * this.scale + this.height / 2 };
  }

  /** Moves the view by a drag of (dx, dy) screen pixels: the grid follows the pointer. */
  panBy(dx: number, dy: number): void {
    this.cx -= dx / this.scale;
    this.cy -= dy / this.scale;
    this.#clamp();
  }

  /** Zooms by `factor`, keeping the cell under screen point (sx, sy) where it is. */
  zoomAt(sx: number, sy: number, factor: number): void {
    const before = this.screenToCell(sx, sy);
    this.scale = Math.min(MAX_SCALE, Math.max(this.minScale(), this.scale * factor));
    const after = this.screenToCell(sx, sy);
    this.cx += before.x - after.x;
    this.cy += before.y - after.y;
    this.#clamp();
  }

  /** The whole cells at least partly visible, clipped to the grid (may be empty). */
  visibleCells(): CellRect {
    const a = this.screenToCell(0, 0);
    const b = this.screenToCell(this.width, this.height);
    return clipRect(Math.floor(a.x), Math.floor(a.y), Math.ceil(b.x), Math.ceil(b.y), this.gridWidth, this.gridHeight);
  }

  /** The visible cells grown by `margin` (a fraction of the visible size) on each side. */
  paddedCells(margin: number): CellRect {
    const a = this.screenToCell(0, 0);
    const b = this.screenToCell(this.width, this.height);
    const mx = (b.x - a.x) * margin;
    const my = (b.y - a.y) * margin;
    return clipRect(
      Math.floor(a.x - mx),
      Math.floor(a.y - my),
      Math.ceil(b.x + mx),
      Math.ceil(b.y + my),
      this.gridWidth,
      this.gridHeight,
    );
  }

  /** Keeps the grid's centre within reach: the view centre stays inside the grid. */
  #clamp(): void {
    this.cx = Math.min(this.gridWidth, Math.max(0, this.cx));
    this.cy = Math.min(this.gridHeight, Math.max(0, this.cy));
  }
}

function clipRect(x0: number, y0: number, x1: number, y1: number, width: number, height: number): CellRect {
  const cx0 = Math.max(0, Math.min(width, x0));
  const cy0 = Math.max(0, Math.min(height, y0));
  const cx1 = Math.max(cx0, Math.min(width, x1));
  const cy1 = Math.max(cy0, Math.min(height, y1));
  return { x: cx0, y: cy0, w: cx1 - cx0, h: cy1 - cy0 };
}

/** True when `inner` lies entirely inside `outer`. */
export function containsRect(outer: CellRect, inner: CellRect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.w <= outer.x + outer.w &&
    inner.y + inner.h <= outer.y + outer.h
  );
}

/** The cells on the straight line from (x0, y0) to (x1, y1), ends included (Bresenham). */
export function cellsOnLine(x0: number, y0: number, x1: number, y1: number): Array<[number, number]> {
  const cells: Array<[number, number]> = [];
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  let x = x0;
  let y = y0;
  for (;;) {
    cells.push([x, y]);
    if (x === x1 && y === y1) return cells;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}
