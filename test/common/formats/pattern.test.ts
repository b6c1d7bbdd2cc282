import { describe, expect, it } from "vitest";
import { bitmapsEqual } from "../../../common/bitmap.ts";
import { parsePattern } from "../../../common/formats/pattern.ts";
import { GLIDER, error, largestAllocation, limitOf, ok } from "./helpers.ts";

describe("parsePattern detects the format", () => {
  it.each([
    ["#C comment\nx = 3, y = 3\nbo$2bo$3o!", "rle"],
    ["\n\nx = 3, y = 3\nbo$2bo$3o!", "rle"],
    ["!Name: glider\n.O.\n..O\nOOO\n", "cells"],
    [".O.\n..O\nOOO\n", "cells"],
    ["#Life 1.06\n1 0\n2 1\n0 2\n1 2\n2 2\n", "life106"],
  ])("%j is %s", (text, format) => {
    const file = ok(parsePattern(text));
    expect(file.format).toBe(format);
    expect(bitmapsEqual(file.bitmap, GLIDER)).toBe(true);
  });

  it("refuses what it cannot recognise", () => {
    expect(error(parsePattern(""))).toMatch(/empty/);
    expect(error(parsePattern("#C x\nhello\n"))).toMatch(/^line 2, column 1: not a recognised pattern format/);
    expect(error(parsePattern("#Life 1.05\n#P 0 0\n.*\n"))).toMatch(/^line 1, column 1: this is a Life 1\.05 \(\.lif\) file, which is not read here; the formats read here are RLE/);
  });

  it("names the formats of other programs that it does not read, instead of calling them unknown or empty", () => {
    const refusals: Array<[string, RegExp]> = [
      ["[M2] (golly 4.2)\n#R B3/S23\n$$$$$$$$*$.*$***$$$$$$$$\n", /^line 1, column 1: this is a macrocell \(\.mc\) file, Golly's HashLife format, which is not read here/],
      ["#MCell 4.20\n#GAME Generations\n#RULE 345/2/4\n#BOARD 80x60\n#L .A$AA\n", /^line 1, column 1: this is an MCell \(\.mcl\) file, which is not read here/],
      ["@RULE WireWorld\n@TABLE\nn_states:4\n", /^line 1, column 1: this is a Golly rule \(\.rule\) file, not a pattern/],
      ["\u001f\u008b\b\u0000", /^line 1, column 1: this is a gzip-compressed file; decompress it first/],
      ["\u001f\ufffd\b\u0000", /gzip-compressed/], // as a UTF-8 decoder hands a gzip file over
      ["PK\u0003\u0004rest", /zip archive/],
    ];
    for (const [text, message] of refusals) expect(error(parsePattern(text)), text.slice(0, 12)).toMatch(message);
    // Comment lines without a pattern are not "empty".
    expect(error(parsePattern("#N lonely\n#C nothing follows\n"))).toMatch(/^line 1, column 1: only comment lines/);
  });

  it("passes errors through from the reader it chose", () => {
    expect(error(parsePattern("x = 3, y = 3\nbo$2bo$3%!"))).toBe('line 2, column 9: unexpected character "%"');
  });
});

describe("caller's bounds are enforced before memory is spent", () => {
  it("bounds plaintext and Life 1.06 the same way, through parsePattern", () => {
    expect(error(parsePattern("OOOOO\n", { maxWidth: 4 }))).toBe("line 1, column 5: row is wider than the 4-cell limit");
    expect(limitOf(parsePattern("O\nO\nO\n", { maxHeight: 2 }))).toBe("height");
    expect(limitOf(parsePattern("OOO\nOOO\n", { maxCells: 5 }))).toBe("cells");
    expect(ok(parsePattern("OOO\nOOO\n", { maxWidth: 3, maxHeight: 2, maxCells: 6 })).bitmap.height).toBe(2);
    expect(error(parsePattern("#Life 1.06\n0 0\n10 0\n", { maxWidth: 10 }))).toBe("line 3, column 1: cell (10, 0) makes the pattern larger than the 10×16384 limit");
    expect(limitOf(parsePattern("#Life 1.06\n0 0\n0 10\n", { maxHeight: 10 }))).toBe("height");
    const spread = largestAllocation(() => parsePattern("#Life 1.06\n0 0\n9000 9000\n", { maxCells: 1 << 20 }));
    expect(limitOf(spread.result)).toBe("cells");
    expect(spread.bytes).toBeLessThan(1024);
  });

  it("syntax errors carry no limit", () => {
    expect(limitOf(parsePattern("x = 3, y = 3\nbo$2bo$3%!", { maxWidth: 64 }))).toBeUndefined();
  });
});
