import { describe, expect, it } from "vitest";
import { bitmapsEqual, bitmapPopulation } from "../../../common/bitmap.ts";
import { MAX_SIDE } from "../../../common/grid.ts";
import { parseLife106 } from "../../../common/formats/life106.ts";
import { GLIDER, error, ok } from "./helpers.ts";

describe("Life 1.06", () => {
  it("reads cells with negative coordinates, the min corner at (0, 0) and the offset recorded", () => {
    const file = ok(parseLife106("#Life 1.06\n#N Glider\n#D A glider\n0 -1\n1 0\r\n-1 1\n0 1\n 1  1 \n"));
    expect(bitmapsEqual(file.bitmap, GLIDER)).toBe(true);
    expect(file.offset).toEqual({ x: -1, y: -1 });
    expect(file.name).toBe("Glider");
    expect(file.comments).toEqual(["A glider"]);
    expect(file.format).toBe("life106");
  });

  it("accepts repeated cells and an empty file", () => {
    expect(bitmapPopulation(ok(parseLife106("#Life 1.06\n5 5\n5 5\n")).bitmap)).toBe(1);
    const empty = ok(parseLife106("#Life 1.06\n"));
    expect([empty.bitmap.width, empty.bitmap.height]).toEqual([0, 0]);
  });

  it("reports malformed lines by line and column", () => {
    expect(error(parseLife106("0 0\n"))).toBe('line 1, column 1: expected the Life 1.06 header "#Life 1.06"');
    expect(error(parseLife106("#Life 1.06\n0 0\n1,1\n"))).toBe('line 3, column 2: expected a space between x and y, found ","');
    expect(error(parseLife106("#Life 1.06\n0 0\n1\n"))).toBe("line 3, column 2: expected a y coordinate (an integer), found the end of the line");
    expect(error(parseLife106("#Life 1.06\n0 0 0\n"))).toBe('line 2, column 5: unexpected "0" after the coordinates');
    expect(error(parseLife106("#Life 1.06\nx 0\n"))).toMatch(/^line 2, column 1: expected an x coordinate/);
    expect(error(parseLife106("#Life 1.06\n0 99999999999\n"))).toMatch(/^line 2, column 3: coordinate 99999999999 is out of range/);
  });

  it("refuses a pattern spanning more than the limit", () => {
    expect(error(parseLife106(`#Life 1.06\n0 0\n${MAX_SIDE - 1} 0\n${MAX_SIDE} 5\n`))).toMatch(/^line 4, column 1: cell \(16384, 5\) makes the pattern larger than/);
    expect(error(parseLife106(`#Life 1.06\n0 -8192\n0 8192\n`))).toMatch(/^line 3, column 1:/);
  });
});
