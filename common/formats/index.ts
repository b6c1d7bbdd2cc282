/**
 * Pattern files ⇄ bitmaps, one file per format: RLE (rle.ts, read and written), plaintext
 * `.cells` (cells.ts, read and written) and Life 1.06 (life106.ts, read). `parsePattern`
 * (pattern.ts) detects the format; every reader returns a checked result (reader.ts) and never a
 * partial pattern, and refuses anything beyond the size limits (limits.ts) before allocating it.
 */
export { parseCells, writeCells } from "./cells.ts";
export { parseLife106 } from "./life106.ts";
export type { PatternBounds } from "./limits.ts";
export { parsePattern } from "./pattern.ts";
export type { PatternFailure, PatternFile, PatternFormat, PatternLimit, PatternResult } from "./reader.ts";
export { RLE_LINE_LENGTH, type RleWriteOptions, parseRle, writeRle } from "./rle.ts";
