/**
 * The life CLI as users run it: a real process (`node scripts/ts.mjs cli/life.ts …`), its
 * stdout lines, stderr and exit status. Expected hashes come from node:crypto over grids built
 * here, from the Golly oracle, or from the reference stepper; never from the CLI's own engine.
 *
 * Most runs are sequential only to keep the machine quiet; test/cli/parallel.test.ts runs many at once.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Bitmap, createBitmap, getBit, setBit } from "../../common/bitmap.ts";
import { ReferenceGrid } from "../../common/reference.ts";
import { parsePattern } from "../../common/formats/index.ts";
import { bboxSha256, gridSha256 } from "../assembly/fingerprint.ts";
import { loadOracleCases, unboundedPlacement } from "../assembly/oracle.ts";
import { type Run, runLife } from "./run.ts";

const WORK = mkdtempSync(join(tmpdir(), "life-cli-"));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

const GLIDER_RLE = "#N Glider\nx = 3, y = 3, rule = B3/S23\nbo$2bo$3o!\n";
const LINE = /^\{"gen":\d+,"population":\d+,"bbox":(null|\{"x":\d+,"y":\d+,"width":\d+,"height":\d+\}),"bbox_sha256":(null|"[0-9a-f]{64}"),"sha256":"[0-9a-f]{64}"\}$/;

interface Checkpoint {
  gen: number;
  population: number;
  bbox: { x: number; y: number; width: number; height: number } | null;
  bbox_sha256: string | null;
  sha256: string;
}

function life(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return runLife(args, { cwd: WORK, ...options });
}

/** The checkpoint lines of a successful run, each checked for the exact key order first. */
function checkpoints(run: Run): Checkpoint[] {
  expect(run.stderr, "stderr of a successful run").toBe("");
  expect(run.status).toBe(0);
  const lines = run.stdout.trimEnd().split("\n");
  for (const line of lines) expect(line).toMatch(LINE);
  return lines.map((line) => JSON.parse(line) as Checkpoint);
}

/** A user error: one `life: …` line on stderr, nothing on stdout, no stack trace. */
function expectUserError(run: Run, status: number, mentions: RegExp): void {
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(/^life: [^\n]+\n$/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr).toMatch(mentions);
  expect(run.status).toBe(status);
}

function writeWork(name: string, text: string): string {
  const path = join(WORK, name);
  writeFileSync(path, text);
  return path;
}

/** The pattern drawn on an empty width × height torus at (x, y), wrapping. */
function placed(pattern: Bitmap, width: number, height: number, x: number, y: number): Bitmap {
  const grid = createBitmap(width, height);
  for (let py = 0; py < pattern.height; py++) {
    for (let px = 0; px < pattern.width; px++) {
      if (getBit(pattern, px, py)) setBit(grid, (x + px) % width, (y + py) % height, true);
    }
  }
  return grid;
}

function glider(): Bitmap {
  const parsed = parsePattern(GLIDER_RLE);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.bitmap;
}

describe("the life CLI", () => {
  it("brings a glider home after 256 generations on a B3/S23:T64,64 torus", async () => {
    const file = writeWork("glider.rle", GLIDER_RLE);
    const [start, half, home] = checkpoints(await life(["--rule", "B3/S23:T64,64", "--checkpoints", "0,128,256", file]));
    const expected = gridSha256(placed(glider(), 64, 64, 0, 0));
    expect(start).toEqual({ gen: 0, population: 5, bbox: { x: 0, y: 0, width: 3, height: 3 }, bbox_sha256: bboxSha256(glider()), sha256: expected });
    expect(half.gen).toBe(128);
    expect(half.sha256).not.toBe(expected); // it did move: half-way round it is elsewhere
    expect(home.gen).toBe(256);
    expect(home.sha256).toBe(expected);
  });

  it("wraps a pattern placed with --at across the corner of a torus", async () => {
    const file = writeWork("glider.rle", GLIDER_RLE);
    const [start] = checkpoints(await life(["--rule", "B3/S23:T64,64", "--at", "62,63", file]));
    expect(start.sha256).toBe(gridSha256(placed(glider(), 64, 64, 62, 63)));
    expect(start.population).toBe(5);
  });

  it("reads the pattern from standard input given -", async () => {
    const file = writeWork("glider.rle", GLIDER_RLE);
    const args = ["--rule", "B3/S23:T40,30", "--at", "5,5", "--checkpoints", "0,3,50"];
    const fromFile = checkpoints(await life([...args, file]));
    const fromStdin = checkpoints(await life([...args, "-"], { input: GLIDER_RLE }));
    expect(fromStdin).toEqual(fromFile);
    expect(fromStdin[0].sha256).toBe(gridSha256(placed(glider(), 40, 30, 5, 5)));
  });

  it("takes the rule and grid from the pattern file's header when the command line has none", async () => {
    // HighLife on a 32×24 torus, from the header alone; the reference stepper says where it goes.
    const soup = "x = 32, y = 24, rule = B36/S23:T32,24\n" + "3o2bo$bo2b2o$2o3bo$o2bobo!\n";
    const file = writeWork("highlife.rle", soup);
    const parsed = parsePattern(soup);
    if (!parsed.ok) throw new Error(parsed.error);
    const reference = ReferenceGrid.fromBitmap(parsed.value.bitmap, "torus", { birth: (1 << 3) | (1 << 6), survive: (1 << 2) | (1 << 3) });
    reference.step(40);
    const [last] = checkpoints(await life(["--gens", "40", file]));
    expect(last.gen).toBe(40);
    expect(last.sha256).toBe(gridSha256(reference.toBitmap()));
  });

  it("prints an empty grid's bounding box and its hash as null", async () => {
    const [only] = checkpoints(await life(["--size", "8x8", "--gens", "2"]));
    expect(only).toEqual({ gen: 2, population: 0, bbox: null, bbox_sha256: null, sha256: gridSha256(createBitmap(8, 8)) });
  });

  it("writes the final grid with --out as RLE that reads back as the same grid, with its rule and grid", async () => {
    const runs = checkpoints(await life(["--rule", "HighLife", "--size", "50x40", "--topology", "plane", "--random", "0.4,12", "--gens", "9", "--out", "final.rle"]));
    const path = join(WORK, "final.rle"); // relative to INIT_CWD, where npm was started
    expect(existsSync(path)).toBe(true);
    const parsed = parsePattern(readFileSync(path, "utf8"));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.rule?.rule).toEqual({ birth: (1 << 3) | (1 << 6), survive: (1 << 2) | (1 << 3) });
    expect(parsed.value.rule?.bounds).toEqual({ topology: "plane", width: 50, height: 40 });
    expect(gridSha256(parsed.value.bitmap)).toBe(runs[runs.length - 1].sha256);
    // Read back by the CLI itself, with the rule and grid from the file's header.
    const [again] = checkpoints(await life([path]));
    expect(again.sha256).toBe(runs[runs.length - 1].sha256);
  });

  it("makes the same soup for the same --random seed and another for another seed", async () => {
    const args = ["--size", "100x60", "--checkpoints", "0,20"];
    const a = checkpoints(await life([...args, "--random", "0.5,7"]));
    const b = checkpoints(await life([...args, "--random", "0.5,7"]));
    const c = checkpoints(await life([...args, "--random", "0.5,8"]));
    expect(b).toEqual(a);
    expect(c[0].sha256).not.toBe(a[0].sha256);
    expect(Math.abs(a[0].population - 3000)).toBeLessThan(300); // 6000 cells at 0.5: sd ≈ 39
  });

  it("prints the same lines with --kernel scalar as with the default SIMD kernel", async () => {
    for (const rule of ["B3/S23:T97,61", "B0/S8:P97,61", "B35678/S5678:T97,61"]) {
      const args = ["--rule", rule, "--random", "0.45,3", "--checkpoints", "1,10,77"];
      const simd = checkpoints(await life(args));
      expect(checkpoints(await life([...args, "--kernel", "scalar"])), rule).toEqual(simd);
    }
  });

  describe("explains what is wrong in one line, without a stack trace", () => {
    it("names the problem in a bad rule (exit 2)", async () => {
      expectUserError(await life(["--rule", "B3/S2x", "--size", "8x8"]), 2, /rule "B3\/S2x".*"x" at position 6/);
    });
    it("says a grid size is missing (exit 2)", async () => {
      expectUserError(await life(["--rule", "B3/S23", "--gens", "3"]), 2, /--size/);
    });
    it("names an unknown option (exit 2)", async () => {
      expectUserError(await life(["--size", "8x8", "--frobnicate"]), 2, /unknown option --frobnicate/);
    });
    it("refuses a bad --size, --at, --random, --kernel or --topology (exit 2)", async () => {
      expectUserError(await life(["--size", "0x10"]), 2, /--size 0x10/);
      expectUserError(await life(["--size", "8x8", "--at", "1;2"]), 2, /--at/);
      expectUserError(await life(["--size", "8x8", "--random", "1.5"]), 2, /--random/);
      expectUserError(await life(["--size", "8x8", "--kernel", "gpu"]), 2, /--kernel/);
      expectUserError(await life(["--size", "8x8", "--topology", "sphere"]), 2, /--topology/);
    });
    it("refuses a checkpoint after --gens (exit 2)", async () => {
      expectUserError(await life(["--size", "8x8", "--gens", "5", "--checkpoints", "3,9"]), 2, /checkpoint 9/);
    });
    it("refuses a --size that contradicts the rule's own grid (exit 2)", async () => {
      expectUserError(await life(["--rule", "B3/S23:T64,64", "--size", "32x32"]), 2, /contradicts/);
    });
    it("names a file's format when it is one it does not read (exit 1)", async () => {
      const file = writeWork("gun.mc", "[M2] (golly 4.2)\n#R B3/S23\n$$$$$$$$*$.*$***$$$$$$$$\n");
      expectUserError(await life(["--size", "8x8", file]), 1, /gun\.mc.*macrocell \(\.mc\) file.*not read here/);
      const mcell = writeWork("brain.mcl", "#MCell 4.20\n#GAME Generations\n#RULE 345/2/4\n#L .A$AA\n");
      expectUserError(await life(["--size", "8x8", mcell]), 1, /brain\.mcl.*MCell \(\.mcl\) file.*not read here/);
    });
    it("says a file's rule cannot be read only when it is used, and how to run the file anyway", async () => {
      const file = writeWork("byl.rle", "x = 3, y = 3, rule = Byl1\nbo$2bo$3o!\n");
      expectUserError(await life(["--size", "8x8", file]), 1, /rule "Byl1": not a known rule name.*give --rule/);
      expect(checkpoints(await life(["--rule", "B3/S23", "--size", "8x8", file]))[0].population).toBe(5);
    });
    it("says a pattern file does not exist (exit 1)", async () => {
      expectUserError(await life(["--size", "8x8", "no-such-pattern.rle"]), 1, /no-such-pattern\.rle.*no such file/);
    });
    it("says why a pattern file does not parse (exit 1)", async () => {
      const file = writeWork("broken.rle", "x = 3, y = 3\nbo$2bq$3o!\n");
      expectUserError(await life(["--size", "8x8", file]), 1, /broken\.rle/);
    });
    it("says a pattern does not fit on the plane (exit 1)", async () => {
      const file = writeWork("glider.rle", GLIDER_RLE);
      expectUserError(await life(["--rule", "B3/S23:P16,16", "--at", "14,0", file]), 1, /does not fit on the 16×16 plane/);
    });
  });

  it("lets --size and --topology win over a file's grid suffix it cannot use (:T0,68, an infinite tube)", async () => {
    const file = writeWork("tube.rle", "x = 3, y = 3, rule = B3/S23:T0,68\nbo$2bo$3o!\n");
    expectUserError(await life([file]), 1, /infinite grid width.*give --size/);
    const [start, lap] = checkpoints(await life(["--size", "1016x68", "--topology", "torus", "--checkpoints", "0,272", file]));
    // On the 1016×68 torus the glider comes back to where it started after 68 × 4 generations... shifted 68 cells right.
    expect([start.population, lap.population]).toEqual([5, 5]);
    expect(lap.bbox).toEqual({ x: 68, y: 0, width: 3, height: 3 });
  });

  it("documents every option, with an example, under --help", async () => {
    const run = await life(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    for (const option of ["--rule", "--size", "--topology", "--at", "--random", "--gens", "--checkpoints", "--out", "--kernel", "--help"]) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout).toMatch(/example/);
  });
});

describe("the life CLI against the Golly oracle", () => {
  const loaded = loadOracleCases();
  if ("missing" in loaded) {
    it.skip(`is skipped: ${loaded.missing}`, () => {});
    return;
  }
  const chosen = loaded.cases.filter((c) => /torus80x48|torus16x16|plane|^r_pentomino__life__unbounded$/.test(c.name));

  for (const oracleCase of chosen) {
    it(`reproduces ${oracleCase.name} line for line`, async () => {
      const file = writeWork(`${oracleCase.name}.rle`, oracleCase.rle);
      const gens = oracleCase.checkpoints.map((c) => c.gen).join(",");
      if (oracleCase.topology !== "unbounded") {
        const lines = checkpoints(await life(["--rule", oracleCase.golly_rule, "--checkpoints", gens, file]));
        expect(lines).toEqual(oracleCase.checkpoints);
        return;
      }
      // Unbounded: a plane big enough, the pattern placed with --at, boxes compared relative to it.
      const parsed = parsePattern(oracleCase.rle);
      if (!parsed.ok) throw new Error(parsed.error);
      const { width, height, offsetX, offsetY } = unboundedPlacement(oracleCase, parsed.value.bitmap.width, parsed.value.bitmap.height);
      const args = ["--rule", oracleCase.rule, "--size", `${width}x${height}`, "--topology", "plane", "--at", `${offsetX},${offsetY}`];
      const lines = checkpoints(await life([...args, "--checkpoints", gens, file]));
      const relative = lines.map(({ gen, population, bbox, bbox_sha256 }) => ({
        gen,
        population,
        bbox: bbox && { ...bbox, x: bbox.x - offsetX, y: bbox.y - offsetY },
        bbox_sha256,
      }));
      expect(relative).toEqual(oracleCase.checkpoints);
    });
  }
});
