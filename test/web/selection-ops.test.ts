import { describe, expect, it } from "vitest";
import { bitmapPopulation } from "../../common/bitmap.ts";
import { randomBitmap, turnedRect } from "../../web/selection-ops.ts";

describe("what the selection's actions do to cells", () => {
  const torus = { width: 64, height: 64, topology: "torus" as const };
  const plane = { width: 64, height: 64, topology: "plane" as const };

  it("turns a 6×2 selection into a 2×6 one about the same centre", () => {
    // Centre of x 10..15 is 12.5; of the turned x 12..13 also 12.5. Rows 20..21 → 18..23.
    expect(turnedRect({ x: 10, y: 20, w: 6, h: 2 }, torus)).toEqual({ x: 12, y: 18, w: 2, h: 6 });
    // A square turns in place.
    expect(turnedRect({ x: 5, y: 5, w: 3, h: 3 }, torus)).toEqual({ x: 5, y: 5, w: 3, h: 3 });
  });

  it("slides a turned selection back inside a plane, and wraps it on a torus", () => {
    expect(turnedRect({ x: 0, y: 0, w: 1, h: 9 }, plane)).toEqual({ x: 0, y: 4, w: 9, h: 1 });
    expect(turnedRect({ x: 0, y: 0, w: 1, h: 9 }, torus)).toEqual({ x: 60, y: 4, w: 9, h: 1 });
  });

  it("refuses to turn what would not fit the grid", () => {
    expect(turnedRect({ x: 0, y: 0, w: 64, h: 10 }, { width: 64, height: 32, topology: "torus" })).toBeNull();
  });

  it("fills at random with about the density asked for, and not at all at a density of 0", () => {
    let seed = 1;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const filled = randomBitmap(100, 100, 0.3, random);
    expect(bitmapPopulation(filled)).toBeGreaterThan(2700);
    expect(bitmapPopulation(filled)).toBeLessThan(3300);
    expect(bitmapPopulation(randomBitmap(10, 10, 0))).toBe(0);
    expect(bitmapPopulation(randomBitmap(10, 10, 1))).toBe(100);
  });
});
