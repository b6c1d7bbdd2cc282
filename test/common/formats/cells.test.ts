import { describe, expect, it } from "vitest";
import { bitmapsEqual, setBit } from "../../../common/bitmap.ts";
import { MAX_SIDE } from "../../../common/grid.ts";
import { parseCells, writeCells } from "../../../common/formats/cells.ts";
import { GLIDER, error, ok, picture, random, randomBitmap } from "./helpers.ts";

describe("plaintext .cells", () => {
  it("reads name, comments, dead and live cells in every accepted spelling, padding ragged rows", () => {
    const file = ok(parseCells("!Name: Glider\n!The smallest spaceship.\n!\n.O\n..*\r\nooO\n"));
    expect(file.name).toBe("Glider");
    expect(file.comments).toEqual(["The smallest spaceship.", ""]);
    expect(bitmapsEqual(file.bitmap, GLIDER)).toBe(true);
    expect(file.format).toBe("cells");
    expect(file.rule).toBeUndefined();
  });

  it("counts empty lines between rows as blank rows, but not before the first row or at the end", () => {
    const file = ok(parseCells("!Name: x\n\n.O\n\n\nO\n\n\n"));
    expect(bitmapsEqual(file.bitmap, picture(".O", "..", "..", "O."))).toBe(true);
  });

  it("round-trips through writeCells with the size intact", () => {
    const next = random(5);
    for (const [width, height] of [[1, 1], [5, 9], [80, 3], [33, 17]]) {
      const bitmap = randomBitmap(width, height, 0.4, next);
      setBit(bitmap, width - 1, height - 1, false);
      const text = writeCells(bitmap, "random");
      expect(text.startsWith("!Name: random\n")).toBe(true);
      expect(bitmapsEqual(ok(parseCells(text)).bitmap, bitmap)).toBe(true);
    }
    expect(writeCells(GLIDER)).toBe(".O.\n..O\nOOO\n");
  });

  it("reports a bad character by line and column", () => {
    expect(error(parseCells("!Name: x\n.O.\n.OX\n"))).toBe('line 3, column 3: unexpected character "X" (plaintext uses "." for dead cells and "O" for live ones)');
    expect(error(parseCells(".O.\n O.\n"))).toMatch(/^line 2, column 1: unexpected character " "/);
  });

  it("refuses rows wider or more numerous than the limit", () => {
    expect(error(parseCells(".".repeat(MAX_SIDE + 1)))).toBe(`line 1, column ${MAX_SIDE + 1}: row is wider than the ${MAX_SIDE}-cell limit`);
    expect(error(parseCells("O\n".repeat(MAX_SIDE + 1)))).toMatch(new RegExp(`^line ${MAX_SIDE + 1}, column 1: more than ${MAX_SIDE} rows`));
  });
});
