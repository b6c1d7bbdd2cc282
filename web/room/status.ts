/**
 * The room's header and numbers: its name (also the tab's title), the line describing its
 * settings, the stats line (generation, population, rate, players) and the population graph.
 */
import type { RoomSettings, ServerMessage } from "../../common/protocol/index.ts";
import { formatRule } from "../../common/rules.ts";
import { byId, formatCount, formatSize, setText } from "../dom.ts";
import { PopulationGraph } from "../population-graph.ts";
import { describeRule } from "../rule-editor.ts";
import { describeTickRate } from "../speed.ts";

type Stats = Extract<ServerMessage, { type: "stats" }>;

/** Generations per second are measured over this window of the page's own clock. */
const RATE_WINDOW_MS = 3000;
/** Below this share of the asked-for rate, for a whole window, the room says it is slower. */
const SLOW_SHARE = 0.8;

/**
 * Generations per second as this page sees them arrive: the generation numbers of STATS over the
 * last RATE_WINDOW_MS of the page's clock. A rate measured between two messages a quarter second
 * apart, on the server's clock, swings with every late tick (a 16384² room asked for 10 ticks/s
 * showed 10.0 while its counter moved 5.7 a second).
 */
export class MeasuredRate {
  readonly #samples: Array<{ at: number; generation: number }> = [];

  /** Adds a sample; returns the rate over the window, or null until the window has 1 s in it. */
  add(at: number, generation: number): number | null {
    const s = this.#samples;
    if (s.length > 0 && generation < s[s.length - 1].generation) s.length = 0; // cleared or reloaded
    s.push({ at, generation });
    while (s.length > 2 && at - s[1].at >= RATE_WINDOW_MS) s.shift();
    const span = at - s[0].at;
    return span >= 1000 ? ((generation - s[0].generation) * 1000) / span : null;
  }

  reset(): void {
    this.#samples.length = 0;
  }
}

export class RoomStatus {
  readonly #graph = new PopulationGraph(byId("graph", HTMLCanvasElement));
  /** The latest generation the page heard of (frames and stats). */
  generation = 0;
  /** The generation to resume from on reconnecting (HELLO); null until the first one arrives. */
  lastGeneration: number | null = null;
  population = 0;
  generationsPerSecond = 0;
  playerCount = 0;
  readonly #rate = new MeasuredRate();
  #slow = false;
  /** Generations per second the settings ask for; 0 while paused. */
  #asked = 0;

  showName(name: string): void {
    // textContent and document.title take the name as text: markup in a name stays characters.
    setText(byId("room-name", HTMLHeadingElement), name || "Untitled room");
    document.title = `${name || "Room"} · edgelife`;
  }

  /** The line under the name: size, rule, topology, speed, and what is switched off. */
  showSettings(s: RoomSettings): void {
    const speed = `${describeTickRate(s.tickMs)}${s.generationsPerTick > 1 ? ` × ${s.generationsPerTick}` : ""}`;
    this.#asked = s.running ? (s.generationsPerTick * 1000) / s.tickMs : 0;
    const parts = [formatSize(s.width, s.height), describeRule(formatRule(s.rule)), s.topology, speed];
    if (!s.running) parts.push("paused");
    if (s.locked) parts.push("editing locked");
    if (s.private) parts.push("private");
    setText(byId("room-meta", HTMLSpanElement), parts.join(" · "));
  }

  setGeneration(generation: number): void {
    this.generation = generation;
    this.lastGeneration = generation;
    this.#showStats();
  }

  stats(message: Stats, now = performance.now()): void {
    this.population = message.population;
    if (!message.running || message.still) {
      this.#rate.reset();
      this.generationsPerSecond = 0;
    } else this.generationsPerSecond = this.#rate.add(now, message.generation) ?? message.generationsPerSecond;
    this.#slow = message.running && !message.still && this.#asked > 0 && this.generationsPerSecond < this.#asked * SLOW_SHARE;
    this.playerCount = message.players;
    this.setGeneration(message.generation);
    this.#graph.add(message.generation, message.population);
  }

  #showStats(): void {
    setText(byId("stat-generation", HTMLElement), formatCount(this.generation));
    setText(byId("stat-population", HTMLElement), formatCount(this.population));
    const rate = byId("stat-rate", HTMLElement);
    const measured = this.generationsPerSecond >= 100 ? formatCount(Math.round(this.generationsPerSecond)) : this.generationsPerSecond.toFixed(1);
    const asked = this.#asked >= 100 ? formatCount(Math.round(this.#asked)) : Number(this.#asked.toFixed(1)).toString();
    // A room that cannot keep the pace it was asked for says so, with both figures.
    setText(rate, this.#slow ? `${measured} of ${asked}` : measured);
    rate.title = this.#slow ? `Slower than asked: ${measured} generations per second of ${asked}; the room cannot keep its cadence` : "Generations per second, measured";
    rate.classList.toggle("slow", this.#slow);
    setText(byId("stat-players", HTMLElement), formatCount(this.playerCount));
  }
}
