/**
 * A pattern file of any format we read: `parsePattern` detects the format from the text and hands
 * it to that format's reader, whose result (pattern or failure) it returns unchanged. A new
 * format gets its own file beside rle.ts and one line of detection here.
 */
import { parseCells } from "./cells.ts";
import { parseLife106 } from "./life106.ts";
import type { PatternBounds } from "./limits.ts";
import { type PatternResult, failAt, splitLines } from "./reader.ts";
import { parseRle } from "./rle.ts";

const READ_HERE = "the formats read here are RLE, plaintext (.cells) and Life 1.06";

/**
 * Files of formats other programs write that are not read here, known by how they start, so that
 * a refusal names the format rather than calling it unknown (or, for a text with no RLE-looking
 * line, empty).
 */
const NOT_READ: ReadonlyArray<{ test: RegExp; what: string }> = [
  { test: /^\[M2\]/, what: "a macrocell (.mc) file, Golly's HashLife format" },
  { test: /^#MCell\b/i, what: "an MCell (.mcl) file" },
  { test: /^#Life\s+1\.05\b/i, what: "a Life 1.05 (.lif) file" },
  { test: /^@RULE\b/, what: "a Golly rule (.rule) file, not a pattern" },
  { test: /^\u001f(\u008b|\ufffd)/, what: "a gzip-compressed file; decompress it first" },
  { test: /^PK\u0003\u0004/, what: "a zip archive; extract the pattern first" },
];

/**
 * Detects the format from the first meaningful line and parses with the matching reader:
 * `#Life 1.06` → Life 1.06; `!…` or a row of `.`/`O` → plaintext; `x = …` (after any `#` lines)
 * → RLE. A format known but not read here is refused by name.
 */
export function parsePattern(text: string, bounds: PatternBounds = {}): PatternResult {
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const unread = NOT_READ.find((format) => format.test.test(line));
    if (unread) return failAt(i + 1, 1, `this is ${unread.what}, which is not read here; ${READ_HERE}`);
    if (line === "") continue;
    if (/^#Life\s+1\.06\b/i.test(line)) return parseLife106(text, bounds);
    if (line.startsWith("!")) return parseCells(text, bounds);
    if (line.startsWith("#")) continue; // RLE comment lines precede the header
    if (/^x\s*=/i.test(line)) return parseRle(text, bounds);
    if (/^[.Oo*]+$/.test(line)) return parseCells(text, bounds);
    return failAt(i + 1, 1, 'not a recognised pattern format: expected an RLE header "x = <width>, y = <height>", plaintext rows of "." and "O", or "#Life 1.06"');
  }
  if (lines.some((line) => line.trim() !== "")) {
    // Only comment lines: an RLE file without its header, or a commented-out pattern.
    return failAt(1, 1, 'only comment lines ("#…"): no RLE header "x = <width>, y = <height>", plaintext rows or "#Life 1.06" line');
  }
  return { ok: false, error: "the pattern text is empty" };
}
