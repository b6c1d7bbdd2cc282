/**
 * The STATS message every player gets: where the grid stands, how fast it moves and who plays.
 * A ticking room sends it at most every STATS_INTERVAL_MS (and when the grid goes still).
 */
import type { Engine } from "../common/engine.ts";
import type { ServerMessage } from "../common/protocol/index.ts";
import { STATS_INTERVAL_MS } from "./limits.ts";

export class RoomStats {
  #lastAt = 0;
  /** Generations per second, measured between two STATS messages. */
  readonly #rate = { at: 0, generation: 0, perSecond: 0 };

  /** Whether STATS_INTERVAL_MS has passed since the last message. */
  due(now: number): boolean {
    return now - this.#lastAt >= STATS_INTERVAL_MS;
  }

  message(now: number, engine: Engine, running: boolean, still: boolean, players: number): ServerMessage {
    const generation = engine.generation;
    const r = this.#rate;
    if (r.at > 0 && now > r.at) r.perSecond = ((generation - r.generation) * 1000) / (now - r.at);
    if (still || !running) r.perSecond = 0;
    r.at = now;
    r.generation = generation;
    this.#lastAt = now;
    return { type: "stats", generation, population: engine.population(), generationsPerSecond: r.perSecond, players, running, still };
  }
}
