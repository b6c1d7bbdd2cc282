/**
 * The speeds offered when creating a room (lobby) and in the owner's controls (room): presets
 * in ticks per second, and the tick interval the server takes.
 */
import { h } from "./dom.ts";

/** Ticks per second offered in the speed lists; tickMs = 1000 / value (the server allows 16 ms … 10 s). */
export const SPEED_PRESETS = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60];

export function tickMsFor(ticksPerSecond: number): number {
  return Math.max(16, Math.min(10_000, Math.round(1000 / ticksPerSecond)));
}

export function fillSpeedPresets(select: HTMLSelectElement, selected: number): void {
  select.replaceChildren();
  for (const tps of SPEED_PRESETS) {
    select.append(h("option", { value: String(tps), selected: tps === selected }, `${tps} tick${tps === 1 ? "" : "s"}/s`));
  }
}

/** The preset nearest to a room's tick interval, for showing its current speed. */
export function nearestSpeedPreset(tickMs: number): number {
  const tps = 1000 / tickMs;
  return SPEED_PRESETS.reduce((best, p) => (Math.abs(Math.log(p / tps)) < Math.abs(Math.log(best / tps)) ? p : best));
}

/** A tick interval as people asked for it: the preset it was made from ("60 ticks/s" for 17 ms,
 *  not 58.8), else the rate it gives. */
export function describeTickRate(tickMs: number): string {
  const preset = SPEED_PRESETS.find((tps) => tickMsFor(tps) === tickMs);
  const tps = preset ?? 1000 / tickMs;
  const shown = tps >= 10 ? String(Math.round(tps)) : String(Number(tps.toFixed(1)));
  return `${shown} tick${shown === "1" ? "" : "s"}/s`;
}
