/**
 * What the selection's actions do to cells, apart from the page: where a turned selection lands,
 * and a random fill. Pure, so the tests check them against their definitions.
 */
import { type Bitmap, createBitmap, setBit } from "../common/bitmap.ts";
import type { Topology } from "../common/rules.ts";
import type { CellRect } from "./view.ts";

/**
 * Where a w×h selection turned a quarter turn lands: an h×w rectangle about the same centre (the
 * old area is cleared first, so a non-square selection's corners do not linger). On a plane it
 * slides back inside the grid rather than lose cells past an edge; on a torus it wraps (its
 * top-left corner is taken modulo the grid). A rectangle larger than the grid cannot turn: null.
 */
export function turnedRect(rect: CellRect, grid: { width: number; height: number; topology: Topology }): CellRect | null {
  const w = rect.h;
  const h = rect.w;
  if (w > grid.width || h > grid.height) return null;
  let x = rect.x + Math.floor((rect.w - w) / 2);
  let y = rect.y + Math.floor((rect.h - h) / 2);
  if (grid.topology === "plane") {
    x = Math.max(0, Math.min(grid.width - w, x));
    y = Math.max(0, Math.min(grid.height - h, y));
  } else {
    x = ((x % grid.width) + grid.width) % grid.width;
    y = ((y % grid.height) + grid.height) % grid.height;
  }
  return { x, y, w, h };
}

/** A w×h bitmap whose cells are alive each with probability `density` (random() in [0, 1)). */
export function randomBitmap(width: number, height: number, density: number, random: () => number = Math.random): Bitmap {
  const bitmap = createBitmap(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (random() < density) setBit(bitmap, x, y, true);
  return bitmap;
}
