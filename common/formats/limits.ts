/**
 * The size limits every reader enforces, and how it reports breaking one.
 *
 * Nothing larger than MAX_SIDE × MAX_SIDE is accepted, nor anything beyond the caller's
 * {@link PatternBounds} (a room passes its grid's size), and every size is checked before the
 * memory for it is allocated, so a few bytes of text never cost 32 MiB (rle.ts shows the 20-byte
 * file that would).
 */
import { MAX_SIDE } from "../grid.ts";
import { type PatternFailure, type PatternLimit, failAt } from "./reader.ts";

/**
 * Limits a reader enforces before it allocates: the pattern's bounding rectangle (header size and
 * live cells alike) may be at most maxWidth × maxHeight (each capped at MAX_SIDE, the default) and
 * cover at most maxCells cells.
 */
export interface PatternBounds {
  maxWidth?: number;
  maxHeight?: number;
  maxCells?: number;
  /**
   * A rule in the file that cannot be read fails the whole file unless this is set; then the file
   * is read without it and {@link PatternFile.ruleError} says why (the CLI, whose --rule and
   * --size win over the file's, needs the cells of a file whose rule it will not use).
   */
  lenientRule?: boolean;
}

/** {@link PatternBounds} with the defaults and the MAX_SIDE cap applied. */
export interface Limits {
  width: number;
  height: number;
  cells: number;
  lenientRule: boolean;
}

export function limitsOf(bounds: PatternBounds): Limits {
  const side = (value: number | undefined) => (value === undefined ? MAX_SIDE : Math.max(0, Math.min(MAX_SIDE, Math.floor(value))));
  return { width: side(bounds.maxWidth), height: side(bounds.maxHeight), cells: bounds.maxCells ?? Infinity, lenientRule: bounds.lenientRule === true };
}

export function tooLarge(line: number, column: number, message: string, limit: PatternLimit): PatternFailure {
  return { ...failAt(line, column, message), limit };
}

export function cellsMessage(width: number, height: number, limits: Limits): string {
  return `a ${width}×${height} pattern is more than the ${limits.cells}-cell limit`;
}
