/** Test helpers shared by the pattern format tests: seeded bitmaps, pictures, and result checks. */
import { expect } from "vitest";
import { type Bitmap, createBitmap, setBit } from "../../../common/bitmap.ts";
import type { PatternFile, PatternLimit, PatternResult } from "../../../common/formats/reader.ts";

/** Deterministic generator (mulberry32) so a failing case can be replayed. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBitmap(width: number, height: number, density: number, next: () => number): Bitmap {
  const bitmap = createBitmap(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (next() < density) setBit(bitmap, x, y, true);
  return bitmap;
}

/** A bitmap from picture rows ("." dead, anything else alive), written independently of the readers. */
export function picture(...rows: string[]): Bitmap {
  const width = Math.max(0, ...rows.map((row) => row.length));
  const bitmap = createBitmap(width, rows.length);
  rows.forEach((row, y) => [...row].forEach((c, x) => c !== "." && setBit(bitmap, x, y, true)));
  return bitmap;
}

export function ok(result: PatternResult): PatternFile {
  if (!result.ok) throw new Error(`expected a pattern, got: ${result.error}`);
  return result.value;
}

export function error(result: PatternResult): string {
  if (result.ok) throw new Error("expected an error, got a pattern");
  // No partial value rides along; a refusal for size says which limit it broke.
  expect(Object.keys(result).filter((k) => k !== "limit")).toEqual(["ok", "error"]);
  return result.error;
}

/** The limit a refused pattern broke (undefined for syntax errors). */
export function limitOf(result: PatternResult): PatternLimit | undefined {
  if (result.ok) throw new Error("expected an error, got a pattern");
  return result.limit;
}

/**
 * Runs `fn` and reports the largest typed array it allocated, by counting the element arguments
 * of `new Uint8Array(n)` (the readers allocate bitmaps with it).
 */
export function largestAllocation<T>(fn: () => T): { result: T; bytes: number; count: number } {
  const original = globalThis.Uint8Array;
  let bytes = 0;
  let count = 0;
  globalThis.Uint8Array = new Proxy(original, {
    construct(target, args: unknown[], newTarget) {
      if (typeof args[0] === "number") {
        bytes = Math.max(bytes, args[0]);
        count++;
      }
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    return { result: fn(), bytes, count };
  } finally {
    globalThis.Uint8Array = original;
  }
}

export const GLIDER = picture(".O.", "..O", "OOO");
