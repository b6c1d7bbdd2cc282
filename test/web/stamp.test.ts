import { describe, expect, it } from "vitest";
import { bitmapsEqual, getBit } from "../../common/bitmap.ts";
import { patternBitmap } from "../../common/patterns.ts";
import { countLive, flipHorizontal, rotateClockwise } from "../../web/stamp.ts";
import { PendingEdits } from "../../web/pending-edits.ts";

describe("turning and mirroring a stamp", () => {
  it("a glider turned a quarter clockwise heads down-left instead of down-right", () => {
    const glider = patternBitmap("glider"); // .o. / ..o / ooo
    const turned = rotateClockwise(glider);
    const rows = [0, 1, 2].map((y) => [0, 1, 2].map((x) => (getBit(turned, x, y) ? "o" : ".")).join(""));
    // (x, y) → (2 - y, x): the direction (1, 1) becomes (-1, 1).
    expect(rows).toEqual(["o..", "o.o", "oo."]);
  });

  it("four quarter turns, or two flips, give back the Gosper gun unchanged", () => {
    const gun = patternBitmap("gosper-glider-gun");
    const turned = rotateClockwise(gun);
    expect([turned.width, turned.height]).toEqual([gun.height, gun.width]);
    expect(bitmapsEqual(rotateClockwise(rotateClockwise(rotateClockwise(turned))), gun)).toBe(true);
    expect(bitmapsEqual(flipHorizontal(flipHorizontal(gun)), gun)).toBe(true);
    expect(bitmapsEqual(flipHorizontal(gun), gun)).toBe(false);
    expect(countLive(turned)).toBe(36);
  });
});

describe("the player's pending edits", () => {
  it("keep a later edit of the same cell when an earlier batch is acknowledged", () => {
    const pending = new PendingEdits(64);
    pending.add(1, 5, 5, true);
    pending.add(1, 6, 5, true);
    pending.add(2, 5, 5, false); // erased again before the first batch was answered
    pending.ack(1);
    expect(pending.get(5, 5)).toBe(false);
    expect(pending.get(6, 5)).toBeUndefined();
    expect(pending.size).toBe(1);
    pending.drop(2); // refused
    expect(pending.size).toBe(0);
  });

  it("lists only the cells inside a rectangle", () => {
    const pending = new PendingEdits(16384);
    pending.add(1, 16383, 16383, true);
    pending.add(1, 10, 20, true);
    const seen: Array<[number, number]> = [];
    pending.forEachIn(0, 0, 100, 100, (x, y) => seen.push([x, y]));
    expect(seen).toEqual([[10, 20]]);
  });
});
