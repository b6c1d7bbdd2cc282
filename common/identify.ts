/**
 * Identify, after LifeViewer's tool of that name: runs a pattern and says what it is — a still
 * life, an oscillator and its period, a spaceship with its displacement and speed in LifeWiki's
 * notation ("c/4 diagonal") — with the population, bounding-box and heat ranges over one period.
 *
 * How: the pattern runs on the engine, on a dead-edged plane that follows it (Plane, below), for
 * up to `maxPeriod` generations. Each generation's cells relative to their bounding box get a
 * fingerprint; when one matches an earlier generation's, the cells are compared exactly, and the
 * first exact repeat gives the cycle: where it starts (the transient), its period, and the
 * bounding box's move (the displacement). So a pattern whose generation 0 is not in its cycle is
 * still identified, as what it becomes: a pre-block "becomes a still life after 1 generation".
 * (LifeViewer reports only cycles through generation 0.) A cycle must close within `maxPeriod`
 * generations, transient included.
 *
 * The plane stands in for the infinite plane exactly: before every generation no live cell may
 * sit on its outermost ring, so nothing is ever born past the edge; when one does, the pattern
 * is moved back to the middle, or onto a larger plane. A pattern grows at most one cell per
 * generation on each side, so after maxPeriod generations it spans at most its start plus
 * 2·maxPeriod a side; patterns that could outgrow MAX_SIDE are refused before anything runs.
 *
 * Cost (what a caller budgets for): at most maxPeriod generations of search; then, for a
 * periodic pattern only, a replay of the transient when the cycle starts after generation 0
 * and one more period to measure heat (together ≤ 2·maxPeriod more). A fingerprint collision,
 * which a 64-bit hash makes vanishingly rare, costs one more replay. Each generation steps
 * the plane (the pattern's box + 64 a side while it stays small, at most 1.5 times the box when
 * it grows) and reads and hashes the box once, 1 bit per cell. Memory: one fingerprint (about
 * 60 bytes) and five numbers per generation, 100 kB for maxPeriod 1000, plus the plane.
 * Measured on Node 20, SIMD build, a full 1000-generation search: a 64×64 Life soup 30–70 ms,
 * a 1024×1024 one 0.7 s; the worst case for 64×64, a Seeds soup growing at light speed to
 * 2057×2057, 0.6–0.9 s. A glider or a period-120 oscillator takes a few milliseconds.
 *
 * Runtime-neutral: the caller passes the engine factory (common/wasm-node.ts's createEngine in
 * Node; Engine.create with its own module in the Worker or the browser).
 */
import { type Bitmap, POPCOUNT8, bitmapStride, bitmapsEqual } from "./bitmap.ts";
import { type BBox, type Engine, type EngineOptions, IO_CHUNK_BYTES } from "./engine.ts";
import { MAX_SIDE } from "./grid.ts";
import type { Rule } from "./rules.ts";

/** LifeViewer's default search depth. */
export const DEFAULT_MAX_PERIOD = 1000;
/** The most a caller may ask for: keeps a call on a 64×64 selection under a second of CPU (see Cost). */
export const MAX_PERIOD = 1000;

/**
 * Empty cells kept around a small pattern. Moving the pattern back to the middle costs a read
 * and a stamp of its box; with 32 cells a spaceship at light speed is moved every 32
 * generations, a c/4 one every 128.
 */
const PLANE_MARGIN = 32;

export type EngineFactory = (options: EngineOptions) => Promise<Engine>;

export interface IdentifyOptions {
  /** Longest period looked for, transient included: 1 to MAX_PERIOD (default DEFAULT_MAX_PERIOD). */
  maxPeriod?: number;
  createEngine: EngineFactory;
}

export interface Range {
  min: number;
  max: number;
}

export interface EmptyPattern {
  kind: "empty";
  summary: string;
}

export interface PeriodicPattern {
  kind: "still" | "oscillator" | "spaceship";
  /** One line for people: "period-15 oscillator", "becomes a still life after 1 generation". */
  summary: string;
  period: number;
  /** Generations before the cycle starts: 0 when generation 0 is part of it. */
  transient: number;
  /** The bounding box's move over one period; x grows right, y grows down. */
  dx: number;
  dy: number;
  /** LifeWiki's speed notation for spaceships ("c/4 diagonal"); null otherwise. */
  speed: string | null;
  /** Over one period of the cycle. */
  population: Range;
  width: Range;
  height: Range;
  /** Cells changing state per generation, averaged over one period. */
  heat: number;
}

export interface UnknownPattern {
  kind: "unknown";
  summary: string;
  /**
   * dies: no live cells left (at generation `generations`). grows: no repeat, and the last
   * generation's bounding box is wider or taller than any in the first half of the run (guns,
   * puffers, explosions). no-repeat: no repeat, bounded so far.
   */
  reason: "dies" | "grows" | "no-repeat";
  /** Generations examined. */
  generations: number;
  /** Over the generations examined. */
  population: Range;
  width: Range;
  height: Range;
}

export type Identification = EmptyPattern | PeriodicPattern | UnknownPattern;

/** Errors are values: a rule or a size this cannot run is the caller's to report. */
export type IdentifyResult = { ok: true; value: Identification } | { ok: false; error: string };

/**
 * What `bitmap` does under `rule`, as if alone on the infinite plane; see the top of this file.
 * Throws RangeError for a maxPeriod out of range (a programming error: callers check input).
 */
export async function identify(bitmap: Bitmap, rule: Rule, options: IdentifyOptions): Promise<IdentifyResult> {
  const maxPeriod = options.maxPeriod ?? DEFAULT_MAX_PERIOD;
  if (!Number.isInteger(maxPeriod) || maxPeriod < 1 || maxPeriod > MAX_PERIOD) {
    throw new RangeError(`maxPeriod must be a whole number from 1 to ${MAX_PERIOD}, got ${maxPeriod}`);
  }
  // Golly and LifeViewer emulate B0 rules by inverting every other generation; we do not.
  if (rule.birth & 1) return { ok: false, error: "rules with B0 are not supported: the empty background itself comes alive" };
  const box = liveBox(bitmap);
  if (box === null) return { ok: true, value: { kind: "empty", summary: "empty" } };
  const largest = MAX_SIDE - 2 * (maxPeriod + 1);
  if (box.width > largest || box.height > largest) {
    return {
      ok: false,
      error: `the live cells span ${box.width}×${box.height}; with room to grow for ${maxPeriod} generations on every side, at most ${largest} a side can be identified`,
    };
  }

  const start = crop(bitmap, box);
  const plane = new Plane(options.createEngine, rule);
  await plane.load(start, 0, 0);
  const history = new History(maxPeriod);
  history.record(0, plane.box!, plane.population());
  // Fingerprint → the generations that had it (one, unless fingerprints collided): at most
  // maxPeriod + 1 entries in all.
  const seen = new Map<string, number[]>([[fingerprint(start, plane.population()), [0]]]);

  for (let generation = 1; generation <= maxPeriod; generation++) {
    await plane.step();
    const box = plane.box;
    if (box === null) {
      history.record(generation, { x: 0, y: 0, width: 0, height: 0 }, 0);
      return { ok: true, value: notPeriodic(history, generation, "dies", `dies at generation ${generation}`) };
    }
    const population = plane.population();
    history.record(generation, box, population);
    const key = fingerprint(plane.peek(box), population);
    const earlier = seen.get(key);
    if (earlier === undefined) {
      seen.set(key, [generation]);
      continue;
    }
    const repeated = await firstEqual(plane, start, earlier);
    if (repeated >= 0) return { ok: true, value: periodic(history, repeated, generation, await heat(plane, generation - repeated)) };
    earlier.push(generation);
  }
  const reason = history.grows(maxPeriod) ? "grows" : "no-repeat";
  return { ok: true, value: notPeriodic(history, maxPeriod, reason, `not periodic within ${maxPeriod} generations (${reason === "grows" ? "grows" : "no repeat"})`) };
}

/**
 * The first of `candidates` (generations with the current generation's fingerprint, ascending)
 * whose cells equal the current generation's exactly, or -1 when the fingerprints only
 * collided. Generation 0 is kept; later ones are replayed from it on the same plane, which is
 * then put back as it was. At the first generation that repeats any earlier one, at most one
 * earlier generation can equal it (those before it are all different), so the answer is the
 * cycle's start.
 */
async function firstEqual(plane: Plane, start: Bitmap, candidates: readonly number[]): Promise<number> {
  const box = plane.box!;
  const now = plane.peek(box);
  if (candidates[0] === 0 && bitmapsEqual(now, start)) return 0;
  const later = candidates.filter((g) => g > 0);
  if (later.length === 0) return -1;
  const saved = copy(now);
  await plane.load(start, 0, 0);
  let generation = 0;
  for (const candidate of later) {
    while (generation < candidate) {
      await plane.step();
      generation++;
    }
    if (bitmapsEqual(plane.peek(plane.box!), saved)) return candidate;
  }
  await plane.load(saved, box.x, box.y);
  return -1;
}

/**
 * LifeWiki's speed notation for a displacement (dx, dy) per `period` generations, reduced:
 * "c/4 diagonal", "c/2 orthogonal", "2c/5 orthogonal", "(2,1)c/6 oblique"; light speed is "c".
 */
export function speedText(dx: number, dy: number, period: number): string {
  const ax = Math.abs(dx);
  const ay = Math.abs(dy);
  if (ax === 0 || ay === 0 || ax === ay) {
    const cells = Math.max(ax, ay);
    const k = gcd(cells, period);
    return `${fraction(cells / k, period / k)} ${ax === ay ? "diagonal" : "orthogonal"}`;
  }
  const [long, short] = ax > ay ? [ax, ay] : [ay, ax];
  const k = gcd(gcd(long, short), period);
  return `(${long / k},${short / k})${fraction(1, period / k)} oblique`;
}

function fraction(cells: number, generations: number): string {
  return `${cells === 1 ? "" : cells}c${generations === 1 ? "" : `/${generations}`}`;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Cells changing state per generation, averaged over `period` generations from the plane's
 * current one. Measured once the cycle is known, over one more turn of it, rather than on every
 * generation searched: the search's costliest patterns are the growing ones, which have none.
 */
async function heat(plane: Plane, period: number): Promise<number> {
  let changed = 0;
  for (let g = 0; g < period; g++) {
    // Every cell that can change lies within one cell of the old box.
    const around = grow(plane.box!, 1);
    const before = plane.read(around);
    await plane.step();
    changed += differences(before, plane.peek(around));
  }
  return changed / period;
}

function periodic(history: History, transient: number, repeat: number, meanChanges: number): PeriodicPattern {
  const period = repeat - transient;
  const dx = history.x[repeat] - history.x[transient];
  const dy = history.y[repeat] - history.y[transient];
  const moving = dx !== 0 || dy !== 0;
  const kind = moving ? "spaceship" : period === 1 ? "still" : "oscillator";
  const speed = moving ? speedText(dx, dy, period) : null;
  const what = kind === "spaceship" ? `${speed} spaceship (period ${period})` : kind === "still" ? "still life" : `period-${period} oscillator`;
  return {
    kind,
    summary: transient === 0 ? what : `becomes a ${what} after ${transient} generation${transient === 1 ? "" : "s"}`,
    period,
    transient,
    dx,
    dy,
    speed,
    population: history.range(history.population, transient, repeat - 1),
    width: history.range(history.width, transient, repeat - 1),
    height: history.range(history.height, transient, repeat - 1),
    heat: meanChanges,
  };
}

function notPeriodic(history: History, last: number, reason: UnknownPattern["reason"], summary: string): UnknownPattern {
  // A dead last generation has no box: the box ranges stop before it.
  const boxed = reason === "dies" ? last - 1 : last;
  return {
    kind: "unknown",
    summary,
    reason,
    generations: last,
    population: history.range(history.population, 0, last),
    width: history.range(history.width, 0, boxed),
    height: history.range(history.height, 0, boxed),
  };
}

/** Five numbers per generation: where the box was, its size, the population. */
class History {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly width: Float64Array;
  readonly height: Float64Array;
  readonly population: Float64Array;

  constructor(maxPeriod: number) {
    [this.x, this.y, this.width, this.height, this.population] = Array.from({ length: 5 }, () => new Float64Array(maxPeriod + 1));
  }

  record(generation: number, box: BBox, population: number): void {
    this.x[generation] = box.x;
    this.y[generation] = box.y;
    this.width[generation] = box.width;
    this.height[generation] = box.height;
    this.population[generation] = population;
  }

  range(values: Float64Array, from: number, to: number): Range {
    let min = Infinity;
    let max = -Infinity;
    for (let g = from; g <= to; g++) {
      min = Math.min(min, values[g]);
      max = Math.max(max, values[g]);
    }
    return { min, max };
  }

  /** Whether generation `last`'s box is wider or taller than every box of the first half. */
  grows(last: number): boolean {
    const half = last >>> 1;
    return this.width[last] > this.range(this.width, 0, half).max || this.height[last] > this.range(this.height, 0, half).max;
  }
}

/**
 * A dead-edged plane that follows its pattern, so that it behaves as the infinite plane (see the
 * top of the file). Coordinates are absolute, fixed by the first load: the engine's cell (0, 0)
 * is (originX, originY), and moving the pattern to the middle or to a larger plane only moves
 * the origin.
 *
 *   ┌──────────────── engine ────────────────┐
 *   │  ≥ 1 dead ring (checked before a step)  │
 *   │      ┌─ box ─┐                          │
 *   │      │ cells │   …  PLANE_MARGIN or     │
 *   │      └───────┘      a quarter of the box │
 *   │                     (re)placed           │
 *   └─────────────────────────────────────────┘
 */
class Plane {
  #createEngine: EngineFactory;
  #rule: Rule;
  #engine: Engine | null = null;
  #originX = 0;
  #originY = 0;
  #box: BBox | null = null;

  constructor(createEngine: EngineFactory, rule: Rule) {
    this.#createEngine = createEngine;
    this.#rule = rule;
  }

  /** The live cells' bounding box (absolute), or null when none are left. */
  get box(): BBox | null {
    return this.#box;
  }

  /**
   * Replaces the plane's cells with `bitmap`, its top-left cell at absolute (x, y), in the
   * middle of the engine; a new, larger engine when the current one leaves too little margin.
   */
  async load(bitmap: Bitmap, x: number, y: number): Promise<void> {
    let engine = this.#engine;
    if (engine === null || engine.width < bitmap.width + 2 * PLANE_MARGIN || engine.height < bitmap.height + 2 * PLANE_MARGIN) {
      // A quarter of the box on each side when large: a growing pattern moves to a new plane
      // only a logarithmic number of times, on a plane at most 1.5 times its box a side. The
      // size check in identify keeps sideFor ≥ box + 2.
      const sideFor = (cells: number) => Math.min(MAX_SIDE, cells + 2 * Math.max(PLANE_MARGIN, cells >>> 2));
      engine = await this.#createEngine({ width: sideFor(bitmap.width), height: sideFor(bitmap.height), topology: "plane", rule: this.#rule });
      this.#engine = engine;
    } else {
      engine.clear();
    }
    const left = (engine.width - bitmap.width) >>> 1;
    const top = (engine.height - bitmap.height) >>> 1;
    engine.stamp(bitmap, left, top, "replace");
    this.#originX = x - left;
    this.#originY = y - top;
    this.#box = this.#absolute(engine.bbox());
  }

  /** One generation; first moves the pattern off the plane's outermost ring if it is on it. */
  async step(): Promise<void> {
    const box = this.#box;
    if (box === null) return;
    const engine = this.#engine!;
    const x = box.x - this.#originX;
    const y = box.y - this.#originY;
    if (x < 1 || y < 1 || x + box.width > engine.width - 1 || y + box.height > engine.height - 1) {
      await this.load(this.read(box), box.x, box.y);
    }
    this.#engine!.step(1);
    this.#box = this.#absolute(this.#engine!.bbox());
  }

  population(): number {
    return this.#engine!.population();
  }

  /** A copy of an absolute rectangle's cells; cells off the plane read as dead. */
  read(rect: BBox): Bitmap {
    return this.#engine!.readRect(rect.x - this.#originX, rect.y - this.#originY, rect.width, rect.height);
  }

  /** Like read, but without a copy when it fits the engine's io area: valid until the next call. */
  peek(rect: BBox): Bitmap {
    if (bitmapStride(rect.width) * rect.height > IO_CHUNK_BYTES) return this.read(rect);
    return this.#engine!.readRectView(rect.x - this.#originX, rect.y - this.#originY, rect.width, rect.height);
  }

  #absolute(box: BBox | null): BBox | null {
    return box && { x: box.x + this.#originX, y: box.y + this.#originY, width: box.width, height: box.height };
  }
}

function grow(box: BBox, by: number): BBox {
  return { x: box.x - by, y: box.y - by, width: box.width + 2 * by, height: box.height + 2 * by };
}

function copy(bitmap: Bitmap): Bitmap {
  return { width: bitmap.width, height: bitmap.height, data: bitmap.data.slice() };
}

/** Cells that differ between two bitmaps of the same rectangle. */
function differences(a: Bitmap, b: Bitmap): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i++) n += POPCOUNT8[a.data[i] ^ b.data[i]];
  return n;
}

/**
 * Size, population and a 64-bit hash (two 32-bit FNV-1a-style lanes with different primes,
 * over 32-bit words) of box-relative cells. Not cryptographic and need not be: a match is only
 * a candidate, always confirmed by comparing the cells. It hashes 1 bit per cell, 8 times less
 * than the engine's byte-per-cell SHA-256, which dominated the cost of growing patterns.
 */
function fingerprint(cells: Bitmap, population: number): string {
  // The same cells must hash the same from any buffer: words are read from a 4-aligned start.
  const bytes = cells.data.byteOffset & 3 ? cells.data.slice() : cells.data;
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  let a = 0x811c9dc5;
  let b = 0x2166136;
  for (let i = 0; i < words.length; i++) {
    a = Math.imul(a ^ words[i], 0x01000193);
    b = Math.imul(b ^ words[i], 0x5bd1e995);
    b ^= b >>> 15;
  }
  for (let i = words.length << 2; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193);
    b = Math.imul(b ^ bytes[i], 0x5bd1e995);
  }
  return `${cells.width}x${cells.height}:${population}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`;
}

/** Bounding box of a bitmap's live cells, or null when there are none. */
function liveBox(bitmap: Bitmap): BBox | null {
  const stride = bitmapStride(bitmap.width);
  let minX = bitmap.width;
  let maxX = -1;
  let minY = -1;
  let maxY = -1;
  for (let y = 0; y < bitmap.height; y++) {
    for (let i = 0; i < stride; i++) {
      const byte = bitmap.data[y * stride + i];
      if (byte === 0) continue;
      if (minY < 0) minY = y;
      maxY = y;
      minX = Math.min(minX, i * 8 + 31 - Math.clz32(byte & -byte));
      maxX = Math.max(maxX, i * 8 + 31 - Math.clz32(byte));
    }
  }
  return maxY < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/** The cells of `box` as a bitmap of their own (rows shifted byte-wise, not cell by cell). */
function crop(bitmap: Bitmap, box: BBox): Bitmap {
  const from = bitmapStride(bitmap.width);
  const to = bitmapStride(box.width);
  const data = new Uint8Array(to * box.height);
  const shift = box.x & 7;
  const firstByte = box.x >>> 3;
  const lastMask = 0xff >>> ((8 - (box.width & 7)) & 7);
  for (let y = 0; y < box.height; y++) {
    const row = (box.y + y) * from;
    for (let i = 0; i < to; i++) {
      const at = firstByte + i;
      const high = at + 1 < from ? bitmap.data[row + at + 1] : 0;
      data[y * to + i] = ((bitmap.data[row + at] >>> shift) | (high << (8 - shift))) & 0xff;
    }
    data[y * to + to - 1] &= lastMask;
  }
  return { width: box.width, height: box.height, data };
}
