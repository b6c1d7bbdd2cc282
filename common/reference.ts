/**
 * The plain reference stepper: one byte per cell and an explicit count of the eight
 * neighbours, written to be read rather than to be fast. It is the oracle the Wasm kernels
 * are tested against and the "naive JS" baseline of the engine benchmark, so it stays the
 * code anyone would write first: no bit tricks, no lookup tables, no skipping of still areas.
 *
 *   cells[y * width + x] = 1 when (x, y) is alive, 0 when dead   (row-major, y grows down)
 *
 * Neighbours of (x, y) are the eight positions (x + dx, y + dy), (dx, dy) ≠ (0, 0):
 * - torus: taken mod width / mod height. On a torus 1 or 2 cells wide (or high) several of
 *   those positions are the same cell, or the cell itself; each POSITION is counted, which is
 *   how Golly and our kernels define it (a lone cell on a 1×1 torus has 8 live neighbours).
 * - plane: positions outside the grid are dead and never come alive.
 */
import { type Bitmap, bitmapFromBytes, bitmapToBytes } from "./bitmap.ts";
import type { Rule, Topology } from "./rules.ts";

export interface ReferenceBBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class ReferenceGrid {
  readonly width: number;
  readonly height: number;
  topology: Topology;
  rule: Rule;
  /** Generations stepped since creation. */
  generation = 0;
  /** One byte per cell, row-major: the current generation. */
  cells: Uint8Array;
  #next: Uint8Array;

  constructor(width: number, height: number, topology: Topology, rule: Rule) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`grid size must be whole numbers ≥ 1, got ${width}×${height}`);
    }
    this.width = width;
    this.height = height;
    this.topology = topology;
    this.rule = rule;
    this.cells = new Uint8Array(width * height);
    this.#next = new Uint8Array(width * height);
  }

  static fromBitmap(bitmap: Bitmap, topology: Topology, rule: Rule): ReferenceGrid {
    const grid = new ReferenceGrid(bitmap.width, bitmap.height, topology, rule);
    grid.loadBitmap(bitmap);
    return grid;
  }

  get(x: number, y: number): boolean {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return false;
    return this.cells[y * this.width + x] === 1;
  }

  set(x: number, y: number, alive: boolean): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.cells[y * this.width + x] = alive ? 1 : 0;
  }

  step(generations = 1): void {
    for (let g = 0; g < generations; g++) this.#stepOnce();
    this.generation += generations;
  }

  #stepOnce(): void {
    const { width, height, cells } = this;
    const next = this.#next;
    const torus = this.topology === "torus";
    const { birth, survive } = this.rule;
    for (let y = 0; y < height; y++) {
      // Rows y-1 and y+1: wrapped on the torus, -1 (dead) off the plane.
      const up = neighbourIndex(y - 1, height, torus);
      const down = neighbourIndex(y + 1, height, torus);
      for (let x = 0; x < width; x++) {
        const left = neighbourIndex(x - 1, width, torus);
        const right = neighbourIndex(x + 1, width, torus);
        const neighbours =
          cellAt(cells, width, left, up) + cellAt(cells, width, x, up) + cellAt(cells, width, right, up) +
          cellAt(cells, width, left, y) + /*   not (x, y) itself   */ cellAt(cells, width, right, y) +
          cellAt(cells, width, left, down) + cellAt(cells, width, x, down) + cellAt(cells, width, right, down);
        // The rule: a dead cell with n live neighbours is born when n is in B (bit n of
        // `birth`); a live cell with n live neighbours survives when n is in S (bit n of
        // `survive`); every other cell is dead in the next generation. B0 is taken literally:
        // a dead cell with no live neighbour is born, on the plane too (inside the grid).
        const alive = cells[y * width + x] === 1;
        const mask = alive ? survive : birth;
        next[y * width + x] = (mask >>> neighbours) & 1;
      }
    }
    this.#next = cells;
    this.cells = next;
  }

  population(): number {
    let n = 0;
    for (let i = 0; i < this.cells.length; i++) n += this.cells[i];
    return n;
  }

  /** Bounding box of the live cells (plain min/max over grid coordinates), or null if none. */
  bbox(): ReferenceBBox | null {
    let minX = this.width;
    let minY = this.height;
    let maxX = -1;
    let maxY = -1;
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        if (this.cells[y * this.width + x] === 0) continue;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
    if (maxX < 0) return null;
    return { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
  }

  toBitmap(): Bitmap {
    return bitmapFromBytes(this.width, this.height, this.cells);
  }

  /** Replaces every cell; `bitmap` must be exactly width × height. */
  loadBitmap(bitmap: Bitmap): void {
    if (bitmap.width !== this.width || bitmap.height !== this.height) {
      throw new RangeError(`bitmap is ${bitmap.width}×${bitmap.height}, grid is ${this.width}×${this.height}`);
    }
    this.cells.set(bitmapToBytes(bitmap));
  }
}

/** The row or column `i` (one step outside 0..size-1 at most): wrapped on the torus, -1 off the plane. */
function neighbourIndex(i: number, size: number, torus: boolean): number {
  if (i >= 0 && i < size) return i;
  if (!torus) return -1;
  return i < 0 ? i + size : i - size; // size 1: -1 → 0 and 1 → 0, the cell's own column or row
}

/** 1 if (x, y) is alive; 0 if dead or off the plane (x or y = -1). */
function cellAt(cells: Uint8Array, width: number, x: number, y: number): number {
  return x < 0 || y < 0 ? 0 : cells[y * width + x];
}
