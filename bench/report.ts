/**
 * What the frames and room suites need beyond bench/harness.ts: order statistics, the machine's
 * load while a suite ran (the numbers mean little without it on a shared machine), the size of
 * the JSON baseline, a seeded generator for scenes, a status line that rewrites itself, and the
 * target table every suite ends with.
 */
import { loadavg } from "node:os";
import type { Bitmap } from "../common/bitmap.ts";
import { POPCOUNT8, bitmapStride } from "../common/bitmap.ts";

// ---------------------------------------------------------------------------------------------
// Order statistics

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * The nearest-rank percentile of ascending `sorted`: the smallest value with at least p% of the
 * values at or below it. No interpolation, so every reported percentile is a value that was
 * actually observed (with fewer than 100 samples p99 is the maximum, which is what it should be).
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of no values");
  if (!(p >= 0 && p <= 100)) throw new RangeError("p must be from 0 to 100");
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** count/min/mean/p50/p95/p99/max of `values` (any order), or null when there are none. */
export function summarize(values: readonly number[]): Summary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    min: sorted[0],
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

export function median(values: readonly number[]): number | null {
  return summarize(values)?.p50 ?? null;
}

/** The mean of `values`, 0 for none. */
export const mean = (values: readonly number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
/** The largest of `values`, 0 for none. */
export const max = (values: readonly number[]): number => (values.length ? Math.max(...values) : 0);

// ---------------------------------------------------------------------------------------------
// The machine's load

export interface LoadAverage {
  one: number;
  five: number;
  fifteen: number;
}

/** The 1/5/15-minute load averages (runnable processes; compare with the core count). */
export function loadAverage(): LoadAverage {
  const [one, five, fifteen] = loadavg();
  const round = (v: number) => Math.round(v * 100) / 100;
  return { one: round(one), five: round(five), fifteen: round(fifteen) };
}

export function describeLoad(load: LoadAverage): string {
  return `load average ${load.one.toFixed(2)} / ${load.five.toFixed(2)} / ${load.fifteen.toFixed(2)} (1/5/15 min)`;
}

// ---------------------------------------------------------------------------------------------
// The JSON baseline: what a simple demo sends every generation, `[[x,y],[x,y],…]` of live cells.


/** Digit-count thresholds: a coordinate c has 1 + #{t : c ≥ t} decimal digits. */
const DIGIT_STEPS = [10, 100, 1000, 10000, 100000] as const;

/** Live cells in row `row` of `bitmap` with x ≥ `from` (from in cells). */
function rowCountFrom(data: Uint8Array, rowStart: number, stride: number, from: number): number {
  const firstByte = from >>> 3;
  if (firstByte >= stride) return 0;
  let n = POPCOUNT8[data[rowStart + firstByte] & (0xff << (from & 7))];
  for (let i = firstByte + 1; i < stride; i++) n += POPCOUNT8[data[rowStart + i]];
  return n;
}

/**
 * The exact byte length of `JSON.stringify` of the live cells of `bitmap` as `[[x,y],…]`, with
 * (offsetX, offsetY) added to every coordinate — without building the string, which for a 4096²
 * soup would be over 100 MB. Each cell "[x,y]" is digits(x) + digits(y) + 3 bytes, cells are
 * separated by commas, and the list has two brackets:
 *
 *   bytes = 2 + Σ (digits(x) + digits(y) + 3) + (n − 1)  for n > 0, "[]" = 2 for n = 0
 *
 * and Σ digits(x) = n + Σ_t #{cells with x ≥ t}, counted per row with a popcount table.
 */
export function jsonLiveCellsBytes(bitmap: Bitmap, offsetX = 0, offsetY = 0): number {
  const stride = bitmapStride(bitmap.width);
  let cells = 0;
  let digits = 0;
  for (let y = 0; y < bitmap.height; y++) {
    const start = y * stride;
    let rowCells = 0;
    for (let i = 0; i < stride; i++) rowCells += POPCOUNT8[bitmap.data[start + i]];
    if (rowCells === 0) continue;
    cells += rowCells;
    digits += rowCells * decimalDigits(y + offsetY) + rowCells;
    for (const t of DIGIT_STEPS) {
      if (t <= offsetX) digits += rowCells;
      else if (t - offsetX < bitmap.width) digits += rowCountFrom(bitmap.data, start, stride, t - offsetX);
    }
  }
  return cells === 0 ? 2 : 2 + digits + 3 * cells + (cells - 1);
}

function decimalDigits(v: number): number {
  let d = 1;
  for (const t of DIGIT_STEPS) if (v >= t) d++;
  return d;
}

/** The JSON itself, built the way a simple demo would (an array of pairs, then stringify). */
export function liveCellsJson(bitmap: Bitmap, offsetX = 0, offsetY = 0): string {
  const stride = bitmapStride(bitmap.width);
  const cells: [number, number][] = [];
  for (let y = 0; y < bitmap.height; y++) {
    for (let i = 0; i < stride; i++) {
      const byte = bitmap.data[y * stride + i];
      if (byte === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) cells.push([i * 8 + bit + offsetX, y + offsetY]);
    }
  }
  return JSON.stringify(cells);
}

// ---------------------------------------------------------------------------------------------
// A seeded generator for scenes (mulberry32: small, fast, and the same on every machine).

export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// A status line on stderr: rewritten in place on a terminal; on a pipe (CI, a log file) only
// every few seconds, so a log shows that the run is alive without thousands of lines.

export class StatusLine {
  readonly #tty = process.stderr.isTTY === true;
  #lastPrinted = 0;
  #shown = false;

  update(text: string): void {
    if (this.#tty) {
      process.stderr.write(`\r\x1b[K${text}`);
      this.#shown = true;
    } else if (Date.now() - this.#lastPrinted >= 5000) {
      this.#lastPrinted = Date.now();
      process.stderr.write(`${text}\n`);
    }
  }

  /** Ends the rewritten line; `text` (if any) stays as a permanent line. */
  done(text?: string): void {
    if (this.#tty && this.#shown) process.stderr.write("\r\x1b[K");
    this.#shown = false;
    this.#lastPrinted = 0;
    if (text !== undefined) process.stderr.write(`${text}\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// Targets (from the benchmark issue), checked against measured numbers only.

export interface TargetCheck {
  target: string;
  measured: string;
  /** null: not measured in this run (e.g. a --quick run skips that load). */
  met: boolean | null;
}

export function verdict(check: TargetCheck): string {
  return check.met === null ? "not measured" : check.met ? "met" : "NOT MET";
}

// ---------------------------------------------------------------------------------------------
// Number formatting in the tables.

/** 131072 → "131,072". */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Milliseconds with precision that suits their size: 0.0123, 1.23, 12.3, 123. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  if (ms < 0.1) return ms.toFixed(4);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}
