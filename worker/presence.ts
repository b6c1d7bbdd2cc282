/**
 * Presence: players' cursors and names, sent to every player at most every PRESENCE_INTERVAL_MS,
 * and only what changed (who moved or joined, who left). A cursor reaches the socket's attachment
 * when it is sent, so at most at that rate.
 */
import { encodeServerMessage, type PresenceEntry, type ServerMessage } from "../common/protocol/index.ts";
import { PRESENCE_INTERVAL_MS } from "./limits.ts";
import type { PlayerSession } from "./session.ts";

export class Presence {
  readonly #players: () => PlayerSession[];
  readonly #dirty = new Set<number>();
  #left: number[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastAt = 0;

  /** `players` lists every player of the room (open sockets that said HELLO). */
  constructor(players: () => PlayerSession[]) {
    this.#players = players;
  }

  /** A player joined, moved its cursor or changed its name. */
  changed(playerId: number): void {
    this.#dirty.add(playerId);
    this.#schedule();
  }

  left(playerId: number): void {
    this.#dirty.delete(playerId);
    this.#left.push(playerId);
    this.#schedule();
  }

  /** The full list, for a player that just said HELLO. */
  everyone(): ServerMessage {
    return { type: "presence", full: true, players: this.#players().map(presenceEntry), left: [] };
  }

  /** The room is gone: nothing more is sent. */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#timer) return;
    const delay = Math.max(0, this.#lastAt + PRESENCE_INTERVAL_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#flush();
    }, delay);
  }

  #flush(): void {
    this.#lastAt = Date.now();
    const players = this.#players();
    const changed = players.filter((session) => this.#dirty.has(session.att.playerId));
    for (const session of changed) session.save(); // cursors reach the attachment at ≤ 10 Hz
    const message: ServerMessage = { type: "presence", full: false, players: changed.map(presenceEntry), left: this.#left };
    this.#dirty.clear();
    this.#left = [];
    if (message.players.length === 0 && message.left.length === 0) return;
    const bytes = encodeServerMessage(message);
    for (const session of players) session.send(bytes);
  }
}

function presenceEntry(session: PlayerSession): PresenceEntry {
  const { playerId, colour, cursor, name } = session.att;
  return { id: playerId, colour, x: cursor[0], y: cursor[1], name };
}
