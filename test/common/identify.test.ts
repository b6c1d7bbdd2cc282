/**
 * Identify, as sentences about patterns. Every expected fact is the pattern's known behaviour,
 * checked independently with Golly's bgolly (periods and displacements against a fixed
 * reference block; populations, bounding boxes and heat from its generations), never taken
 * from identify's own output.
 */
import { describe, expect, it } from "vitest";
import { type Bitmap, createBitmap, getBit, setBit } from "../../common/bitmap.ts";
import { parseRle } from "../../common/formats/rle.ts";
import { type Identification, type IdentifyOptions, MAX_PERIOD, identify, speedText } from "../../common/identify.ts";
import { patternBitmap } from "../../common/patterns.ts";
import { LIFE, type Rule, parseRule } from "../../common/rules.ts";
import { createEngine } from "../../common/wasm-node.ts";

function rule(text: string): Rule {
  const parsed = parseRule(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.rule;
}

function rle(text: string): Bitmap {
  const parsed = parseRle(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.bitmap;
}

/** `pattern` drawn with its top-left cell at (x, y) on an empty width × height selection. */
function placed(pattern: Bitmap, width: number, height: number, x: number, y: number): Bitmap {
  const out = createBitmap(width, height);
  for (let py = 0; py < pattern.height; py++) {
    for (let px = 0; px < pattern.width; px++) if (getBit(pattern, px, py)) setBit(out, x + px, y + py, true);
  }
  return out;
}

/** `left` and `right` side by side, tops aligned, `gap` dead columns between them. */
function beside(left: Bitmap, right: Bitmap, gap: number): Bitmap {
  const out = placed(left, left.width + gap + right.width, Math.max(left.height, right.height), 0, 0);
  for (let y = 0; y < right.height; y++) {
    for (let x = 0; x < right.width; x++) if (getBit(right, x, y)) setBit(out, left.width + gap + x, y, true);
  }
  return out;
}

async function identified(bitmap: Bitmap, under: Rule = LIFE, options: Partial<IdentifyOptions> = {}): Promise<Identification> {
  const result = await identify(bitmap, under, { createEngine, ...options });
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe("identify names what a pattern does", () => {
  it("a block is a still life of 4 cells that never changes", async () => {
    expect(await identified(patternBitmap("block"))).toEqual({
      kind: "still",
      summary: "still life",
      period: 1,
      transient: 0,
      dx: 0,
      dy: 0,
      speed: null,
      population: { min: 4, max: 4 },
      width: { min: 2, max: 2 },
      height: { min: 2, max: 2 },
      heat: 0,
    });
  });

  it("a blinker is a period-2 oscillator turning between 3×1 and 1×3, 4 cells changing each generation", async () => {
    expect(await identified(patternBitmap("blinker"))).toMatchObject({
      kind: "oscillator",
      summary: "period-2 oscillator",
      period: 2,
      speed: null,
      population: { min: 3, max: 3 },
      width: { min: 1, max: 3 },
      height: { min: 1, max: 3 },
      heat: 4,
    });
  });

  it("a pulsar is a period-3 oscillator of 48 to 72 cells with heat 128/3", async () => {
    const result = await identified(patternBitmap("pulsar"));
    expect(result).toMatchObject({ kind: "oscillator", period: 3, population: { min: 48, max: 72 }, width: { min: 13, max: 15 } });
    expect(result.kind === "oscillator" && result.heat).toBeCloseTo(128 / 3, 10);
  });

  it("a pentadecathlon is a period-15 oscillator of 12 to 40 cells", async () => {
    expect(await identified(patternBitmap("pentadecathlon"))).toMatchObject({
      kind: "oscillator",
      period: 15,
      transient: 0,
      population: { min: 12, max: 40 },
      width: { min: 8, max: 16 },
      height: { min: 3, max: 9 },
      heat: 22.4,
    });
  });

  it("a pentadecathlon beside a figure eight is one period-120 oscillator (the lcm of 15 and 8)", async () => {
    const pair = beside(patternBitmap("pentadecathlon"), patternBitmap("figure-eight"), 20);
    expect(await identified(pair)).toMatchObject({
      kind: "oscillator",
      summary: "period-120 oscillator",
      period: 120,
      population: { min: 24, max: 66 },
      width: { min: 35, max: 41 },
      height: { min: 6, max: 11 },
    });
  });

  it("a glider is a c/4 diagonal spaceship: one cell down and right every 4 generations", async () => {
    expect(await identified(patternBitmap("glider"))).toMatchObject({
      kind: "spaceship",
      summary: "c/4 diagonal spaceship (period 4)",
      period: 4,
      dx: 1,
      dy: 1,
      speed: "c/4 diagonal",
      population: { min: 5, max: 5 },
      heat: 4,
    });
  });

  it("a lightweight spaceship is c/2 orthogonal: two cells left every 4 generations, 9 to 12 cells", async () => {
    expect(await identified(patternBitmap("lwss"))).toMatchObject({
      kind: "spaceship",
      period: 4,
      dx: -2,
      dy: 0,
      speed: "c/2 orthogonal",
      population: { min: 9, max: 12 },
      width: { min: 5, max: 5 },
      height: { min: 4, max: 4 },
      heat: 11,
    });
  });

  it("a Copperhead is c/10 orthogonal: one cell up every 10 generations", async () => {
    expect(await identified(patternBitmap("copperhead"))).toMatchObject({
      kind: "spaceship",
      period: 10,
      dx: 0,
      dy: -1,
      speed: "c/10 orthogonal",
      population: { min: 28, max: 36 },
      width: { min: 6, max: 10 },
      height: { min: 12, max: 13 },
      heat: 26.8,
    });
  });

  it("a glider is the same glider wherever it sits in a larger selection", async () => {
    const result = await identified(placed(patternBitmap("glider"), 100, 90, 13, 70));
    expect(result).toMatchObject({ kind: "spaceship", period: 4, dx: 1, dy: 1, population: { min: 5, max: 5 } });
  });

  it("in Seeds (B2/S) the four-cell moon flies at light speed: one cell down every generation", async () => {
    expect(await identified(rle("x = 4, y = 2, rule = B2/S\no2bo$b2o!"), rule("Seeds"))).toMatchObject({
      kind: "spaceship",
      period: 1,
      dx: 0,
      dy: 1,
      speed: "c orthogonal",
      population: { min: 4, max: 4 },
      heat: 8,
    });
  });
});

describe("identify sees through a transient", () => {
  it("a pre-block becomes a still life (a block) after 1 generation", async () => {
    expect(await identified(rle("x = 2, y = 2\n2o$o!"))).toMatchObject({
      kind: "still",
      summary: "becomes a still life after 1 generation",
      period: 1,
      transient: 1,
      population: { min: 4, max: 4 },
    });
  });

  it("a row of ten cells becomes a pentadecathlon after 2 generations", async () => {
    expect(await identified(rle("x = 10, y = 1\n10o!"))).toMatchObject({
      kind: "oscillator",
      summary: "becomes a period-15 oscillator after 2 generations",
      period: 15,
      transient: 2,
    });
  });

  it("a row of five cells becomes a traffic light (four blinkers, 12 cells) after 6 generations", async () => {
    expect(await identified(rle("x = 5, y = 1\n5o!"))).toMatchObject({ kind: "oscillator", period: 2, transient: 6, population: { min: 12, max: 12 } });
  });

  it("HighLife's replicator under Life settles into a period-2 oscillator of 24 cells after 23 generations", async () => {
    expect(await identified(patternBitmap("highlife-replicator"), LIFE)).toMatchObject({
      kind: "oscillator",
      period: 2,
      transient: 23,
      population: { min: 24, max: 24 },
    });
  });
});

describe("identify says why it found nothing", () => {
  it("the Gosper glider gun grows: 36 to 226 cells over 1000 generations, never repeating", async () => {
    expect(await identified(patternBitmap("gosper-glider-gun"))).toEqual({
      kind: "unknown",
      summary: "not periodic within 1000 generations (grows)",
      reason: "grows",
      generations: 1000,
      population: { min: 36, max: 226 },
      width: { min: 36, max: 268 },
      height: { min: 9, max: 255 },
    });
  });

  it("the R-pentomino is still unsettled at generation 1000 (it settles at 1103): grows, 5 to 319 cells", async () => {
    const result = await identified(patternBitmap("r-pentomino"));
    expect(result).toMatchObject({
      kind: "unknown",
      reason: "grows",
      generations: 1000,
      population: { min: 5, max: 319 },
      width: { min: 3, max: 449 },
      height: { min: 3, max: 473 },
    });
  });

  it("HighLife's replicator keeps copying itself: grows, 12 to 1920 cells in 1000 generations", async () => {
    expect(await identified(patternBitmap("highlife-replicator"), rule("HighLife"))).toMatchObject({
      kind: "unknown",
      reason: "grows",
      population: { min: 12, max: 1920 },
    });
  });

  it("a glider searched for only 3 generations has no repeat yet", async () => {
    expect(await identified(patternBitmap("glider"), LIFE, { maxPeriod: 3 })).toMatchObject({
      kind: "unknown",
      summary: "not periodic within 3 generations (no repeat)",
      reason: "no-repeat",
      generations: 3,
    });
  });

  it("a lone cell dies at generation 1", async () => {
    expect(await identified(rle("x = 1, y = 1\no!"))).toEqual({
      kind: "unknown",
      summary: "dies at generation 1",
      reason: "dies",
      generations: 1,
      population: { min: 0, max: 1 },
      width: { min: 1, max: 1 },
      height: { min: 1, max: 1 },
    });
  });

  it("an empty selection is empty", async () => {
    expect(await identified(createBitmap(64, 64))).toEqual({ kind: "empty", summary: "empty" });
    expect(await identified(createBitmap(0, 0))).toEqual({ kind: "empty", summary: "empty" });
  });

  it("refuses B0 rules, whose empty background comes alive", async () => {
    const result = await identify(patternBitmap("block"), rule("B03/S23"), { createEngine });
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/B0/) });
  });

  it("refuses a maxPeriod outside 1 to MAX_PERIOD", async () => {
    await expect(identify(patternBitmap("block"), LIFE, { createEngine, maxPeriod: 0 })).rejects.toThrow(RangeError);
    await expect(identify(patternBitmap("block"), LIFE, { createEngine, maxPeriod: MAX_PERIOD + 1 })).rejects.toThrow(RangeError);
  });
});

describe("speedText writes LifeWiki's speed notation", () => {
  it.each([
    [1, 1, 4, "c/4 diagonal"],
    [-2, 0, 4, "c/2 orthogonal"],
    [0, 2, 5, "2c/5 orthogonal"],
    [3, 0, 6, "c/2 orthogonal"],
    [0, -1, 1, "c orthogonal"],
    [2, 1, 6, "(2,1)c/6 oblique"],
    [-2, 4, 12, "(2,1)c/6 oblique"],
  ])("(%i, %i) per %i generations is %s", (dx, dy, period, text) => {
    expect(speedText(dx, dy, period)).toBe(text);
  });
});
