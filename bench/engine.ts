/**
 * How fast does the engine step? The SIMD kernel, the scalar kernel and the naive JS
 * baseline (common/reference.ts: a byte per cell, eight neighbours summed one by one) on the
 * same seeded 50% soups, in cells per second, in one run.
 *
 *   node scripts/ts.mjs bench/engine.ts [--quick]
 *
 * Fairness: every sample of every runner starts from the same soup (reset before the sample,
 * untimed) and steps the same window of generations, so all three do exactly the same work
 * and pass through the same patterns; the window is per grid size, long enough for the
 * fastest kernel's sample to stand far above the timer's resolution and short enough for the
 * naive baseline to finish (about 1 s per sample). The populations at the end of the window
 * must agree, or the run fails: a fast wrong kernel is not a result.
 *
 * Output: progress on stderr, a table on stdout, bench/results/engine-<time>.json,
 * engine-latest.json and engine.svg (cells/s against grid size, log-log).
 */
import { bitmapToBytes } from "../common/bitmap.ts";
import type { Engine, Kernel } from "../common/engine.ts";
import { ReferenceGrid } from "../common/reference.ts";
import { type Rule, formatRule, parseRule, ruleName } from "../common/rules.ts";
import { createEngine } from "../common/wasm-node.ts";
import {
  type ChartSeries,
  type Measurement,
  SOUP_DENSITY,
  SOUP_SEED,
  describeMachine,
  formatSI,
  formatTable,
  hasFlag,
  lineChartSvg,
  machineInfo,
  measure,
  progress,
  writeResultFile,
  writeResults,
} from "./harness.ts";

const QUICK = hasFlag("--quick");
const DENSITY = SOUP_DENSITY;

/** Grid sides and the generations every runner steps per sample on them (see the top). */
const SIZES: readonly { side: number; window: number }[] = [
  { side: 256, window: 1024 },
  { side: 1024, window: 128 },
  { side: 4096, window: 8 },
];

const RULES: readonly string[] = QUICK
  ? ["B3/S23", "B35678/S5678"]
  : ["B3/S23", "B35678/S5678", "B36/S23", "B2/S", "B0123478/S01234678"];

type RunnerName = Kernel | "naive";
const RUNNERS: readonly RunnerName[] = ["simd", "scalar", "naive"];

const SAMPLING: Record<"engine" | "naive", { iterations: number; timeMs: number; warmupIterations: number }> = QUICK
  ? { engine: { iterations: 5, timeMs: 150, warmupIterations: 2 }, naive: { iterations: 1, timeMs: 0, warmupIterations: 0 } }
  : { engine: { iterations: 10, timeMs: 500, warmupIterations: 3 }, naive: { iterations: 3, timeMs: 0, warmupIterations: 1 } };

interface Runner {
  reset(): void;
  step(generations: number): void;
  population(): number;
}

interface CaseResult {
  rule: string;
  ruleName: string | null;
  side: number;
  cells: number;
  runner: RunnerName;
  generationsPerSample: number;
  measurement: Measurement;
  cellsPerSecond: number;
  /** cells/s divided by the naive baseline's on the same rule and grid. */
  ratioToNaive: number | null;
  populationAfterWindow: number;
}

function ruleFrom(text: string): Rule {
  const parsed = parseRule(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.rule;
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const started = Date.now();
  progress(`engine benchmark${QUICK ? " (quick)" : ""} on ${describeMachine(machine)}`);
  const results: CaseResult[] = [];
  const mismatches: string[] = [];
  // Let V8 optimise the baseline's loop once, so its first (possibly only) sample is not
  // charged with compilation; the engines are warmed by tinybench per case.
  new ReferenceGrid(128, 128, "torus", ruleFrom("B3/S23")).step(200);

  for (const { side, window } of SIZES) {
    // One engine per kernel and size, reused across rules: a 4096² instance is 4 MB of memory.
    const engines = new Map<Kernel, Engine>();
    for (const kernel of ["simd", "scalar"] as const) {
      engines.set(kernel, await createEngine({ width: side, height: side, topology: "torus", rule: ruleFrom("B3/S23") }, kernel));
    }
    const simd = engines.get("simd") as Engine;
    simd.randomize(DENSITY, SOUP_SEED);
    const soup = simd.toBitmap();
    const soupBytes = bitmapToBytes(soup);
    const reference = new ReferenceGrid(side, side, "torus", ruleFrom("B3/S23"));

    for (const ruleText of RULES) {
      const rule = ruleFrom(ruleText);
      const populations = new Map<RunnerName, number>();
      let naiveRate = 0;
      for (const runnerName of RUNNERS) {
        let runner: Runner;
        if (runnerName === "naive") {
          reference.rule = rule;
          runner = { reset: () => reference.cells.set(soupBytes), step: (n) => reference.step(n), population: () => reference.population() };
        } else {
          const engine = engines.get(runnerName) as Engine;
          engine.rule = rule;
          runner = { reset: () => engine.loadBitmap(soup), step: (n) => engine.step(n), population: () => engine.population() };
        }
        const label = `${formatRule(rule)} ${side}² ${runnerName}`;
        const measurement = await measure(label, () => runner.step(window), {
          ...SAMPLING[runnerName === "naive" ? "naive" : "engine"],
          beforeEach: runner.reset,
        });
        const cellsPerSecond = (side * side * window) / (measurement.medianMs / 1000);
        if (runnerName === "naive") naiveRate = cellsPerSecond;
        populations.set(runnerName, runner.population());
        results.push({
          rule: formatRule(rule),
          ruleName: ruleName(rule) ?? null,
          side,
          cells: side * side,
          runner: runnerName,
          generationsPerSample: window,
          measurement,
          cellsPerSecond,
          ratioToNaive: null,
          populationAfterWindow: runner.population(),
        });
        progress(
          `  ${label.padEnd(34)} ${formatSI(cellsPerSecond).padStart(8)}cells/s  ` +
            `(${measurement.samples} × ${window} gens, median ${measurement.medianMs.toFixed(2)} ms)`,
        );
      }
      for (const result of results) {
        if (result.rule === formatRule(rule) && result.side === side) result.ratioToNaive = result.cellsPerSecond / naiveRate;
      }
      if (new Set(populations.values()).size !== 1) {
        const detail = [...populations].map(([name, population]) => `${name} ${population}`).join(", ");
        mismatches.push(`${formatRule(rule)} on ${side}²: populations after ${window} generations differ (${detail})`);
      }
    }
  }

  const table = formatTable(
    ["rule", "grid", "runner", "gens/sample", "samples", "median ms", "cells/s", "× naive"],
    results.map((r) => [
      r.ruleName ? `${r.rule} (${r.ruleName})` : r.rule,
      `${r.side}²`,
      r.runner,
      String(r.generationsPerSample),
      String(r.measurement.samples),
      r.measurement.medianMs.toFixed(2),
      formatSI(r.cellsPerSecond).trim(),
      r.ratioToNaive === null ? "" : r.ratioToNaive.toFixed(r.ratioToNaive < 10 ? 2 : 0),
    ]),
    new Set([3, 4, 5, 6, 7]),
  );
  const elapsedSeconds = (Date.now() - started) / 1000;
  process.stdout.write(`\nEngine: cells/s stepping a ${DENSITY * 100}% soup (seed ${SOUP_SEED}) on a torus; ${describeMachine(machine)}\n\n${table}\n\n`);

  const files = writeResults("engine", {
    suite: "engine",
    date: new Date().toISOString(),
    quick: QUICK,
    machine,
    soup: { density: DENSITY, seed: SOUP_SEED, topology: "torus" },
    elapsedSeconds,
    mismatches,
    results,
  });
  const chart = writeResultFile("engine.svg", lineChartSvg(chartOptions(results)));
  process.stdout.write(`results: ${files.stamped}\n         ${files.latest}\n         ${chart}\n(${elapsedSeconds.toFixed(0)} s)\n`);

  if (mismatches.length > 0) {
    for (const mismatch of mismatches) process.stderr.write(`engine benchmark: ${mismatch}\n`);
    process.exitCode = 1;
  }
}

const RUNNER_COLORS: Record<RunnerName, string> = { simd: "#1f77b4", scalar: "#ff7f0e", naive: "#2ca02c" };
const RULE_DASHES = [undefined, "8 4", "2 3", "10 3 2 3", "1 6"];

function chartOptions(results: readonly CaseResult[]) {
  const series: ChartSeries[] = [];
  const rules = [...new Set(results.map((r) => r.rule))];
  for (const runner of RUNNERS) {
    rules.forEach((rule, i) => {
      const points = results.filter((r) => r.runner === runner && r.rule === rule).map((r) => ({ x: r.cells, y: r.cellsPerSecond }));
      const name = results.find((r) => r.rule === rule)?.ruleName ?? rule;
      const dash = RULE_DASHES[i % RULE_DASHES.length];
      series.push({ name: `${runner}, ${name}`, points, color: RUNNER_COLORS[runner], ...(dash ? { dash } : {}) });
    });
  }
  return {
    title: "Engine speed: cells stepped per second",
    xLabel: "grid (cells, log scale)",
    yLabel: "cells per second (log scale)",
    series,
    formatX: (cells: number) => `${Math.round(Math.sqrt(cells))}²`,
  };
}

await main();
