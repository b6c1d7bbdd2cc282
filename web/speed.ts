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
