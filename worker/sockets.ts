/**
 * The room's sockets (hibernation API): each one's session, rebuilt from its attachment when the
 * object wakes from hibernation; which are open and which are players; finding a player's sockets
 * by id, sending to all players, and closing (at once, or after too many offences).
 */
import { CloseCode, encodeServerMessage, type ErrorCodeId, type ServerMessage } from "../common/protocol/index.ts";
import { MAX_BAD_FRAMES, MAX_POLICY_STRIKES } from "./limits.ts";
import { PlayerSession, closeSocket, isAttachment, newAttachment, playerTag, send } from "./session.ts";

export class RoomSockets {
  readonly #ctx: DurableObjectState;
  readonly #onClosed: (ws: WebSocket) => void;
  readonly #sessions = new Map<WebSocket, PlayerSession>();
  readonly #dropped = new WeakSet<WebSocket>();
  /** The open sockets and players, listed once for the whole of an alarm: the alarm runs without
   *  a pause from its first look at them to its last, and with hundreds of sockets listing them
   *  (a runtime call per socket) at every step of a tick cost more than the step. */
  #listed: { open: WebSocket[]; players: PlayerSession[] | null } | null = null;

  /** `onClosed` is the room's cleanup for a socket it closes, as when the client closes it. */
  constructor(ctx: DurableObjectState, onClosed: (ws: WebSocket) => void) {
    this.#ctx = ctx;
    this.#onClosed = onClosed;
  }

  /** Accepts a new socket as a player that has not said HELLO yet. */
  accept(server: WebSocket, address: string): PlayerSession {
    const playerId = this.#newPlayerId();
    const att = newAttachment(playerId, address);
    this.#ctx.acceptWebSocket(server, [playerTag(playerId)]);
    server.serializeAttachment(att);
    const session = new PlayerSession(server, att, 0);
    this.#sessions.set(server, session);
    return session;
  }

  /** Open sockets, optionally without one that is closing. */
  open(except?: WebSocket): WebSocket[] {
    if (except === undefined && this.#listed) return this.#listed.open;
    return this.#ctx.getWebSockets().filter((ws) => ws !== except && ws.readyState === WebSocket.OPEN);
  }

  /** The session of a socket, rebuilt from its attachment after hibernation. */
  sessionOf(ws: WebSocket): PlayerSession | null {
    let session = this.#sessions.get(ws);
    if (session) return session;
    const att: unknown = ws.deserializeAttachment();
    if (!isAttachment(att)) return null;
    // Woken from hibernation: what the client has counted so far is unknown until it says.
    session = new PlayerSession(ws, att, null);
    this.#sessions.set(ws, session);
    return session;
  }

  /** Every open socket that said HELLO. */
  players(): PlayerSession[] {
    if (this.#listed) return (this.#listed.players ??= this.#listPlayers());
    return this.#listPlayers();
  }

  /** Lists the sockets once, until release(): for an alarm (see #listed). */
  hold(): void {
    this.#listed = { open: this.open(), players: null };
  }

  release(): void {
    this.#listed = null;
  }

  /** Whether the socket was dropped: frames that arrive after the room closed it are not read. */
  dropped(ws: WebSocket): boolean {
    return this.#dropped.has(ws);
  }

  /** Forgets a socket that closed (call once: see dropped()); returns the session it had. */
  drop(ws: WebSocket): PlayerSession | null {
    this.#dropped.add(ws);
    const session = this.#sessions.get(ws) ?? this.sessionOf(ws);
    this.#sessions.delete(ws);
    return session;
  }

  /** Closes a socket with a code and a short reason, and cleans up after it at once. */
  close(ws: WebSocket, code: number, reason: string): void {
    closeSocket(ws, code, reason);
    this.#onClosed(ws);
  }

  /** Closes every open socket and forgets every session: the room is gone. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.open()) this.close(ws, code, reason);
    this.#sessions.clear();
  }

  /** An undecodable frame: an error frame, and the socket closes after MAX_BAD_FRAMES of them. */
  badFrame(session: PlayerSession, code: ErrorCodeId, reason: string): void {
    session.badFrames++;
    if (session.badFrames > MAX_BAD_FRAMES) return this.close(session.ws, CloseCode.UNSUPPORTED, "too many bad frames");
    session.error(0, code, reason);
  }

  /** A refused request (rate limit, permission): an error frame, and 1008 after MAX_POLICY_STRIKES. */
  strike(session: PlayerSession, seq: number, code: ErrorCodeId, reason: string): void {
    session.strikes++;
    if (session.strikes > MAX_POLICY_STRIKES) return this.close(session.ws, CloseCode.POLICY, "too many refused requests");
    session.error(seq, code, reason);
  }

  /** Sends a message to every socket of a player. */
  tell(playerId: number, message: ServerMessage): void {
    for (const ws of this.#ctx.getWebSockets(playerTag(playerId))) send(ws, message);
  }

  /** Sends a message to every player, encoded once. */
  broadcast(message: ServerMessage): void {
    const bytes = encodeServerMessage(message);
    for (const session of this.players()) session.send(bytes);
  }

  #listPlayers(): PlayerSession[] {
    const out: PlayerSession[] = [];
    for (const ws of this.open()) {
      const session = this.sessionOf(ws);
      if (session?.att.hello) out.push(session);
    }
    return out;
  }

  /** A player id no open socket uses: random rather than counted, so a connection costs no
   *  storage write (ids only need to be unique among the sockets of this room). */
  #newPlayerId(): number {
    for (;;) {
      const id = crypto.getRandomValues(new Uint32Array(1))[0];
      if (id !== 0 && this.#ctx.getWebSockets(playerTag(id)).length === 0) return id;
    }
  }
}
