/**
 * GameRoom: one Durable Object per room. It owns the engine, the room's settings, its players'
 * sockets and its snapshots.
 *
 * Lifecycle: the engine is created lazily, under blockConcurrencyWhile, from the stored settings
 * and the newest good snapshot; after that every handler is small and synchronous where it
 * touches the grid, so no two handlers ever interleave around a half-applied change.
 *
 * Ticks run on alarms only (an alarm handler is at-least-once, see #tick), and only while someone
 * watches and the grid still changes (or an edit waits): an idle room has no alarm, no timers and
 * hibernatable sockets, so it costs nothing and can be evicted. Everything a socket needs after
 * hibernation (player id, name, colour, owner flag, viewport, rate-limit buckets) lives in its
 * attachment; in-memory state is only a cache of it plus flow-control counters.
 *
 * Durability: an edit or control request is acknowledged only after the snapshot that contains
 * it is written (and the runtime's output gate holds the acknowledgement until that write is
 * durable). While running, the grid is saved at least every SNAPSHOT_INTERVAL_MS.
 */
import { DurableObject } from "cloudflare:workers";
import LIFE_SIMD from "../build/life-simd.wasm";
import type { Bitmap } from "../common/bitmap.ts";
import { Engine, type StampMode } from "../common/engine.ts";
import {
  CloseCode,
  ErrorCode,
  MAX_CLIENT_FRAME_BYTES,
  MAX_UNACKED_BYTES,
  MAX_UNACKED_FRAMES,
  RECEIVED_EVERY_FRAMES,
  decodeClientFrame,
  encodeServerMessage,
  type ClientMessage,
  type ControlAction,
  type ErrorCodeId,
  type PresenceEntry,
  type RoomInfo,
  type RoomSettings,
  type ServerMessage,
} from "../common/protocol.ts";
import { parsePattern, writeRle } from "../common/rle.ts";
import { formatRule, parseRule, type Rule } from "../common/rules.ts";
import { lobbyStub, type Env } from "./env.ts";
import { clientAddress } from "./http.ts";
import {
  ADDRESS_EDITS_PER_SECOND,
  ADDRESS_EDIT_BURST,
  ALARM_RETRY_MS,
  EDITS_PER_SECOND,
  EDIT_BURST,
  LOBBY_REFRESH_INTERVAL_MS,
  LOBBY_REPORT_INTERVAL_MS,
  MAX_BAD_FRAMES,
  MAX_EXPORT_CELLS,
  MAX_PENDING_EDITS,
  MAX_PENDING_EDIT_BYTES,
  MAX_POLICY_STRIKES,
  MAX_STAMP_CELLS,
  MAX_STEP_CELL_GENERATIONS,
  MAX_TICK_CELL_GENERATIONS,
  MAX_TRACKED_ADDRESSES,
  PRESENCE_INTERVAL_MS,
  ROOM_REQUESTS_PER_SECOND,
  SNAPSHOT_INTERVAL_MS,
  SOCKET_OPENS_PER_SECOND,
  SOCKET_OPEN_BURST,
  STALLED_SOCKET_MS,
  STATS_INTERVAL_MS,
  VIEWS_PER_SECOND,
  VIEW_BURST,
  connectionCap,
} from "./limits.ts";
import { AddressLimiter, fullBucket, take, type Bucket } from "./ratelimit.ts";
import { SnapshotStore, type RestoreResult } from "./snapshot.ts";
import { tokenMatches } from "./tokens.ts";
import { DeltaBuilder, defaultViewport, keyframe, viewRect, type ViewRect, type Viewport } from "./views.ts";
import { Lockstep, type StepCapture } from "./predict.ts";

/** What the HTTP layer turns into a status code and a JSON body. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; code: ErrorCodeId; error: string };

/** Everything a new room starts from; the worker has validated it. */
export interface RoomInit {
  id: string;
  ownerHash: string;
  settings: RoomSettings;
}

export interface StampResult {
  generation: number;
  population: number;
}

// Named failures, so every error path reads the same in HTTP and WebSocket code and in tests.
const fail = <T>(status: number, code: ErrorCodeId, error: string): Outcome<T> => ({ ok: false, status, code, error });
export const roomNotFound = <T>() => fail<T>(404, ErrorCode.BAD_REQUEST, "room not found");
const tooManyRequests = <T>() => fail<T>(429, ErrorCode.RATE_LIMITED, "too many requests");
const tokenMissing = <T>() => fail<T>(401, ErrorCode.NOT_OWNER, "owner token required");
const tokenWrong = <T>() => fail<T>(403, ErrorCode.NOT_OWNER, "wrong owner token");
const editingLocked = <T>() => fail<T>(403, ErrorCode.LOCKED, "editing is locked by the owner");
const badRequest = <T>(error: string) => fail<T>(400, ErrorCode.BAD_REQUEST, error);
const outOfBounds = <T>(error: string) => fail<T>(400, ErrorCode.OUT_OF_BOUNDS, error);

/** Per-socket state that must survive hibernation (serializeAttachment keeps ≤ 2 KiB): who the
 *  player is and what it looks at. Rate-limit buckets and offence counts live in Live instead:
 *  the object hibernates only after seconds without events, by when every bucket has refilled,
 *  and keeping them out of the attachment saves a serialisation on every edit and refused frame. */
interface Attachment {
  playerId: number;
  hello: boolean;
  name: string;
  colour: number;
  owner: boolean;
  view: Viewport | null;
  cursor: [number, number];
  /** The client address the socket came from (CF-Connecting-IP), for per-address limits. */
  address?: string;
  /** Asked in HELLO for lockstep STEP frames (worker/predict.ts); absent in older attachments. */
  predict?: boolean;
}

/**
 * A socket's attachment plus what may be forgotten on hibernation: its view rectangle and flow
 * control. Flow control counts KEYFRAME and DELTA frames (what RECEIVED acknowledges):
 *
 *   frames the client counts = offset + our count         (offset is 0 on a fresh socket)
 *   sent ─────────────────────────────────────────────►
 *   acked ───────────►[ window: sizes of unacknowledged frames ]
 *
 * When the window holds more than MAX_UNACKED_FRAMES frames, or at least RECEIVED_EVERY_FRAMES
 * frames and more than MAX_UNACKED_BYTES bytes, the socket is behind: it gets no deltas and no
 * keyframes until it catches up (then one keyframe), and after STALLED_SOCKET_MS it is closed.
 */
interface Live {
  ws: WebSocket;
  att: Attachment;
  edits: Bucket; // SET_CELLS, STAMP, CONTROL
  views: Bucket; // VIEWPORT, RESYNC, repeated HELLO
  badFrames: number;
  strikes: number;
  rect: ViewRect | null;
  sent: number; // KEYFRAME + DELTA frames sent since this object woke up
  acked: number; // how many of them the client acknowledged
  window: number[]; // byte sizes of frames acked+1 .. sent
  unackedBytes: number;
  /** Client count − our count; null after hibernation until the first RECEIVED says it. */
  offset: number | null;
  behind: boolean; // deltas and keyframes paused until the client catches up
  behindSince: number;
}

function newLive(ws: WebSocket, att: Attachment, offset: number | null): Live {
  const now = Date.now();
  return {
    ws,
    att,
    edits: fullBucket(EDIT_BURST, now),
    views: fullBucket(VIEW_BURST, now),
    badFrames: 0,
    strikes: 0,
    rect: null,
    sent: 0,
    acked: 0,
    window: [],
    unackedBytes: 0,
    offset,
    behind: false,
    behindSince: 0,
  };
}

type Edit =
  | { kind: "cells"; alive: boolean; cells: Uint16Array }
  | { kind: "stamp"; x: number; y: number; mode: StampMode; bitmap: Bitmap };

/** Who to answer once an edit is applied: a socket's player and seq, or an HTTP request. */
interface EditOrigin {
  player: number; // 0 for HTTP
  seq: number;
}

interface StoredRoom {
  id: string;
  created: number;
  ownerHash: string;
  settings: RoomSettings;
}

interface LoadedRoom extends StoredRoom {
  engine: Engine;
  store: SnapshotStore;
  lastActive: number;
}

/** Distinct, readable on dark and light backgrounds. */
const COLOURS = [0xe6194b, 0x3cb44b, 0x4363d8, 0xf58231, 0x911eb4, 0x42d4f4, 0xf032e6, 0xbfef45, 0x469990, 0x9a6324, 0x800000, 0x000075];

export class GameRoom extends DurableObject<Env> {
  #room: LoadedRoom | null = null;
  #loading: Promise<void> | null = null;
  #restore: RestoreResult | null = null;
  readonly #live = new Map<WebSocket, Live>();
  readonly #dropped = new WeakSet<WebSocket>();
  readonly #http = new AddressLimiter(ROOM_REQUESTS_PER_SECOND, ROOM_REQUESTS_PER_SECOND * 2, MAX_TRACKED_ADDRESSES);
  readonly #sockets = new AddressLimiter(SOCKET_OPENS_PER_SECOND, SOCKET_OPEN_BURST, MAX_TRACKED_ADDRESSES);
  readonly #editsByAddress = new AddressLimiter(ADDRESS_EDITS_PER_SECOND, ADDRESS_EDIT_BURST, MAX_TRACKED_ADDRESSES);
  /** Resolvers of HTTP stamps waiting for the next tick, by queue id. */
  readonly #waiters = new Map<number, (result: Outcome<StampResult>) => void>();
  /**
   * Edits waiting for the next tick boundary, in arrival order. Memory is enough: an edit is
   * acknowledged only after the tick that applies it is saved, so an edit lost with the instance
   * was never acknowledged, and its sender may send it again. Writing each one to storage would
   * cost a commit per edit — what lets a flood of accepted edits slow everyone's ticks.
   */
  #queue: Array<EditOrigin & { id: number; edit: Edit }> = [];
  #queueBytes = 0;
  #queueIds = 0;
  /** Held while edits wait: a pending timer keeps the instance from hibernating under them. */
  #keepAwake: ReturnType<typeof setTimeout> | null = null;
  /** Edits applied by the tick in progress and not yet acknowledged. */
  #inFlight: Array<EditOrigin & { id: number }> = [];
  #still = false;
  /** The open sockets and players, listed once for the whole of an alarm: the alarm runs without
   *  a pause from its first look at them to its last, and with hundreds of sockets listing them
   *  (a runtime call per socket) at every step of a tick cost more than the step. */
  #tickSockets: { open: WebSocket[]; players: Live[] | null } | null = null;
  /** The time the next tick is due: ticks keep to a fixed cadence (see #tick). */
  #nextTickAt = 0;
  /** Whether the alarm currently carries a tick (as opposed to only a lobby report, or nothing). */
  #ticking = false;
  #armedFor: number | null = null;
  #alarmAt: number | null = null;
  #savedGeneration = -1;
  /** When the running grid is next saved (see #snapshot). */
  #snapshotDueAt = 0;
  /** This instance's offset within the snapshot interval (see #snapshot). */
  readonly #snapshotPhase = Math.random() * SNAPSHOT_INTERVAL_MS;
  /** When a ticking room next refreshes the lobby, on its own phase like snapshots: rooms that
   *  started together would otherwise all report in the same few milliseconds. */
  #refreshAt = 0;
  readonly #refreshPhase = Math.random() * LOBBY_REFRESH_INTERVAL_MS;
  #lastStatsAt = 0;
  #rate = { at: 0, generation: 0, perSecond: 0 };
  #lastReportAt = 0;
  /** A report the lobby should have within a second (a join, a leave, a setting). */
  #reportDue = false;
  /** A report that only moves the generation and population along (see LOBBY_REFRESH_INTERVAL_MS). */
  #refreshDue = false;
  /** The lobby report in flight, so a request that changed what the lobby shows can wait for it. */
  #reporting: Promise<void> = Promise.resolve();
  /** Which sockets predict, and at which generation each one's view stands. */
  readonly #lockstep = new Lockstep();
  readonly #presence = { dirty: new Set<number>(), left: [] as number[], timer: null as ReturnType<typeof setTimeout> | null, lastAt: 0 };

  // -------------------------------------------------------------------------------------------
  // Loading

  /** Loads the room once; false when this object holds no room (never created, or deleted). */
  async #ready(): Promise<boolean> {
    if (this.#room) return true;
    if (!this.#loading) {
      let failure: unknown = null;
      this.#loading = this.ctx.blockConcurrencyWhile(async () => {
        try {
          await this.#load();
        } catch (e) {
          failure = e;
        }
      });
      await this.#loading;
      this.#loading = null;
      // Thrown outside blockConcurrencyWhile: a throw inside it would reset the whole object.
      if (failure !== null) throw failure;
      // After a restart the lobby may still show players from before it: tell it the truth.
      if (this.#room) this.#reportSoon(Date.now());
    } else {
      await this.#loading;
    }
    return this.#room !== null;
  }

  async #load(): Promise<void> {
    const sql = this.ctx.storage.sql;
    // Reading sqlite_master writes nothing, so probing an unknown id leaves no storage behind.
    const tables = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray();
    if (tables.length === 0) return;
    const rows = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'room'").toArray();
    if (rows.length === 0) return;
    const stored: StoredRoom = JSON.parse(rows[0].value);
    const active = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'lastActive'").toArray();
    const { width, height, topology, rule } = stored.settings;
    const engine = await Engine.create(LIFE_SIMD, { width, height, topology, rule });
    const store = new SnapshotStore(sql, width, height);
    this.#restore = store.restore(engine);
    if (this.#restore.kind === "damaged") console.error(`room ${stored.id}: no snapshot verified; starting from an empty grid`);
    else if (this.#restore.kind === "restored" && this.#restore.damagedSlots.length > 0) {
      console.error(`room ${stored.id}: damaged snapshot slot skipped; restored generation ${this.#restore.generation}`);
    }
    engine.clearChanges();
    this.#savedGeneration = engine.generation;
    // Rooms saved before edits were queued in memory have a table of them; nothing in it was
    // ever acknowledged.
    sql.exec("DROP TABLE IF EXISTS pending_edit");
    this.#room = { ...stored, engine, store, lastActive: active.length ? Number(active[0].value) : stored.created };
  }

  #createTables(): void {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  #saveRoom(room: LoadedRoom): void {
    const stored: StoredRoom = { id: room.id, created: room.created, ownerHash: room.ownerHash, settings: room.settings };
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('room', ?)", JSON.stringify(stored));
  }

  // -------------------------------------------------------------------------------------------
  // RPC from the worker (HTTP API)

  /** Creates the room; null when this object already holds one. */
  async create(init: RoomInit): Promise<RoomInfo | null> {
    if (await this.#ready()) return null;
    this.#createTables();
    const now = Date.now();
    const { width, height, topology, rule } = init.settings;
    const engine = await Engine.create(LIFE_SIMD, { width, height, topology, rule });
    const room: LoadedRoom = { id: init.id, created: now, ownerHash: init.ownerHash, settings: { ...init.settings }, engine, store: new SnapshotStore(this.ctx.storage.sql, width, height), lastActive: now };
    this.#saveRoom(room);
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('lastActive', ?)", String(now));
    // Both slots start valid, so a damaged first snapshot still has a fallback.
    room.store.save(engine, now);
    room.store.markAll();
    room.store.save(engine, now);
    this.#savedGeneration = 0;
    this.#snapshotDueAt = now + SNAPSHOT_INTERVAL_MS;
    this.#room = room;
    const info = this.#info();
    this.#lastReportAt = now;
    await lobbyStub(this.env).report(info);
    return info;
  }

  async info(address: string): Promise<Outcome<RoomInfo>> {
    if (!this.#http.allow(address)) return tooManyRequests();
    if (!(await this.#ready())) return roomNotFound();
    return { ok: true, value: this.#info() };
  }

  /** RLE of the whole grid, or of a rectangle of it. */
  async exportPattern(address: string, rect: { x: number; y: number; width: number; height: number } | null): Promise<Outcome<string>> {
    if (!this.#http.allow(address)) return tooManyRequests();
    if (!(await this.#ready()) || !this.#room) return roomNotFound();
    const { engine, settings } = this.#room;
    const r = rect ?? { x: 0, y: 0, width: engine.width, height: engine.height };
    if (r.x < 0 || r.y < 0 || r.width < 1 || r.height < 1 || r.x + r.width > engine.width || r.y + r.height > engine.height) {
      return outOfBounds(`the rectangle must lie within the ${engine.width}×${engine.height} grid`);
    }
    if (r.width * r.height > MAX_EXPORT_CELLS) return badRequest(`at most ${MAX_EXPORT_CELLS} cells per export; ask for a rectangle (x, y, w, h)`);
    const bitmap = engine.readRect(r.x, r.y, r.width, r.height);
    // The bounded-grid suffix (:T/:P) describes the whole world, so only a whole-grid export has it.
    const text = writeRle(bitmap, {
      rule: settings.rule,
      topology: rect === null ? settings.topology : undefined,
      name: settings.name,
      comments: [`generation ${engine.generation}`, ...(rect ? [`rectangle x=${r.x} y=${r.y}`] : [])],
    });
    return { ok: true, value: text };
  }

  /** Stamps a pattern: at once while paused, at the next tick while running; answers once saved. */
  async stampPattern(address: string, token: string | null, text: string, x: number, y: number, mode: StampMode): Promise<Outcome<StampResult>> {
    if (!this.#http.allow(address)) return tooManyRequests();
    if (!(await this.#ready()) || !this.#room) return roomNotFound();
    if (this.#room.settings.locked) {
      if (token === null || !(await tokenMatches(token, this.#room.ownerHash))) return editingLocked();
    }
    const edit = this.#prepareStamp(text, x, y, mode);
    if (!edit.ok) return edit;
    const now = Date.now();
    const submitted = this.#submit(edit.value, { player: 0, seq: 0 }, now);
    if (!submitted.ok) return submitted;
    if (submitted.value === null) return { ok: true, value: this.#stampResult() };
    const id = submitted.value;
    return new Promise<Outcome<StampResult>>((resolve) => this.#waiters.set(id, resolve));
  }

  async control(address: string, token: string | null, action: ControlAction): Promise<Outcome<RoomInfo>> {
    if (!this.#http.allow(address)) return tooManyRequests();
    if (!(await this.#ready()) || !this.#room) return roomNotFound();
    if (token === null) return tokenMissing();
    if (!(await tokenMatches(token, this.#room.ownerHash))) return tokenWrong();
    const done = this.#control(action, Date.now());
    if (!done.ok) return done;
    await this.#reporting; // e.g. a room made private is off the lobby's list when this answers
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
    return this.#queue.length;
  }

  /** When the next tick is due, or null when the room is not ticking (for monitoring and tests). */
  nextTickDue(): number | null {
    return this.#ticking ? this.#nextTickAt : null;
  }

  /** The lobby's expiry sweep: deletes the room when nobody is in it and it was idle since `before`. */
  async expire(before: number): Promise<boolean> {
    if (!(await this.#ready()) || !this.#room) return true;
    if (this.#open().length > 0 || this.#room.lastActive >= before) return false;
    await this.#erase("room expired");
    return true;
  }

  async #erase(reason: string): Promise<void> {
    // Forget the room first, so closing its sockets saves and schedules nothing.
    this.#room = null;
    this.#alarmAt = null;
    for (const ws of this.#open()) this.#close(ws, CloseCode.ROOM_NOT_FOUND, reason);
    this.#live.clear();
    for (const resolve of this.#waiters.values()) resolve(roomNotFound());
    this.#waiters.clear();
    this.#queue = [];
    this.#queueBytes = 0;
    if (this.#keepAwake) clearTimeout(this.#keepAwake);
    this.#keepAwake = null;
    if (this.#presence.timer) clearTimeout(this.#presence.timer);
    this.#presence.timer = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
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
      : this.#open().length >= connectionCap(this.env.ROOM_CONNECTION_CAP)
        ? { code: CloseCode.TRY_AGAIN, reason: "room full" }
        : !this.#sockets.allow(clientAddress(request))
          ? { code: CloseCode.TRY_AGAIN, reason: "too many connections; try again later" }
          : null;
    if (refusal) {
      // Accept and close at once: a browser sees the close code, never an HTTP status.
      server.accept();
      server.close(refusal.code, refusal.reason);
      return new Response(null, { status: 101, webSocket: client });
    }
    const playerId = this.#newPlayerId();
    const att: Attachment = {
      playerId,
      hello: false,
      name: "",
      colour: COLOURS[playerId % COLOURS.length],
      owner: false,
      view: null,
      cursor: [-1, -1],
      address: clientAddress(request),
    };
    this.ctx.acceptWebSocket(server, [playerTag(playerId)]);
    server.serializeAttachment(att);
    this.#live.set(server, newLive(server, att, 0));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Frames that arrive after the room closed a socket (a flood does not stop at the close
    // frame) are dropped unread.
    if (this.#dropped.has(ws) || ws.readyState !== WebSocket.OPEN) return;
    const live = this.#liveOf(ws);
    if (!live) return this.#close(ws, CloseCode.INTERNAL, "session lost");
    // Sizes first: a string's length in UTF-16 units is at most its length in UTF-8 bytes.
    const size = typeof message === "string" ? message.length : message.byteLength;
    if (size > MAX_CLIENT_FRAME_BYTES) return this.#close(ws, CloseCode.TOO_BIG, "frame too large");
    if (this.#stalled(live, Date.now())) return;
    if (typeof message === "string") return this.#badFrame(live, ErrorCode.BAD_FRAME, "text frames are not accepted");
    const decoded = decodeClientFrame(message);
    if (!decoded.ok) return this.#badFrame(live, decoded.error.code, decoded.error.reason);
    // A loaded room handles the frame synchronously, up to its first real await.
    if (!this.#room && !(await this.#ready())) return this.#close(ws, CloseCode.ROOM_NOT_FOUND, "room not found");
    try {
      await this.#onMessage(live, decoded.value, Date.now());
    } catch (e) {
      // The room's state is untouched by a throw before a change, and changes do not throw;
      // the client gets a code, the log gets the detail, nobody gets a stack.
      console.error("message failed:", String(e));
      this.#send(ws, { type: "error", code: ErrorCode.INTERNAL, seq: seqOf(decoded.value), reason: "internal error" });
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Reply to the close handshake; harmless when the runtime already did.
    try {
      ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
    this.#drop(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#drop(ws);
  }

  async #onMessage(live: Live, m: ClientMessage, now: number): Promise<void> {
    const room = this.#room;
    if (!room) return;
    if (m.type === "hello") return this.#hello(live, m, now);
    if (!live.att.hello) return this.#badFrame(live, ErrorCode.NOT_READY, "send HELLO first");
    switch (m.type) {
      case "viewport":
      case "resync": {
        if (!take(live.views, VIEWS_PER_SECOND, VIEW_BURST, now)) return this.#strike(live, 0, ErrorCode.RATE_LIMITED, "too many viewport changes");
        if (m.type === "viewport") {
          live.att.view = { x: m.x, y: m.y, width: m.width, height: m.height, scale: m.scale };
          this.#saveAttachment(live);
        }
        // A socket that is behind gets its keyframe (of the newest viewport) when it catches up:
        // a client that asks for keyframes but reads none must not make the room queue them.
        if (!live.behind) this.#sendKeyframe(live);
        return;
      }
      case "cursor": {
        const inside = m.x >= 0 && m.y >= 0 && m.x < room.engine.width && m.y < room.engine.height;
        live.att.cursor = inside ? [m.x, m.y] : [-1, -1];
        this.#presenceChanged(live.att.playerId);
        return;
      }
      case "received":
        return this.#received(live, m.frames);
      case "setCells":
      case "stamp": {
        if (room.settings.locked && !live.att.owner) return this.#strike(live, m.seq, ErrorCode.LOCKED, "editing is locked by the owner");
        if (!take(live.edits, EDITS_PER_SECOND, EDIT_BURST, now)) return this.#strike(live, m.seq, ErrorCode.RATE_LIMITED, "too many edits; slow down");
        // Not a strike: the address's allowance may have gone to other people behind it.
        if (!this.#editsByAddress.allow(live.att.address ?? "", now)) return this.#error(live, m.seq, ErrorCode.RATE_LIMITED, "too many edits from your network; slow down");
        const edit = m.type === "stamp" ? this.#prepareStamp(m.pattern, m.x, m.y, m.mode) : this.#prepareCells(m.cells, m.alive);
        if (!edit.ok) return this.#error(live, m.seq, edit.code, edit.error);
        const submitted = this.#submit(edit.value, { player: live.att.playerId, seq: m.seq }, now);
        if (!submitted.ok) return this.#error(live, m.seq, submitted.code, submitted.error);
        if (submitted.value === null) this.#send(live.ws, { type: "ack", seq: m.seq, generation: room.engine.generation });
        return;
      }
      case "control": {
        if (!live.att.owner) return this.#strike(live, m.seq, ErrorCode.NOT_OWNER, "only the owner may control the room");
        if (!take(live.edits, EDITS_PER_SECOND, EDIT_BURST, now)) return this.#strike(live, m.seq, ErrorCode.RATE_LIMITED, "too many requests; slow down");
        const done = this.#control(m.control, now);
        if (!done.ok) return this.#error(live, m.seq, done.code, done.error);
        this.#send(live.ws, { type: "ack", seq: m.seq, generation: room.engine.generation });
        return;
      }
    }
  }

  async #hello(live: Live, m: ClientMessage & { type: "hello" }, now: number): Promise<void> {
    const room = this.#room;
    if (!room) return;
    let owner = false;
    if (m.token !== null) {
      owner = await tokenMatches(m.token, room.ownerHash);
      if (!owner) this.#error(live, 0, ErrorCode.NOT_OWNER, "wrong owner token; joined as a player");
    }
    const joined = !live.att.hello;
    // A repeated HELLO costs a keyframe and a full presence list, like a RESYNC: same allowance.
    if (!joined && !take(live.views, VIEWS_PER_SECOND, VIEW_BURST, now)) return this.#strike(live, 0, ErrorCode.RATE_LIMITED, "too many HELLOs");
    live.att.hello = true;
    live.att.owner = owner;
    live.att.name = m.name || `player ${live.att.playerId}`;
    live.att.predict = m.predict === true;
    this.#saveAttachment(live);
    this.#send(live.ws, {
      type: "welcome",
      playerId: live.att.playerId,
      colour: live.att.colour,
      owner,
      generation: room.engine.generation,
      settings: room.settings,
    });
    this.#send(live.ws, { type: "presence", full: true, players: this.#players().map(presenceEntry), left: [] });
    if (!live.behind) this.#sendKeyframe(live);
    this.#send(live.ws, this.#statsMessage(now));
    this.#presenceChanged(live.att.playerId);
    if (joined) {
      room.lastActive = now;
      this.#reportSoon(now);
      this.#arm(now); // a room that stopped for lack of viewers resumes
    }
  }

  #drop(ws: WebSocket): void {
    // A socket the room closed is dropped then, and again when its close handshake completes.
    if (this.#dropped.has(ws)) return;
    this.#dropped.add(ws);
    const live = this.#live.get(ws) ?? this.#liveOf(ws);
    this.#live.delete(ws);
    this.#lockstep.forget(ws);
    if (!this.#room) return;
    const now = Date.now();
    if (live?.att.hello) {
      this.#presence.dirty.delete(live.att.playerId);
      this.#presence.left.push(live.att.playerId);
      this.#schedulePresence();
      this.#reportSoon(now);
    }
    if (this.#open(ws).length === 0) {
      // The last viewer left: ticking stops, so save what it produced now.
      this.#snapshot(now);
    }
    this.#arm(now);
  }

  // -------------------------------------------------------------------------------------------
  // Sockets: bookkeeping and sending

  /** Open sockets, optionally without one that is closing. */
  #open(except?: WebSocket): WebSocket[] {
    if (except === undefined && this.#tickSockets) return this.#tickSockets.open;
    return this.ctx.getWebSockets().filter((ws) => ws !== except && ws.readyState === WebSocket.OPEN);
  }

  /** The live state of a socket, rebuilt from its attachment after hibernation. */
  #liveOf(ws: WebSocket): Live | null {
    let live = this.#live.get(ws);
    if (live) return live;
    const att: unknown = ws.deserializeAttachment();
    if (!isAttachment(att)) return null;
    // Woken from hibernation: what the client has counted so far is unknown until it says.
    live = newLive(ws, att, null);
    this.#live.set(ws, live);
    return live;
  }

  /** Every open socket that said HELLO. */
  #players(): Live[] {
    if (this.#tickSockets) return (this.#tickSockets.players ??= this.#listPlayers());
    return this.#listPlayers();
  }

  #listPlayers(): Live[] {
    const out: Live[] = [];
    for (const ws of this.#open()) {
      const live = this.#liveOf(ws);
      if (live?.att.hello) out.push(live);
    }
    return out;
  }

  #saveAttachment(live: Live): void {
    try {
      live.ws.serializeAttachment(live.att);
    } catch {
      // the socket closed meanwhile
    }
  }

  #send(ws: WebSocket, message: ServerMessage | Uint8Array): void {
    try {
      ws.send(message instanceof Uint8Array ? message : encodeServerMessage(message));
    } catch {
      // closing sockets refuse sends; their close handler cleans up
    }
  }

  #close(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
    this.#drop(ws);
  }

  #error(live: Live, seq: number, code: ErrorCodeId, reason: string): void {
    this.#send(live.ws, { type: "error", code, seq, reason });
  }

  /** An undecodable frame: an error frame, and the socket closes after MAX_BAD_FRAMES of them. */
  #badFrame(live: Live, code: ErrorCodeId, reason: string): void {
    live.badFrames++;
    if (live.badFrames > MAX_BAD_FRAMES) return this.#close(live.ws, CloseCode.UNSUPPORTED, "too many bad frames");
    this.#error(live, 0, code, reason);
  }

  /** A refused request (rate limit, permission): an error frame, and 1008 after MAX_POLICY_STRIKES. */
  #strike(live: Live, seq: number, code: ErrorCodeId, reason: string): void {
    live.strikes++;
    if (live.strikes > MAX_POLICY_STRIKES) return this.#close(live.ws, CloseCode.POLICY, "too many refused requests");
    this.#error(live, seq, code, reason);
  }

  /** Sends a KEYFRAME or DELTA frame and counts it in the socket's window. */
  #sendCounted(live: Live, frame: Uint8Array): void {
    this.#send(live.ws, frame);
    live.sent++;
    live.window.push(frame.length);
    live.unackedBytes += frame.length;
    const frames = live.window.length;
    if (!live.behind && (frames > MAX_UNACKED_FRAMES || (frames >= RECEIVED_EVERY_FRAMES && live.unackedBytes > MAX_UNACKED_BYTES))) {
      live.behind = true;
      live.behindSince = Date.now();
    }
  }

  /** A RECEIVED: slides the window; a socket that caught up gets one fresh keyframe. */
  #received(live: Live, frames: number): void {
    // After hibernation the first report sets the offset: every frame sent since counts as read.
    live.offset ??= frames - live.sent;
    const count = frames - live.offset;
    // Acknowledging frames never sent is a lie that would defeat flow control.
    if (count > live.sent) return this.#badFrame(live, ErrorCode.BAD_FRAME, "RECEIVED counts more frames than were sent");
    while (live.acked < count) {
      live.unackedBytes -= live.window.shift() ?? 0;
      live.acked++;
    }
    if (live.behind && live.window.length <= MAX_UNACKED_FRAMES / 2 && live.unackedBytes <= MAX_UNACKED_BYTES / 2) {
      live.behind = false;
      this.#sendKeyframe(live);
    }
  }

  /** Closes a socket that has been behind for STALLED_SOCKET_MS; true when it did. */
  #stalled(live: Live, now: number): boolean {
    if (!live.behind || now - live.behindSince <= STALLED_SOCKET_MS) return false;
    this.#close(live.ws, CloseCode.TOO_SLOW, "not reading frames; reconnect");
    return true;
  }

  #sendKeyframe(live: Live): void {
    const room = this.#room;
    if (!room) return;
    live.att.view ??= defaultViewport(room.engine.width, room.engine.height);
    live.rect = viewRect(live.att.view, room.engine.width, room.engine.height);
    this.#sendCounted(live, keyframe(room.engine, live.rect));
    this.#lockstep.keyframeSent(live.ws, live.rect, room.engine.generation, live.att.predict === true);
  }

  #broadcast(message: ServerMessage): void {
    const bytes = encodeServerMessage(message);
    for (const live of this.#players()) this.#send(live.ws, bytes);
  }

  /** Sends every player the tiles that changed since the last call, then forgets the changes. A
   *  predicting player gets a STEP instead when `capture` (taken just before a step) is given. */
  #broadcastChanges(capture: StepCapture | null = null): void {
    const room = this.#room;
    if (!room) return;
    const map = room.engine.changeMap();
    room.engine.clearChanges();
    room.store.markTiles(map);
    if (!map.flags.includes(1)) return;
    const deltas = new DeltaBuilder(room.engine, map);
    const frames = this.#lockstep.frames(room.engine, map, capture);
    const now = Date.now();
    for (const live of this.#players()) {
      if (live.behind) {
        this.#stalled(live, now);
        continue;
      }
      if (!live.rect) {
        // Woken from hibernation (or evicted and restored): what the client holds is unknown.
        this.#sendKeyframe(live);
        continue;
      }
      const frame = frames.frameFor(live.ws, live.rect, deltas);
      if (frame) this.#sendCounted(live, frame);
    }
  }

  // Presence: cursors and names, at most every PRESENCE_INTERVAL_MS, only what changed.

  #presenceChanged(playerId: number): void {
    this.#presence.dirty.add(playerId);
    this.#schedulePresence();
  }

  #schedulePresence(): void {
    const p = this.#presence;
    if (p.timer) return;
    const delay = Math.max(0, p.lastAt + PRESENCE_INTERVAL_MS - Date.now());
    p.timer = setTimeout(() => {
      p.timer = null;
      this.#flushPresence();
    }, delay);
  }

  #flushPresence(): void {
    const p = this.#presence;
    p.lastAt = Date.now();
    const players = this.#players();
    const changed = players.filter((live) => p.dirty.has(live.att.playerId));
    for (const live of changed) this.#saveAttachment(live); // cursors reach the attachment at ≤ 10 Hz
    const message: ServerMessage = { type: "presence", full: false, players: changed.map(presenceEntry), left: p.left };
    p.dirty.clear();
    p.left = [];
    if (message.players.length === 0 && message.left.length === 0) return;
    const bytes = encodeServerMessage(message);
    for (const live of players) this.#send(live.ws, bytes);
  }

  /** A player id no open socket uses: random rather than counted, so a connection costs no
   *  storage write (ids only need to be unique among the sockets of this room). */
  #newPlayerId(): number {
    for (;;) {
      const id = crypto.getRandomValues(new Uint32Array(1))[0];
      if (id !== 0 && this.ctx.getWebSockets(playerTag(id)).length === 0) return id;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Edits

  #prepareCells(cells: Uint16Array, alive: boolean): Outcome<Edit> {
    const { width, height } = this.#room!.engine;
    for (let i = 0; i < cells.length; i += 2) {
      if (cells[i] >= width || cells[i + 1] >= height) return outOfBounds(`cell (${cells[i]}, ${cells[i + 1]}) is outside the ${width}×${height} grid`);
    }
    return { ok: true, value: { kind: "cells", alive, cells } };
  }

  #prepareStamp(text: string, x: number, y: number, mode: StampMode): Outcome<Edit> {
    const { engine, settings } = this.#room!;
    // The grid bounds the parser before it allocates: a few bytes of RLE can describe 16384².
    const parsed = parsePattern(text, { maxWidth: engine.width, maxHeight: engine.height, maxCells: MAX_STAMP_CELLS });
    if (!parsed.ok) {
      const reason = `${parsed.limit ? "pattern too large" : "not a pattern"}: ${parsed.error}`.slice(0, 120);
      if (parsed.limit === "cells") return fail(400, ErrorCode.TOO_LARGE, reason);
      if (parsed.limit) return outOfBounds(reason);
      return fail(400, ErrorCode.BAD_PATTERN, reason);
    }
    const bitmap = parsed.value.bitmap;
    if (bitmap.width * bitmap.height > MAX_STAMP_CELLS) return fail(400, ErrorCode.TOO_LARGE, "pattern too large");
    if (settings.topology === "plane") {
      if (x < 0 || y < 0 || x + bitmap.width > engine.width || y + bitmap.height > engine.height) {
        return outOfBounds(`a ${bitmap.width}×${bitmap.height} pattern at (${x}, ${y}) does not fit the ${engine.width}×${engine.height} grid`);
      }
    } else {
      // On the torus the pattern wraps, but it may not overlap itself.
      if (bitmap.width > engine.width || bitmap.height > engine.height) return outOfBounds("the pattern is larger than the grid");
      x = mod(x, engine.width);
      y = mod(y, engine.height);
    }
    return { ok: true, value: { kind: "stamp", x, y, mode, bitmap } };
  }

  /**
   * Applies an edit at once while paused (returning null: done and saved), or queues it for the
   * next tick boundary while running (returning its queue id).
   */
  #submit(edit: Edit, origin: EditOrigin, now: number): Outcome<number | null> {
    const room = this.#room!;
    room.lastActive = now;
    if (room.settings.running) {
      const bytes = edit.kind === "cells" ? edit.cells.byteLength : edit.bitmap.data.byteLength;
      if (this.#queue.length >= MAX_PENDING_EDITS || this.#queueBytes + bytes > MAX_PENDING_EDIT_BYTES) {
        return fail(429, ErrorCode.RATE_LIMITED, "too many edits waiting for the next tick");
      }
      const id = this.#enqueue(edit, origin, bytes);
      this.#arm(now);
      return { ok: true, value: id };
    }
    applyEdit(room.engine, edit);
    this.#still = false;
    this.#afterChange(now);
    return { ok: true, value: null };
  }

  #enqueue(edit: Edit, origin: EditOrigin, bytes: number): number {
    const id = ++this.#queueIds;
    this.#queue.push({ id, player: origin.player, seq: origin.seq, edit });
    this.#queueBytes += bytes;
    this.#holdAwake();
    return id;
  }

  /** Keeps a timer pending while edits wait (renewed until the tick that applies them). */
  #holdAwake(): void {
    if (this.#keepAwake || this.#queue.length === 0) return;
    this.#keepAwake = setTimeout(
      () => {
        this.#keepAwake = null;
        this.#holdAwake();
      },
      (this.#room?.settings.tickMs ?? 0) + ALARM_RETRY_MS * 5,
    );
  }

  /** Applies queued edits in arrival order; returns who to answer. */
  #applyPending(): Array<EditOrigin & { id: number }> {
    if (this.#queue.length === 0) return [];
    const room = this.#room!;
    const applied: Array<EditOrigin & { id: number }> = [];
    for (const { id, player, seq, edit } of this.#queue) {
      applyEdit(room.engine, edit);
      applied.push({ id, player, seq });
    }
    this.#queue = [];
    this.#queueBytes = 0;
    if (this.#keepAwake) clearTimeout(this.#keepAwake);
    this.#keepAwake = null;
    return applied;
  }

  /** Answers applied edits; call only after the snapshot that holds them. */
  #acknowledge(applied: Array<EditOrigin & { id: number }>, generation: number): void {
    for (const { id, player, seq } of applied) {
      if (player === 0) {
        const resolve = this.#waiters.get(id);
        this.#waiters.delete(id);
        resolve?.({ ok: true, value: this.#stampResult() });
        continue;
      }
      for (const ws of this.ctx.getWebSockets(playerTag(player))) this.#send(ws, { type: "ack", seq, generation });
    }
  }

  #stampResult(): StampResult {
    const { engine } = this.#room!;
    return { generation: engine.generation, population: engine.population() };
  }

  // -------------------------------------------------------------------------------------------
  // Control

  /** Checks a control action against this room; the rule to switch to when it is a configure. */
  #checkControl(action: ControlAction): Outcome<Rule | null> {
    const { engine, settings } = this.#room!;
    const cells = engine.width * engine.height;
    if (action.action === "step") {
      if (settings.running) return fail(409, ErrorCode.CONFLICT, "pause the room before stepping");
      const most = Math.floor(MAX_STEP_CELL_GENERATIONS / cells);
      if (action.generations > most) return badRequest(`at most ${most} generations per step on this grid`);
    }
    if (action.action !== "configure") return { ok: true, value: null };
    const perTick = action.generationsPerTick ?? settings.generationsPerTick;
    if (perTick * cells > MAX_TICK_CELL_GENERATIONS) return badRequest(`at most ${Math.floor(MAX_TICK_CELL_GENERATIONS / cells)} generations per tick on this grid`);
    if (action.rule === undefined) return { ok: true, value: null };
    const parsed = parseRule(action.rule);
    if (!parsed.ok) return badRequest(`invalid rule: ${parsed.error}`.slice(0, 120));
    const bounds = parsed.value.bounds;
    if (bounds && (bounds.topology !== settings.topology || bounds.width !== engine.width || bounds.height !== engine.height)) {
      return badRequest("the rule's bounds suffix does not match this room's grid");
    }
    return { ok: true, value: parsed.value.rule };
  }

  /**
   * Runs an owner's action. Everything is checked before anything changes, so a refused request
   * changes nothing. Edits still waiting for a tick are applied first: they arrived earlier, and
   * a pause must not strand them.
   */
  #control(action: ControlAction, now: number): Outcome<null> {
    const checked = this.#checkControl(action);
    if (!checked.ok) return checked;
    const room = this.#room!;
    const { engine, settings } = room;
    const applied = this.#applyPending();
    const appliedAt = engine.generation;
    let settingsChanged = false;
    let capture: StepCapture | null = null;
    this.#still = false;
    switch (action.action) {
      case "pause":
      case "resume":
        settings.running = action.action === "resume";
        settingsChanged = true;
        break;
      case "step":
        capture = this.#lockstep.capture(engine);
        this.#still = engine.step(action.generations) === 0;
        break;
      case "clear":
        engine.clear();
        break;
      case "randomize":
        engine.randomize(action.density, action.seed);
        break;
      case "configure": {
        if (checked.value) {
          settings.rule = checked.value;
          engine.rule = checked.value;
        }
        settings.generationsPerTick = action.generationsPerTick ?? settings.generationsPerTick;
        settings.tickMs = action.tickMs ?? settings.tickMs;
        if (action.private !== undefined && action.private !== settings.private) this.#lastReportAt = 0; // the lobby must know at once
        settings.private = action.private ?? settings.private;
        settings.locked = action.locked ?? settings.locked;
        settingsChanged = true;
        break;
      }
    }
    room.lastActive = now;
    if (settingsChanged) {
      this.#saveRoom(room);
      this.#broadcast({ type: "settings", generation: engine.generation, settings });
    }
    this.#afterChange(now, capture);
    this.#acknowledge(applied, appliedAt);
    return { ok: true, value: null };
  }

  /** After an edit or control outside a tick: deltas out, snapshot in, stats, lobby, alarm. */
  #afterChange(now: number, capture: StepCapture | null = null): void {
    this.#broadcastChanges(capture);
    this.#snapshot(now);
    this.#broadcast(this.#statsMessage(now));
    this.#reportSoon(now);
    this.#arm(now);
  }

  // -------------------------------------------------------------------------------------------
  // Ticks (alarms)

  /** Whether the room should keep its tick alarm: running, and someone watching a changing grid,
   *  or an edit waiting for its tick boundary. */
  #wantsTicks(): boolean {
    const room = this.#room;
    if (!room?.settings.running) return false;
    return this.#queue.length > 0 || (!this.#still && this.#open().length > 0);
  }

  /** Sets the one alarm to the earliest of the next tick and the next lobby report, or clears it. */
  #arm(now: number): void {
    const room = this.#room;
    if (!room) return;
    let next = Infinity;
    const wasTicking = this.#ticking;
    this.#ticking = this.#wantsTicks();
    // A ticking room keeps its cadence; a room that was idle (paused, still, unwatched) has its
    // next tick boundary now.
    if (this.#ticking && !wasTicking) this.#nextTickAt = now;
    if (this.#ticking) next = Math.max(now, this.#nextTickAt);
    // While ticking, a due report rides along with a tick, so that every alarm of a ticking room
    // is a tick (an alarm is a storage write: one per tick is the floor).
    if ((this.#reportDue || this.#refreshDue) && !this.#ticking) next = Math.min(next, Math.max(now, this.#lastReportAt + LOBBY_REPORT_INTERVAL_MS));
    this.#armedFor = room.engine.generation;
    if (next === this.#alarmAt) return;
    this.#alarmAt = next === Infinity ? null : next;
    const write = next === Infinity ? this.ctx.storage.deleteAlarm() : this.ctx.storage.setAlarm(next);
    write.catch((e: unknown) => console.error("alarm write failed:", String(e)));
  }

  override async alarm(): Promise<void> {
    this.#alarmAt = null; // the alarm that fired is spent
    if (!(await this.#ready()) || !this.#room) return;
    const now = Date.now();
    this.#tickSockets = { open: this.#open(), players: null };
    try {
      // At-least-once: the tick armed for generation G runs only while the grid is still at G, so
      // a repeated delivery of an alarm whose tick already ran does not step twice.
      if (this.#wantsTicks() && (this.#armedFor === null || this.#armedFor === this.#room.engine.generation)) this.#tick(now);
      // While ticking, reports ride along: a join, leave or setting within a second, the moving
      // generation and population at most every LOBBY_REFRESH_INTERVAL_MS. Otherwise this alarm
      // exists only because a report was due.
      if (this.#reportDue && now - this.#lastReportAt >= LOBBY_REPORT_INTERVAL_MS) this.#report(now);
      else if ((this.#reportDue || this.#refreshDue) && (now >= this.#refreshAt || !this.#wantsTicks())) this.#report(now);
      this.#arm(now); // late: the next tick is armed after this one's work, for its boundary
    } catch (e) {
      this.#tickSockets = null; // before the await below: other events may run during it
      // Never a wedged room: log, and try again a little later.
      console.error("alarm failed:", String(e));
      // Edits this tick applied but could not save are not acknowledged: their senders hear so
      // and may send them again (setting cells and stamping are idempotent).
      for (const { id, player, seq } of this.#inFlight) {
        if (player === 0) this.#waiters.get(id)?.(fail(500, ErrorCode.INTERNAL, "internal error"));
        else for (const ws of this.ctx.getWebSockets(playerTag(player))) this.#send(ws, { type: "error", code: ErrorCode.INTERNAL, seq, reason: "not saved; send again" });
        this.#waiters.delete(id);
      }
      this.#inFlight = [];
      this.#alarmAt = now + ALARM_RETRY_MS;
      await this.ctx.storage.setAlarm(this.#alarmAt);
    } finally {
      this.#tickSockets = null;
    }
  }

  #tick(now: number): void {
    const room = this.#room!;
    const { engine, settings } = room;
    const applied = this.#applyPending();
    this.#inFlight = applied;
    const appliedAt = engine.generation;
    const capture = this.#lockstep.capture(engine);
    const changed = engine.step(settings.generationsPerTick);
    this.#still = changed === 0 && applied.length === 0;
    // The cadence is kept from the boundaries, not from when alarms happen to run: an alarm that
    // ran late brings the next tick that much closer, so a busy runtime costs smoothness, not
    // ticks per second. A room a whole interval or more behind (a stall, a restart) does not make
    // up what it missed in a burst: it starts its cadence afresh.
    const late = now - this.#nextTickAt;
    this.#nextTickAt = late >= 0 && late < settings.tickMs ? this.#nextTickAt + settings.tickMs : now + settings.tickMs;
    this.#ticking = true;
    this.#broadcastChanges(capture);
    const viewers = this.#open().length;
    // Save when an edit waits for its acknowledgement, when ticking is about to stop, or when
    // waiting for the next tick would leave the last snapshot older than SNAPSHOT_INTERVAL_MS.
    if (applied.length > 0 || this.#still || viewers === 0 || now + settings.tickMs > this.#snapshotDueAt) {
      this.#snapshot(now);
    }
    this.#acknowledge(applied, appliedAt);
    this.#inFlight = [];
    if (this.#still || now - this.#lastStatsAt >= STATS_INTERVAL_MS) this.#broadcast(this.#statsMessage(now));
    if (viewers > 0) room.lastActive = now;
    this.#refreshDue = true;
  }

  #snapshot(now: number): void {
    const room = this.#room;
    if (!room) return;
    // Fold in changes not yet broadcast (there are none after #broadcastChanges) and save when
    // the grid or the generation moved since the last snapshot.
    room.store.markTiles(room.engine.changeMap());
    if (!room.store.dirty && room.engine.generation === this.#savedGeneration) return;
    room.store.save(room.engine, now);
    this.#savedGeneration = room.engine.generation;
    // The next save is due at this instance's next phase point, at most SNAPSHOT_INTERVAL_MS
    // away. Each instance draws its phase at random, so rooms that started together (a restart,
    // a script that creates many) do not all save in the same few milliseconds of every interval,
    // which stalled every room's ticks (50 rooms: 100+ ms every 2 s).
    this.#snapshotDueAt = nextPhasePoint(now, this.#snapshotPhase, SNAPSHOT_INTERVAL_MS);
  }

  #statsMessage(now: number): ServerMessage {
    const room = this.#room!;
    const generation = room.engine.generation;
    const r = this.#rate;
    if (r.at > 0 && now > r.at) r.perSecond = ((generation - r.generation) * 1000) / (now - r.at);
    if (this.#still || !room.settings.running) r.perSecond = 0;
    r.at = now;
    r.generation = generation;
    this.#lastStatsAt = now;
    return {
      type: "stats",
      generation,
      population: room.engine.population(),
      generationsPerSecond: r.perSecond,
      players: this.#players().length,
      running: room.settings.running,
      still: this.#still,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Lobby

  #reportSoon(now: number): void {
    this.#reportDue = true;
    if (now - this.#lastReportAt >= LOBBY_REPORT_INTERVAL_MS) this.#report(now);
  }

  #report(now: number): void {
    const room = this.#room;
    if (!room) return;
    this.#reportDue = false;
    this.#refreshDue = false;
    this.#lastReportAt = now;
    this.#refreshAt = nextPhasePoint(now, this.#refreshPhase, LOBBY_REFRESH_INTERVAL_MS);
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('lastActive', ?)", String(room.lastActive));
    const info = this.#info();
    this.#reporting = lobbyStub(this.env)
      .report(info)
      .catch((e: unknown) => console.error("lobby report failed:", String(e)));
  }

  #info(): RoomInfo {
    const room = this.#room!;
    const { settings, engine } = room;
    return {
      id: room.id,
      name: settings.name,
      width: settings.width,
      height: settings.height,
      rule: formatRule(settings.rule),
      topology: settings.topology,
      tickMs: settings.tickMs,
      generationsPerTick: settings.generationsPerTick,
      running: settings.running,
      private: settings.private,
      locked: settings.locked,
      generation: engine.generation,
      population: engine.population(),
      players: this.#players().length,
      url: `/r/${room.id}`,
      created: room.created,
      lastActive: room.lastActive,
    };
  }
}

function applyEdit(engine: Engine, edit: Edit): void {
  if (edit.kind === "cells") engine.setCells(edit.cells, edit.alive);
  else engine.stamp(edit.bitmap, edit.x, edit.y, edit.mode);
}

function playerTag(playerId: number): string {
  return `p${playerId}`;
}

function presenceEntry(live: Live): PresenceEntry {
  const { playerId, colour, cursor, name } = live.att;
  return { id: playerId, colour, x: cursor[0], y: cursor[1], name };
}

function seqOf(m: ClientMessage): number {
  return "seq" in m ? m.seq : 0;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** The first moment after `now` that lies a whole number of `interval`s after `phase`: an
 *  instance's own point in a repeating interval. */
function nextPhasePoint(now: number, phase: number, interval: number): number {
  return now + interval - mod(now - phase, interval);
}

function isAttachment(value: unknown): value is Attachment {
  if (typeof value !== "object" || value === null) return false;
  const a = value as Partial<Attachment>;
  return typeof a.playerId === "number" && typeof a.hello === "boolean" && typeof a.name === "string" && typeof a.owner === "boolean";
}
