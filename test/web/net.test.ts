import { describe, expect, it } from "vitest";
import { CloseCode, MAX_REFUSED_RECONNECTS } from "../../common/protocol/index.ts";
import { BACKOFF, isTerminalClose, reconnectDelay, shouldReconnect } from "../../web/net.ts";

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

  it("stops only where the room is gone, and keeps trying after every other close", () => {
    expect(isTerminalClose(CloseCode.ROOM_NOT_FOUND)).toBe(true);
    for (const code of [1000, 1001, 1006, CloseCode.INTERNAL, CloseCode.TRY_AGAIN, CloseCode.TOO_SLOW, CloseCode.UNSUPPORTED, CloseCode.POLICY, CloseCode.TOO_BIG]) {
      expect(isTerminalClose(code), String(code)).toBe(false);
      expect(shouldReconnect(code, 1), String(code)).toBe(true);
    }
    expect(shouldReconnect(CloseCode.ROOM_NOT_FOUND, 0)).toBe(false);
  });

  it("reconnects after a refusal close, but not after more than MAX_REFUSED_RECONNECTS in a row", () => {
    for (const code of [CloseCode.UNSUPPORTED, CloseCode.POLICY, CloseCode.TOO_BIG]) {
      expect(shouldReconnect(code, MAX_REFUSED_RECONNECTS), String(code)).toBe(true);
      expect(shouldReconnect(code, MAX_REFUSED_RECONNECTS + 1), String(code)).toBe(false);
    }
    // Other closes never count as refusals.
    expect(shouldReconnect(1006, 100)).toBe(true);
  });
});
