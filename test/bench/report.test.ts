import { describe, expect, it } from "vitest";
import { type Bitmap, createBitmap, getBit, setBit } from "../../common/bitmap.ts";
import { jsonLiveCellsBytes, liveCellsJson, percentile, seededRandom, summarize } from "../../bench/report.ts";

/** The JSON a simple demo sends, built here cell by cell with getBit, independently of bench/report.ts. */
function demoJson(bitmap: Bitmap, offsetX: number, offsetY: number): string {
  const cells: number[][] = [];
  for (let y = 0; y < bitmap.height; y++) for (let x = 0; x < bitmap.width; x++) if (getBit(bitmap, x, y)) cells.push([x + offsetX, y + offsetY]);
  return JSON.stringify(cells);
}

function sprinkle(width: number, height: number, density: number, seed: number): Bitmap {
  const next = seededRandom(seed);
  const bitmap = createBitmap(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (next() < density) setBit(bitmap, x, y, true);
  return bitmap;
}

describe("percentiles are nearest-rank, so every reported value was observed", () => {
  it("picks the smallest value with at least p% of the values at or below it", () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 51)).toBe(6);
    expect(percentile(ten, 95)).toBe(10);
    expect(percentile(ten, 0)).toBe(1);
    expect(percentile(ten, 100)).toBe(10);
  });

  it("makes p99 of fewer than 100 samples the maximum", () => {
    expect(percentile([3, 9, 27], 99)).toBe(27);
  });

  it("refuses no values and out-of-range p", () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it("summarizes values in any order", () => {
    const s = summarize([40, 10, 30, 20]);
    expect(s).toEqual({ count: 4, min: 10, mean: 25, p50: 20, p95: 40, p99: 40, max: 40 });
    expect(summarize([])).toBeNull();
  });
});

describe("the JSON baseline's size is exact without building the string", () => {
  it("is 2 bytes ([]) for an empty view", () => {
    expect(jsonLiveCellsBytes(createBitmap(64, 64))).toBe(2);
  });

  it("matches JSON.stringify for one cell at each digit boundary", () => {
    for (const x of [0, 9, 10, 99, 100, 999, 1000, 1199]) {
      for (const y of [0, 9, 10, 100, 1000]) {
        const bitmap = createBitmap(1200, 1001);
        setBit(bitmap, x, y, true);
        expect(jsonLiveCellsBytes(bitmap), `cell (${x}, ${y})`).toBe(demoJson(bitmap, 0, 0).length);
      }
    }
  });

  it("matches JSON.stringify on random views that cross 10, 100, 1000 and 10000, with offsets", () => {
    const cases = [
      { w: 1030, h: 12, density: 0.3, ox: 0, oy: 0 },
      { w: 77, h: 130, density: 0.5, ox: 9990, oy: 95 },
      { w: 200, h: 3, density: 0.02, ox: 16200, oy: 16380 },
      { w: 13, h: 13, density: 1, ox: 3, oy: 0 },
    ];
    cases.forEach(({ w, h, density, ox, oy }, i) => {
      const bitmap = sprinkle(w, h, density, 100 + i);
      const expected = demoJson(bitmap, ox, oy);
      expect(jsonLiveCellsBytes(bitmap, ox, oy), `case ${i}`).toBe(expected.length);
      expect(liveCellsJson(bitmap, ox, oy), `case ${i}`).toBe(expected);
    });
  });
});

describe("the seeded generator makes the same scenes everywhere", () => {
  it("repeats for a seed, differs between seeds, and stays in [0, 1)", () => {
    const a = Array.from({ length: 1000 }, seededRandom(7));
    const b = Array.from({ length: 1000 }, seededRandom(7));
    const c = Array.from({ length: 1000 }, seededRandom(8));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});
