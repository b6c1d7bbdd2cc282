/**
 * Life 1.06, a list of live cells' coordinates: read by `parseLife106` (there is no writer; we
 * write RLE and plaintext). The span of the cells is checked against the limits (limits.ts) as
 * each cell is read, before the bitmap is allocated.
 */
import { bitmapStride } from "../bitmap.ts";
import { type PatternBounds, cellsMessage, limitsOf, tooLarge } from "./limits.ts";
import { type Metadata, type PatternFile, type PatternResult, describeChar, failAt, splitLines } from "./reader.ts";

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
