/**
 * A small seeded PRNG for the property tests (mulberry32: 32-bit state, period 2^32), so a
 * failing case is reproduced from the seed printed in its message. It is deliberately not
 * the engine's own randomize(), which is one of the things under test.
 */
import { type Bitmap, createBitmap, setBit } from "../../common/bitmap.ts";

export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** Whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** A width × height bitmap with each cell alive with probability `density`. */
  bitmap(width: number, height: number, density: number): Bitmap {
    const bitmap = createBitmap(width, height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) if (this.next() < density) setBit(bitmap, x, y, true);
    }
    return bitmap;
  }
}
