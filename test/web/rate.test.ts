import { describe, expect, it } from "vitest";
import { MeasuredRate } from "../../web/room/status.ts";
import { describeTickRate, tickMsFor } from "../../web/speed.ts";

describe("the Gen/s figure", () => {
  it("measures what the counter really did over the window, not what the room was asked for", () => {
    // A room asked for 10 generations a second that manages 5.7: STATS every 250 ms.
    const rate = new MeasuredRate();
    let last: number | null = null;
    for (let t = 0; t <= 6000; t += 250) last = rate.add(t, Math.floor((t / 1000) * 5.7));
    expect(last).toBeGreaterThan(5.4);
    expect(last).toBeLessThan(6.0);
  });

  it("says nothing until a second of samples, and starts afresh when the generation goes back", () => {
    const rate = new MeasuredRate();
    expect(rate.add(0, 100)).toBeNull();
    expect(rate.add(500, 110)).toBeNull();
    expect(rate.add(1000, 120)).toBe(20);
    expect(rate.add(1250, 0)).toBeNull(); // cleared
  });

  it("shows the speed presets as they were chosen: 60 ticks/s, not 59", () => {
    expect(describeTickRate(tickMsFor(60))).toBe("60 ticks/s");
    expect(describeTickRate(tickMsFor(0.5))).toBe("0.5 ticks/s");
    expect(describeTickRate(tickMsFor(1))).toBe("1 tick/s");
    expect(describeTickRate(40)).toBe("25 ticks/s");
  });
});
