/**
 * `life --identify` as users run it: a real process, one JSON line on stdout. Expected facts
 * are the patterns' known behaviour, checked with Golly's bgolly, never the CLI's own output.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Run, runLife } from "./run.ts";

const WORK = mkdtempSync(join(tmpdir(), "life-identify-"));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

const GLIDER_RLE = "x = 3, y = 3\nbo$2bo$3o!\n";
const REPLICATOR_RLE = "x = 5, y = 5, rule = B36/S23\n2b3o$bo2bo$o3bo$o2bo$3o!\n";

function life(args: string[], input?: string): Promise<Run> {
  return runLife(args, { cwd: WORK, input });
}

/** The one line of a successful --identify run, parsed. */
function identification(run: Run): Record<string, unknown> {
  expect(run.stderr, "stderr of a successful run").toBe("");
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^\{[^\n]*\}\n$/);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** A refusal: nothing on stdout, one `life: …` line on stderr, the given status. */
function refused(run: Run, status: number, mentions: RegExp): void {
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(/^life: [^\n]+\n$/);
  expect(run.stderr).toMatch(mentions);
  expect(run.status).toBe(status);
}

describe("life --identify", () => {
  it("names a glider from standard input: a c/4 diagonal spaceship moving (1,1) every 4 generations", async () => {
    const run = await life(["--identify", "-"], GLIDER_RLE);
    expect(identification(run)).toEqual({
      kind: "spaceship",
      summary: "c/4 diagonal spaceship (period 4)",
      period: 4,
      transient: 0,
      dx: 1,
      dy: 1,
      speed: "c/4 diagonal",
      population: { min: 5, max: 5 },
      width: { min: 3, max: 3 },
      height: { min: 3, max: 3 },
      heat: 4,
    });
    // The key order is part of the line's contract.
    expect(Object.keys(JSON.parse(run.stdout))).toEqual(["kind", "summary", "period", "transient", "dx", "dy", "speed", "population", "width", "height", "heat"]);
  });

  it("runs the rule of the pattern file: HighLife's replicator grows", async () => {
    const file = join(WORK, "replicator.rle");
    writeFileSync(file, REPLICATOR_RLE);
    expect(identification(await life(["--identify", "--max-period", "100", file]))).toMatchObject({ kind: "unknown", reason: "grows", generations: 100 });
  });

  it("lets --rule replace the file's rule: the replicator's cells under Life settle into a period-2 oscillator after 23 generations", async () => {
    const file = join(WORK, "replicator.rle");
    writeFileSync(file, REPLICATOR_RLE);
    expect(identification(await life(["--identify", "--rule", "Life", file]))).toMatchObject({
      kind: "oscillator",
      period: 2,
      transient: 23,
      population: { min: 24, max: 24 },
    });
  });

  it("reads plaintext too: a lone cell dies at generation 1", async () => {
    const file = join(WORK, "cell.cells");
    writeFileSync(file, "!Name: cell\nO\n");
    expect(identification(await life(["--identify", file]))).toMatchObject({ kind: "unknown", reason: "dies", summary: "dies at generation 1", generations: 1 });
  });

  it("identifies a grid's cells when a grid is given: a blinker placed on a 32×32 torus is a period-2 oscillator", async () => {
    expect(identification(await life(["--identify", "--rule", "B3/S23:T32,32", "--at", "10,10", "-"], "x = 3, y = 1\n3o!\n"))).toMatchObject({
      kind: "oscillator",
      period: 2,
      population: { min: 3, max: 3 },
    });
  });

  it("identifies an empty soup as empty", async () => {
    expect(identification(await life(["--identify", "--size", "16x16", "--random", "0"]))).toEqual({ kind: "empty", summary: "empty" });
  });

  it("searches only --max-period generations: a glider has no repeat within 3", async () => {
    expect(identification(await life(["--identify", "--max-period", "3", "-"], GLIDER_RLE))).toMatchObject({
      kind: "unknown",
      reason: "no-repeat",
      summary: "not periodic within 3 generations (no repeat)",
    });
  });

  it("refuses B0 rules as a failed run (status 1)", async () => {
    refused(await life(["--identify", "--rule", "B03/S23", "-"], GLIDER_RLE), 1, /cannot identify: .*B0/);
  });

  it("refuses options that would do nothing, and a --max-period out of range, as usage errors (status 2)", async () => {
    refused(await life(["--identify", "--gens", "5", "-"], GLIDER_RLE), 2, /--identify cannot be combined with --gens/);
    refused(await life(["--identify", "--checkpoints", "0,4", "-"], GLIDER_RLE), 2, /--identify cannot be combined with --checkpoints/);
    refused(await life(["--identify", "--out", "x.rle", "-"], GLIDER_RLE), 2, /--identify cannot be combined with --out/);
    refused(await life(["--max-period", "5", "-"], GLIDER_RLE), 2, /--max-period is only used with --identify/);
    refused(await life(["--identify", "--max-period", "0", "-"], GLIDER_RLE), 2, /--max-period must be 1 to 1000/);
    refused(await life(["--identify", "--max-period", "1001", "-"], GLIDER_RLE), 2, /--max-period must be 1 to 1000/);
    refused(await life(["--identify=5", "-"], GLIDER_RLE), 2, /--identify takes no value/);
  });

  it("needs cells: with neither a pattern nor a grid it stops as a run without a grid does", async () => {
    refused(await life(["--identify"]), 2, /no grid size/);
  });

  it("is documented under --help", async () => {
    const run = await life(["--help"]);
    for (const option of ["--identify", "--max-period"]) expect(run.stdout).toContain(option);
    expect(run.stdout).toMatch(/"kind":"still"\|"oscillator"\|"spaceship"/);
  });
});
