/**
 * A room's record in its Durable Object's storage: the `meta` table holds its settings (key
 * 'room') and when it was last active (key 'lastActive'); the grid is in the snapshot tables
 * (snapshot.ts). Loading builds the engine from both; `roomInfo` is what the room shows of itself
 * to the lobby and the HTTP API.
 */
import LIFE_SIMD from "../build/life-simd.wasm";
import { Engine } from "../common/engine.ts";
import type { RoomInfo, RoomSettings } from "../common/protocol/index.ts";
import { formatRule } from "../common/rules.ts";
import { RoomClock } from "./room-clock.ts";
import { SnapshotStore } from "./snapshot.ts";

/** Everything a new room starts from; the worker has validated it. */
export interface RoomInit {
  id: string;
  ownerHash: string;
  settings: RoomSettings;
}

interface StoredRoom {
  id: string;
  created: number;
  ownerHash: string;
  settings: RoomSettings;
}

export interface LoadedRoom extends StoredRoom {
  engine: Engine;
  store: SnapshotStore;
  /** When a running room nobody watches stopped ticking, and how it catches up. */
  clock: RoomClock;
  lastActive: number;
}

/** Loads the room with its newest good snapshot; null when storage holds none (never created,
 *  or deleted). */
export async function loadRoom(sql: SqlStorage): Promise<LoadedRoom | null> {
  // Reading sqlite_master writes nothing, so probing an unknown id leaves no storage behind.
  const tables = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray();
  if (tables.length === 0) return null;
  const rows = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'room'").toArray();
  if (rows.length === 0) return null;
  const stored: StoredRoom = JSON.parse(rows[0].value);
  const active = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'lastActive'").toArray();
  const { width, height, topology, rule } = stored.settings;
  const engine = await Engine.create(LIFE_SIMD, { width, height, topology, rule });
  const store = new SnapshotStore(sql, width, height);
  const restore = store.restore(engine);
  if (restore.kind === "damaged") console.error(`room ${stored.id}: no snapshot verified; starting from an empty grid`);
  else if (restore.kind === "restored" && restore.damagedSlots.length > 0) {
    console.error(`room ${stored.id}: damaged snapshot slot skipped; restored generation ${restore.generation}`);
  }
  engine.clearChanges();
  // Rooms saved before edits were queued in memory have a table of them; nothing in it was
  // ever acknowledged.
  sql.exec("DROP TABLE IF EXISTS pending_edit");
  return { ...stored, engine, store, clock: new RoomClock(sql), lastActive: active.length ? Number(active[0].value) : stored.created };
}

/** Creates a room's record and its first snapshot, at generation 0. */
export async function createRoom(sql: SqlStorage, init: RoomInit, now: number): Promise<LoadedRoom> {
  sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  const { width, height, topology, rule } = init.settings;
  const engine = await Engine.create(LIFE_SIMD, { width, height, topology, rule });
  const room: LoadedRoom = { id: init.id, created: now, ownerHash: init.ownerHash, settings: { ...init.settings }, engine, store: new SnapshotStore(sql, width, height), clock: new RoomClock(sql), lastActive: now };
  saveRoom(sql, room);
  saveLastActive(sql, now);
  // Both slots start valid, so a damaged first snapshot still has a fallback.
  room.store.save(engine, now);
  room.store.markAll();
  room.store.save(engine, now);
  return room;
}

/** Writes the room's settings (after a change). */
export function saveRoom(sql: SqlStorage, room: LoadedRoom): void {
  const stored: StoredRoom = { id: room.id, created: room.created, ownerHash: room.ownerHash, settings: room.settings };
  sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('room', ?)", JSON.stringify(stored));
}

export function saveLastActive(sql: SqlStorage, lastActive: number): void {
  sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('lastActive', ?)", String(lastActive));
}

/** What the room shows of itself: its settings, where its grid stands, and how many play. */
export function roomInfo(room: LoadedRoom, players: number, still: boolean): RoomInfo {
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
    players,
    url: `/r/${room.id}`,
    created: room.created,
    lastActive: room.lastActive,
    idleSince: room.clock.stoppedAt,
    still,
    slowed: room.clock.slowed,
  };
}
