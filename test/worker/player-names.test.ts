import { describe, expect, it } from "vitest";
import { defaultPlayerName } from "../../worker/player-names.ts";

describe("names for players who gave none", () => {
  it("are two capitalised words, the same for the same id, and rarely shared among a room's players", () => {
    const ids = Array.from({ length: 40 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 0) || 1);
    const names = ids.map(defaultPlayerName);
    for (const name of names) expect(name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    expect(ids.map(defaultPlayerName)).toEqual(names);
    expect(new Set(names).size).toBeGreaterThanOrEqual(36);
    expect(defaultPlayerName(0xffffffff)).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
  });
});
