/**
 * RLE, Golly's format: read by `parseRle` and written by `writeRle`.
 *
 * Reading is tolerant where files in the wild differ, and strict where guessing would change
 * the pattern:
 * - `#` lines may appear anywhere before the header (and, as a courtesy, on their own lines in
 *   the body). `#N` is the name, `#O` the author, `#C`/`#c` and unknown `#` lines are comments,
 *   `#CXRLE Pos=x,y` (or XLife's `#R x y` / `#P x y`) the informative offset.
 * - Header: `x = 3, y = 3, rule = B3/S23`, spaces optional, rule optional (may carry Golly's
 *   `:T`/`:P` suffix), unknown `key = value` pairs skipped.
 * - Body: `b` and `.` are dead; `o` and `A` (state 1 in Golly's multi-state letters) are alive;
 *   any other letter is an error, because in a multi-state file it means a state we cannot
 *   represent. Whitespace and line breaks may appear anywhere, even between the digits of a run
 *   count (Golly skips them too). Text after `!` is ignored; a missing `!` is accepted.
 * - Live cells beyond the header's x/y grow the pattern (many files in the wild are off by one);
 *   the header size is kept when larger, so trailing blank rows and columns survive.
 * - Every size is checked against the limits (limits.ts) before the memory for it is allocated:
 *   a 20-byte `x = 1, y = 1` + `16384o16383$o!` is refused while reading its last run, never
 *   after allocating 32 MiB. A run count never drives a per-cell loop.
 */
import { type Bitmap, bitmapStride } from "../bitmap.ts";
import { type Rule, type RuleSpec, type Topology, LIFE, formatRule, formatRuleWithBounds, parseRule } from "../rules.ts";
import { AsciiBuffer, decimalLength } from "./ascii-buffer.ts";
import { type Limits, type PatternBounds, cellsMessage, limitsOf, tooLarge } from "./limits.ts";
import { type Metadata, type PatternFailure, type PatternFile, type PatternResult, describeChar, failAt } from "./reader.ts";

/** Golly and LifeWiki wrap RLE bodies at 70 characters; some readers rely on short lines. */
export const RLE_LINE_LENGTH = 70;

/** Run counts saturate here: far above MAX_SIDE, far below where doubles lose integers. */
const RUN_COUNT_CAP = 2 ** 30;

// ---------------------------------------------------------------------------------------------
// Reading

interface RleHeader {
  width: number;
  height: number;
  rule?: RuleSpec;
  ruleError?: PatternFile["ruleError"];
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
  let ruleError: RleHeader["ruleError"];
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
      if (parsed.ok) rule = parsed.value;
      else if (!limits.lenientRule) return fail(parsed.error);
      else {
        // Keep what can be read: the rule without a grid suffix that could not be.
        const colon = raw.indexOf(":", p);
        const body = colon < 0 ? null : parseRule(raw.slice(p, colon));
        if (body?.ok) rule = body.value;
        ruleError = { part: body?.ok ? "bounds" : "rule", message: `line ${line}, column ${p + 1}: ${parsed.error}` };
      }
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
  if (ruleError !== undefined) header.ruleError = ruleError;
  return { ok: true, value: header };
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
  if (header.ruleError !== undefined) file.ruleError = header.ruleError;
  if (meta.name !== undefined) file.name = meta.name;
  if (meta.author !== undefined) file.author = meta.author;
  if (meta.offset !== undefined) file.offset = meta.offset;
  return { ok: true, value: file };
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface RleWriteOptions {
  /** Defaults to Life; always written, as Golly does. */
  rule?: Rule;
  /** When given, the rule carries the grid suffix `:T<w>,<h>` / `:P<w>,<h>` of the bitmap's size. */
  topology?: Topology;
  name?: string;
  comments?: string[];
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
