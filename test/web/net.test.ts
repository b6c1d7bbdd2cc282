import { describe, expect, it } from "vitest";
import { CloseCode } from "../../common/protocol.ts";
import { BACKOFF, isTerminalClose, reconnectDelay } from "../../web/net.ts";

describe("reconnecting to a room", () => {
  it("waits twice as long after each failure, with jitter between half and all of the delay", () => {
    const low = (attempt: number) => reconnectDelay(attempt, 1006, () => 0);
    const high = (attempt: number) => reconnectDelay(attempt, 1006, () => 1);
    expect([0, 1, 2, 3].map(high)).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map(low)).toEqual([250, 500, 1000, 2000]);
  });

  it("never waits longer than the cap, however many attempts failed", () => {
    expect(reconnectDelay(50, 1006, () => 1)).toBe(BACKOFF.maxDelayMs);
    expect(reconnectDelay(10_000, 1011, () => 0.999)).toBeLessThanOrEqual(BACKOFF.maxDelayMs);
  });

  it("waits longer when the room is full", () => {
    expect(reconnectDelay(0, CloseCode.TRY_AGAIN, () => 1)).toBe(BACKOFF.roomFullDelayMs);
    expect(reconnectDelay(0, CloseCode.TRY_AGAIN, () => 0)).toBe(BACKOFF.roomFullDelayMs / 2);
  });

  it("stops on terminal close codes and keeps trying on the others", () => {
    for (const code of [CloseCode.ROOM_NOT_FOUND, CloseCode.POLICY, CloseCode.UNSUPPORTED, CloseCode.TOO_BIG]) {
      expect(isTerminalClose(code), String(code)).toBe(true);
    }
    for (const code of [1000, 1001, 1006, CloseCode.INTERNAL, CloseCode.TRY_AGAIN]) {
      expect(isTerminalClose(code), String(code)).toBe(false);
    }
  });
});
