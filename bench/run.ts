/**
 * `npm run bench [-- engine|frames|room …] [--quick] [room options]`: runs the named suites (all three, engine
 * first, when none is named) one after another, each in its own Node process so that one suite's
 * heap, JIT state and Wasm memory cannot colour the next one's numbers. Each suite prints its own
 * progress on stderr and its tables on stdout and writes bench/results/<suite>-latest.json; this
 * script adds a line per suite, then a summary of every suite and of every target at the end.
 *
 * Budgets: all suites in under 10 minutes, and under 1 minute with --quick, on a 2-core machine;
 * the summary says how long the run took against its budget.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, RESULTS_DIR, formatTable, progress } from "./harness.ts";
import { type TargetCheck, describeLoad, loadAverage, verdict } from "./report.ts";

const SUITES = ["engine", "frames", "room"] as const;
type Suite = (typeof SUITES)[number];

const BUDGET_SECONDS = { full: 600, quick: 60 } as const;

/** Options passed on to the room suite (bench/room.ts says what they do). */
const ROOM_OPTIONS = [/^--loads=[a-z,]+$/, /^--no-compare$/, /^--storage=disk$/];

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run bench [-- ${SUITES.join("|")} …] [--quick] [--loads=one,many,idle] [--no-compare] [--storage=disk]\n`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): { suites: Suite[]; quick: boolean; roomOptions: string[] } {
  const suites: Suite[] = [];
  const roomOptions: string[] = [];
  let quick = false;
  for (const arg of argv) {
    if (arg === "--quick") quick = true;
    else if (ROOM_OPTIONS.some((option) => option.test(arg))) roomOptions.push(arg);
    else if ((SUITES as readonly string[]).includes(arg)) {
      if (!suites.includes(arg as Suite)) suites.push(arg as Suite);
    } else usage(`unknown argument "${arg}"`);
  }
  return { suites: suites.length ? suites : [...SUITES], quick, roomOptions };
}

interface SuiteRun {
  suite: Suite;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
}

let running: ReturnType<typeof spawn> | null = null;
let stopping = false;

function runSuite(suite: Suite, quick: boolean, roomOptions: readonly string[]): Promise<SuiteRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "ts.mjs"), join("bench", `${suite}.ts`), ...(quick ? ["--quick"] : []), ...(suite === "room" ? roomOptions : [])], {
      cwd: ROOT,
      stdio: "inherit",
    });
    running = child;
    child.once("exit", (exitCode, signal) => {
      running = null;
      resolve({ suite, exitCode, signal, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** The suite's latest results, if this run wrote them (not a file left by an earlier run). */
function latestResults(suite: Suite, since: number): Record<string, unknown> | null {
  const path = join(RESULTS_DIR, `${suite}-latest.json`);
  if (!existsSync(path)) return null;
  try {
    const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    return typeof json.date === "string" && Date.parse(json.date) >= since ? json : null;
  } catch {
    return null;
  }
}

function targetsOf(results: Record<string, unknown> | null): TargetCheck[] {
  const targets = results?.targets;
  return Array.isArray(targets) ? (targets as TargetCheck[]) : [];
}

async function main(): Promise<void> {
  const { suites, quick, roomOptions } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const loadBefore = loadAverage();
  progress(`bench: ${suites.join(", ")}${quick ? " (quick)" : ""}; ${describeLoad(loadBefore)}`);
  const runs: SuiteRun[] = [];
  for (const [i, suite] of suites.entries()) {
    progress(`\n━━ [${i + 1}/${suites.length}] ${suite} ━━ (${((Date.now() - started) / 1000).toFixed(0)} s elapsed)`);
    const run = await runSuite(suite, quick, roomOptions);
    runs.push(run);
    if (stopping || run.signal === "SIGINT" || run.exitCode === 130) {
      progress("bench: interrupted");
      process.exit(stopping ? 143 : 130);
    }
  }

  const totalSeconds = (Date.now() - started) / 1000;
  const budget = BUDGET_SECONDS[quick ? "quick" : "full"];
  const summary = formatTable(
    ["suite", "status", "seconds", "targets met", "results"],
    runs.map((run) => {
      const results = latestResults(run.suite, started);
      const targets = targetsOf(results);
      const status = run.exitCode === 0 ? "ok" : run.signal ? `killed (${run.signal})` : `failed (exit ${run.exitCode})`;
      const met = targets.filter((t) => t.met === true).length;
      const judged = targets.filter((t) => t.met !== null).length;
      return [run.suite, status, run.seconds.toFixed(0), targets.length ? `${met} of ${judged}` : "—", results ? `bench/results/${run.suite}-latest.json` : "none written"];
    }),
    new Set([2]),
  );
  const targetRows = runs.flatMap((run) => targetsOf(latestResults(run.suite, started)).map((t) => [run.suite, t.target, t.measured, verdict(t)]));
  const out = [
    "",
    "━━ summary ━━",
    "",
    summary,
    "",
    ...(targetRows.length ? [formatTable(["suite", "target", "measured", "verdict"], targetRows), ""] : []),
    `total ${totalSeconds.toFixed(0)} s (budget ${budget} s${totalSeconds > budget ? ": OVER BUDGET" : ""}); ${describeLoad(loadAverage())} at the end`,
    `charts: ${["engine.svg", "room.svg"].filter((f) => existsSync(join(RESULTS_DIR, f))).map((f) => `bench/results/${f}`).join(", ") || "none"}`,
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  if (runs.some((run) => run.exitCode !== 0)) process.exitCode = 1;
}

// Ctrl-C reaches the suite too (same process group); a kill of this script is passed on, so a
// suite that owns a server gets to stop it.
process.once("SIGTERM", () => {
  stopping = true;
  running?.kill("SIGTERM");
});
process.once("SIGINT", () => {
  // The suite got the same SIGINT from the terminal; wait for it to clean up and exit.
  process.exitCode = 130;
});

await main();
