/**
 * GameRoom: one Durable Object per room. It owns the engine, the room's settings, its players'
 * sockets and its snapshots. This file is its lifecycle — loading, the HTTP API's RPC methods, the
 * socket handlers and the alarm — and hands each concern to a collaborator named for it:
 *
 *   room-record.ts      the stored settings, loading the engine, what the room shows of itself
 *   sockets.ts          the open sockets and their sessions (session.ts: attachment, flow control)
 *   view-feed.ts        keyframes, deltas and STEP frames to each player's view
 *   edit.ts             an edit, checked against the grid
 *   edit-queue.ts       edits waiting for their tick, answered once saved (and an edit's path)
 *   control.ts          the owner's actions         pattern-export.ts  the grid as RLE
 *   tick-clock.ts       the cadence and the alarm   snapshot-schedule.ts  when the grid is saved
 *   presence.ts         cursors and names           stats.ts  the STATS message
 *   lobby-report.ts     when the lobby hears of it  outcome.ts  RPC answers and named failures
 *
 * It is a little longer than ~500 lines on purpose: what a player's frame does (#onMessage) stays
 * beside the changes it makes and the tick, so that every change to the grid can be followed from
 * its message to its broadcast and its save in one file.
 *
 * Lifecycle: the engine is created lazily, under blockConcurrencyWhile, from the stored settings
 * and the newest good snapshot; after that every handler is small and synchronous where it
 * touches the grid, so no two handlers ever interleave around a half-applied change.
 *
 * Ticks run on alarms only (an alarm handler is at-least-once, see alarm()), and only while
 * someone watches and the grid still changes (or an edit waits): an idle room has no alarm, no
 * timers and hibernatable sockets, so it costs nothing and can be evicted. Everything a socket
 * needs after hibernation (player id, name, colour, owner flag, viewport) lives in its attachment;
 * in-memory state is only a cache of it plus allowances and flow-control counters.
 *
 * Durability: an edit or control request is acknowledged only after the snapshot that contains
 * it is written (and the runtime's output gate holds the acknowledgement until that write is
 * durable). While running, the grid is saved at least every SNAPSHOT_INTERVAL_MS.
 */
import { DurableObject } from "cloudflare:workers";
import type { StepCapture } from "../common/lockstep/broadcast.ts";
import type { StampMode } from "../common/engine.ts";
import {
  CloseCode,
  ErrorCode,
  MAX_CLIENT_FRAME_BYTES,
  decodeClientFrame,
  type ClientMessage,
  type ControlAction,
  type RoomInfo,
  type ServerMessage,
} from "../common/protocol/index.ts";
import { checkControl, runControl } from "./control.ts";
import { applyEdit, prepareCells, prepareStamp, type QueuedEdit } from "./edit.ts";
import { UndoHistory } from "./undo.ts";
import { EditQueue, type EditOrigin, type StampResult } from "./edit-queue.ts";
import { lobbyStub, type Env } from "./env.ts";
import {
  ADDRESS_EDITS_PER_SECOND,
  ADDRESS_EDIT_BURST,
  EDITS_PER_SECOND,
  EDIT_BURST,
  MAX_TRACKED_ADDRESSES,
  ROOM_REQUESTS_PER_SECOND,
  SOCKET_OPENS_PER_SECOND,
  SOCKET_OPEN_BURST,
  VIEWS_PER_SECOND,
  VIEW_BURST,
  connectionCap,
} from "./limits.ts";
import { LobbyReport } from "./lobby-report.ts";
import { editingLocked, roomNotFound, tokenMissing, tokenWrong, tooManyRequests, type Outcome } from "./outcome.ts";
import { exportPattern, type Rect } from "./pattern-export.ts";
import { defaultPlayerName } from "./player-names.ts";
import { Presence } from "./presence.ts";
import { AddressLimiter, take } from "./ratelimit.ts";
import { clientAddress } from "./request.ts";
import { createRoom, loadRoom, roomInfo, saveLastActive, saveRoom, type LoadedRoom, type RoomInit } from "./room-record.ts";
import { closeSocket, playerTag, type PlayerSession } from "./session.ts";
import { SnapshotSchedule } from "./snapshot-schedule.ts";
import { RoomSockets } from "./sockets.ts";
import { RoomStats } from "./stats.ts";
import { TickClock } from "./tick-clock.ts";
import { tokenMatches } from "./tokens.ts";
import { ViewFeed } from "./view-feed.ts";

export class GameRoom extends DurableObject<Env> {
  #room: LoadedRoom | null = null;
  #loading: Promise<void> | null = null;
  readonly #sockets = new RoomSockets(this.ctx, (ws) => this.#drop(ws));
  readonly #feed = new ViewFeed(this.#sockets);
  readonly #edits = new EditQueue(
    (player, message) => this.#sockets.tell(player, message),
    () => this.#room?.settings.tickMs ?? 0,
  );
  readonly #clock = new TickClock(this.ctx.storage);
  readonly #presence = new Presence(() => this.#sockets.players());
  /** Each player's undo and redo history, in storage (it must outlive hibernation). */
  readonly #undo = new UndoHistory(this.ctx.storage.sql);
  readonly #lobby = new LobbyReport(() => this.#publish());
  readonly #http = new AddressLimiter(ROOM_REQUESTS_PER_SECOND, ROOM_REQUESTS_PER_SECOND * 2, MAX_TRACKED_ADDRESSES);
  readonly #socketOpens = new AddressLimiter(SOCKET_OPENS_PER_SECOND, SOCKET_OPEN_BURST, MAX_TRACKED_ADDRESSES);
  readonly #editsByAddress = new AddressLimiter(ADDRESS_EDITS_PER_SECOND, ADDRESS_EDIT_BURST, MAX_TRACKED_ADDRESSES);
  readonly #snapshots = new SnapshotSchedule();
  readonly #stats = new RoomStats();
  /** The last change changed no cell (and applied no edit): ticking stops until one does. */
  #still = false;

  // -------------------------------------------------------------------------------------------
  // Loading

  /** Loads the room once; false when this object holds no room (never created, or deleted). */
  async #ready(): Promise<boolean> {
    if (this.#room) return true;
    if (!this.#loading) {
      let failure: unknown = null;
      this.#loading = this.ctx.blockConcurrencyWhile(async () => {
        try {
          const room = await loadRoom(this.ctx.storage.sql);
          if (room) {
            this.#snapshots.loaded(room.engine.generation);
            this.#undo.prune((player) => this.ctx.getWebSockets(playerTag(player)).length > 0);
            this.#room = room;
          }
        } catch (e) {
          failure = e;
        }
      });
      await this.#loading;
      this.#loading = null;
      // Thrown outside blockConcurrencyWhile: a throw inside it would reset the whole object.
      if (failure !== null) throw failure;
      // After a restart the lobby may still show players from before it: tell it the truth.
      if (this.#room) this.#lobby.soon(Date.now());
    } else {
      await this.#loading;
    }
    return this.#room !== null;
  }

  // -------------------------------------------------------------------------------------------
  // RPC from the worker (HTTP API)

  /** Creates the room; null when this object already holds one. */
  async create(init: RoomInit): Promise<RoomInfo | null> {
    if (await this.#ready()) return null;
    const now = Date.now();
    const room = await createRoom(this.ctx.storage.sql, init, now);
    this.#snapshots.created(now);
    this.#room = room;
    const info = this.#info();
    this.#lobby.sentAt(now);
    await lobbyStub(this.env).report(info);
    return info;
  }

  async info(address: string): Promise<Outcome<RoomInfo>> {
    if (!this.#http.allow(address)) return tooManyRequests();
    if (!(await this.#ready())) return roomNotFound();
    this.#observe(Date.now());
    return { ok: true, value: this.#info() };
  }

  /** RLE of the whole grid, or of a rectangle of it. */
  async exportPattern(address: string, rect: Rect | null): Promise<Outcome<string>> {
    if (!this.#http.allow(address)) return tooManyRequests();
    if (!(await this.#ready()) || !this.#room) return roomNotFound();
    this.#observe(Date.now());
    return exportPattern(this.#room.engine, this.#room.settings, rect);
  }

  /** Stamps a pattern: at once while paused, at the next tick while running; answers once saved. */
  async stampPattern(address: string, token: string | null, text: string, x: number, y: number, mode: StampMode): Promise<Outcome<StampResult>> {
    if (!this.#http.allow(address)) return tooManyRequests();
    if (!(await this.#ready()) || !this.#room) return roomNotFound();
    if (this.#room.settings.locked) {
      if (token === null || !(await tokenMatches(token, this.#room.ownerHash))) return editingLocked();
    }
    const edit = prepareStamp(this.#room.engine, this.#room.settings, text, x, y, mode);
    if (!edit.ok) return edit;
    this.#observe(Date.now());
    const submitted = this.#submit(edit.value, { player: 0, seq: 0 }, Date.now());
    if (!submitted.ok) return submitted;
    if (submitted.value === null) return { ok: true, value: this.#stampResult() };
    return this.#edits.answer(submitted.value);
  }

  async control(address: string, token: string | null, action: ControlAction): Promise<Outcome<RoomInfo>> {
    if (!this.#http.allow(address)) return tooManyRequests();
    if (!(await this.#ready()) || !this.#room) return roomNotFound();
    if (token === null) return tokenMissing();
    if (!(await tokenMatches(token, this.#room.ownerHash))) return tokenWrong();
    this.#observe(Date.now());
    const done = this.#control(action, Date.now());
    if (!done.ok) return done;
    await this.#lobby.settled(); // e.g. a room made private is off the lobby's list when this answers
    return { ok: true, value: this.#info() };
  }

  /** Deletes the room and all its storage. */
  async destroy(address: string, token: string | null): Promise<Outcome<null>> {
    if (!this.#http.allow(address)) return tooManyRequests();
    if (!(await this.#ready()) || !this.#room) return roomNotFound();
    if (token === null) return tokenMissing();
    if (!(await tokenMatches(token, this.#room.ownerHash))) return tokenWrong();
    const id = this.#room.id;
    await this.#erase("room deleted");
    await lobbyStub(this.env).remove(id);
    return { ok: true, value: null };
  }

  /** Edits waiting for the next tick boundary (for monitoring and tests; they live in memory). */
  pendingEditCount(): number {
    return this.#edits.length;
  }

  /** When the next tick is due, or null when the room is not ticking (for monitoring and tests). */
  nextTickDue(): number | null {
    return this.#clock.nextTickDue();
  }

  /** The lobby's expiry sweep: deletes the room when nobody is in it and it was idle since `before`. */
  async expire(before: number): Promise<boolean> {
    if (!(await this.#ready()) || !this.#room) return true;
    if (this.#sockets.open().length > 0 || this.#room.lastActive >= before) return false;
    await this.#erase("room expired");
    return true;
  }

  async #erase(reason: string): Promise<void> {
    // Forget the room first, so closing its sockets saves and schedules nothing.
    this.#room = null;
    this.#clock.forget();
    this.#sockets.closeAll(CloseCode.ROOM_NOT_FOUND, reason);
    this.#edits.abandon();
    this.#presence.stop();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#undo.reset();
  }

  // -------------------------------------------------------------------------------------------
  // WebSockets (hibernation API)

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: "expected a WebSocket upgrade" }, { status: 426 });
    }
    const exists = await this.#ready();
    const [client, server] = Object.values(new WebSocketPair());
    const refusal = !exists
      ? { code: CloseCode.ROOM_NOT_FOUND, reason: "room not found" }
      : this.#sockets.open().length >= connectionCap(this.env.ROOM_CONNECTION_CAP)
        ? { code: CloseCode.TRY_AGAIN, reason: "room full" }
        : !this.#socketOpens.allow(clientAddress(request))
          ? { code: CloseCode.TRY_AGAIN, reason: "too many connections; try again later" }
          : null;
    if (refusal) {
      // Accept and close at once: a browser sees the close code, never an HTTP status.
      server.accept();
      server.close(refusal.code, refusal.reason);
      return new Response(null, { status: 101, webSocket: client });
    }
    // A newcomer sees the room where its clock says it is, not where it stopped.
    this.#observe(Date.now());
    this.#sockets.accept(server, clientAddress(request));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Frames that arrive after the room closed a socket (a flood does not stop at the close
    // frame) are dropped unread.
    if (this.#sockets.dropped(ws) || ws.readyState !== WebSocket.OPEN) return;
    const session = this.#sockets.sessionOf(ws);
    if (!session) return this.#sockets.close(ws, CloseCode.INTERNAL, "session lost");
    // Sizes first: a string's length in UTF-16 units is at most its length in UTF-8 bytes.
    const size = typeof message === "string" ? message.length : message.byteLength;
    if (size > MAX_CLIENT_FRAME_BYTES) return this.#sockets.close(ws, CloseCode.TOO_BIG, "frame too large");
    if (this.#feed.closeIfStalled(session, Date.now())) return;
    if (typeof message === "string") return this.#sockets.badFrame(session, ErrorCode.BAD_FRAME, "text frames are not accepted");
    const decoded = decodeClientFrame(message);
    if (!decoded.ok) return this.#sockets.badFrame(session, decoded.error.code, decoded.error.reason);
    // A loaded room handles the frame synchronously, up to its first real await.
    if (!this.#room && !(await this.#ready())) return this.#sockets.close(ws, CloseCode.ROOM_NOT_FOUND, "room not found");
    try {
      await this.#onMessage(session, decoded.value, Date.now());
    } catch (e) {
      // The room's state is untouched by a throw before a change, and changes do not throw;
      // the client gets a code, the log gets the detail, nobody gets a stack.
      console.error("message failed:", String(e));
      session.send({ type: "error", code: ErrorCode.INTERNAL, seq: seqOf(decoded.value), reason: "internal error" });
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Reply to the close handshake; harmless when the runtime already did.
    closeSocket(ws, code === 1005 || code === 1006 || code === 1015 ? 1000 : code, "closing");
    this.#drop(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#drop(ws);
  }

  async #onMessage(session: PlayerSession, m: ClientMessage, now: number): Promise<void> {
    const room = this.#room;
    if (!room) return;
    if (m.type === "hello") return this.#hello(session, room, m, now);
    if (!session.att.hello) return this.#sockets.badFrame(session, ErrorCode.NOT_READY, "send HELLO first");
    switch (m.type) {
      case "viewport":
      case "resync": {
        if (!take(session.views, VIEWS_PER_SECOND, VIEW_BURST, now)) return this.#sockets.strike(session, 0, ErrorCode.RATE_LIMITED, "too many viewport changes");
        if (m.type === "viewport") {
          session.att.view = { x: m.x, y: m.y, width: m.width, height: m.height, scale: m.scale };
          session.save();
        }
        // A socket that is behind gets its keyframe (of the newest viewport) when it catches up:
        // a client that asks for keyframes but reads none must not make the room queue them.
        if (!session.behind) this.#feed.keyframe(session, room.engine);
        return;
      }
      case "cursor": {
        const inside = m.x >= 0 && m.y >= 0 && m.x < room.engine.width && m.y < room.engine.height;
        session.att.cursor = inside ? [m.x, m.y] : [-1, -1];
        this.#presence.changed(session.att.playerId);
        return;
      }
      case "received":
        if (!this.#feed.received(session, m.frames, room.engine)) this.#sockets.badFrame(session, ErrorCode.BAD_FRAME, "RECEIVED counts more frames than were sent");
        return;
      case "setCells":
      case "stamp":
        return this.#edit(session, room, m, now);
      case "undo":
      case "redo":
        return this.#undoOrRedo(session, room, m, now);
      case "control": {
        if (!session.att.owner) return this.#sockets.strike(session, m.seq, ErrorCode.NOT_OWNER, "only the owner may control the room");
        if (!take(session.edits, EDITS_PER_SECOND, EDIT_BURST, now)) return this.#sockets.strike(session, m.seq, ErrorCode.RATE_LIMITED, "too many requests; slow down");
        const done = this.#control(m.control, now);
        if (!done.ok) return session.error(m.seq, done.code, done.error);
        session.send({ type: "ack", seq: m.seq, generation: room.engine.generation });
        return;
      }
    }
  }

  async #hello(session: PlayerSession, room: LoadedRoom, m: ClientMessage & { type: "hello" }, now: number): Promise<void> {
    let owner = false;
    if (m.token !== null) {
      owner = await tokenMatches(m.token, room.ownerHash);
      if (!owner) session.error(0, ErrorCode.NOT_OWNER, "wrong owner token; joined as a player");
    }
    const att = session.att;
    const joined = !att.hello;
    // A repeated HELLO costs a keyframe and a full presence list, like a RESYNC: same allowance.
    if (!joined && !take(session.views, VIEWS_PER_SECOND, VIEW_BURST, now)) return this.#sockets.strike(session, 0, ErrorCode.RATE_LIMITED, "too many HELLOs");
    att.hello = true;
    att.owner = owner;
    att.name = m.name || defaultPlayerName(att.playerId);
    att.predict = m.predict === true;
    session.save();
    session.send({ type: "welcome", playerId: att.playerId, colour: att.colour, owner, generation: room.engine.generation, settings: room.settings });
    session.send(this.#presence.everyone());
    if (!session.behind) this.#feed.keyframe(session, room.engine);
    session.send(this.#statsMessage(now));
    this.#presence.changed(att.playerId);
    if (joined) {
      room.lastActive = now;
      this.#lobby.soon(now);
      this.#arm(now); // a room that stopped for lack of viewers resumes
    }
  }

  #drop(ws: WebSocket): void {
    // A socket the room closed is dropped then, and again when its close handshake completes.
    if (this.#sockets.dropped(ws)) return;
    const session = this.#sockets.drop(ws);
    this.#feed.forget(ws);
    if (!this.#room) return;
    const now = Date.now();
    if (session) this.#undo.forget(session.att.playerId);
    if (session?.att.hello) {
      this.#presence.left(session.att.playerId);
      this.#lobby.soon(now);
    }
    if (this.#sockets.open(ws).length === 0) {
      // The last viewer left: ticking stops, so save what it produced now.
      this.#snapshot(now);
    }
    this.#arm(now);
  }

  // -------------------------------------------------------------------------------------------
  // Edits and control (the whole path of an edit: edit-queue.ts)

  /** A player's SET_CELLS or STAMP: rights, allowances, the grid's bounds, then #submit. */
  #edit(session: PlayerSession, room: LoadedRoom, m: ClientMessage & { type: "setCells" | "stamp" }, now: number): void {
    const player = session.att.playerId;
    // Before any refusal: a refused edit ends the stroke it was part of, for undo.
    const continues = this.#undo.continues(player, m.continues === true);
    if (room.settings.locked && !session.att.owner) return this.#sockets.strike(session, m.seq, ErrorCode.LOCKED, "editing is locked by the owner");
    if (!take(session.edits, EDITS_PER_SECOND, EDIT_BURST, now)) return this.#sockets.strike(session, m.seq, ErrorCode.RATE_LIMITED, "too many edits; slow down");
    // Not a strike: the address's allowance may have gone to other people behind it.
    if (!this.#editsByAddress.allow(session.att.address ?? "", now)) return session.error(m.seq, ErrorCode.RATE_LIMITED, "too many edits from your network; slow down");
    const edit = m.type === "stamp" ? prepareStamp(room.engine, room.settings, m.pattern, m.x, m.y, m.mode) : prepareCells(room.engine, m.cells, m.alive);
    if (!edit.ok) return session.error(m.seq, edit.code, edit.error);
    const submitted = this.#submit({ ...edit.value, continues }, { player, seq: m.seq }, now);
    if (!submitted.ok) return session.error(m.seq, submitted.code, submitted.error);
    this.#undo.accepted(player);
    // Applied and saved at once (paused): acknowledged now. Queued: its tick acknowledges it.
    if (submitted.value === null) session.send({ type: "ack", seq: m.seq, generation: room.engine.generation });
  }

  /**
   * Applies an edit at once while paused (returning null: done and saved), or queues it for the
   * next tick boundary while running (returning its queue id).
   */
  #submit(edit: QueuedEdit, origin: EditOrigin, now: number): Outcome<number | null> {
    const room = this.#room!;
    room.lastActive = now;
    if (room.settings.running) {
      const queued = this.#edits.add(edit, origin);
      if (queued.ok) this.#arm(now);
      return queued;
    }
    const done = this.#applyQueued(edit, origin.player);
    if (!done.ok) return done;
    this.#still = false;
    this.#afterChange(now);
    return { ok: true, value: null };
  }

  /** Applies an edit, or resolves an undo or redo, for `player` (0: HTTP, which keeps no history).
   *  An edit is first recorded, so that its player can undo it; an undo may find nothing to undo. */
  readonly #applyQueued = (edit: QueuedEdit, player: number): Outcome<null> => {
    const engine = this.#room!.engine;
    if (edit.kind === "undo") return this.#undo.apply(engine, player, edit.stack);
    this.#undo.record(engine, player, edit, edit.continues === true);
    applyEdit(engine, edit);
    return { ok: true, value: null };
  };

  /** A player's UNDO or REDO: the same rights and allowances as an edit, then through #submit so
   *  that a running room resolves it at the tick boundary like any edit. */
  #undoOrRedo(session: PlayerSession, room: LoadedRoom, m: ClientMessage & { type: "undo" | "redo" }, now: number): void {
    const player = session.att.playerId;
    this.#undo.continues(player, false); // the edit after an undo starts a step of its own
    if (room.settings.locked && !session.att.owner) return this.#sockets.strike(session, m.seq, ErrorCode.LOCKED, "editing is locked by the owner");
    if (!take(session.edits, EDITS_PER_SECOND, EDIT_BURST, now)) return this.#sockets.strike(session, m.seq, ErrorCode.RATE_LIMITED, "too many edits; slow down");
    if (!this.#editsByAddress.allow(session.att.address ?? "", now)) return session.error(m.seq, ErrorCode.RATE_LIMITED, "too many edits from your network; slow down");
    // Said at once when nothing waiting for the tick could give it something to undo.
    if (!this.#edits.holds(player) && !this.#undo.has(player, m.type)) return session.error(m.seq, ErrorCode.NOTHING_TO_UNDO, `nothing to ${m.type}`);
    const submitted = this.#submit({ kind: "undo", stack: m.type }, { player, seq: m.seq }, now);
    if (!submitted.ok) return session.error(m.seq, submitted.code, submitted.error);
    if (submitted.value === null) session.send({ type: "ack", seq: m.seq, generation: room.engine.generation });
  }

  /**
   * Runs an owner's action. Everything is checked before anything changes, so a refused request
   * changes nothing. Edits still waiting for a tick are applied first: they arrived earlier, and
   * a pause must not strand them.
   */
  #control(action: ControlAction, now: number): Outcome<null> {
    const room = this.#room!;
    const { engine, settings } = room;
    const checked = checkControl(action, engine, settings);
    if (!checked.ok) return checked;
    const applied = this.#edits.applyAll(this.#applyQueued);
    const appliedAt = engine.generation;
    const done = runControl(action, checked.value, engine, settings, () => this.#feed.captureStep(engine));
    this.#still = done.still;
    if (done.lobbyAtOnce) this.#lobby.expedite();
    room.lastActive = now;
    if (done.settingsChanged) {
      saveRoom(this.ctx.storage.sql, room);
      this.#sockets.broadcast({ type: "settings", generation: engine.generation, settings });
    }
    this.#afterChange(now, done.capture);
    this.#edits.acknowledge(applied, appliedAt, () => this.#stampResult());
    return { ok: true, value: null };
  }

  /** After an edit or control outside a tick: deltas out, snapshot in, stats, lobby, alarm. */
  #afterChange(now: number, capture: StepCapture | null = null): void {
    this.#broadcastChanges(capture);
    this.#snapshot(now);
    this.#sockets.broadcast(this.#statsMessage(now));
    this.#lobby.soon(now);
    this.#arm(now);
  }

  #stampResult(): StampResult {
    const { engine } = this.#room!;
    return { generation: engine.generation, population: engine.population() };
  }

  // -------------------------------------------------------------------------------------------
  // Ticks (alarms)

  /** Whether the room should keep its tick alarm: running, and someone watching a changing grid,
   *  or an edit waiting for its tick boundary. */
  #wantsTicks(): boolean {
    const room = this.#room;
    if (!room?.settings.running) return false;
    return this.#edits.length > 0 || (!this.#still && this.#sockets.open().length > 0);
  }

  /** Sets the one alarm to the earliest of the next tick and the next lobby report, or clears it. */
  #arm(now: number): void {
    const room = this.#room;
    if (!room) return;
    const ticking = this.#wantsTicks();
    room.clock.track(room.settings.running, ticking, now, room.engine.generation);
    this.#clock.arm(now, ticking, this.#lobby.dueAt(), room.engine.generation);
  }

  /**
   * Someone looks at the room (a socket joins, an HTTP read or edit, an owner's control): a
   * running room that stood idle first catches up to the generation its clock says (see
   * room-clock.ts), and what that changed is broadcast, saved and reported like any change.
   */
  #observe(now: number): void {
    const room = this.#room;
    if (!room) return;
    const before = room.engine.generation;
    const caught = room.clock.catchUp(room.engine, room.settings, this.#still, now);
    this.#still = caught.still;
    if (room.engine.generation !== before) this.#afterChange(now);
  }

  override async alarm(): Promise<void> {
    this.#clock.fired(); // the alarm that fired is spent
    if (!(await this.#ready()) || !this.#room) return;
    const now = Date.now();
    this.#sockets.hold();
    try {
      // At-least-once: the tick armed for generation G runs only while the grid is still at G, so
      // a repeated delivery of an alarm whose tick already ran does not step twice.
      if (this.#wantsTicks() && this.#clock.due(this.#room.engine.generation)) this.#tick(now);
      this.#lobby.onAlarm(now, () => this.#wantsTicks());
      this.#arm(now); // late: the next tick is armed after this one's work, for its boundary
    } catch (e) {
      this.#sockets.release(); // before the await below: other events may run during it
      // Never a wedged room: log, and try again a little later.
      console.error("alarm failed:", String(e));
      // Edits this tick applied but could not save are not acknowledged: their senders hear so
      // and may send them again (setting cells and stamping are idempotent).
      this.#edits.refuseInFlight();
      await this.#clock.retry(now);
    } finally {
      this.#sockets.release();
    }
  }

  #tick(now: number): void {
    const room = this.#room!;
    const { engine, settings } = room;
    const applied = this.#edits.applyForTick(this.#applyQueued);
    const appliedAt = engine.generation;
    const capture = this.#feed.captureStep(engine);
    const changed = engine.step(settings.generationsPerTick);
    this.#still = changed === 0 && applied.length === 0;
    this.#clock.ticked(now, settings.tickMs);
    this.#broadcastChanges(capture);
    const viewers = this.#sockets.open().length;
    // Save when an edit waits for its acknowledgement, when ticking is about to stop, or when
    // waiting for the next tick would leave the last snapshot older than SNAPSHOT_INTERVAL_MS.
    if (applied.length > 0 || this.#still || viewers === 0 || this.#snapshots.dueBy(now + settings.tickMs)) {
      this.#snapshot(now);
    }
    this.#edits.acknowledge(applied, appliedAt, () => this.#stampResult());
    if (this.#still || this.#stats.due(now)) this.#sockets.broadcast(this.#statsMessage(now));
    if (viewers > 0) room.lastActive = now;
    this.#lobby.refresh();
  }

  /** Sends every player what changed since the last call, then forgets the changes (see
   *  ViewFeed.broadcast; `capture` is taken just before a step). */
  #broadcastChanges(capture: StepCapture | null = null): void {
    const room = this.#room;
    if (!room) return;
    const map = room.engine.changeMap();
    room.engine.clearChanges();
    room.store.markTiles(map);
    if (!map.flags.includes(1)) return;
    this.#feed.broadcast(room.engine, map, capture);
  }

  #snapshot(now: number): void {
    if (this.#room) this.#snapshots.save(this.#room, now);
  }

  #statsMessage(now: number): ServerMessage {
    const room = this.#room!;
    return this.#stats.message(now, room.engine, room.settings.running, this.#still, this.#sockets.players().length);
  }

  // -------------------------------------------------------------------------------------------
  // Lobby

  /** What LobbyReport sends: lastActive is saved with each report. */
  #publish(): Promise<void> {
    const room = this.#room;
    if (!room) return Promise.resolve();
    saveLastActive(this.ctx.storage.sql, room.lastActive);
    return lobbyStub(this.env).report(this.#info());
  }

  #info(): RoomInfo {
    return roomInfo(this.#room!, this.#sockets.players().length, this.#still);
  }
}

function seqOf(m: ClientMessage): number {
  return "seq" in m ? m.seq : 0;
}
