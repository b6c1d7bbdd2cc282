/**
 * The life CLI's command line: what it accepts (HELP), and parsing argv into checked values.
 * Only the shape of each value is checked here; how values combine with the pattern file
 * (rule and size from its header) is decided in life.ts.
 *
 * A hand-written parser rather than node:util's parseArgs, because parseArgs refuses
 * `--at -5,3` (a value starting with "-") and words its errors over several lines, while the
 * CLI's contract is one line per error.
 */
import { type Kernel } from "../common/engine.ts";
import { MAX_SIDE } from "../common/grid.ts";
import { DEFAULT_MAX_PERIOD, MAX_PERIOD } from "../common/identify.ts";
import { type ParseResult, type RuleSpec, type Topology, parseRule } from "../common/rules.ts";

export const HELP = `usage: npm run --silent life -- [options] [PATTERN]

Runs a Life-like rule headlessly on the same Wasm engine as the server and prints one JSON
line per checkpoint:
  {"gen":G,"population":P,"bbox":{"x":X,"y":Y,"width":W,"height":H}|null,"bbox_sha256":H|null,"sha256":H}
bbox is the bounding box of the live cells; bbox_sha256 and sha256 are SHA-256 (hex) of the
box and of the whole grid, each as one byte per cell (1 alive, 0 dead), row by row.

PATTERN  an RLE, plaintext (.cells) or Life 1.06 file, or - for standard input. Without one
         the grid starts empty (or random, see --random).

options:
  --rule RULE           B3/S23-style rule or a name (Life, HighLife, Seeds, "Day & Night", …),
                        optionally with Golly's grid suffix :T<w>,<h> (torus) or :P<w>,<h>
                        (dead-edged plane). Default: the pattern file's rule, else B3/S23.
  --size WxH            grid size, 1 to ${MAX_SIDE} a side, when the rule has no suffix.
  --topology T          torus or plane, with --size (default: the pattern file's, else torus).
                        The size comes from --rule's suffix, else --size, else the pattern
                        file's rule suffix; with none of these the CLI stops and says so.
  --at X,Y              where the pattern's top-left cell goes (default 0,0). On a torus the
                        pattern wraps; on the plane a pattern that does not fit is an error.
  --random D[,SEED]     start from a random soup, each cell alive with probability D (0 to 1),
                        SEED a whole number (default 0): the same seed gives the same soup.
                        A pattern is added on top of the soup.
  --gens N              generations to run (default: the largest checkpoint, else 0).
  --checkpoints a,b,c   generations to report (default: the last one); each at most --gens.
  --out FILE            write the final grid as RLE, its header carrying the rule and grid.
  --kernel K            simd (default) or scalar: the two Wasm builds give identical results.
  --identify            instead of checkpoints, say what the pattern does (see Identify below).
  --max-period N        with --identify: the longest period looked for, transient included,
                        1 to ${MAX_PERIOD} (default ${DEFAULT_MAX_PERIOD}).
  --help                show this text.

Identify: one JSON line saying what the cells do when run alone on an unbounded plane: the
pattern's cells, or the grid's (soup and pattern) when a grid size or --random is given.
  {"kind":"still"|"oscillator"|"spaceship","summary":S,"period":P,"transient":T,"dx":X,"dy":Y,
   "speed":S|null,"population":{"min":A,"max":B},"width":{…},"height":{…},"heat":H}
  {"kind":"unknown","summary":S,"reason":"dies"|"grows"|"no-repeat","generations":G,
   "population":{…},"width":{…},"height":{…}}
  {"kind":"empty","summary":"empty"}
transient is the number of generations before the cycle starts (0 when generation 0 is in
it); dx,dy the move per period (x right, y down); speed in LifeWiki's notation ("c/4
diagonal"); ranges and heat (cells changing per generation) are over one period, or over the
G generations examined. Rules with B0 are refused. --identify cannot be combined with --gens,
--checkpoints or --out.

PATTERN and --out are relative to the directory npm was started from.
Exit status: 0 on success, 2 for a usage error (bad option or value), 1 when the run fails
(unreadable or invalid pattern, pattern does not fit, grid too large for memory, cells that
--identify refuses).

example: a glider on a 64×64 torus comes home after 256 generations (same sha256 as gen 0):
  printf 'x = 3, y = 3\\nbo$2bo$3o!\\n' | npm run --silent life -- --rule B3/S23:T64,64 --checkpoints 0,256 -
example: the same glider identified, a c/4 diagonal spaceship:
  printf 'x = 3, y = 3\\nbo$2bo$3o!\\n' | npm run --silent life -- --identify -
`;

export interface GridSize {
  width: number;
  height: number;
}

export interface CliArgs {
  help: boolean;
  /** Path as given, "-" for stdin, or undefined for no pattern. */
  pattern?: string;
  rule?: RuleSpec;
  size?: GridSize;
  topology?: Topology;
  at: { x: number; y: number };
  random?: { density: number; seed: number };
  gens?: number;
  checkpoints?: number[];
  out?: string;
  kernel: Kernel;
  /** --identify: report what the cells do instead of checkpoints. */
  identify: boolean;
  /** --max-period, only with --identify. */
  maxPeriod?: number;
}

const VALUE_OPTIONS = ["rule", "size", "topology", "at", "random", "gens", "checkpoints", "out", "kernel", "max-period"] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

function isValueOption(name: string): name is ValueOption {
  return (VALUE_OPTIONS as readonly string[]).includes(name);
}

const WHOLE = /^\d+$/;
const INTEGER = /^-?\d+$/;

function whole(text: string, what: string): ParseResult<number> {
  const value = Number(text);
  if (!WHOLE.test(text) || !Number.isSafeInteger(value)) return { ok: false, error: `${what} must be a whole number ≥ 0, got "${text}"` };
  return { ok: true, value };
}

/** argv (without node and the script) → checked values, or a one-line usage error. */
export function parseArguments(argv: readonly string[]): ParseResult<CliArgs> {
  const raw = new Map<ValueOption, string>();
  const positionals: string[] = [];
  let help = false;
  let identify = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (arg === "--identify") {
      identify = true;
      continue;
    }
    if (arg.startsWith("--identify=")) return { ok: false, error: "--identify takes no value (see --max-period)" };
    if (arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!arg.startsWith("--") || !isValueOption(name)) return { ok: false, error: `unknown option ${eq < 0 ? arg : arg.slice(0, eq)} (see --help)` };
    if (raw.has(name)) return { ok: false, error: `--${name} is given twice` };
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i]; // taken whatever it starts with: --at -5,3
    else return { ok: false, error: `--${name} needs a value (see --help)` };
    raw.set(name, value);
  }
  if (help) return { ok: true, value: { help: true, at: { x: 0, y: 0 }, kernel: "simd", identify: false } };
  if (positionals.length > 1) return { ok: false, error: `one pattern file at most, got ${positionals.length}: ${positionals.join(" ")}` };

  const args: CliArgs = { help: false, at: { x: 0, y: 0 }, kernel: "simd", identify };
  if (positionals.length === 1) args.pattern = positionals[0];

  for (const [name, text] of raw) {
    switch (name) {
      case "rule": {
        const parsed = parseRule(text);
        if (!parsed.ok) return parsed;
        args.rule = parsed.value;
        break;
      }
      case "size": {
        const match = /^(\d+)[x×X](\d+)$/.exec(text);
        if (!match) return { ok: false, error: `--size must be WIDTHxHEIGHT such as 256x256, got "${text}"` };
        const [width, height] = [Number(match[1]), Number(match[2])];
        if (width < 1 || width > MAX_SIDE || height < 1 || height > MAX_SIDE) {
          return { ok: false, error: `--size ${text}: each side must be 1 to ${MAX_SIDE}` };
        }
        args.size = { width, height };
        break;
      }
      case "topology":
        if (text !== "torus" && text !== "plane") return { ok: false, error: `--topology must be torus or plane, got "${text}"` };
        args.topology = text;
        break;
      case "at": {
        const parts = text.split(",");
        if (parts.length !== 2 || !parts.every((p) => INTEGER.test(p.trim()))) {
          return { ok: false, error: `--at must be X,Y with whole numbers such as 10,-4, got "${text}"` };
        }
        const [x, y] = parts.map((p) => Number(p.trim()));
        if (Math.abs(x) > 2 ** 31 - 1 || Math.abs(y) > 2 ** 31 - 1) return { ok: false, error: `--at ${text} is out of range` };
        args.at = { x, y };
        break;
      }
      case "random": {
        const [densityText, seedText, ...rest] = text.split(",");
        const density = Number(densityText);
        if (rest.length > 0 || densityText.trim() === "" || !(density >= 0 && density <= 1)) {
          return { ok: false, error: `--random must be DENSITY[,SEED] with DENSITY from 0 to 1, got "${text}"` };
        }
        let seed = 0;
        if (seedText !== undefined) {
          const parsed = whole(seedText, "--random's seed");
          if (!parsed.ok) return parsed;
          seed = parsed.value;
        }
        args.random = { density, seed };
        break;
      }
      case "gens": {
        const parsed = whole(text, "--gens");
        if (!parsed.ok) return parsed;
        args.gens = parsed.value;
        break;
      }
      case "checkpoints": {
        const list: number[] = [];
        for (const part of text.split(",")) {
          const parsed = whole(part.trim(), "each of --checkpoints");
          if (!parsed.ok) return parsed;
          list.push(parsed.value);
        }
        args.checkpoints = [...new Set(list)].sort((a, b) => a - b);
        break;
      }
      case "out":
        if (text === "") return { ok: false, error: "--out needs a file name" };
        args.out = text;
        break;
      case "kernel":
        if (text !== "simd" && text !== "scalar") return { ok: false, error: `--kernel must be simd or scalar, got "${text}"` };
        args.kernel = text;
        break;
      case "max-period": {
        const parsed = whole(text, "--max-period");
        if (!parsed.ok) return parsed;
        if (parsed.value < 1 || parsed.value > MAX_PERIOD) return { ok: false, error: `--max-period must be 1 to ${MAX_PERIOD}, got ${text}` };
        args.maxPeriod = parsed.value;
        break;
      }
    }
  }
  if (identify) {
    // Identify runs its own generations and prints no grid: these would silently do nothing.
    const unused = (["gens", "checkpoints", "out"] as const).find((name) => raw.has(name));
    if (unused !== undefined) return { ok: false, error: `--identify cannot be combined with --${unused}` };
  } else if (args.maxPeriod !== undefined) {
    return { ok: false, error: "--max-period is only used with --identify" };
  }
  if (args.checkpoints && args.gens !== undefined) {
    const late = args.checkpoints.find((g) => g > (args.gens as number));
    if (late !== undefined) return { ok: false, error: `checkpoint ${late} is after the last generation (--gens ${args.gens})` };
  }
  return { ok: true, value: args };
}
