// Eviction and damage: rooms dropped from memory (the pool's abortAllDurableObjects) come back
// exactly from their last snapshot, and every kind of damage to a snapshot is detected and
// skipped — the older slot is used, or an empty grid, never garbage.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import LIFE_SIMD from "../../build/life-simd.wasm";
import { Engine } from "../../common/engine.ts";
import { LIFE } from "../../common/rules.ts";
import type { GameRoom } from "../../worker/room.ts";
import { SnapshotStore } from "../../worker/snapshot.ts";
import { Player, api, control, createRoom, roomStubOf, stamp } from "./helpers.ts";

async function info(id: string): Promise<{ generation: number; population: number; running: boolean; players: number }> {
  return (await api(`/api/rooms/${id}`)).json();
}

async function rect(id: string, x: number, y: number, w: number, h: number): Promise<string> {
  const response = await api(`/api/rooms/${id}/pattern?x=${x}&y=${y}&w=${w}&h=${h}`);
  expect(response.status).toBe(200);
  return response.text();
}

/** A scratch object's SQLite (an id nobody created), for the store on its own. */
function withStorage<T>(name: string, fn: (sql: SqlStorage) => T | Promise<T>): Promise<T> {
  return runInDurableObject(roomStubOf(name.padEnd(22, "x").slice(0, 22)), (_i, state) => fn(state.storage.sql));
}

function engine(width: number, height: number): Promise<Engine> {
  return Engine.create(LIFE_SIMD, { width, height, topology: "torus", rule: LIFE });
}

describe("eviction", () => {
  it("a 4096² room (two snapshot chunks) evicted from memory comes back with the same generation and cells", async () => {
    const room = await createRoom({ width: 4096, height: 4096, running: false });
    await control(room, { action: "randomize", density: 0.3, seed: 2026 });
    await control(room, { action: "step", generations: 12 });
    const owner = await Player.join(room.id, "owner", room.ownerToken);
    owner.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([4000, 4000, 4001, 4000, 4000, 4001, 4001, 4001]) });
    await owner.next("ack", (m) => m.seq === 1);
    const before = await info(room.id);
    // Rectangles in both chunks (rows 0..2047 and 2048..4095) and across their boundary.
    const places: Array<[number, number]> = [[0, 0], [1000, 2000], [2048, 2040], [3968, 3968]];
    const cells = await Promise.all(places.map(([x, y]) => rect(room.id, x, y, 128, 128)));
    await abortAllDurableObjects();
    const after = await info(room.id);
    expect(after).toMatchObject({ generation: before.generation, population: before.population, running: false });
    expect(await Promise.all(places.map(([x, y]) => rect(room.id, x, y, 128, 128)))).toEqual(cells);
    owner.close();
  });

  it("a running room evicted mid-run is back at its last snapshot: a generation it reached, with the cells of that generation", async () => {
    const room = await createRoom({ running: false, tickMs: 10_000 });
    await stamp(room, "x = 3, y = 1\n3o!", 10, 10); // a blinker: the phase shows the generation's parity
    await control(room, { action: "resume" });
    const ada = await Player.join(room.id);
    const stub = roomStubOf(room.id);
    for (let i = 0; i < 5; i++) await runDurableObjectAlarm(stub);
    const reached = (await info(room.id)).generation;
    ada.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([40, 40, 41, 40, 40, 41, 41, 41]) }); // a block
    // The edit waits for the next tick (10 s away): run it once the edit is queued.
    for (let i = 0; i < 200 && (await runInDurableObject(stub, (instance: GameRoom) => instance.pendingEditCount())) === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await runDurableObjectAlarm(stub);
    const ack = await ada.next("ack", (m) => m.seq === 1);
    await abortAllDurableObjects();
    const back = await info(room.id);
    expect(back.generation).toBeGreaterThanOrEqual(Math.max(reached, ack.generation));
    expect(back.population).toBe(3 + 4);
    const blinker = await rect(room.id, 10, 9, 3, 3);
    expect(blinker).toContain(back.generation % 2 === 0 ? "\n$3o!" : "\nbo$bo$bo!");
    expect(await rect(room.id, 40, 40, 2, 2)).toContain("\n2o$2o!");
    ada.close();
  });
});

describe("damaged snapshots", () => {
  /** Two slots of a 4096² grid: slot 0 at generation 0, slot 1 (current) at generation 1. */
  async function twoSlots(sql: SqlStorage): Promise<{ older: string; newer: string }> {
    const grid = await engine(4096, 4096);
    grid.randomize(0.4, 5);
    const store = new SnapshotStore(sql, 4096, 4096);
    store.save(grid, 1);
    const older = grid.sha256();
    grid.step(1);
    store.markAll();
    store.save(grid, 2);
    return { older, newer: grid.sha256() };
  }

  async function restore(sql: SqlStorage): Promise<{ result: ReturnType<SnapshotStore["restore"]>; sha: string; generation: number }> {
    const grid = await engine(4096, 4096);
    const result = new SnapshotStore(sql, 4096, 4096).restore(grid);
    return { result, sha: grid.sha256(), generation: grid.generation };
  }

  const damages: Array<[string, (sql: SqlStorage) => void]> = [
    ["one flipped bit in the second chunk", (sql) => {
      const row = sql.exec<{ data: ArrayBuffer }>("SELECT data FROM snapshot_chunk WHERE slot = 1 AND idx = 1").one();
      const data = new Uint8Array(row.data);
      data[data.length >> 1] ^= 0x01;
      sql.exec("UPDATE snapshot_chunk SET data = ? WHERE slot = 1 AND idx = 1", data);
    }],
    ["a truncated chunk", (sql) => sql.exec("UPDATE snapshot_chunk SET data = substr(data, 1, length(data) - 7) WHERE slot = 1 AND idx = 0")],
    ["a chunk whose codec byte changed", (sql) => sql.exec("UPDATE snapshot_chunk SET codec = 1 - codec WHERE slot = 1 AND idx = 1")],
    ["a missing chunk", (sql) => sql.exec("DELETE FROM snapshot_chunk WHERE slot = 1 AND idx = 1")],
    ["an empty chunk", (sql) => sql.exec("UPDATE snapshot_chunk SET data = x'' WHERE slot = 1 AND idx = 0")],
    ["a header with another size", (sql) => sql.exec("UPDATE snapshot_slot SET width = 4095 WHERE slot = 1")],
    ["a header whose generation changed", (sql) => sql.exec("UPDATE snapshot_slot SET generation = generation + 1 WHERE slot = 1")],
  ];

  it.each(damages)("%s in the newest snapshot: the older one is used", async (_what, damage) => {
    await withStorage(`dmg-${_what.slice(0, 12)}`, async (sql) => {
      const { older } = await twoSlots(sql);
      damage(sql);
      const { result, sha, generation } = await restore(sql);
      expect(result).toMatchObject({ kind: "restored", slot: 0, damagedSlots: [1] });
      expect(sha).toBe(older);
      expect(generation).toBe(0);
    });
  });

  it("damage in the older snapshot costs nothing: the newest is used", async () => {
    await withStorage("dmg-older", async (sql) => {
      const { newer } = await twoSlots(sql);
      sql.exec("UPDATE snapshot_chunk SET crc = crc + 1 WHERE slot = 0");
      const { result, sha, generation } = await restore(sql);
      expect(result).toEqual({ kind: "restored", slot: 1, generation: 1, damagedSlots: [] });
      expect(sha).toBe(newer);
      expect(generation).toBe(1);
    });
  });

  it("a damaged pointer to the newest snapshot: the slots' own headers say which is newer", async () => {
    for (const pointer of ["UPDATE snapshot_current SET slot = 7", "DELETE FROM snapshot_current"]) {
      await withStorage(`dmg-ptr-${pointer.length}`, async (sql) => {
        const { newer } = await twoSlots(sql);
        sql.exec(pointer);
        const { result, sha } = await restore(sql);
        expect(result).toMatchObject({ kind: "restored", slot: 1, generation: 1 });
        expect(sha).toBe(newer);
        // The pointer is repaired, so the next snapshot goes to the other slot.
        expect(sql.exec<{ slot: number }>("SELECT slot FROM snapshot_current").one().slot).toBe(1);
      });
    }
  });

  it("both snapshots damaged: an empty grid at generation 0, never garbage", async () => {
    await withStorage("dmg-both", async (sql) => {
      await twoSlots(sql);
      sql.exec("UPDATE snapshot_chunk SET data = substr(data, 2) WHERE idx = 1");
      const grid = await engine(4096, 4096);
      grid.randomize(0.5, 1); // whatever the engine held before must not survive
      const result = new SnapshotStore(sql, 4096, 4096).restore(grid);
      expect(result).toEqual({ kind: "damaged", damagedSlots: [1, 0] });
      expect([grid.population(), grid.generation]).toEqual([0, 0]);
    });
  });
});
