/**
 * The room's clock while nobody watches. A running room keeps time, whoever comes and goes, but an
 * idle room must cost nothing: no alarms, no stepping. So when a running room stops ticking (its
 * last viewer left, or its grid went still) it writes down when and at which generation, and the
 * next time someone observes it (a socket joins, an HTTP read or edit, an owner's control) it
 * first catches up, at once, to the generation its clock says:
 *
 *   target = generation when it stopped + ⌊(now − stopped at) / tickMs⌋ × generationsPerTick
 *
 * A still grid (a fixed point: its last step changed nothing) reaches any target for free. A
 * changing one is stepped, within MAX_CATCH_UP_CELL_GENERATIONS of work; where that is not enough
 * the room goes as far as the budget takes it, says so (RoomInfo.slowed, in the room and the
 * lobby), and its clock starts again from there. The lobby shows the same figure before anyone
 * looks (projectedGeneration), from the facts each room reports.
 *
 * The stop is stored (meta key 'clock') so that a room evicted or killed while idle still knows
 * how long it has been away.
 */
import type { Engine } from "../common/engine.ts";
import type { RoomInfo, RoomSettings } from "../common/protocol/index.ts";
import { MAX_CATCH_UP_CELL_GENERATIONS } from "./limits.ts";

/** When and where a running room stopped ticking. */
interface Stopped {
  at: number;
  generation: number;
}

/** The last catch-up that fell short of its clock. */
export interface Slowed {
  at: number;
  /** Generations the clock asked for that the catch-up did not step. */
  generations: number;
}

/** Steps per engine call while catching up: small enough to notice a grid gone still early. */
const CATCH_UP_CHUNK = 64;

/** The generations a catch-up may step on a grid of `cells` cells (the budget, in generations). */
export function catchUpBudget(cells: number): number {
  return Math.max(1, Math.floor(MAX_CATCH_UP_CELL_GENERATIONS / cells));
}

/** Generations the clock owes since `stopped`, at the settings' cadence. */
function owed(stopped: Stopped, settings: Pick<RoomSettings, "tickMs" | "generationsPerTick">, now: number): number {
  return Math.max(0, Math.floor((now - stopped.at) / settings.tickMs)) * settings.generationsPerTick;
}

export class RoomClock {
  readonly #sql: SqlStorage;
  #stopped: Stopped | null;
  #slowed: Slowed | null;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'clock'").toArray()[0];
    const stored: { stopped?: Stopped | null; slowed?: Slowed | null } = row ? JSON.parse(row.value) : {};
    this.#stopped = stored.stopped ?? null;
    this.#slowed = stored.slowed ?? null;
  }

  /** Since when a running room has not ticked (null while it ticks, or while it is paused). */
  get stoppedAt(): number | null {
    return this.#stopped?.at ?? null;
  }

  get slowed(): Slowed | null {
    return this.#slowed;
  }

  /**
   * Called whenever the room decides whether it ticks: a running room that stops ticking starts
   * its idle clock at `now`; one that ticks again, or a paused one, has none.
   */
  track(running: boolean, ticking: boolean, now: number, generation: number): void {
    const idle = running && !ticking;
    if (idle === (this.#stopped !== null)) return;
    this.#stopped = idle ? { at: now, generation } : null;
    this.#save();
  }

  /**
   * Brings a running room that stood idle to the generation its clock says: at once for a still
   * grid, else stepped within the budget. Returns whether the grid changed (then it is to be
   * broadcast and saved); the generation may move without the grid changing.
   */
  catchUp(engine: Engine, settings: RoomSettings, still: boolean, now: number): { changed: boolean; still: boolean } {
    const stopped = this.#stopped;
    if (!stopped || !settings.running) return { changed: false, still };
    const target = stopped.generation + owed(stopped, settings, now);
    let remaining = target - engine.generation;
    if (remaining <= 0) return { changed: false, still };
    let changed = false;
    let budget = catchUpBudget(engine.width * engine.height);
    while (remaining > 0 && !still && budget > 0) {
      const n = Math.min(remaining, budget, CATCH_UP_CHUNK);
      // step() answers how many tiles changed in the last generation: none means a fixed point.
      still = engine.step(n) === 0;
      changed = true;
      remaining -= n;
      budget -= n;
    }
    if (still) {
      engine.generation = target; // a fixed point's future is itself
      remaining = 0;
    }
    // Short of the target: the room says how far behind it fell, and keeps time from here.
    this.#slowed = remaining > 0 ? { at: now, generations: remaining } : this.#slowed;
    this.#stopped = { at: remaining > 0 ? now : stopped.at + Math.floor((now - stopped.at) / settings.tickMs) * settings.tickMs, generation: engine.generation };
    this.#save();
    return { changed, still };
  }

  #save(): void {
    this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', ?)", JSON.stringify({ stopped: this.#stopped, slowed: this.#slowed }));
  }
}

/**
 * What the lobby shows for a room before anyone observes it: the generation the room will reach
 * when it does (the same arithmetic and budget as RoomClock.catchUp, from what the room last
 * reported), and how many generations it will fall short of its clock (0: none).
 */
export function projectedGeneration(info: RoomInfo, now: number): { generation: number; behind: number } {
  if (!info.running || info.idleSince == null) return { generation: info.generation, behind: 0 };
  const due = owed({ at: info.idleSince, generation: info.generation }, info, now);
  if (info.still) return { generation: info.generation + due, behind: 0 };
  const budget = catchUpBudget(info.width * info.height);
  return { generation: info.generation + Math.min(due, budget), behind: Math.max(0, due - budget) };
}
