/**
 * What every benchmark script shares: timing one operation with tinybench, a progress line per
 * case on stderr, the final table on stdout, results as JSON (and charts as SVG) under
 * bench/results/, and the machine the numbers came from.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench, type FnHook } from "tinybench";

/** The repository root, two levels up from the bundle (build/.run/*.mjs) that scripts/ts.mjs runs
 *  every suite from. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const RESULTS_DIR = join(ROOT, "bench", "results");

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  arch: string;
}

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? "unknown",
    cores: cores.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}

export function describeMachine(machine: MachineInfo): string {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform}/${machine.arch})`;
}

/** One line on stderr, so stdout stays the table alone. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Every suite's soup: this density from this seed, so the engine, frames and room suites start
 *  from the same grids. */
export const SOUP_DENSITY = 0.5;
export const SOUP_SEED = 20240611;

export function hasFlag(flag: string, argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes(flag);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Milliseconds since `start` (a performance.now() reading). */
export function elapsed(start: number): number {
  return performance.now() - start;
}

export interface MeasureOptions {
  /** Minimum measured iterations. */
  iterations: number;
  /** Keep sampling until this many milliseconds have been measured (and `iterations` reached). */
  timeMs: number;
  /** Unmeasured calls first, to let the JIT and caches settle; 0 for none. */
  warmupIterations: number;
  /** Runs before every call, untimed: e.g. reset the grid to the starting soup. */
  beforeEach?: () => void;
}

export interface Measurement {
  samples: number;
  medianMs: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  /** Relative margin of error of the mean, in percent (95%). */
  rmePercent: number;
}

/** Times `fn` with tinybench; each sample is one call. */
export async function measure(name: string, fn: () => void, options: MeasureOptions): Promise<Measurement> {
  const bench = new Bench({
    time: options.timeMs,
    iterations: options.iterations,
    warmup: options.warmupIterations > 0,
    warmupIterations: options.warmupIterations,
    warmupTime: 0,
    throws: true,
  });
  const beforeEach: FnHook | undefined = options.beforeEach && (() => options.beforeEach?.());
  bench.add(name, fn, { async: false, ...(beforeEach ? { beforeEach } : {}) });
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== "completed") throw new Error(`benchmark "${name}" ended as ${result.state}`);
  const { latency } = result;
  return {
    samples: latency.samplesCount,
    medianMs: latency.p50,
    meanMs: latency.mean,
    minMs: latency.min,
    maxMs: latency.max,
    rmePercent: latency.rme,
  };
}

/** 1234567 → "1.23 M"; the unit follows. */
export function formatSI(value: number, digits = 3): string {
  const prefixes = ["", "k", "M", "G", "T", "P"];
  let i = 0;
  while (Math.abs(value) >= 1000 && i < prefixes.length - 1) {
    value /= 1000;
    i++;
  }
  return `${value.toPrecision(digits)} ${prefixes[i]}`;
}

/** A plain-text table; columns listed in `right` are right-aligned (numbers). */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** `<suite>-<timestamp>.json` and `<suite>-latest.json` under bench/results/; returns both paths. */
export function writeResults(suite: string, payload: unknown): { stamped: string; latest: string } {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const text = `${JSON.stringify(payload, null, 2)}\n`;
  const stamped = join(RESULTS_DIR, `${suite}-${stamp}.json`);
  const latest = join(RESULTS_DIR, `${suite}-latest.json`);
  writeFileSync(stamped, text);
  writeFileSync(latest, text);
  return { stamped, latest };
}

export function writeResultFile(name: string, text: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, name);
  writeFileSync(path, text);
  return path;
}

// ---------------------------------------------------------------------------------------------
// A hand-written SVG line chart, both axes logarithmic (benchmarks span decades).

export interface ChartSeries {
  name: string;
  points: readonly { x: number; y: number }[];
  color: string;
  /** SVG stroke-dasharray, e.g. "6 3"; solid when absent. */
  dash?: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** Tick labels for x values, e.g. 65536 → "256²". */
  formatX?: (x: number) => string;
  formatY?: (y: number) => string;
}

const CHART = { width: 900, height: 540, left: 80, right: 250, top: 50, bottom: 60 } as const;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Whole decades covering [min, max]. */
function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
  return out;
}

export function lineChartSvg(options: ChartOptions): string {
  const points = options.series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0);
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const yTicks = decades(Math.min(...points.map((p) => p.y)), Math.max(...points.map((p) => p.y)));
  const [x0, x1] = [Math.log10(xs[0]) - 0.15, Math.log10(xs[xs.length - 1]) + 0.15];
  const [y0, y1] = [Math.log10(yTicks[0]), Math.log10(yTicks[yTicks.length - 1])];
  const plotW = CHART.width - CHART.left - CHART.right;
  const plotH = CHART.height - CHART.top - CHART.bottom;
  const px = (x: number) => CHART.left + ((Math.log10(x) - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => CHART.top + plotH - ((Math.log10(y) - y0) / (y1 - y0 || 1)) * plotH;
  const formatX = options.formatX ?? ((x: number) => formatSI(x, 3).trim());
  const formatY = options.formatY ?? ((y: number) => formatSI(y, 3).replace(/\.0+ /, " ").trim());
  const f = (n: number) => n.toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${CHART.height}" viewBox="0 0 ${CHART.width} ${CHART.height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${CHART.width / 2}" y="28" text-anchor="middle" font-size="16">${escapeXml(options.title)}</text>`);
  for (const y of yTicks) {
    out.push(`<line x1="${CHART.left}" x2="${CHART.left + plotW}" y1="${f(py(y))}" y2="${f(py(y))}" stroke="#ddd"/>`);
    out.push(`<text x="${CHART.left - 8}" y="${f(py(y) + 4)}" text-anchor="end">${escapeXml(formatY(y))}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${f(px(x))}" x2="${f(px(x))}" y1="${CHART.top}" y2="${CHART.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${f(px(x))}" y="${CHART.top + plotH + 18}" text-anchor="middle">${escapeXml(formatX(x))}</text>`);
  }
  out.push(`<rect x="${CHART.left}" y="${CHART.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${CHART.left + plotW / 2}" y="${CHART.height - 15}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${CHART.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);
  options.series.forEach((series, i) => {
    const pts = series.points.filter((p) => p.x > 0 && p.y > 0).sort((a, b) => a.x - b.x);
    const dash = series.dash ? ` stroke-dasharray="${series.dash}"` : "";
    out.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2"${dash} points="${pts.map((p) => `${f(px(p.x))},${f(py(p.y))}`).join(" ")}"/>`);
    for (const p of pts) out.push(`<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="3.5" fill="${series.color}"/>`);
    const ly = CHART.top + 10 + i * 18;
    const lx = CHART.left + plotW + 16;
    out.push(`<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke="${series.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 34}" y="${ly + 4}">${escapeXml(series.name)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
