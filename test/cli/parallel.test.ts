/**
 * Scripts and benchmarks run the CLI many times at once. Every run must do its work and print
 * it: a run that exits 0 with no output is worse than a crash, because a script cannot tell.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runLife } from "./run.ts";

const WORK = mkdtempSync(join(tmpdir(), "life-cli-parallel-"));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe("the life CLI run many times at once", () => {
  it("prints every one of 24 simultaneous runs' checkpoints, each for its own seed", async () => {
    const seeds = Array.from({ length: 24 }, (_, i) => i + 1);
    const runs = await Promise.all(seeds.map((seed) => runLife(["--rule", "B3/S23:T64,64", "--random", `0.5,${seed}`, "--gens", "10"], { cwd: WORK })));
    for (const [i, run] of runs.entries()) {
      expect({ seed: seeds[i], status: run.status, stderr: run.stderr }).toEqual({ seed: seeds[i], status: 0, stderr: "" });
      expect(run.stdout, `seed ${seeds[i]}`).toMatch(/^\{"gen":10,"population":\d+,/);
    }
    // Different seeds, different soups: every run really ran its own arguments.
    expect(new Set(runs.map((run) => run.stdout)).size).toBe(seeds.length);
  });
});
