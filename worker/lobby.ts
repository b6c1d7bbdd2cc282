/**
 * Lobby: the one registry of rooms. Rooms report their public facts to it at most about once a
 * second; the lobby lists the public ones, meters room creation per client address, and expires
 * rooms nobody has been in for ROOM_EXPIRY_MS.
 *
 * Expiry policy: once an hour (EXPIRY_SWEEP_MS) the lobby asks every room whose last reported
 * activity is older than 30 days (ROOM_EXPIRY_MS) to delete itself. The room decides with its own
 * state: it refuses while anyone is connected or when it was active since, so a stale report (a
 * player count from before a crash, say) never deletes a room in use.
 */
import { DurableObject } from "cloudflare:workers";
import type { RoomInfo } from "../common/protocol/index.ts";
import { roomStub, type Env } from "./env.ts";
import { projectedGeneration } from "./room-clock.ts";
import {
  EXPIRY_SWEEP_MS,
  LOBBY_LIST_LIMIT,
  LOBBY_REQUESTS_PER_SECOND,
  MAX_TRACKED_ADDRESSES,
  ROOM_CREATIONS_PER_MINUTE,
  ROOM_CREATION_BURST,
  ROOM_EXPIRY_MS,
} from "./limits.ts";
import { AddressLimiter } from "./ratelimit.ts";

export class Lobby extends DurableObject<Env> {
  readonly #creations = new AddressLimiter(ROOM_CREATIONS_PER_MINUTE / 60, ROOM_CREATION_BURST, MAX_TRACKED_ADDRESSES);
  readonly #lists = new AddressLimiter(LOBBY_REQUESTS_PER_SECOND, LOBBY_REQUESTS_PER_SECOND * 2, MAX_TRACKED_ADDRESSES);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS room (
      id TEXT PRIMARY KEY, private INTEGER NOT NULL, players INTEGER NOT NULL,
      last_active INTEGER NOT NULL, info TEXT NOT NULL)`);
  }

  /** Whether `address` may create a room now (takes one of its creation tokens). */
  async admitCreation(address: string): Promise<boolean> {
    return this.#creations.allow(address);
  }

  /** Whether `address` may list rooms now. */
  async admitList(address: string): Promise<boolean> {
    return this.#lists.allow(address);
  }

  async report(info: RoomInfo): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO room (id, private, players, last_active, info) VALUES (?, ?, ?, ?, ?)",
      info.id,
      info.private ? 1 : 0,
      info.players,
      info.lastActive,
      JSON.stringify(info),
    );
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + EXPIRY_SWEEP_MS);
  }

  async remove(id: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM room WHERE id = ?", id);
  }

  /** Public rooms, busiest and most recently active first. */
  async list(): Promise<RoomInfo[]> {
    const rows = this.ctx.storage.sql
      .exec<{ info: string }>("SELECT info FROM room WHERE private = 0 ORDER BY players DESC, last_active DESC LIMIT ?", LOBBY_LIST_LIMIT)
      .toArray();
    // A running room nobody watches does not tick until it is observed: show where its clock
    // says it is (and where it will be once opened), not where it stopped.
    const now = Date.now();
    return rows.map((row) => {
      const info = JSON.parse(row.info) as RoomInfo;
      const projected = projectedGeneration(info, now);
      if (projected.generation === info.generation) return info;
      return { ...info, generation: projected.generation, slowed: projected.behind > 0 ? { at: now, generations: projected.behind } : (info.slowed ?? null) };
    });
  }

  override async alarm(): Promise<void> {
    const before = Date.now() - ROOM_EXPIRY_MS;
    const idle = this.ctx.storage.sql
      .exec<{ id: string }>("SELECT id FROM room WHERE last_active < ? LIMIT 100", before)
      .toArray();
    for (const { id } of idle) {
      try {
        if (await roomStub(this.env, id).expire(before)) this.ctx.storage.sql.exec("DELETE FROM room WHERE id = ?", id);
      } catch (e) {
        console.error(`expiring room failed:`, String(e));
      }
    }
    const left = this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM room").one().n;
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + EXPIRY_SWEEP_MS);
  }
}
