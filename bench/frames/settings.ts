/**
 * The frames suite's fixed seeds, sizes and bounds (bench/frames.ts describes the suite), in one
 * place for its pieces.
 */
import { SOUP_DENSITY, hasFlag } from "../harness.ts";

export const QUICK = hasFlag("--quick");
export const DENSITY = SOUP_DENSITY;
export const FIELD_SEED = 1103;
export const SOUP_AGE = 1000;
/** The room suite's tick rate; only used to spread the STATS frame over generations. */
export const TICK_MS = 50;
/** JSON baselines are built (and timed) only for views up to this many cells: a 4096² soup's list
 *  is over 100 MB of text. Its size is computed exactly either way (see jsonLiveCellsBytes). */
export const MAX_JSON_TIMED_CELLS = 1 << 20;
/** Generations whose JSON is built and timed, per scene. */
export const JSON_TIMED_GENERATIONS = 3;
/** The partial view of the predicted rows: a 256×256 window in the middle of the grid. */
export const PARTIAL_VIEW_SIDE = 256;
/** Keyframes are one-off events: timed a few times, the median kept. */
export const KEYFRAME_REPEATS = QUICK ? 1 : 3;
