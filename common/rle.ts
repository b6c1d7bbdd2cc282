/**
 * Pattern files ⇄ bitmaps: RLE (Golly's format, read and written), plaintext `.cells` (read and
 * written) and Life 1.06 (read). `parsePattern` detects the format; every reader returns a
 * checked result and never a partial pattern.
 *
 * Reading is tolerant where files in the wild differ, and strict where guessing would change
 * the pattern:
 * - RLE `#` lines may appear anywhere before the header (and, as a courtesy, on their own lines
 *   in the body). `#N` is the name, `#O` the author, `#C`/`#c` and unknown `#` lines are
 *   comments, `#CXRLE Pos=x,y` (or XLife's `#R x y` / `#P x y`) the informative offset.
 * - RLE header: `x = 3, y = 3, rule = B3/S23`, spaces optional, rule optional (may carry Golly's
 *   `:T`/`:P` suffix), unknown `key = value` pairs skipped.
 * - RLE body: `b` and `.` are dead; `o` and `A` (state 1 in Golly's multi-state letters) are
 *   alive; any other letter is an error, because in a multi-state file it means a state we
 *   cannot represent. Whitespace and line breaks may appear anywhere, even between the digits
 *   of a run count (Golly skips them too). Text after `!` is ignored; a missing `!` is accepted.
 * - Live cells beyond the header's x/y grow the pattern (many files in the wild are off by one);
 *   the header size is kept when larger, so trailing blank rows and columns survive.
 * - Nothing larger than MAX_SIDE × MAX_SIDE is accepted, nor anything beyond the caller's
 *   {@link PatternBounds} (a room passes its grid's size), and every size is checked before the
 *   memory for it is allocated: a 20-byte `x = 1, y = 1` + `16384o16383$o!` is refused while
 *   reading its last run, never after allocating 32 MiB. A run count never drives a per-cell loop.
 */
import { type Bitmap, bitmapStride } from "./bitmap.ts";
import { MAX_SIDE } from "./grid.ts";
import { type ParseFailure, type ParseResult, type Rule, type RuleSpec, type Topology, LIFE, formatRule, formatRuleWithBounds, parseRule } from "./rules.ts";

export type PatternFormat = "rle" | "cells" | "life106";

export interface PatternFile {
  bitmap: Bitmap;
  /** The rule from an RLE header, when it has one. */
  rule?: RuleSpec;
  name?: string;
  author?: string;
  comments: string[];
  format: PatternFormat;
  /** Where the file puts its top-left cell (`#CXRLE Pos`, `#R`/`#P`, Life 1.06's minimum corner). Informative only. */
  offset?: { x: number; y: number };
}

/**
 * Limits a reader enforces before it allocates: the pattern's bounding rectangle (header size and
 * live cells alike) may be at most maxWidth × maxHeight (each capped at MAX_SIDE, the default) and
 * cover at most maxCells cells.
 */
export interface PatternBounds {
  maxWidth?: number;
  maxHeight?: number;
  maxCells?: number;
}

/** Which bound a too-large pattern broke; absent on syntax errors. */
export type PatternLimit = "width" | "height" | "cells";

/** A refused pattern: `limit` says which bound it broke when it was refused for its size. */
export type PatternFailure = ParseFailure & { limit?: PatternLimit };
export type PatternResult = { ok: true; value: PatternFile } | PatternFailure;

interface Limits {
  width: number;
  height: number;
  cells: number;
}

function limitsOf(bounds: PatternBounds): Limits {
  const side = (value: number | undefined) => (value === undefined ? MAX_SIDE : Math.max(0, Math.min(MAX_SIDE, Math.floor(value))));
  return { width: side(bounds.maxWidth), height: side(bounds.maxHeight), cells: bounds.maxCells ?? Infinity };
}

function tooLarge(line: number, column: number, message: string, limit: PatternLimit): PatternFailure {
  return { ...failAt(line, column, message), limit };
}

function cellsMessage(width: number, height: number, limits: Limits): string {
  return `a ${width}×${height} pattern is more than the ${limits.cells}-cell limit`;
}

/** Golly and LifeWiki wrap RLE bodies at 70 characters; some readers rely on short lines. */
export const RLE_LINE_LENGTH = 70;

/** Run counts saturate here: far above MAX_SIDE, far below where doubles lose integers. */
const RUN_COUNT_CAP = 2 ** 30;

function failAt(line: number, column: number, message: string): ParseFailure {
  return { ok: false, error: `line ${line}, column ${column}: ${message}` };
}

/** A character as an error message shows it: printable ones quoted, others as U+XXXX. */
function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code >= 0x20 && code < 0x7f ? `"${c}"` : `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Lines without their terminators (LF or CRLF); `number` is 1-based. */
function splitLines(text: string): string[] {
  return text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

// ---------------------------------------------------------------------------------------------
// Format detection

/**
 * Detects the format from the first meaningful line and parses with the matching reader:
 * `#Life 1.06` → Life 1.06; `!…` or a row of `.`/`O` → plaintext; `x = …` (after any `#` lines)
 * → RLE.
 */
export function parsePattern(text: string, bounds: PatternBounds = {}): PatternResult {
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    if (/^#Life\s+1\.06\b/i.test(line)) return parseLife106(text, bounds);
    if (/^#Life\s+1\.05\b/i.test(line)) return failAt(i + 1, 1, "Life 1.05 files are not supported; use RLE, plaintext (.cells) or Life 1.06");
    if (line.startsWith("!")) return parseCells(text, bounds);
    if (line.startsWith("#")) continue; // RLE comment lines precede the header
    if (/^x\s*=/i.test(line)) return parseRle(text, bounds);
    if (/^[.Oo*]+$/.test(line)) return parseCells(text, bounds);
    return failAt(i + 1, 1, 'not a recognised pattern format: expected an RLE header "x = <width>, y = <height>", plaintext rows of "." and "O", or "#Life 1.06"');
  }
  return { ok: false, error: "the pattern text is empty" };
}

// ---------------------------------------------------------------------------------------------
// RLE reading

interface RleHeader {
  width: number;
  height: number;
  rule?: RuleSpec;
}

function parseRleHeader(raw: string, line: number, limits: Limits): { ok: true; value: RleHeader } | PatternFailure {
  let p = 0;
  const skipSpaces = () => {
    while (p < raw.length && (raw[p] === " " || raw[p] === "\t")) p++;
  };
  const fail = (message: string, column = p + 1) => failAt(line, column, message);
  let width: number | undefined;
  let height: number | undefined;
  let widthColumn = 0;
  let heightColumn = 0;
  let rule: RuleSpec | undefined;
  let first = true;

  skipSpaces();
  while (p < raw.length) {
    const keyStart = p;
    while (p < raw.length && /[A-Za-z]/.test(raw[p])) p++;
    const key = raw.slice(keyStart, p).toLowerCase();
    if (first && key !== "x") return fail('expected the RLE header "x = <width>, y = <height>[, rule = <rule>]"', keyStart + 1);
    first = false;
    if (key === "") return fail(`expected a header key such as "y" or "rule", found ${describeChar(raw[p])}`);
    skipSpaces();
    if (raw[p] !== "=") return fail(`expected "=" after "${key}"${p < raw.length ? `, found ${describeChar(raw[p])}` : ""}`);
    p++;
    skipSpaces();
    if (key === "rule") {
      // The rule runs to the end of the line: Golly's ":T64,64" suffix contains a comma.
      const parsed = parseRule(raw.slice(p));
      if (!parsed.ok) return fail(parsed.error);
      rule = parsed.value;
      break;
    }
    const valueStart = p;
    if (key === "x" || key === "y") {
      let value = 0;
      while (p < raw.length && raw[p] >= "0" && raw[p] <= "9") {
        value = Math.min(value * 10 + raw.charCodeAt(p) - 48, RUN_COUNT_CAP);
        p++;
      }
      if (p === valueStart) return fail(`expected a whole number after "${key} ="${p < raw.length ? `, found ${describeChar(raw[p])}` : ""}`);
      if (key === "x") [width, widthColumn] = [value, valueStart + 1];
      else [height, heightColumn] = [value, valueStart + 1];
    } else {
      // Unknown key (some writers add their own): skip its value.
      while (p < raw.length && raw[p] !== ",") p++;
    }
    skipSpaces();
    if (p >= raw.length) break;
    if (raw[p] !== ",") return fail(`expected "," between header fields, found ${describeChar(raw[p])}`);
    p++;
    skipSpaces();
  }
  if (width === undefined) return fail('the RLE header has no "x = <width>"', 1);
  if (height === undefined) return fail('the RLE header has no "y = <height>"', raw.length + 1);
  if (width > limits.width) return tooLarge(line, widthColumn, `width ${width} is larger than the ${limits.width}-cell limit`, "width");
  if (height > limits.height) return tooLarge(line, heightColumn, `height ${height} is larger than the ${limits.height}-cell limit`, "height");
  if (width * height > limits.cells) return tooLarge(line, widthColumn, cellsMessage(width, height, limits), "cells");
  const header: RleHeader = { width, height };
  if (rule !== undefined) header.rule = rule;
  return { ok: true, value: header };
}

interface Metadata {
  name?: string;
  author?: string;
  comments: string[];
  offset?: { x: number; y: number };
}

/** One `#` line of an RLE file (trimmed, starting with "#"). */
function readRleComment(line: string, meta: Metadata): void {
  const tag = line.slice(1, 2);
  const rest = line.slice(2).trim();
  if (line.startsWith("#CXRLE")) {
    const pos = /\bPos\s*=\s*(-?\d+)\s*,\s*(-?\d+)/i.exec(line);
    if (pos) meta.offset = { x: Number(pos[1]), y: Number(pos[2]) };
  } else if (tag === "N") {
    meta.name ??= rest;
  } else if (tag === "O") {
    meta.author ??= rest;
  } else if (tag === "C" || tag === "c") {
    meta.comments.push(rest);
  } else if ((tag === "R" || tag === "P") && /^-?\d+\s+-?\d+$/.test(rest)) {
    const [x, y] = rest.split(/\s+/).map(Number);
    meta.offset ??= { x, y };
  } else {
    meta.comments.push(line.slice(1).trim());
  }
}

/** Sets cells [x0, x1) of the row starting at byte `row`. */
function fillRun(data: Uint8Array, row: number, x0: number, x1: number): void {
  const first = row + (x0 >>> 3);
  const last = row + ((x1 - 1) >>> 3);
  const headMask = (0xff << (x0 & 7)) & 0xff;
  const tailMask = 0xff >>> (7 - ((x1 - 1) & 7));
  if (first === last) {
    data[first] |= headMask & tailMask;
    return;
  }
  data[first] |= headMask;
  if (last - first > 1) data.fill(0xff, first + 1, last);
  data[last] |= tailMask;
}

export function parseRle(text: string, bounds: PatternBounds = {}): PatternResult {
  const limits = limitsOf(bounds);
  const meta: Metadata = { comments: [] };
  let header: RleHeader | undefined;
  let pos = 0;
  let line = 1;
  while (pos < text.length && header === undefined) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const raw = text.slice(pos, end).replace(/\r$/, "");
    const trimmed = raw.trim();
    if (trimmed.startsWith("#")) readRleComment(trimmed, meta);
    else if (trimmed !== "") {
      const parsed = parseRleHeader(raw, line, limits);
      if (!parsed.ok) return parsed;
      header = parsed.value;
    }
    pos = end + 1;
    line++;
  }
  if (header === undefined) return failAt(line - 1 || 1, 1, 'no RLE header "x = <width>, y = <height>" found');

  // The header size is allocated up front (it is within the limits, at most MAX_SIDE² bits =
  // 32 MiB); live cells beyond it grow the capacity geometrically, never past the limits, and
  // the result is trimmed to fit at the end.
  let capWidth = header.width;
  let capHeight = header.height;
  let stride = bitmapStride(capWidth);
  let data = new Uint8Array(stride * capHeight);
  let usedWidth = header.width;
  let usedHeight = header.height;
  /** Makes room for a live run ending at x1 on row y; the caller has checked the limits. */
  const grow = (x1: number, y: number) => {
    let width = x1 > capWidth ? Math.min(limits.width, Math.max(x1, capWidth * 2)) : capWidth;
    let height = y >= capHeight ? Math.min(limits.height, Math.max(y + 1, capHeight * 2)) : capHeight;
    if (width * height > limits.cells) {
      // Doubling would overshoot the cell limit: take what the limit leaves instead, so the
      // capacity still grows in few steps (growing by exactly one row at a time would copy the
      // whole bitmap once per row).
      const needWidth = Math.max(capWidth, x1);
      const needHeight = Math.max(capHeight, y + 1);
      width = Math.max(needWidth, Math.min(width, Math.floor(limits.cells / needHeight)));
      height = Math.max(needHeight, Math.min(height, Math.floor(limits.cells / width)));
    }
    const nextStride = bitmapStride(width);
    const next = new Uint8Array(nextStride * height);
    for (let r = 0; r < capHeight; r++) next.set(data.subarray(r * stride, (r + 1) * stride), r * nextStride);
    [data, stride, capWidth, capHeight] = [next, nextStride, width, height];
  };

  let x = 0;
  let y = 0;
  let count = 0;
  let hasCount = false;
  let countLine = 0;
  let countColumn = 0;
  let lineStart = pos;
  let lineHasToken = false;
  let ended = false;
  const n = text.length;
  let i = pos;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (!hasCount) {
        hasCount = true;
        count = 0;
        countLine = line;
        countColumn = i - lineStart + 1;
      }
      count = Math.min(count * 10 + (c - 48), RUN_COUNT_CAP);
      lineHasToken = true;
      continue;
    }
    if (c === 10) {
      line++;
      lineStart = i + 1;
      lineHasToken = false;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) continue;
    if (c === 35 && !lineHasToken) {
      // A "#" line inside the body: skip it like the comments before the header.
      const end = text.indexOf("\n", i);
      i = (end < 0 ? n : end) - 1;
      continue;
    }
    if (c === 33) {
      ended = true;
      break;
    }
    // Errors about a run point at its count when it has one.
    const [runLine, runColumn] = hasCount ? [countLine, countColumn] : [line, i - lineStart + 1];
    if (hasCount && count === 0) return failAt(runLine, runColumn, "a run count must be at least 1");
    const run = hasCount ? count : 1;
    hasCount = false;
    lineHasToken = true;
    if (c === 98 || c === 46) {
      x += run; // "b" or "." — dead cells
    } else if (c === 111 || c === 65) {
      // "o" or "A" — live cells
      const x1 = x + run;
      if (x1 > limits.width) return tooLarge(runLine, runColumn, `live cells reach column ${x1}, beyond the ${limits.width}-cell width limit`, "width");
      if (y >= limits.height) return tooLarge(runLine, runColumn, `live cells on row ${y + 1}, beyond the ${limits.height}-cell height limit`, "height");
      if (x1 > capWidth || y >= capHeight) {
        const width = Math.max(usedWidth, x1);
        const height = Math.max(usedHeight, y + 1);
        if (width * height > limits.cells) return tooLarge(runLine, runColumn, cellsMessage(width, height, limits), "cells");
        grow(x1, y);
      }
      fillRun(data, y * stride, x, x1);
      if (x1 > usedWidth) usedWidth = x1;
      if (y >= usedHeight) usedHeight = y + 1;
      x = x1;
    } else if (c === 36) {
      y += run; // "$" — end of row(s)
      x = 0;
    } else {
      const hint = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? ' (two-state RLE uses "b" or "." for dead cells and "o" for live ones)' : "";
      return failAt(line, i - lineStart + 1, `unexpected character ${describeChar(String.fromCharCode(c))}${hint}`);
    }
  }
  if (!ended && hasCount) return failAt(countLine, countColumn, `run count ${count} is not followed by "b", "o" or "$"`);

  let bitmap: Bitmap = { width: capWidth, height: capHeight, data };
  if (capWidth !== usedWidth || capHeight !== usedHeight) {
    // Capacity grew past what the cells need: copy into an exact-size bitmap. Bits beyond
    // usedWidth are all zero, so copying the first bytes of each row keeps the padding clear.
    const exactStride = bitmapStride(usedWidth);
    const exact = new Uint8Array(exactStride * usedHeight);
    for (let r = 0; r < usedHeight; r++) exact.set(data.subarray(r * stride, r * stride + exactStride), r * exactStride);
    bitmap = { width: usedWidth, height: usedHeight, data: exact };
  }
  const file: PatternFile = { bitmap, comments: meta.comments, format: "rle" };
  if (header.rule !== undefined) file.rule = header.rule;
  if (meta.name !== undefined) file.name = meta.name;
  if (meta.author !== undefined) file.author = meta.author;
  if (meta.offset !== undefined) file.offset = meta.offset;
  return { ok: true, value: file };
}

// ---------------------------------------------------------------------------------------------
// RLE writing

export interface RleWriteOptions {
  /** Defaults to Life; always written, as Golly does. */
  rule?: Rule;
  /** When given, the rule carries the grid suffix `:T<w>,<h>` / `:P<w>,<h>` of the bitmap's size. */
  topology?: Topology;
  name?: string;
  comments?: string[];
}

/** A growing ASCII buffer: the body of a 16384² soup is tens of MB, too many strings to concatenate. */
class AsciiBuffer {
  #bytes = new Uint8Array(1 << 16);
  #length = 0;

  push(byte: number): void {
    if (this.#length === this.#bytes.length) this.#grow(1);
    this.#bytes[this.#length++] = byte;
  }

  /** Appends the decimal digits of a positive integer. */
  pushNumber(value: number): void {
    const digits = decimalLength(value);
    if (this.#length + digits > this.#bytes.length) this.#grow(digits);
    for (let i = this.#length + digits - 1; i >= this.#length; i--) {
      this.#bytes[i] = 48 + (value % 10);
      value = Math.floor(value / 10);
    }
    this.#length += digits;
  }

  toString(): string {
    return new TextDecoder().decode(this.#bytes.subarray(0, this.#length));
  }

  #grow(extra: number): void {
    const next = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + extra));
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
  }
}

function decimalLength(value: number): number {
  let digits = 1;
  while (value >= 10) {
    value = Math.floor(value / 10);
    digits++;
  }
  return digits;
}

/** Index of the lowest set bit of a non-zero byte. */
function lowestBit(byte: number): number {
  return 31 - Math.clz32(byte & -byte);
}

/**
 * Golly-style RLE: `#N`/`#C` lines, then `x = W, y = H, rule = …`, then the body with runs
 * compressed (`3o`, `2b`), trailing dead cells of a row omitted, blank rows merged (`3$`),
 * trailing blank rows omitted (the header keeps the height), lines of at most 70 characters
 * that never split a run, and a final `!`.
 */
export function writeRle(bitmap: Bitmap, options: RleWriteOptions = {}): string {
  const { width, height, data } = bitmap;
  const rule = options.rule ?? LIFE;
  const ruleText = options.topology ? formatRuleWithBounds(rule, options.topology, width, height) : formatRule(rule);
  const lines: string[] = [];
  if (options.name !== undefined) lines.push(`#N ${options.name.replace(/\s+/g, " ").trim()}`);
  for (const comment of options.comments ?? []) {
    for (const part of comment.split(/\r?\n/)) lines.push(`#C ${part}`.trimEnd());
  }
  lines.push(`x = ${width}, y = ${height}, rule = ${ruleText}`);

  const body = new AsciiBuffer();
  let lineLength = 0;
  const token = (run: number, tag: number) => {
    const length = run === 1 ? 1 : decimalLength(run) + 1;
    if (lineLength + length > RLE_LINE_LENGTH) {
      body.push(10);
      lineLength = 0;
    }
    if (run !== 1) body.pushNumber(run);
    body.push(tag);
    lineLength += length;
  };

  const stride = bitmapStride(width);
  let pendingRows = 0;
  for (let y = 0; y < height; y++) {
    if (y > 0) pendingRows++;
    const row = y * stride;
    let x = 0;
    let rowStarted = false;
    while (x < width) {
      // Next live cell at or after x (whole zero bytes skipped); bits past `width` are zero.
      let live = x;
      while (live < width) {
        const bits = data[row + (live >>> 3)] >>> (live & 7);
        if (bits !== 0) {
          live += lowestBit(bits);
          break;
        }
        live = (live & ~7) + 8;
      }
      if (live >= width) break; // trailing dead cells are omitted
      // Next dead cell after it.
      let dead = live;
      while (dead < width) {
        const bits = (~data[row + (dead >>> 3)] & 0xff) >>> (dead & 7);
        if (bits !== 0) {
          dead += lowestBit(bits);
          break;
        }
        dead = (dead & ~7) + 8;
      }
      dead = Math.min(dead, width);
      if (!rowStarted) {
        if (pendingRows > 0) token(pendingRows, 36);
        pendingRows = 0;
        rowStarted = true;
      }
      if (live > x) token(live - x, 98);
      token(dead - live, 111);
      x = dead;
    }
  }
  token(1, 33);
  lines.push(body.toString());
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// Plaintext (.cells)

/**
 * LifeWiki's plaintext format: `!Name: …` and `!` comment lines, then one line per row with `.`
 * dead and `O` alive (`o` and `*` accepted too). Short rows are padded with dead cells; an empty
 * line is a blank row, except before the first row and at the end of the file.
 */
export function parseCells(text: string, bounds: PatternBounds = {}): PatternResult {
  const limits = limitsOf(bounds);
  const lines = splitLines(text);
  const meta: Metadata = { comments: [] };
  const rows: string[] = [];
  let blankRun = 0; // empty lines seen since the last row; they become rows only if more follow
  let width = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("!")) {
      const name = /^!\s*Name:\s*(.*)$/i.exec(line);
      if (name) meta.name ??= name[1].trim();
      else meta.comments.push(line.slice(1).trim());
      continue;
    }
    const row = line.trimEnd();
    if (row === "") {
      if (rows.length > 0) blankRun++;
      continue;
    }
    for (let x = 0; x < row.length; x++) {
      const c = row[x];
      if (c !== "." && c !== "O" && c !== "o" && c !== "*") {
        return failAt(i + 1, x + 1, `unexpected character ${describeChar(c)} (plaintext uses "." for dead cells and "O" for live ones)`);
      }
    }
    if (row.length > limits.width) return tooLarge(i + 1, limits.width + 1, `row is wider than the ${limits.width}-cell limit`, "width");
    for (; blankRun > 0; blankRun--) rows.push("");
    rows.push(row);
    if (rows.length > limits.height) return tooLarge(i + 1, 1, `more than ${limits.height} rows, the height limit`, "height");
    width = Math.max(width, row.length);
    if (width * rows.length > limits.cells) return tooLarge(i + 1, 1, cellsMessage(width, rows.length, limits), "cells");
  }
  const stride = bitmapStride(width);
  const data = new Uint8Array(stride * rows.length);
  for (let y = 0; y < rows.length; y++) {
    const row = rows[y];
    for (let x = 0; x < row.length; x++) {
      if (row[x] !== ".") data[y * stride + (x >>> 3)] |= 1 << (x & 7);
    }
  }
  const file: PatternFile = { bitmap: { width, height: rows.length, data }, comments: meta.comments, format: "cells" };
  if (meta.name !== undefined) file.name = meta.name;
  return { ok: true, value: file };
}

/** Plaintext with full-width rows (so the size survives a round trip) and an optional `!Name:`. */
export function writeCells(bitmap: Bitmap, name?: string): string {
  const { width, height, data } = bitmap;
  const stride = bitmapStride(width);
  const lines: string[] = [];
  if (name !== undefined) lines.push(`!Name: ${name.replace(/\s+/g, " ").trim()}`);
  const row = new Uint8Array(width);
  const decoder = new TextDecoder();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) row[x] = (data[y * stride + (x >>> 3)] >>> (x & 7)) & 1 ? 79 : 46;
    lines.push(decoder.decode(row));
  }
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// Life 1.06

/** Coordinates beyond this magnitude are refused outright (the span check would refuse them anyway). */
const LIFE106_COORDINATE_LIMIT = 1_000_000_000;

/**
 * `#Life 1.06`, then one live cell per line as two integers `x y` (negative allowed). The
 * bitmap's top-left is the minimum corner, recorded as `offset`. `#N` names the pattern; other
 * `#` lines (such as `#D`) are comments.
 */
export function parseLife106(text: string, bounds: PatternBounds = {}): PatternResult {
  const limits = limitsOf(bounds);
  const lines = splitLines(text);
  const meta: Metadata = { comments: [] };
  let i = 0;
  while (i < lines.length && lines[i].trim() === "") i++;
  if (i === lines.length || !/^#Life\s+1\.06\b/i.test(lines[i].trim())) {
    return failAt(i < lines.length ? i + 1 : 1, 1, 'expected the Life 1.06 header "#Life 1.06"');
  }
  const xs: number[] = [];
  const ys: number[] = [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (i++; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      const tag = trimmed.slice(1, 2);
      const rest = trimmed.slice(2).trim();
      if (tag === "N") meta.name ??= rest;
      else if (tag === "D" || tag === "C") meta.comments.push(rest);
      else meta.comments.push(trimmed.slice(1).trim());
      continue;
    }
    // Two integers separated by whitespace; anything else is reported where it goes wrong.
    let p = 0;
    const values: number[] = [];
    while (values.length < 2) {
      while (p < line.length && (line[p] === " " || line[p] === "\t")) p++;
      const start = p;
      if (line[p] === "-" || line[p] === "+") p++;
      const digitsStart = p;
      while (p < line.length && line[p] >= "0" && line[p] <= "9") p++;
      if (p === digitsStart) {
        const found = p < line.length ? `found ${describeChar(line[p])}` : "found the end of the line";
        return failAt(i + 1, p + 1, `expected ${values.length === 0 ? "an x" : "a y"} coordinate (an integer), ${found}`);
      }
      const value = Number(line.slice(start, p));
      if (Math.abs(value) > LIFE106_COORDINATE_LIMIT) return failAt(i + 1, start + 1, `coordinate ${line.slice(start, p)} is out of range`);
      values.push(value);
      if (values.length === 1 && p < line.length && line[p] !== " " && line[p] !== "\t") {
        return failAt(i + 1, p + 1, `expected a space between x and y, found ${describeChar(line[p])}`);
      }
    }
    while (p < line.length && (line[p] === " " || line[p] === "\t")) p++;
    if (p < line.length) return failAt(i + 1, p + 1, `unexpected ${describeChar(line[p])} after the coordinates`);
    const [x, y] = values;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
    const spanX = maxX - minX + 1;
    const spanY = maxY - minY + 1;
    if (spanX > limits.width || spanY > limits.height) {
      const message = `cell (${x}, ${y}) makes the pattern larger than the ${limits.width}×${limits.height} limit`;
      return tooLarge(i + 1, 1, message, spanX > limits.width ? "width" : "height");
    }
    if (spanX * spanY > limits.cells) return tooLarge(i + 1, 1, cellsMessage(spanX, spanY, limits), "cells");
    xs.push(x);
    ys.push(y);
  }
  const file: PatternFile = { bitmap: { width: 0, height: 0, data: new Uint8Array(0) }, comments: meta.comments, format: "life106" };
  if (xs.length > 0) {
    const width = maxX - minX + 1;
    const height = maxY - minY + 1;
    const stride = bitmapStride(width);
    const data = new Uint8Array(stride * height);
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k] - minX;
      data[(ys[k] - minY) * stride + (x >>> 3)] |= 1 << (x & 7);
    }
    file.bitmap = { width, height, data };
    file.offset = { x: minX, y: minY };
  }
  if (meta.name !== undefined) file.name = meta.name;
  return { ok: true, value: file };
}
