/**
 * Density levels: what a zoomed-out view (scale s > 1) holds for each s × s block of grid cells,
 * instead of one "any cell alive" bit. A block's level says how much of it lives:
 *
 *   level   live share of the block's cells       what it looks like in Life
 *   0       none                                   empty space
 *   1       more than 0, at most 1/16 (6.25%)      isolated objects, spaceships, the ash a soup
 *                                                  settles into (about 3% live)
 *   2       more than 1/16, at most 1/4 (25%)      an active soup (about 5–20% live)
 *   3       more than 1/4                          a fresh random fill, solid patterns
 *
 * Why these thresholds: a 50% soup thins to about 20% within ten generations, to 9% after a
 * hundred and settles near 3% (measured on a 1024² torus at blocks of 16²: 79% of settled blocks
 * fall at or below 1/16, 64% of blocks of a 100-generation soup above it). Thresholds four times
 * apart put each of those stages on its own level, and the share is judged against the block's
 * cells inside the grid, so a block cut by the grid's edge is not made to look sparse. Level 0
 * is exactly "no live cell", so a lone glider still shows at every zoom, as it did with one bit.
 * Small blocks have fewer distinct levels: at s = 2 one live cell of four is already 1/4 (level
 * 2); from s = 4 on all four occur.
 *
 * The Wasm kernel (assembly/overview.ts) computes the same levels with popcounts; the tests check
 * it against `densityLevel` below.
 *
 * Packed layout (the KEYFRAME and DELTA payloads at scale > 1, docs/protocol.md): rows of
 * ceil(width / 4) bytes, four cells per byte, low bits first:
 *
 *   byte:    |  b7 b6  |  b5 b4  |  b3 b2  |  b1 b0  |
 *   cell:       x+3       x+2       x+1       x          (x = 4 * byte index in the row)
 *
 * Cell (x, y)'s level is bits 2(x & 3) .. 2(x & 3) + 1 of byte y * stride + (x >> 2). Bits past
 * `width` in a row's last byte are 0. A 64×64 tile packs into 1024 bytes, 16 per row.
 */
import { TILE_SIZE } from "./grid.ts";

export type DensityLevel = 0 | 1 | 2 | 3;

/** Bits per scaled cell in a density map. */
export const DENSITY_BITS = 2;
/** Level 1 holds shares up to 1/16, level 2 up to 1/4 (the reasons are above). */
export const SPARSE_SHARE = 1 / 16;
export const BUSY_SHARE = 1 / 4;

/** A packed rectangle of density levels (the layout above). */
export interface DensityMap {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function densityStride(width: number): number {
  return (width + 3) >>> 2;
}

/** Packed bytes of a 64×64 tile of levels. */
export const DENSITY_TILE_BYTES = TILE_SIZE * densityStride(TILE_SIZE);

export function createDensityMap(width: number, height: number): DensityMap {
  return { width, height, data: new Uint8Array(densityStride(width) * height) };
}

/** The level of a block with `live` live cells out of `cells` cells inside the grid. */
export function densityLevel(live: number, cells: number): DensityLevel {
  if (live <= 0) return 0;
  if (live <= cells * SPARSE_SHARE) return 1;
  if (live <= cells * BUSY_SHARE) return 2;
  return 3;
}

/** The level (0 … 3) of cell (x, y). */
export function getLevel(map: DensityMap, x: number, y: number): number {
  return (map.data[y * densityStride(map.width) + (x >>> 2)] >>> ((x & 3) << 1)) & 3;
}

export function setLevel(map: DensityMap, x: number, y: number, level: DensityLevel): void {
  const i = y * densityStride(map.width) + (x >>> 2);
  const shift = (x & 3) << 1;
  map.data[i] = (map.data[i] & ~(3 << shift)) | (level << shift);
}
