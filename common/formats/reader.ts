/**
 * What every pattern reader shares: the result it returns (a whole {@link PatternFile} or a
 * {@link PatternFailure}, never a partial pattern), the metadata it gathers on the way, and
 * failures that point at a line and column of the text.
 */
import type { Bitmap } from "../bitmap.ts";
import type { ParseFailure, RuleSpec } from "../rules.ts";

export type PatternFormat = "rle" | "cells" | "life106";

export interface PatternFile {
  bitmap: Bitmap;
  /** The rule from an RLE header, when it has one (read leniently: without a grid suffix that
   *  could not be read, or absent when the rule itself could not be). */
  rule?: RuleSpec;
  /** With `lenientRule`: why the file's rule, or only its grid suffix, was not read. */
  ruleError?: { part: "rule" | "bounds"; message: string };
  name?: string;
  author?: string;
  comments: string[];
  format: PatternFormat;
  /** Where the file puts its top-left cell (`#CXRLE Pos`, `#R`/`#P`, Life 1.06's minimum corner). Informative only. */
  offset?: { x: number; y: number };
}

/** Which bound a too-large pattern broke; absent on syntax errors. */
export type PatternLimit = "width" | "height" | "cells";

/** A refused pattern: `limit` says which bound it broke when it was refused for its size. */
export type PatternFailure = ParseFailure & { limit?: PatternLimit };
export type PatternResult = { ok: true; value: PatternFile } | PatternFailure;

/** The descriptive parts of a file, gathered from its comment lines while reading. */
export interface Metadata {
  name?: string;
  author?: string;
  comments: string[];
  offset?: { x: number; y: number };
}

export function failAt(line: number, column: number, message: string): ParseFailure {
  return { ok: false, error: `line ${line}, column ${column}: ${message}` };
}

/** A character as an error message shows it: printable ones quoted, others as U+XXXX. */
export function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code >= 0x20 && code < 0x7f ? `"${c}"` : `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Lines without their terminators (LF or CRLF); `number` is 1-based. */
export function splitLines(text: string): string[] {
  return text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}
