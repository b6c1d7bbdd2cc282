/**
 * The room's header and numbers: its name (also the tab's title), the line describing its
 * settings, the stats line (generation, population, rate, players) and the population graph.
 */
import type { RoomSettings, ServerMessage } from "../../common/protocol/index.ts";
import { formatRule } from "../../common/rules.ts";
import { byId, formatCount, formatSize, setText } from "../dom.ts";
import { PopulationGraph } from "../population-graph.ts";
import { describeRule } from "../rule-editor.ts";

type Stats = Extract<ServerMessage, { type: "stats" }>;

export class RoomStatus {
  readonly #graph = new PopulationGraph(byId("graph", HTMLCanvasElement));
  /** The latest generation the page heard of (frames and stats). */
  generation = 0;
  /** The generation to resume from on reconnecting (HELLO); null until the first one arrives. */
  lastGeneration: number | null = null;
  population = 0;
  generationsPerSecond = 0;
  playerCount = 0;

  showName(name: string): void {
    // textContent and document.title take the name as text: markup in a name stays characters.
    setText(byId("room-name", HTMLHeadingElement), name || "Untitled room");
    document.title = `${name || "Room"} · edgelife`;
  }

  /** The line under the name: size, rule, topology, speed, and what is switched off. */
  showSettings(s: RoomSettings): void {
    const tps = 1000 / s.tickMs;
    const speed = `${tps >= 10 ? Math.round(tps) : Number(tps.toFixed(1))} ticks/s${s.generationsPerTick > 1 ? ` × ${s.generationsPerTick}` : ""}`;
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

  stats(message: Stats): void {
    this.population = message.population;
    this.generationsPerSecond = message.generationsPerSecond;
    this.playerCount = message.players;
    this.setGeneration(message.generation);
    this.#graph.add(message.generation, message.population);
  }

  #showStats(): void {
    setText(byId("stat-generation", HTMLElement), formatCount(this.generation));
    setText(byId("stat-population", HTMLElement), formatCount(this.population));
    setText(byId("stat-rate", HTMLElement), this.generationsPerSecond >= 100 ? formatCount(Math.round(this.generationsPerSecond)) : this.generationsPerSecond.toFixed(1));
    setText(byId("stat-players", HTMLElement), formatCount(this.playerCount));
  }
}
