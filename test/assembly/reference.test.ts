/**
 * Neighbour counting worked out by hand, where a grid is so small that one cell is several of
 * its own neighbours. The reference stepper is the property tests' oracle, so it must be right
 * on its own; the kernels are held to the same hand-made answers, so that the two cannot share
 * one misreading of the definition:
 *
 *   neighbours of (x, y) = the 8 positions ((x + dx) mod W, (y + dy) mod H), (dx, dy) ≠ (0, 0),
 *   each position counted, even when two of them are the same cell.
 */
import { describe, expect, it } from "vitest";
import { createBitmap, getBit, setBit } from "../../common/bitmap.ts";
import type { Kernel } from "../../common/engine.ts";
import { ReferenceGrid } from "../../common/reference.ts";
import { type Rule, type Topology, parseRule } from "../../common/rules.ts";
import { createEngine } from "../../common/wasm-node.ts";

function rule(text: string): Rule {
  const parsed = parseRule(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.rule;
}

/** Live cells after one generation, as "x,y" strings sorted. */
type StepOnce = (width: number, height: number, topology: Topology, ruleText: string, live: [number, number][]) => Promise<string[]>;

function liveCells(width: number, height: number, isAlive: (x: number, y: number) => boolean): string[] {
  const out: string[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (isAlive(x, y)) out.push(`${x},${y}`);
  return out;
}

const referenceStep: StepOnce = async (width, height, topology, ruleText, live) => {
  const grid = new ReferenceGrid(width, height, topology, rule(ruleText));
  for (const [x, y] of live) grid.set(x, y, true);
  grid.step();
  return liveCells(width, height, (x, y) => grid.get(x, y));
};

const kernelStep =
  (kernel: Kernel): StepOnce =>
  async (width, height, topology, ruleText, live) => {
    const engine = await createEngine({ width, height, topology, rule: rule(ruleText) }, kernel);
    const start = createBitmap(width, height);
    for (const [x, y] of live) setBit(start, x, y, true);
    engine.loadBitmap(start);
    engine.step();
    const after = engine.toBitmap();
    return liveCells(width, height, (x, y) => getBit(after, x, y));
  };

const STEPPERS: [string, StepOnce][] = [
  ["reference", referenceStep],
  ["simd", kernelStep("simd")],
  ["scalar", kernelStep("scalar")],
];

describe.each(STEPPERS)("the %s stepper", (_name, step) => {
  it("counts a lone cell on a 1×1 torus as its own 8 neighbours", async () => {
    expect(await step(1, 1, "torus", "B/S8", [[0, 0]])).toEqual(["0,0"]);
    expect(await step(1, 1, "torus", "B/S7", [[0, 0]])).toEqual([]);
    expect(await step(1, 1, "torus", "B/S01234567", [[0, 0]])).toEqual([]);
  });

  it("births the empty 1×1 torus under B0 only", async () => {
    expect(await step(1, 1, "torus", "B0/S", [])).toEqual(["0,0"]);
    expect(await step(1, 1, "torus", "B12345678/S", [])).toEqual([]);
  });

  it("gives the cells of a 2×2 torus around one live cell 2, 2 and 4 neighbours, and the cell itself 0", async () => {
    // From (0,0) alive: (1,0) sees it at dx = -1 and dx = +1 (dy = 0); (0,1) at dy = ±1;
    // (1,1) at all four diagonals; (0,0) never sees itself.
    expect(await step(2, 2, "torus", "B4/S", [[0, 0]])).toEqual(["1,1"]);
    expect(await step(2, 2, "torus", "B2/S", [[0, 0]])).toEqual(["1,0", "0,1"]);
    expect(await step(2, 2, "torus", "B/S0", [[0, 0]])).toEqual(["0,0"]);
  });

  it("counts a lone cell on a 1-wide torus twice for itself and three times for each vertical neighbour", async () => {
    expect(await step(1, 5, "torus", "B3/S2", [[0, 2]])).toEqual(["0,1", "0,2", "0,3"]);
    expect(await step(5, 1, "torus", "B3/S2", [[2, 0]])).toEqual(["1,0", "2,0", "3,0"]);
    expect(await step(1, 5, "torus", "B3/S1", [[0, 2]])).toEqual(["0,1", "0,3"]);
  });

  it("sees nothing past the edge of a 1×1 or 1-wide plane", async () => {
    expect(await step(1, 1, "plane", "B/S0", [[0, 0]])).toEqual(["0,0"]);
    expect(await step(1, 5, "plane", "B1/S0", [[0, 2]])).toEqual(["0,1", "0,2", "0,3"]);
  });

  it("births every dead cell of an empty plane under B0, edges and corners too", async () => {
    expect((await step(3, 2, "plane", "B0/S", [])).length).toBe(6);
    expect(await step(3, 2, "plane", "B0/S", [[0, 0], [1, 1]])).toEqual([]);
  });

  it("flips a blinker on the plane", async () => {
    expect(await step(5, 5, "plane", "B3/S23", [[1, 2], [2, 2], [3, 2]])).toEqual(["2,1", "2,2", "2,3"]);
  });
});
