/**
 * The tick clock: when the next tick is due, and the one alarm the room keeps (a Durable Object
 * has one). Ticks run on alarms only, keep a fixed cadence from their boundaries, and an alarm
 * handler is at-least-once, so a tick is armed for the generation it is to step from.
 */
import { ALARM_RETRY_MS } from "./limits.ts";

export class TickClock {
  readonly #storage: DurableObjectStorage;
  /** The time the next tick is due: ticks keep to a fixed cadence (see ticked). */
  #nextTickAt = 0;
  /** Whether the alarm currently carries a tick (as opposed to only a lobby report, or nothing). */
  #ticking = false;
  #armedFor: number | null = null;
  #alarmAt: number | null = null;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** When the next tick is due, or null when the room is not ticking. */
  nextTickDue(): number | null {
    return this.#ticking ? this.#nextTickAt : null;
  }

  /** At-least-once: the tick armed for generation G runs only while the grid is still at G, so a
   *  repeated delivery of an alarm whose tick already ran does not step twice. */
  due(generation: number): boolean {
    return this.#armedFor === null || this.#armedFor === generation;
  }

  /**
   * A tick ran at `now`. The cadence is kept from the boundaries, not from when alarms happen to
   * run: an alarm that ran late brings the next tick that much closer, so a busy runtime costs
   * smoothness, not ticks per second. A room a whole interval or more behind (a stall, a restart)
   * does not make up what it missed in a burst: it starts its cadence afresh.
   */
  ticked(now: number, tickMs: number): void {
    const late = now - this.#nextTickAt;
    this.#nextTickAt = late >= 0 && late < tickMs ? this.#nextTickAt + tickMs : now + tickMs;
    this.#ticking = true;
  }

  /**
   * Sets the one alarm to the earliest of the next tick (when `wantsTicks`) and `reportAt` (a
   * lobby report that is due, or null), or clears it; the tick is armed for `generation`.
   */
  arm(now: number, wantsTicks: boolean, reportAt: number | null, generation: number): void {
    let next = Infinity;
    const wasTicking = this.#ticking;
    this.#ticking = wantsTicks;
    // A ticking room keeps its cadence; a room that was idle (paused, still, unwatched) has its
    // next tick boundary now.
    if (this.#ticking && !wasTicking) this.#nextTickAt = now;
    if (this.#ticking) next = Math.max(now, this.#nextTickAt);
    // While ticking, a due report rides along with a tick, so that every alarm of a ticking room
    // is a tick (an alarm is a storage write: one per tick is the floor).
    if (reportAt !== null && !this.#ticking) next = Math.min(next, Math.max(now, reportAt));
    this.#armedFor = generation;
    if (next === this.#alarmAt) return;
    this.#alarmAt = next === Infinity ? null : next;
    const write = next === Infinity ? this.#storage.deleteAlarm() : this.#storage.setAlarm(next);
    write.catch((e: unknown) => console.error("alarm write failed:", String(e)));
  }

  /** The alarm that fired is spent. */
  fired(): void {
    this.#alarmAt = null;
  }

  /** The alarm failed: try again a little later. */
  async retry(now: number): Promise<void> {
    this.#alarmAt = now + ALARM_RETRY_MS;
    await this.#storage.setAlarm(this.#alarmAt);
  }

  /** The room is gone; its alarm is deleted with its storage. */
  forget(): void {
    this.#alarmAt = null;
  }
}

/** The first moment after `now` that lies a whole number of `interval`s after `phase`: an
 *  instance's own point in a repeating interval. */
export function nextPhasePoint(now: number, phase: number, interval: number): number {
  return now + interval - mod(now - phase, interval);
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
