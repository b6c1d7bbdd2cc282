/**
 * When a room saves its grid (snapshot.ts says how): after every change outside a tick, and while
 * running at least every SNAPSHOT_INTERVAL_MS, each instance on its own phase; never when neither
 * the grid nor the generation moved since the last snapshot.
 */
import { SNAPSHOT_INTERVAL_MS } from "./limits.ts";
import type { LoadedRoom } from "./room-record.ts";
import { nextPhasePoint } from "./tick-clock.ts";

export class SnapshotSchedule {
  #savedGeneration = -1;
  /** When the running grid is next saved (see save). */
  #dueAt = 0;
  /** This instance's offset within the snapshot interval (see save). */
  readonly #phase = Math.random() * SNAPSHOT_INTERVAL_MS;

  /** The room was loaded from the snapshot of `generation`. */
  loaded(generation: number): void {
    this.#savedGeneration = generation;
  }

  /** The room was created with its first snapshot, at generation 0. */
  created(now: number): void {
    this.#savedGeneration = 0;
    this.#dueAt = now + SNAPSHOT_INTERVAL_MS;
  }

  /** Whether a snapshot is due by `at` (waiting until then would leave the last one older than
   *  SNAPSHOT_INTERVAL_MS). */
  dueBy(at: number): boolean {
    return at > this.#dueAt;
  }

  save(room: LoadedRoom, now: number): void {
    // Fold in changes not yet broadcast (there are none after a broadcast) and save when the grid
    // or the generation moved since the last snapshot.
    room.store.markTiles(room.engine.changeMap());
    if (!room.store.dirty && room.engine.generation === this.#savedGeneration) return;
    room.store.save(room.engine, now);
    this.#savedGeneration = room.engine.generation;
    // The next save is due at this instance's next phase point, at most SNAPSHOT_INTERVAL_MS
    // away. Each instance draws its phase at random, so rooms that started together (a restart,
    // a script that creates many) do not all save in the same few milliseconds of every interval,
    // which stalled every room's ticks (50 rooms: 100+ ms every 2 s).
    this.#dueAt = nextPhasePoint(now, this.#phase, SNAPSHOT_INTERVAL_MS);
  }
}
