import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { bitmapsEqual, bitmapFromBytes, bitmapPopulation, bitmapStride, createBitmap, getBit, setBit } from "../../../common/bitmap.ts";
import { MAX_SIDE } from "../../../common/grid.ts";
import { parsePattern } from "../../../common/formats/pattern.ts";
import { RLE_LINE_LENGTH, parseRle, writeRle } from "../../../common/formats/rle.ts";
import { LIFE, formatRule } from "../../../common/rules.ts";
import { GLIDER, error, largestAllocation, limitOf, ok, picture, random, randomBitmap } from "./helpers.ts";

describe("writeRle", () => {
  it("writes a glider the way Golly does", () => {
    expect(writeRle(GLIDER)).toBe("x = 3, y = 3, rule = B3/S23\nbo$2bo$3o!\n");
  });

  it("puts #N and #C lines first and the grid suffix on the rule", () => {
    const text = writeRle(GLIDER, { name: "Glider", comments: ["first", "second\nthird"], rule: { birth: 0b1001000, survive: 0b1100 }, topology: "torus" });
    expect(text).toBe("#N Glider\n#C first\n#C second\n#C third\nx = 3, y = 3, rule = B36/S23:T3,3\nbo$2bo$3o!\n");
    expect(writeRle(GLIDER, { topology: "plane" })).toContain("rule = B3/S23:P3,3\n");
  });

  it("compresses runs, omits trailing dead cells and merges blank rows", () => {
    expect(writeRle(picture("OOO.....", "........", "........", "..OO....", "........"))).toBe("x = 8, y = 5, rule = B3/S23\n3o3$2b2o!\n");
    expect(writeRle(picture("........", "......O."))).toBe("x = 8, y = 2, rule = B3/S23\n$6bo!\n");
    expect(writeRle(createBitmap(5, 4))).toBe("x = 5, y = 4, rule = B3/S23\n!\n");
    expect(writeRle(picture("O"))).toBe("x = 1, y = 1, rule = B3/S23\no!\n");
    expect(writeRle(picture("O".repeat(123)))).toBe("x = 123, y = 1, rule = B3/S23\n123o!\n");
  });

  it("keeps every body line within 70 characters without splitting a run", () => {
    const next = random(7);
    for (const density of [0.05, 0.5, 0.9]) {
      const bitmap = randomBitmap(500, 60, density, next);
      const [header, ...body] = writeRle(bitmap).trimEnd().split("\n");
      expect(header).toBe("x = 500, y = 60, rule = B3/S23");
      for (const line of body) {
        expect(line.length).toBeLessThanOrEqual(RLE_LINE_LENGTH);
        expect(line).toMatch(/^(\d*[bo$])*!?$/); // whole tokens only: never ends with a bare count
      }
      // Lines are filled: the next token would not have fitted on the line before.
      for (let i = 0; i + 1 < body.length; i++) {
        const firstToken = /^\d*[bo$!]/.exec(body[i + 1])![0];
        expect(body[i].length + firstToken.length).toBeGreaterThan(RLE_LINE_LENGTH);
      }
    }
  });
});

describe("RLE round trips", () => {
  it("parse(write(bitmap)) is the bitmap, for odd sizes, wide rows and blank rows", () => {
    const next = random(2024);
    const sizes = [[1, 1], [1, 7], [7, 1], [8, 8], [9, 3], [17, 33], [70, 2], [71, 5], [140, 3], [300, 4], [63, 65], [1000, 2]];
    for (const [width, height] of sizes) {
      for (const density of [0, 0.02, 0.3, 0.7, 1]) {
        const bitmap = randomBitmap(width, height, density, next);
        const file = ok(parseRle(writeRle(bitmap)));
        expect(bitmapsEqual(file.bitmap, bitmap), `${width}×${height} at ${density}`).toBe(true);
      }
    }
  });

  it("keeps blank trailing rows and columns through the header size", () => {
    const bitmap = createBitmap(20, 12);
    setBit(bitmap, 1, 1, true);
    setBit(bitmap, 3, 2, true);
    const file = ok(parseRle(writeRle(bitmap)));
    expect([file.bitmap.width, file.bitmap.height]).toEqual([20, 12]);
    expect(bitmapsEqual(file.bitmap, bitmap)).toBe(true);
  });

  it("round-trips rows with many blank rows between them", () => {
    const bitmap = createBitmap(3, 250);
    setBit(bitmap, 0, 0, true);
    setBit(bitmap, 2, 123, true);
    setBit(bitmap, 1, 249, true);
    const text = writeRle(bitmap);
    expect(text).toContain("o123$2bo126$bo!");
    expect(bitmapsEqual(ok(parseRle(text)).bitmap, bitmap)).toBe(true);
  });

  it("carries rule, grid, name and comments", () => {
    const rule = { birth: 0b110001000, survive: 0b100100 };
    const file = ok(parseRle(writeRle(GLIDER, { rule, topology: "plane", name: "g", comments: ["a", "b"] })));
    expect(file.rule?.rule).toEqual(rule);
    expect(file.rule?.bounds).toEqual({ topology: "plane", width: 3, height: 3 });
    expect(file.name).toBe("g");
    expect(file.comments).toEqual(["a", "b"]);
  });

  it("handles a 4096×4096 random soup quickly", () => {
    const soup = randomBitmap(4096, 4096, 0.5, random(99));
    const t0 = performance.now();
    const text = writeRle(soup);
    const t1 = performance.now();
    const file = ok(parseRle(text));
    const t2 = performance.now();
    expect(text.length).toBeGreaterThan(8_000_000);
    expect(bitmapsEqual(file.bitmap, soup)).toBe(true);
    // Generous bounds for a shared 2-core machine; typically ~0.2 s each.
    expect(t1 - t0).toBeLessThan(3000);
    expect(t2 - t1).toBeLessThan(3000);
  });
});

describe("Golly's own RLE", () => {
  const oraclePath = resolve(process.cwd(), "../shared/oracle/cases.json");
  const cases: { name: string; rle: string }[] = existsSync(oraclePath) ? JSON.parse(readFileSync(oraclePath, "utf8")) : [];

  it.skipIf(cases.length === 0)("is read and rewritten byte for byte", () => {
    const seen = new Set<string>();
    for (const { name, rle } of cases) {
      if (seen.has(rle)) continue;
      seen.add(rle);
      const file = ok(parseRle(rle));
      expect(writeRle(file.bitmap, { rule: file.rule?.rule, topology: file.rule?.bounds?.topology }), name).toBe(rle);
    }
  });
});

describe("tolerant RLE reading", () => {
  it("reads comment lines of every kind before the header", () => {
    const text = [
      "#N Glider",
      "#O Richard K. Guy",
      "#C The smallest spaceship.",
      "#c lower-case comment",
      "#CXRLE Pos=-5,3 Gen=12",
      "#r 23/3",
      "",
      "x = 3, y = 3, rule = B3/S23",
      "bo$2bo$3o!",
    ].join("\n");
    const file = ok(parseRle(text));
    expect(bitmapsEqual(file.bitmap, GLIDER)).toBe(true);
    expect(file.name).toBe("Glider");
    expect(file.author).toBe("Richard K. Guy");
    expect(file.comments).toEqual(["The smallest spaceship.", "lower-case comment", "r 23/3"]);
    expect(file.offset).toEqual({ x: -5, y: 3 });
    expect(file.format).toBe("rle");
  });

  it("reads XLife's #R / #P offsets", () => {
    expect(ok(parseRle("#R -2 7\nx = 1, y = 1\no!")).offset).toEqual({ x: -2, y: 7 });
    expect(ok(parseRle("#P 4 -1\nx = 1, y = 1\no!")).offset).toEqual({ x: 4, y: -1 });
  });

  it("accepts header spacing variants, no rule, and a rule with a grid suffix", () => {
    for (const header of ["x=3,y=3,rule=B3/S23", "x = 3 , y = 3 , rule = b3s23", "  x = 3, y = 3", "x=3, y=3, rule = 23/3", "X = 3, Y = 3"]) {
      expect(bitmapsEqual(ok(parseRle(`${header}\nbo$2bo$3o!`)).bitmap, GLIDER), header).toBe(true);
    }
    expect(ok(parseRle("x = 3, y = 3\nbo$2bo$3o!")).rule).toBeUndefined();
    const suffixed = ok(parseRle("x = 64, y = 32, rule = B36/S23:T64,32\nbo$2bo$3o!"));
    expect(formatRule(suffixed.rule!.rule)).toBe("B36/S23");
    expect(suffixed.rule!.bounds).toEqual({ topology: "torus", width: 64, height: 32 });
    expect(suffixed.rule!.name).toBe("HighLife");
    expect([suffixed.bitmap.width, suffixed.bitmap.height]).toEqual([64, 32]);
    expect(ok(parseRle("x = 3, y = 3, rule = Day & Night\n3o!")).rule?.name).toBe("Day & Night");
  });

  it("skips unknown header fields", () => {
    expect(bitmapsEqual(ok(parseRle("x = 3, y = 3, generation = 5, rule = B3/S23\nbo$2bo$3o!")).bitmap, GLIDER)).toBe(true);
  });

  it("reads multi-digit counts, '.' as dead, 'A' as alive and counted $", () => {
    const file = ok(parseRle("x = 12, y = 4\n12o$.A9.A2$o10bo!"));
    expect(bitmapsEqual(file.bitmap, picture("OOOOOOOOOOOO", ".O.........O", "............", "O..........O"))).toBe(true);
    const wide = ok(parseRle("x = 1234, y = 1\n1233bo!"));
    expect(getBit(wide.bitmap, 1233, 0)).toBe(true);
    expect(bitmapPopulation(wide.bitmap)).toBe(1);
  });

  it("accepts line breaks and spaces anywhere in the body, even inside a count", () => {
    const text = "x = 13, y = 3\n  b\n o $\r\n1\n2o\t$ 1 3\nb !";
    const file = ok(parseRle(text));
    expect(bitmapsEqual(file.bitmap, picture(".O...........", "OOOOOOOOOOOO.", "............."))).toBe(true);
  });

  it("accepts CRLF files and # lines inside the body", () => {
    const file = ok(parseRle("#N g\r\nx = 3, y = 3\r\nbo$\r\n#C stray comment\r\n2bo$3o!\r\n"));
    expect(bitmapsEqual(file.bitmap, GLIDER)).toBe(true);
    expect(file.name).toBe("g");
  });

  it("ignores text after ! and tolerates a missing !", () => {
    expect(bitmapsEqual(ok(parseRle("x = 3, y = 3\nbo$2bo$3o! trailing % junk\nmore $$$ junk")).bitmap, GLIDER)).toBe(true);
    expect(bitmapsEqual(ok(parseRle("x = 3, y = 3\nbo$2bo$3o")).bitmap, GLIDER)).toBe(true);
    expect(bitmapsEqual(ok(parseRle("x = 3, y = 3\nbo$2bo$3o\n")).bitmap, GLIDER)).toBe(true);
  });

  it("grows the pattern to fit live cells beyond the header size", () => {
    const file = ok(parseRle("x = 2, y = 2\nbo$2bo$3o!"));
    expect(bitmapsEqual(file.bitmap, GLIDER)).toBe(true);
    const grown = ok(parseRle("x = 0, y = 0\n5$1000bo!"));
    expect([grown.bitmap.width, grown.bitmap.height]).toEqual([1001, 6]);
    expect(getBit(grown.bitmap, 1000, 5)).toBe(true);
    expect(bitmapPopulation(grown.bitmap)).toBe(1);
    // Growth in both directions keeps the rows apart.
    const tall = ok(parseRle(`x = 1, y = 1\n${Array.from({ length: 40 }, (_, i) => (i === 0 ? "o" : `${i * 3}bo`)).join("$")}!`));
    expect([tall.bitmap.width, tall.bitmap.height]).toEqual([118, 40]);
    for (let i = 0; i < 40; i++) expect(getBit(tall.bitmap, i * 3, i)).toBe(true);
    expect(bitmapPopulation(tall.bitmap)).toBe(40);
    // Trailing dead runs and rows do not grow it.
    const dead = ok(parseRle("x = 3, y = 3\nbo$2bo$3o20b$$$$!"));
    expect(bitmapsEqual(dead.bitmap, GLIDER)).toBe(true);
  });

  it("keeps the padding bits of a grown pattern clear", () => {
    const file = ok(parseRle("x = 1, y = 1\no$2o$3o$10o!"));
    expect(file.bitmap.width).toBe(10);
    const stride = bitmapStride(10);
    for (let y = 0; y < 4; y++) expect(file.bitmap.data[y * stride + 1] >>> 2).toBe(0);
    expect(bitmapPopulation(file.bitmap)).toBe(16);
  });

  it("reads an empty pattern", () => {
    const file = ok(parseRle("x = 0, y = 0, rule = B3/S23\n!"));
    expect([file.bitmap.width, file.bitmap.height]).toEqual([0, 0]);
    expect(ok(parseRle("x = 5, y = 5\n")).bitmap.data.every((b) => b === 0)).toBe(true);
  });
});

describe("malformed RLE is an error with line and column, never a partial pattern", () => {
  it.each([
    ["x = 3, y = 3\nbo$2bo$3%!", "line 2, column 9: unexpected character \"%\""],
    ["#C hi\n\nx = 3, y = 3\nbo$\n2bo$3x!", "line 5, column 6: unexpected character \"x\" (two-state RLE uses"],
    ["x = 3, y = 3\nbo$2bo$3B!", "line 2, column 9: unexpected character \"B\""],
    ["x = 3, y = 3\nbo\u00a0$!", "line 2, column 3: unexpected character U+00A0"],
    ["x = 3, y = 3\nbo$0o!", "line 2, column 4: a run count must be at least 1"],
    ["x = 3, y = 3\nbo$2bo$12", "line 2, column 8: run count 12 is not followed by \"b\", \"o\" or \"$\""],
    ["bo$2bo$3o!", "line 1, column 1: expected the RLE header"],
    ["#N only comments\n", "line 1, column 1: no RLE header"],
    ["", "no RLE header"],
    ["y = 3, x = 3\nbo!", "line 1, column 1: expected the RLE header"],
    ["x = 3\nbo!", "line 1, column 6: the RLE header has no \"y = <height>\""],
    ["x = 3, y = \nbo!", "line 1, column 12: expected a whole number after \"y =\""],
    ["x = 3; y = 3\nbo!", "line 1, column 6: expected \",\" between header fields"],
    ["x = 3, y 3\nbo!", "line 1, column 10: expected \"=\" after \"y\""],
    ["x = 3, y = 3, rule = B3/S29\nbo!", "line 1, column 22: rule \"B3/S29\": digit 9 at position 6"],
    ["x = 3, y = 3, rule = B3/S23:K4,4\nbo!", "line 1, column 22: rule \"B3/S23:K4,4\": Klein bottle"],
    ["x = 3, y = 3, rule = LifeHistory\n2.A!", "line 1, column 22: rule \"LifeHistory\": not a known rule name"],
  ])("%j", (text, message) => {
    expect(error(parseRle(text))).toContain(message);
  });
});

describe("size limits are enforced before memory is spent", () => {
  function fastError(text: string): string {
    const t0 = performance.now();
    const message = error(parseRle(text));
    expect(performance.now() - t0).toBeLessThan(200);
    return message;
  }

  it("refuses headers larger than the limit", () => {
    expect(fastError("x = 100000, y = 1\n!")).toBe(`line 1, column 5: width 100000 is larger than the ${MAX_SIDE}-cell limit`);
    expect(fastError(`x = 1, y = ${MAX_SIDE + 1}\n!`)).toMatch(/^line 1, column 12: height 16385 is larger than the 16384-cell limit/);
    expect(fastError("x = 99999999999999999999999, y = 1\n!")).toMatch(/^line 1, column 5: width \d+ is larger than/);
  });

  it("refuses runs that reach past the limit without looping over them", () => {
    expect(fastError("x = 1, y = 1\n999999999o!")).toBe(`line 2, column 1: live cells reach column 999999999, beyond the ${MAX_SIDE}-cell width limit`);
    expect(fastError(`x = 1, y = 1\n${MAX_SIDE + 1}o!`)).toMatch(/live cells reach column 16385/);
    expect(fastError(`x = 1, y = 1\n${MAX_SIDE}b1o!`)).toMatch(/line 2, column 7: live cells reach column 16385/);
    expect(fastError("x = 1, y = 1\n999999999$o!")).toMatch(/line 2, column 11: live cells on row 1000000000, beyond the 16384-cell height limit/);
    expect(fastError("x = 1, y = 1\n99999999999999999999999999999999o!")).toMatch(/beyond the 16384-cell width limit/);
  });

  it("accepts patterns exactly at the limit, and long dead runs that place nothing", () => {
    const wide = ok(parseRle(`x = 1, y = 1\n${MAX_SIDE}o!`));
    expect([wide.bitmap.width, bitmapPopulation(wide.bitmap)]).toEqual([MAX_SIDE, MAX_SIDE]);
    const t0 = performance.now();
    const dead = ok(parseRle("x = 2, y = 1\no999999999b999999999$!"));
    expect(performance.now() - t0).toBeLessThan(200);
    expect([dead.bitmap.width, dead.bitmap.height, bitmapPopulation(dead.bitmap)]).toEqual([2, 1, 1]);
  });
});

describe("caller's bounds are enforced before memory is spent", () => {
  const BOMB = "x = 1, y = 1\n16384o16383$o!"; // 24 bytes that describe a 16384² bitmap

  it("without bounds, the 24-byte bomb is a legal 16384² pattern of 32 MiB (the measurement sees it)", () => {
    const { result, bytes } = largestAllocation(() => parseRle(BOMB));
    expect(ok(result).bitmap.width).toBe(MAX_SIDE);
    expect(bytes).toBeGreaterThanOrEqual((MAX_SIDE * MAX_SIDE) / 8);
  });

  it("a cell bound refuses the bomb at its last run, having allocated one 2 KiB row", () => {
    const { result, bytes } = largestAllocation(() => parsePattern(BOMB, { maxCells: 1 << 26 }));
    expect(error(result)).toBe("line 2, column 13: a 16384×16384 pattern is more than the 67108864-cell limit");
    expect(limitOf(result)).toBe("cells");
    expect(bytes).toBeLessThanOrEqual(MAX_SIDE / 8);
  });

  it("a grid's size refuses the bomb at its first run, before any growth", () => {
    const { result, bytes } = largestAllocation(() => parsePattern(BOMB, { maxWidth: 64, maxHeight: 64 }));
    expect(error(result)).toBe("line 2, column 1: live cells reach column 16384, beyond the 64-cell width limit");
    expect(limitOf(result)).toBe("width");
    expect(bytes).toBeLessThan(64);
    const tall = parseRle("x = 1, y = 1\no64$o!", { maxWidth: 64, maxHeight: 64 });
    expect(error(tall)).toBe("line 2, column 5: live cells on row 65, beyond the 64-cell height limit");
    expect(limitOf(tall)).toBe("height");
  });

  it("refuses a header beyond the bounds without allocating it", () => {
    const { result, bytes } = largestAllocation(() => parseRle("x = 16384, y = 16384\n!", { maxWidth: 1000, maxHeight: 20000 }));
    expect(error(result)).toBe("line 1, column 5: width 16384 is larger than the 1000-cell limit");
    expect(limitOf(result)).toBe("width");
    expect(bytes).toBeLessThan(1024);
    expect(limitOf(parseRle("x = 10, y = 100\n!", { maxHeight: 99 }))).toBe("height");
    const area = largestAllocation(() => parseRle("x = 8192, y = 8192\n!", { maxCells: 1 << 20 }));
    expect(error(area.result)).toBe("line 1, column 5: a 8192×8192 pattern is more than the 1048576-cell limit");
    expect(area.bytes).toBeLessThan(1024);
  });

  it("geometric growth never allocates past the cell bound", () => {
    // Live cells creep one row down at a time: doubling the capacity would reach 64×64 cells.
    const rows = Array.from({ length: 40 }, () => "8o").join("$");
    const { result, bytes } = largestAllocation(() => parseRle(`x = 1, y = 1\n${rows}!`, { maxCells: 8 * 40 }));
    expect([ok(result).bitmap.width, ok(result).bitmap.height]).toEqual([8, 40]);
    expect(bytes).toBeLessThanOrEqual(40);
    // Near the bound the capacity jumps to what the bound leaves, not one row at a time: a
    // 5000-wide pattern creeping down 13,000 rows under a 2^26-cell bound reallocates a few
    // times, not thousands (each a copy of megabytes).
    const creep = `x = 5000, y = 1\n${"5000o$".repeat(13_000)}!`;
    const wide = largestAllocation(() => parseRle(creep, { maxCells: 1 << 26 }));
    expect(ok(wide.result).bitmap.height).toBe(13_000);
    expect(wide.count).toBeLessThan(30);
  });

  it("accepts a pattern exactly at its bounds", () => {
    const full = ok(parseRle("x = 8, y = 8\n8o$8o$8o$8o$8o$8o$8o$8o!", { maxWidth: 8, maxHeight: 8, maxCells: 64 }));
    expect(bitmapPopulation(full.bitmap)).toBe(64);
    expect(limitOf(parseRle("x = 8, y = 8\n9o!", { maxWidth: 8, maxHeight: 8 }))).toBe("width");
    expect(limitOf(parseRle("x = 8, y = 8\n!", { maxCells: 63 }))).toBe("cells");
  });
});

describe("agreement with the shared bitmap helpers", () => {
  it("reads what bitmapFromBytes builds", () => {
    const bytes = [0, 1, 0, 0, 0, 1, 1, 1, 1];
    expect(bitmapsEqual(ok(parseRle(writeRle(bitmapFromBytes(3, 3, bytes), { rule: LIFE }))).bitmap, GLIDER)).toBe(true);
  });
});
