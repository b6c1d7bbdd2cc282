import { describe, expect, it } from "vitest";
import { type Bitmap, bitmapPopulation, bitmapsEqual, createBitmap, getBit, setBit } from "../../common/bitmap.ts";
import { parsePattern, writeRle } from "../../common/formats/index.ts";
import { identify } from "../../common/identify.ts";
import { patternBitmap } from "../../common/patterns.ts";
import { LIFE } from "../../common/rules.ts";
import { createEngine, loadModule } from "../../common/wasm-node.ts";
import { MAX_IDENTIFY_CELLS, identificationLine, identifyCells } from "../../web/room/identify.ts";
import { liveBounds, movedRect, randomBitmap, turnedRect } from "../../web/selection-ops.ts";
import { rotateClockwise } from "../../web/stamp.ts";

const grid = { width: 64, height: 64 };

function bitmapOf(text: string): Bitmap {
  const parsed = parsePattern(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.bitmap;
}

/** Live cells as "x,y" strings, offset by (dx, dy). */
function cellsOf(bitmap: Bitmap, dx = 0, dy = 0): string[] {
  const out: string[] = [];
  for (let y = 0; y < bitmap.height; y++) for (let x = 0; x < bitmap.width; x++) if (getBit(bitmap, x, y)) out.push(`${x + dx},${y + dy}`);
  return out.sort();
}

describe("turning a selection", () => {
  it("turns a 6×2 selection into a 2×6 one about the same centre", () => {
    // Columns 10..15 have their centre at 12.5, and so do the turned 12..13; rows 20..21 become 18..23.
    expect(turnedRect({ x: 10, y: 20, w: 6, h: 2 }, grid)).toEqual({ x: 12, y: 18, w: 2, h: 6 });
    // A square turns in place.
    expect(turnedRect({ x: 5, y: 5, w: 3, h: 3 }, grid)).toEqual({ x: 5, y: 5, w: 3, h: 3 });
  });

  it("slides a turned selection back inside the grid rather than across its edge", () => {
    expect(turnedRect({ x: 0, y: 0, w: 1, h: 9 }, grid)).toEqual({ x: 0, y: 4, w: 9, h: 1 });
    expect(turnedRect({ x: 60, y: 30, w: 2, h: 8 }, grid)).toEqual({ x: 56, y: 33, w: 8, h: 2 });
  });

  it("refuses to turn what would not fit the grid", () => {
    expect(turnedRect({ x: 0, y: 0, w: 64, h: 10 }, { width: 64, height: 32 })).toBeNull();
  });

  it("puts the turned cells where a quarter turn clockwise about the centre takes them", () => {
    // A 4×2 selection at (20, 30) holding an L: cells (20,30) (20,31) (21,31) (22,31) (23,31).
    const rect = { x: 20, y: 30, w: 4, h: 2 };
    const cells = bitmapOf("x = 4, y = 2\no$4o!");
    const to = turnedRect(rect, grid)!;
    expect(to).toEqual({ x: 21, y: 29, w: 2, h: 4 });
    // The selection spans x 20..24 and y 30..32: its centre is the point (22, 31). A quarter turn
    // clockwise about it, in board coordinates (y down), takes the point (px, py) to
    // (22 - (py - 31), 31 + (px - 22)); a cell is the unit square around its centre (x + ½, y + ½).
    const expected = ["20,30", "20,31", "21,31", "22,31", "23,31"]
      .map((c) => c.split(",").map(Number))
      .map(([x, y]) => `${22 - (y + 0.5 - 31) - 0.5},${31 + (x + 0.5 - 22) - 0.5}`)
      .sort();
    expect(cellsOf(rotateClockwise(cells), to.x, to.y)).toEqual(expected);
  });
});

describe("dragging a selection", () => {
  it("follows the pointer, and stops at the grid's edges", () => {
    const rect = { x: 10, y: 10, w: 5, h: 4 };
    expect(movedRect(rect, 30, 2, grid)).toEqual({ x: 30, y: 2, w: 5, h: 4 });
    expect(movedRect(rect, -3, 70, grid)).toEqual({ x: 0, y: 60, w: 5, h: 4 });
  });
});

describe("the cells a selection copies and pastes", () => {
  it("round-trip through RLE with their empty margins, so a paste lands where the copy was", () => {
    // A glider in the corner of a 9×7 selection: the blank rows and columns around it are part of it.
    const selection = createBitmap(9, 7);
    for (const [x, y] of [[2, 1], [3, 2], [1, 3], [2, 3], [3, 3]]) setBit(selection, x, y, true);
    const back = bitmapOf(writeRle(selection, { rule: LIFE, name: "A room", comments: ["generation 12", "rectangle x=3 y=4"] }));
    expect([back.width, back.height]).toEqual([9, 7]);
    expect(bitmapsEqual(back, selection)).toBe(true);
  });

  it("read a lightweight spaceship as Golly puts it on the clipboard", () => {
    // Golly's clipboard: header with spaces, a body across lines, a trailing newline.
    const lwss = bitmapOf("x = 5, y = 4, rule = B3/S23\nbo2bo$o4b$o3bo$\n4o!\n");
    expect(cellsOf(lwss)).toEqual(["0,1", "0,2", "0,3", "1,0", "1,3", "2,3", "3,3", "4,0", "4,2"].sort());
  });

  it("fill at random with about the density asked for, and not at all at a density of 0", () => {
    let seed = 1;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const filled = randomBitmap(100, 100, 0.3, random);
    expect(bitmapPopulation(filled)).toBeGreaterThan(2700);
    expect(bitmapPopulation(filled)).toBeLessThan(3300);
    expect(bitmapPopulation(randomBitmap(10, 10, 0))).toBe(0);
    expect(bitmapPopulation(randomBitmap(10, 10, 1))).toBe(100);
  });

  it("have a live box: the smallest rectangle around their live cells", () => {
    const bitmap = createBitmap(40, 20);
    setBit(bitmap, 9, 3, true);
    setBit(bitmap, 30, 17, true);
    setBit(bitmap, 17, 12, true);
    expect(liveBounds(bitmap)).toEqual({ x: 9, y: 3, w: 22, h: 15 });
    expect(liveBounds(createBitmap(40, 20))).toBeNull();
  });
});

describe("the line Identify shows", () => {
  const line = async (bitmap: Bitmap) => {
    const result = await identify(bitmap, LIFE, { createEngine });
    if (!result.ok) throw new Error(result.error);
    return identificationLine(result.value);
  };

  it("names a glider's speed, period, displacement and population", async () => {
    // bo$2bo$3o moves one cell right and one down every 4 generations.
    expect(await line(patternBitmap("glider"))).toBe("c/4 diagonal spaceship, period 4, displacement (1, 1), population 5");
  });

  it("names an oscillator's period, a still life, and what a pattern settles into", async () => {
    expect(await line(bitmapOf("x = 3, y = 1\n3o!"))).toBe("period-2 oscillator, population 3");
    expect(await line(patternBitmap("block"))).toBe("still life, population 4");
    // Three cells of a block: the fourth is born in generation 1.
    expect(await line(bitmapOf("x = 2, y = 2\n2o$o!"))).toBe("settles after 1 generation into a still life, population 4");
  });

  it("says when the cells die, and when there are none", async () => {
    expect(await line(bitmapOf("x = 2, y = 1\n2o!"))).toBe("dies at generation 1, population 0–2");
    expect(await line(createBitmap(8, 8))).toBe("no live cells");
  });

  it("refuses a live area larger than the page searches, before any engine runs", async () => {
    const module = await loadModule("simd");
    const soup = createBitmap(1100, 1000);
    setBit(soup, 0, 0, true);
    setBit(soup, 1099, 999, true);
    expect(1100 * 1000).toBeGreaterThan(MAX_IDENTIFY_CELLS);
    expect(await identifyCells(soup, LIFE, module)).toEqual({ ok: false, error: expect.stringContaining("1100×1000") });
    expect(await identifyCells(soup, LIFE, null)).toEqual({ ok: false, error: expect.stringContaining("WebAssembly") });
  });
});
