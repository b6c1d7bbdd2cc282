/**
 * What the selection's actions do to cells and rectangles, apart from the page: where a turned or
 * dragged selection lands, a random fill, and the box of a pattern's live cells. Pure, so the
 * tests check them against their definitions.
 *
 * A selection is always a rectangle inside the grid, on a torus too: it is what the room exports
 * and what the board outlines, and neither wraps. So a rectangle that would cross an edge slides
 * back inside instead.
 */
import { type Bitmap, bitmapStride, createBitmap, setBit } from "../common/bitmap.ts";
import type { CellRect } from "./view.ts";

export interface GridSize {
  width: number;
  height: number;
}

/**
 * Where a w×h selection turned a quarter turn lands: an h×w rectangle about the same centre
 * (rounded towards the top-left when the sides differ by an odd number), slid back inside the
 * grid where it would cross an edge. The old area is cleared before the turned cells are written,
 * so a non-square selection's corners outside the new rectangle do not linger. A selection that
 * cannot turn inside the grid (an h×w rectangle larger than it) gives null.
 */
export function turnedRect(rect: CellRect, grid: GridSize): CellRect | null {
  const w = rect.h;
  const h = rect.w;
  if (w > grid.width || h > grid.height) return null;
  return inside({ x: rect.x + Math.floor((rect.w - w) / 2), y: rect.y + Math.floor((rect.h - h) / 2), w, h }, grid);
}

/** `rect` with its top-left corner moved to (x, y), slid back inside the grid (a drag that
 *  reaches an edge stops there, as the pointer goes on). */
export function movedRect(rect: CellRect, x: number, y: number, grid: GridSize): CellRect {
  return inside({ x, y, w: rect.w, h: rect.h }, grid);
}

function inside(rect: CellRect, grid: GridSize): CellRect {
  return {
    x: Math.max(0, Math.min(grid.width - rect.w, rect.x)),
    y: Math.max(0, Math.min(grid.height - rect.h, rect.y)),
    w: rect.w,
    h: rect.h,
  };
}

export function containsCell(rect: CellRect, x: number, y: number): boolean {
  return x >= rect.x && y >= rect.y && x < rect.x + rect.w && y < rect.y + rect.h;
}

export function sameRect(a: CellRect, b: CellRect): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}

/** A w×h bitmap whose cells are alive each with probability `density` (random() in [0, 1)). */
export function randomBitmap(width: number, height: number, density: number, random: () => number = Math.random): Bitmap {
  const bitmap = createBitmap(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (random() < density) setBit(bitmap, x, y, true);
  return bitmap;
}

/** The smallest rectangle holding every live cell, or null for a pattern with none. Whole zero
 *  bytes are skipped: a selection is mostly empty. Bit b of byte k is cell 8k + b (bitmap.ts). */
export function liveBounds(bitmap: Bitmap): CellRect | null {
  const stride = bitmapStride(bitmap.width);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < bitmap.height; y++) {
    for (let b = 0; b < stride; b++) {
      const byte = bitmap.data[y * stride + b];
      if (byte === 0) continue;
      x0 = Math.min(x0, b * 8 + (31 - Math.clz32(byte & -byte)));
      x1 = Math.max(x1, b * 8 + (31 - Math.clz32(byte)));
      y0 = Math.min(y0, y);
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}
