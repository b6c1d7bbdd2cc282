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
