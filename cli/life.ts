/**
 * life: the headless CLI. Loads a pattern (or a random soup), runs it on the Wasm engine and
 * prints one JSON line per checkpoint, or with --identify one line saying what it does; see
 * HELP in options.ts for the whole contract.
 *
 * Errors a user can cause end as one line on stderr, `life: <reason>`, with exit status 2
 * (the command line is wrong) or 1 (the run failed); a stack trace means a bug in here.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Bitmap } from "../common/bitmap.ts";
import { type Engine, EngineError } from "../common/engine.ts";
import { type PatternFile, parsePattern, writeRle } from "../common/formats/index.ts";
import { type IdentifyResult, identify } from "../common/identify.ts";
import { LIFE, type RuleBounds, type RuleSpec, formatRuleWithBounds } from "../common/rules.ts";
import { type CliArgs, HELP, parseArguments } from "./options.ts";
import { createEngine } from "../common/wasm-node.ts";

const EXIT_RUNTIME = 1;
const EXIT_USAGE = 2;

/** A failure to report as one line; `status` is the exit status. */
class CliError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const usageError = (message: string): CliError => new CliError(message, EXIT_USAGE);
const runtimeError = (message: string): CliError => new CliError(message, EXIT_RUNTIME);

/** Paths are relative to where the user ran npm, not to the repo root npm runs scripts in. */
function userPath(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

function readPattern(path: string): ReadPattern {
  let text: string;
  const name = path === "-" ? "standard input" : `"${path}"`;
  try {
    text = readFileSync(path === "-" ? 0 : userPath(path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw runtimeError(`cannot read pattern ${name}: ${reason}`);
  }
  // Leniently: the file's rule matters only where the command line does not give one.
  const parsed = parsePattern(text, { lenientRule: true });
  if (!parsed.ok) throw runtimeError(`pattern ${name}: ${parsed.error}`);
  return { name, file: parsed.value };
}

type ReadPattern = { name: string; file: PatternFile };

/** Stops the run when the part of the file's rule that is about to be used could not be read. */
function unreadable(read: ReadPattern | undefined, part: "rule" | "bounds"): void {
  const error = read?.file.ruleError;
  if (error && (error.part === "rule" || part === "bounds")) {
    throw runtimeError(`pattern ${read!.name}: ${error.message}${part === "bounds" ? " (give --size WxH to run it on another grid)" : " (give --rule to run it under another rule)"}`);
  }
}

/** The rule: --rule, else the pattern file's, else Life. */
function resolveRule(args: CliArgs, read: ReadPattern | undefined): RuleSpec {
  if (!args.rule) unreadable(read, "rule");
  return args.rule ?? read?.file.rule ?? { rule: LIFE };
}

/**
 * The grid's rule, topology and size. The command line wins over the file: --rule replaces
 * the file's rule; the size comes from --rule's suffix, else --size/--topology, else the
 * file's suffix. A --size or --topology that contradicts --rule's own suffix is an error
 * rather than a silent choice between them. A part of the file's rule that cannot be read is an
 * error only when it is used.
 */
function resolveGrid(args: CliArgs, read: ReadPattern | undefined): { spec: RuleSpec; bounds: RuleBounds } {
  const pattern = read?.file;
  const spec = resolveRule(args, read);
  const suffix = args.rule?.bounds;
  if (suffix) {
    const text = formatRuleWithBounds(spec.rule, suffix.topology, suffix.width, suffix.height);
    if (args.size && (args.size.width !== suffix.width || args.size.height !== suffix.height)) {
      throw usageError(`--size ${args.size.width}x${args.size.height} contradicts the rule's grid (${text})`);
    }
    if (args.topology && args.topology !== suffix.topology) throw usageError(`--topology ${args.topology} contradicts the rule's grid (${text})`);
    return { spec, bounds: suffix };
  }
  if (!args.size) unreadable(read, "bounds");
  const fromFile = pattern?.rule?.bounds;
  const size = args.size ?? fromFile;
  if (!size) {
    throw usageError("no grid size: give --size WxH (and --topology torus|plane) or a rule with a grid suffix such as B3/S23:T256,256");
  }
  const topology = args.topology ?? fromFile?.topology ?? "torus";
  return { spec, bounds: { topology, width: size.width, height: size.height } };
}

/** Checks that the pattern can be drawn at `at`; see --at in HELP. */
function checkPlacement(pattern: Bitmap, at: { x: number; y: number }, bounds: RuleBounds): void {
  const grid = `${bounds.width}×${bounds.height}`;
  const size = `${pattern.width}×${pattern.height}`;
  if (bounds.topology === "torus") {
    // A pattern wider or taller than the torus would land on itself: refuse rather than merge.
    if (pattern.width > bounds.width || pattern.height > bounds.height) throw runtimeError(`the ${size} pattern is larger than the ${grid} torus`);
    return;
  }
  const fits = at.x >= 0 && at.y >= 0 && at.x + pattern.width <= bounds.width && at.y + pattern.height <= bounds.height;
  if (!fits) throw runtimeError(`the ${size} pattern at ${at.x},${at.y} does not fit on the ${grid} plane`);
}

function checkpointLine(engine: Engine): string {
  const box = engine.bbox();
  return JSON.stringify({
    gen: engine.generation,
    population: engine.population(),
    bbox: box && { x: box.x, y: box.y, width: box.width, height: box.height },
    bbox_sha256: engine.bboxSha256(),
    sha256: engine.sha256(),
  });
}

/** The grid of the run: the soup (with --random), then the pattern drawn on it at --at. */
async function createGrid(args: CliArgs, pattern: PatternFile | undefined, spec: RuleSpec, bounds: RuleBounds): Promise<Engine> {
  if (pattern) checkPlacement(pattern.bitmap, args.at, bounds);
  let engine: Engine;
  try {
    engine = await createEngine({ width: bounds.width, height: bounds.height, topology: bounds.topology, rule: spec.rule }, args.kernel);
  } catch (error) {
    if (error instanceof EngineError || error instanceof RangeError) throw runtimeError(`cannot create a ${bounds.width}×${bounds.height} grid: ${error.message}`);
    throw error;
  }
  if (args.random) engine.randomize(args.random.density, args.random.seed);
  if (pattern) engine.stamp(pattern.bitmap, args.at.x, args.at.y, "or");
  return engine;
}

/**
 * --identify: what the cells do, as one JSON line. A pattern alone is identified as it is; with
 * a grid (a size from the command line or the file, or a soup) the grid is built as for a run
 * and all its cells are identified together.
 */
async function identifyCells(args: CliArgs, read: ReadPattern | undefined): Promise<void> {
  const pattern = read?.file;
  const gridGiven = Boolean(args.rule?.bounds || args.size || pattern?.rule?.bounds || args.random);
  let cells: Bitmap;
  let spec: RuleSpec;
  if (pattern && !gridGiven) {
    spec = resolveRule(args, read);
    cells = pattern.bitmap;
  } else {
    const grid = resolveGrid(args, read);
    spec = grid.spec;
    cells = (await createGrid(args, pattern, spec, grid.bounds)).toBitmap();
  }
  let result: IdentifyResult;
  try {
    result = await identify(cells, spec.rule, { maxPeriod: args.maxPeriod, createEngine: (options) => createEngine(options, args.kernel) });
  } catch (error) {
    if (error instanceof EngineError || error instanceof RangeError) throw runtimeError(`cannot identify: ${error.message}`);
    throw error;
  }
  if (!result.ok) throw runtimeError(`cannot identify: ${result.error}`);
  process.stdout.write(`${JSON.stringify(result.value)}\n`);
}

async function run(argv: readonly string[]): Promise<void> {
  const parsed = parseArguments(argv);
  if (!parsed.ok) throw usageError(parsed.error);
  const args = parsed.value;
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }

  const read = args.pattern === undefined ? undefined : readPattern(args.pattern);
  if (args.identify) {
    await identifyCells(args, read);
    return;
  }
  const pattern = read?.file;
  const { spec, bounds } = resolveGrid(args, read);
  const checkpoints = args.checkpoints ?? [args.gens ?? 0];
  const gens = args.gens ?? checkpoints[checkpoints.length - 1];
  const engine = await createGrid(args, pattern, spec, bounds);

  for (const checkpoint of checkpoints) {
    engine.step(checkpoint - engine.generation);
    process.stdout.write(`${checkpointLine(engine)}\n`);
  }
  engine.step(gens - engine.generation);

  if (args.out !== undefined) {
    const rle = writeRle(engine.toBitmap(), {
      rule: spec.rule,
      topology: bounds.topology,
      ...(pattern?.name === undefined ? {} : { name: pattern.name }),
      comments: [`generation ${engine.generation}`],
    });
    try {
      writeFileSync(userPath(args.out), rle);
    } catch (error) {
      throw runtimeError(`cannot write "${args.out}": ${(error as Error).message}`);
    }
  }
}

// A closed pipe (`life … | head -1`) is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

try {
  await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof CliError) {
    process.stderr.write(`life: ${error.message}\n`);
    process.exitCode = error.status;
  } else {
    process.stderr.write(`life: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT_RUNTIME;
  }
}
