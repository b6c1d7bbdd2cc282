/**
 * Every case Golly computed for us (see the oracle's README), on both Wasm kernels and on the
 * plain reference stepper: population, bounding box and its hash at each checkpoint, and the
 * whole grid's hash on bounded grids. The reference runs too because it is the oracle of the
 * property tests; it skips the two cases too big for a byte-per-cell stepper to finish quickly.
 */
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { type Bitmap, getBit } from "../../common/bitmap.ts";
import type { BBox, Kernel } from "../../common/engine.ts";
import { ReferenceGrid } from "../../common/reference.ts";
import { parsePattern } from "../../common/formats/index.ts";
import { type Rule, type Topology, parseRule } from "../../common/rules.ts";
import { createEngine } from "../../common/wasm-node.ts";
import { bboxSha256, gridSha256 } from "./fingerprint.ts";
import { type OracleCase, type OracleCheckpoint, describeCase, loadOracleCases, unboundedPlacement } from "./oracle.ts";

type Runner = Kernel | "reference";
const RUNNERS: readonly Runner[] = ["simd", "scalar", "reference"];
/** Cell-generations beyond which the byte-per-cell reference is left out (≈ 10 s at 0.1 G cells/s). */
const REFERENCE_BUDGET = 1e9;

/** The part of a grid the oracle looks at; engines and the reference both provide it. */
interface Subject {
  readonly generation: number;
  step(generations: number): void;
  population(): number;
  bbox(): BBox | null;
  bboxSha256(): string | null;
  sha256(): string;
}

function referenceSubject(grid: ReferenceGrid): Subject {
  return {
    get generation() {
      return grid.generation;
    },
    step: (n) => grid.step(n),
    population: () => grid.population(),
    bbox: () => grid.bbox(),
    bboxSha256: () => bboxSha256(grid.toBitmap()),
    sha256: () => gridSha256(grid.toBitmap()),
  };
}

interface Setup {
  width: number;
  height: number;
  topology: Topology;
  rule: Rule;
  pattern: Bitmap;
  offsetX: number;
  offsetY: number;
}

function setupFor(oracleCase: OracleCase): Setup {
  const file = parsePattern(oracleCase.rle);
  if (!file.ok) throw new Error(`${oracleCase.name}: the oracle's RLE does not parse: ${file.error}`);
  const rule = parseRule(oracleCase.rule);
  if (!rule.ok) throw new Error(`${oracleCase.name}: the oracle's rule does not parse: ${rule.error}`);
  const pattern = file.value.bitmap;
  if (oracleCase.topology === "unbounded") {
    const placement = unboundedPlacement(oracleCase, pattern.width, pattern.height);
    return { ...placement, topology: "plane", rule: rule.value.rule, pattern };
  }
  return {
    width: oracleCase.width as number,
    height: oracleCase.height as number,
    topology: oracleCase.topology === "torus" ? "torus" : "plane",
    rule: rule.value.rule,
    pattern,
    offsetX: 0,
    offsetY: 0,
  };
}

async function start(setup: Setup, runner: Runner): Promise<Subject> {
  const { width, height, topology, rule, pattern, offsetX, offsetY } = setup;
  if (runner === "reference") {
    const grid = new ReferenceGrid(width, height, topology, rule);
    for (let y = 0; y < pattern.height; y++) {
      for (let x = 0; x < pattern.width; x++) if (getBit(pattern, x, y)) grid.set(offsetX + x, offsetY + y, true);
    }
    return referenceSubject(grid);
  }
  const engine = await createEngine({ width, height, topology, rule }, runner);
  engine.stamp(pattern, offsetX, offsetY, "or");
  return engine;
}

/** What the oracle records at a checkpoint, read from the subject in oracle coordinates. */
function observe(subject: Subject, setup: Setup, bounded: boolean): Omit<OracleCheckpoint, "gen"> {
  const box = subject.bbox();
  const observed: Omit<OracleCheckpoint, "gen"> = {
    population: subject.population(),
    bbox: box && { x: box.x - setup.offsetX, y: box.y - setup.offsetY, width: box.width, height: box.height },
    bbox_sha256: subject.bboxSha256(),
  };
  if (bounded) observed.sha256 = subject.sha256();
  return observed;
}

/** Replays the case one generation at a time against pop_series to say where it went wrong. */
async function firstDivergence(oracleCase: OracleCase, setup: Setup, runner: Runner, upTo: number): Promise<string> {
  const subject = await start(setup, runner);
  for (let generation = 0; generation <= upTo; generation++) {
    if (generation > 0) subject.step(1);
    const expected = oracleCase.pop_series[generation];
    const actual = subject.population();
    if (actual !== expected) return `populations first differ at generation ${generation}: Golly has ${expected}, we have ${actual}`;
  }
  return `populations agree with Golly's at every generation up to ${upTo}, yet the cells differ`;
}

function cellGenerations(oracleCase: OracleCase, setup: Setup): number {
  return setup.width * setup.height * oracleCase.checkpoints[oracleCase.checkpoints.length - 1].gen;
}

const loaded = loadOracleCases();

if ("missing" in loaded) {
  console.warn(`Skipping the Golly oracle tests: ${loaded.missing}`);
  describe.skip(`the Golly oracle (${loaded.missing})`, () => {
    it("is not available here", () => {});
  });
} else {
  describe.each(RUNNERS)("the %s stepper", (runner) => {
    for (const oracleCase of loaded.cases) {
      const gens = oracleCase.checkpoints.map((c) => c.gen).join(", ");
      let setup: Setup | Error;
      try {
        setup = setupFor(oracleCase);
      } catch (error) {
        setup = error as Error;
      }
      const title = `matches Golly for ${describeCase(oracleCase)} at generations ${gens}`;
      const tooBig = runner === "reference" && !(setup instanceof Error) && cellGenerations(oracleCase, setup) > REFERENCE_BUDGET;
      (tooBig ? it.skip : it)(title, async () => {
        if (setup instanceof Error) throw setup;
        const bounded = oracleCase.topology !== "unbounded";
        const subject = await start(setup, runner);
        for (const checkpoint of oracleCase.checkpoints) {
          subject.step(checkpoint.gen - subject.generation);
          const { gen, ...expected } = checkpoint;
          if (!bounded) delete expected.sha256;
          const actual = observe(subject, setup, bounded);
          if (!isDeepStrictEqual(actual, expected)) {
            const divergence = await firstDivergence(oracleCase, setup, runner, gen);
            expect(actual, `${oracleCase.name}, generation ${gen}: ${divergence}`).toEqual(expected);
          }
        }
      });
    }
  });

  describe("the oracle cases", () => {
    it("cover the torus, the dead-edged plane and the unbounded plane", () => {
      const topologies = new Set(loaded.cases.map((c) => c.topology));
      expect([...topologies].sort()).toEqual(["bounded_plane", "torus", "unbounded"]);
    });
  });
}
