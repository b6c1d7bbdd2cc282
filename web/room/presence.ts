/**
 * Presence: the players in the room (the list in the panel, and their cursors on the board,
 * from PRESENCE frames), this player's own cursor, sent at most every CURSOR_MS, and the name
 * field — the name travels in HELLO, so saving it reconnects and the others see it.
 */
import { type ClientMessage, type PresenceEntry, type ServerMessage, MAX_PLAYER_NAME, sanitizeName } from "../../common/protocol/index.ts";
import { savePlayerName, savedPlayerName } from "../browser-storage.ts";
import { byId, h, replaceChildren } from "../dom.ts";
import { colourCss } from "../palette.ts";
import type { Cursor } from "../render.ts";
import type { RoomSession } from "./session.ts";

/** Cursor positions go out at most this often; the server throttles presence to ~10 Hz too. */
const CURSOR_MS = 100;

export interface PresenceHandlers {
  send(message: ClientMessage): boolean;
  /** Connects again, so the new name goes out in HELLO. */
  reconnect(): void;
}

export class Presence {
  readonly #session: RoomSession;
  readonly #handlers: PresenceHandlers;
  readonly #players = new Map<number, PresenceEntry>();
  readonly #list = new PlayerList();
  #cursorSentAt = 0;
  #cursorTimer: ReturnType<typeof setTimeout> | undefined;
  #cursorCell: { x: number; y: number } | undefined;

  constructor(session: RoomSession, handlers: PresenceHandlers) {
    this.#session = session;
    this.#handlers = handlers;
    const nameInput = byId("player-name", HTMLInputElement);
    nameInput.value = savedPlayerName();
    const saveName = () => {
      const name = sanitizeName(nameInput.value, MAX_PLAYER_NAME);
      nameInput.value = name;
      savePlayerName(name);
      // The name travels in HELLO: reconnect so the others see it.
      this.#handlers.reconnect();
    };
    byId("player-name-save", HTMLButtonElement).addEventListener("click", saveName);
    nameInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") saveName();
    });
  }

  /** WELCOME: the presence that follows is the whole list. */
  clear(): void {
    this.#players.clear();
  }

  update(message: Extract<ServerMessage, { type: "presence" }>): void {
    if (message.full) this.#players.clear();
    for (const id of message.left) this.#players.delete(id);
    for (const player of message.players) this.#players.set(player.id, player);
    this.render();
  }

  render(): void {
    // The server names players who gave no name ("player 3"); show ours as the others see it.
    const { playerId, colour } = this.#session;
    const self = this.#players.get(playerId);
    const name = self?.name ?? sanitizeName(savedPlayerName(), MAX_PLAYER_NAME);
    this.#list.render(this.#players.values(), playerId, name, self?.colour ?? colour);
  }

  /** The other players' cursors that are on the grid. */
  cursors(): Cursor[] {
    const cursors: Cursor[] = [];
    for (const p of this.#players.values()) {
      if (p.id !== this.#session.playerId && p.x >= 0 && p.y >= 0) cursors.push({ id: p.id, name: p.name, colour: colourCss(p.colour), x: p.x, y: p.y });
    }
    return cursors;
  }

  /** This player's cursor moved to `cell` (undefined: off the grid, hidden for the others). */
  sendCursor(cell: { x: number; y: number } | undefined): void {
    this.#cursorCell = cell;
    const wait = this.#cursorSentAt + CURSOR_MS - Date.now();
    if (wait > 0) {
      this.#cursorTimer ??= setTimeout(() => {
        this.#cursorTimer = undefined;
        this.sendCursor(this.#cursorCell);
      }, wait);
      return;
    }
    this.#cursorSentAt = Date.now();
    this.#handlers.send({ type: "cursor", x: cell?.x ?? -1, y: cell?.y ?? -1 });
  }
}

/** The players' list in the panel, this player first; redrawn only when it changed. */
class PlayerList {
  readonly #list = byId("players", HTMLUListElement);
  #signature = "";

  render(players: Iterable<PresenceEntry>, selfId: number, selfName: string, selfColour: number): void {
    const entries = [...players].filter((p) => p.id !== selfId).sort((a, b) => a.id - b.id);
    const signature = JSON.stringify([selfId, selfName, selfColour, entries.map((p) => [p.id, p.name, p.colour])]);
    if (signature === this.#signature) return;
    this.#signature = signature;
    const item = (name: string, colour: number, you: boolean) =>
      h(
        "li",
        {},
        swatch(colour),
        h("span", { class: "player-name" }, name || "anonymous"),
        you ? h("span", { class: "you" }, "(you)") : null,
      );
    replaceChildren(this.#list, item(selfName, selfColour, true), ...entries.map((p) => item(p.name, p.colour, false)));
  }
}

function swatch(colour: number): HTMLSpanElement {
  const element = h("span", { class: "swatch", "aria-hidden": "true" });
  element.style.background = colourCss(colour);
  return element;
}
