/**
 * Plaintext `.cells`, LifeWiki's picture-like format: read by `parseCells`, written by
 * `writeCells`. Sizes are checked row by row against the limits (limits.ts) before the bitmap
 * is allocated.
 */
import { type Bitmap, bitmapStride } from "../bitmap.ts";
import { type PatternBounds, cellsMessage, limitsOf, tooLarge } from "./limits.ts";
import { type Metadata, type PatternFile, type PatternResult, describeChar, failAt, splitLines } from "./reader.ts";

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
