/**
 * The one typed wrapper over the Wasm Life core. It runs unchanged in Node, in workerd and in
 * the browser: the caller hands it a compiled `WebAssembly.Module` (imported as a module in a
 * Worker, compiled from bytes in Node or the browser) and everything else happens here.
 *
 * All bulk data crosses the boundary through one "io" area in Wasm memory as a packed
 * {@link Bitmap} or an i32 array; nothing is called per cell.
 */
import { type Bitmap, bitmapStride } from "./bitmap.ts";
import { type DensityMap, densityStride } from "./density.ts";
import { MAX_SIDE, MIN_SIDE } from "./grid.ts";
import type { Rule, Topology } from "./rules.ts";

export type Kernel = "simd" | "scalar";
export type StampMode = "or" | "replace";

export interface BBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EngineOptions {
  width: number;
  height: number;
  topology: Topology;
  rule: Rule;
}

/**
 * Largest block moved through the io area at once. Wasm memory never shrinks, so whole-grid
 * transfers (snapshots: 32 MiB at 16384²) go in row bands of at most this size to keep the
 * resident cost near 2 bits per cell.
 */
export const IO_CHUNK_BYTES = 1 << 20;

/** The raw exports of assembly/index.ts; kept in step with that file by the tests. */
interface LifeExports {
  memory: WebAssembly.Memory;
  init(width: number, height: number, torus: number): number;
  setTopology(torus: number): void;
  setRule(birth: number, survive: number): void;
  step(generations: number): number;
  ioReserve(bytes: number): number;
  setCells(count: number, alive: number): void;
  getCell(x: number, y: number): number;
  stamp(x: number, y: number, width: number, height: number, replace: number): void;
  readRect(x: number, y: number, width: number, height: number): void;
  readOverview(x: number, y: number, width: number, height: number, scale: number): void;
  readDensity(x: number, y: number, width: number, height: number, scale: number): void;
  clear(): void;
  randomize(density: number, seedLo: number, seedHi: number): void;
  population(): number;
  bbox(): number;
  tilesX(): number;
  tilesY(): number;
  changeMapPtr(): number;
  clearChanges(): void;
  markChanged(x: number, y: number, width: number, height: number): void;
  sha256Grid(): void;
  sha256BBox(): number;
  hasSimd(): number;
}

export class EngineError extends Error {}

export class Engine {
  readonly width: number;
  readonly height: number;
  readonly kernel: Kernel;
  #wasm: LifeExports;
  #topology: Topology;
  #rule: Rule;
  #generation = 0;

  private constructor(wasm: LifeExports, options: EngineOptions) {
    this.#wasm = wasm;
    this.width = options.width;
    this.height = options.height;
    this.#topology = options.topology;
    this.#rule = options.rule;
    this.kernel = wasm.hasSimd() ? "simd" : "scalar";
  }

  /** Instantiates `module` (life.wasm or life-simd.wasm) for a grid of the given shape. */
  static async create(module: WebAssembly.Module, options: EngineOptions): Promise<Engine> {
    checkSide("width", options.width);
    checkSide("height", options.height);
    const instance = await WebAssembly.instantiate(module, {});
    const wasm = instance.exports as unknown as LifeExports;
    if (wasm.init(options.width, options.height, options.topology === "torus" ? 1 : 0) !== 0) {
      throw new EngineError("out of memory for a grid of this size");
    }
    const engine = new Engine(wasm, options);
    engine.rule = options.rule;
    return engine;
  }

  get topology(): Topology {
    return this.#topology;
  }
  set topology(topology: Topology) {
    this.#topology = topology;
    this.#wasm.setTopology(topology === "torus" ? 1 : 0);
  }

  get rule(): Rule {
    return this.#rule;
  }
  set rule(rule: Rule) {
    if (!isMask(rule.birth) || !isMask(rule.survive)) throw new EngineError("rule masks must be 9-bit integers");
    this.#rule = { birth: rule.birth, survive: rule.survive };
    this.#wasm.setRule(rule.birth, rule.survive);
  }

  /** Generations stepped since creation (or since it was last set, e.g. from a snapshot). */
  get generation(): number {
    return this.#generation;
  }
  set generation(generation: number) {
    this.#generation = generation;
  }

  /**
   * Advances `generations` steps. Returns how many tiles changed in the last of them (0 means
   * the grid is now still). Every changed tile is also marked in the change map.
   */
  step(generations = 1): number {
    if (!Number.isInteger(generations) || generations < 0) throw new EngineError("generations must be a whole number ≥ 0");
    if (generations === 0) return 0;
    const changed = this.#wasm.step(generations);
    this.#generation += generations;
    return changed;
  }

  /** Sets (or clears) many cells at once; `coords` is x0, y0, x1, y1, …; off-grid pairs are ignored. */
  setCells(coords: ArrayLike<number>, alive: boolean): void {
    const count = coords.length >>> 1;
    if (count === 0) return;
    const ptr = this.#wasm.ioReserve(count * 8);
    const view = new Int32Array(this.#wasm.memory.buffer, ptr, count * 2);
    for (let i = 0; i < count * 2; i++) view[i] = coords[i] | 0;
    this.#wasm.setCells(count, alive ? 1 : 0);
  }

  getCell(x: number, y: number): boolean {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return false;
    return this.#wasm.getCell(x, y) !== 0;
  }

  /**
   * Draws `pattern` with its top-left cell at (x, y). "or" adds live cells; "replace" also
   * clears the cells under the pattern's dead cells. On the torus the pattern wraps; on the
   * plane the part outside the grid is clipped.
   */
  stamp(pattern: Bitmap, x: number, y: number, mode: StampMode = "or"): void {
    if (pattern.width === 0 || pattern.height === 0) return;
    const stride = bitmapStride(pattern.width);
    const band = bandRows(stride);
    for (let row = 0; row < pattern.height; row += band) {
      const rows = Math.min(band, pattern.height - row);
      const ptr = this.#wasm.ioReserve(stride * rows);
      new Uint8Array(this.#wasm.memory.buffer, ptr, stride * rows).set(pattern.data.subarray(row * stride, (row + rows) * stride));
      this.#wasm.stamp(x | 0, (y | 0) + row, pattern.width, rows, mode === "replace" ? 1 : 0);
    }
  }

  /** Cells of a rectangle (clipped to the grid: cells outside it read as dead). */
  readRect(x: number, y: number, width: number, height: number): Bitmap {
    return this.#readBands(width, height, (row, rows) => this.#wasm.readRect(x | 0, (y | 0) + row, width, rows));
  }

  /**
   * readRect's bits without a copy: a view into the engine's memory, valid only until the next
   * call into this engine. For reads that are consumed at once (snapshots, bands): every copy is
   * a buffer outside the JavaScript heap, and enough of them per second make the runtime stop
   * for full collections. At most IO_CHUNK_BYTES of packed bits.
   */
  readRectView(x: number, y: number, width: number, height: number): Bitmap {
    const length = bitmapStride(width) * height;
    if (length > IO_CHUNK_BYTES) throw new EngineError(`readRectView takes at most ${IO_CHUNK_BYTES} bytes of bits`);
    const ptr = this.#wasm.ioReserve(length);
    this.#wasm.readRect(x | 0, y | 0, width, height);
    return { width, height, data: new Uint8Array(this.#wasm.memory.buffer, ptr, length) };
  }

  /**
   * A zoomed-out view: output cell (i, j) is alive when any cell of the `scale`×`scale` block
   * starting at (x + i*scale, y + j*scale) is alive. `width`/`height` are in output cells.
   */
  readOverview(x: number, y: number, width: number, height: number, scale: number): Bitmap {
    if (!Number.isInteger(scale) || scale < 1) throw new EngineError("scale must be a whole number ≥ 1");
    return this.#readBands(width, height, (row, rows) =>
      this.#wasm.readOverview(x | 0, (y | 0) + row * scale, width, rows, scale),
    );
  }

  /**
   * A zoomed-out view with density levels (common/density.ts): output cell (i, j) is the level,
   * 0 … 3, of the `scale`×`scale` block starting at (x + i*scale, y + j*scale), counted in Wasm.
   * `scale` is a power of two; `width`/`height` are in output cells.
   */
  readDensity(x: number, y: number, width: number, height: number, scale: number): DensityMap {
    if (!Number.isInteger(scale) || scale < 1 || (scale & (scale - 1)) !== 0) throw new EngineError("scale must be a power of two");
    return this.#readBands(width, height, (row, rows) => this.#wasm.readDensity(x | 0, (y | 0) + row * scale, width, rows, scale), densityStride(width));
  }

  /** Fills a width × height map band by band through io; `fill` writes `rows` rows there, each
   *  `stride` bytes (a bitmap's unless said otherwise). */
  #readBands(width: number, height: number, fill: (row: number, rows: number) => void, stride = bitmapStride(width)): Bitmap {
    const data = new Uint8Array(stride * height);
    const band = bandRows(stride);
    for (let row = 0; row < height; row += band) {
      const rows = Math.min(band, height - row);
      const ptr = this.#wasm.ioReserve(stride * rows);
      fill(row, rows);
      data.set(new Uint8Array(this.#wasm.memory.buffer, ptr, stride * rows), row * stride);
    }
    return { width, height, data };
  }

  /** The whole grid as a bitmap. */
  toBitmap(): Bitmap {
    return this.readRect(0, 0, this.width, this.height);
  }

  /** Replaces the whole grid (e.g. from a snapshot); `bitmap` must be exactly width × height. */
  loadBitmap(bitmap: Bitmap): void {
    if (bitmap.width !== this.width || bitmap.height !== this.height) throw new EngineError("bitmap size differs from the grid");
    this.stamp(bitmap, 0, 0, "replace");
  }

  clear(): void {
    this.#wasm.clear();
  }

  /** Each cell alive with probability `density` (to 1/65536), the same cells for the same seed. */
  randomize(density: number, seed: number): void {
    if (!(density >= 0 && density <= 1)) throw new EngineError("density must be between 0 and 1");
    if (!Number.isSafeInteger(seed) || seed < 0) throw new EngineError("seed must be a whole number ≥ 0");
    this.#wasm.randomize(density, seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0);
  }

  population(): number {
    return this.#wasm.population();
  }

  bbox(): BBox | null {
    if (this.#wasm.bbox() === 0) return null;
    const ptr = this.#wasm.ioReserve(16);
    const [x, y, width, height] = new Int32Array(this.#wasm.memory.buffer, ptr, 4);
    return { x, y, width, height };
  }

  /** One byte per TILE_SIZE² tile, row-major, 1 where the tile changed since clearChanges(). */
  changeMap(): { tilesX: number; tilesY: number; flags: Uint8Array } {
    const tilesX = this.#wasm.tilesX();
    const tilesY = this.#wasm.tilesY();
    const flags = new Uint8Array(this.#wasm.memory.buffer, this.#wasm.changeMapPtr(), tilesX * tilesY).slice();
    return { tilesX, tilesY, flags };
  }

  clearChanges(): void {
    this.#wasm.clearChanges();
  }

  /** SHA-256 of the grid as W*H bytes (1 alive, 0 dead), row-major: see shared oracle docs. */
  sha256(): string {
    this.#wasm.sha256Grid();
    return this.#digestHex();
  }

  /** SHA-256 of the bounding box's cells as bytes, or null for an empty grid. */
  bboxSha256(): string | null {
    if (this.#wasm.sha256BBox() === 0) return null;
    return this.#digestHex();
  }

  #digestHex(): string {
    const ptr = this.#wasm.ioReserve(32);
    const digest = new Uint8Array(this.#wasm.memory.buffer, ptr, 32);
    let hex = "";
    for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
    return hex;
  }

  /** Bytes of Wasm linear memory in use (grid buffers, change map, io area). */
  memoryBytes(): number {
    return this.#wasm.memory.buffer.byteLength;
  }
}

function bandRows(stride: number): number {
  return Math.max(1, Math.floor(IO_CHUNK_BYTES / Math.max(stride, 1)));
}

function checkSide(name: string, value: number): void {
  if (!Number.isInteger(value) || value < MIN_SIDE || value > MAX_SIDE) {
    throw new EngineError(`${name} must be a whole number from ${MIN_SIDE} to ${MAX_SIDE}`);
  }
}

function isMask(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < 1 << 9;
}
