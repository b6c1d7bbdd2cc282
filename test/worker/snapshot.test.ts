// SnapshotStore and the view geometry, on the real engine inside a Durable Object's SQLite.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import LIFE_SIMD from "../../build/life-simd.wasm";
import { Engine } from "../../common/engine.ts";
import { LIFE } from "../../common/rules.ts";
import { MAX_VIEW_SIDE, decodeServerFrame } from "../../common/protocol/index.ts";
import { DeltaBuilder, defaultViewport, viewRect } from "../../common/view-frames.ts";
import { SnapshotStore, chunkRows, crc32 } from "../../worker/snapshot.ts";
import { roomStubOf } from "./helpers.ts";

/** A scratch object's SQLite: a room id nobody created, used only as storage. */
async function withStorage<T>(name: string, fn: (sql: SqlStorage) => T | Promise<T>): Promise<T> {
  return runInDurableObject(roomStubOf(name.padEnd(22, "x").slice(0, 22)), (_i, state) => fn(state.storage.sql));
}

function engine(width: number, height: number): Promise<Engine> {
  return Engine.create(LIFE_SIMD, { width, height, topology: "torus", rule: LIFE });
}

describe("CRC-32", () => {
  it("matches the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("equals the one-byte-at-a-time definition on every length and split, so saved chunks still verify", () => {
    const byBytes = (bytes: Uint8Array, crc = 0) => {
      let c = ~crc >>> 0;
      for (const b of bytes) {
        c ^= b;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      return ~c >>> 0;
    };
    let seed = 12345;
    const bytes = Uint8Array.from({ length: 1031 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    for (let length = 0; length <= 40; length++) expect(crc32(bytes.subarray(0, length))).toBe(byBytes(bytes.subarray(0, length)));
    expect(crc32(bytes)).toBe(byBytes(bytes));
    // Continuing from an earlier CRC (a chunk's prefix, then its data), at every split point near
    // a 4-byte boundary.
    for (const split of [1, 2, 3, 4, 5, 6, 7, 513, 1030]) {
      expect(crc32(bytes.subarray(split), crc32(bytes.subarray(0, split)))).toBe(byBytes(bytes));
    }
  });
});

describe("snapshot chunks", () => {
  it("are bands of 64-row multiples of at most 1 MiB of packed bits", () => {
    expect(chunkRows(16384)).toBe(512); // 2 KiB per row
    expect(chunkRows(4096)).toBe(2048);
    expect(chunkRows(1)).toBeGreaterThanOrEqual(16384);
  });

  it("a 4096² grid restores exactly from two chunks, and only changed chunks are rewritten", async () => {
    await withStorage("snapshot-multi", async (sql) => {
      const grid = await engine(4096, 4096);
      grid.randomize(0.3, 11);
      grid.step(3);
      const store = new SnapshotStore(sql, 4096, 4096);
      expect(store.chunkCount).toBe(2);
      expect(store.save(grid, 1)).toEqual({ slot: 0, written: 2 });
      expect(store.save(grid, 2)).toEqual({ slot: 1, written: 2 }); // slot 1 was never written

      // A change in the bottom band only: the next slot rewrites that band alone.
      grid.setCells([10, 3000], true);
      store.markRows(3000, 3001);
      expect(store.save(grid, 3)).toEqual({ slot: 0, written: 1 });
      const expected = grid.sha256();

      const restored = await engine(4096, 4096);
      const result = new SnapshotStore(sql, 4096, 4096).restore(restored);
      expect(result).toEqual({ kind: "restored", generation: 3, slot: 0, damagedSlots: [] });
      expect(restored.sha256()).toBe(expected);
      expect(restored.generation).toBe(3);
    });
  });

  it("a chunk moved to another index fails its checksum, and the other slot is used", async () => {
    await withStorage("snapshot-moved", async (sql) => {
      const grid = await engine(4096, 4096);
      grid.randomize(0.5, 1);
      const store = new SnapshotStore(sql, 4096, 4096);
      store.save(grid, 1); // slot 0
      const older = grid.sha256();
      grid.step(1);
      store.markAll();
      store.save(grid, 2); // slot 1
      // Swap slot 1's two chunks: each checksum is still right for its bytes, but not for its place.
      const rows = sql.exec<{ idx: number; codec: number; crc: number; data: ArrayBuffer }>("SELECT idx, codec, crc, data FROM snapshot_chunk WHERE slot = 1").toArray();
      for (const row of rows) sql.exec("UPDATE snapshot_chunk SET codec = ?, crc = ?, data = ? WHERE slot = 1 AND idx = ?", row.codec, row.crc, row.data, 1 - row.idx);
      const restored = await engine(4096, 4096);
      expect(new SnapshotStore(sql, 4096, 4096).restore(restored)).toMatchObject({ kind: "restored", slot: 0, damagedSlots: [1] });
      expect(restored.sha256()).toBe(older);
      expect(restored.generation).toBe(0);
    });
  });

  it("a damaged slot header is detected too", async () => {
    await withStorage("snapshot-header", async (sql) => {
      const grid = await engine(64, 64);
      const store = new SnapshotStore(sql, 64, 64);
      store.save(grid, 1);
      grid.setCells([1, 1], true);
      grid.step(5);
      store.markAll();
      store.save(grid, 2);
      sql.exec("UPDATE snapshot_slot SET generation = 4 WHERE slot = 1");
      const restored = await engine(64, 64);
      expect(new SnapshotStore(sql, 64, 64).restore(restored)).toMatchObject({ kind: "restored", slot: 0, generation: 0, damagedSlots: [1] });
    });
  });

  it("nothing saved yet restores as empty", async () => {
    await withStorage("snapshot-none", async (sql) => {
      expect(new SnapshotStore(sql, 8, 8).restore(await engine(8, 8))).toEqual({ kind: "empty" });
    });
  });
});

describe("views", () => {
  it("a viewport is clipped to the grid, aligned to 64-cell tiles and capped at MAX_VIEW_SIDE", () => {
    expect(viewRect({ x: 10, y: 70, width: 100, height: 10, scale: 1 }, 1000, 1000)).toEqual({ scale: 1, x: 0, y: 64, width: 128, height: 64, tx0: 0, ty0: 1, tx1: 2, ty1: 2 });
    expect(viewRect({ x: -500, y: -500, width: 600, height: 600, scale: 1 }, 90, 90)).toMatchObject({ x: 0, y: 0, width: 90, height: 90 });
    expect(viewRect({ x: 5000, y: 0, width: 10, height: 10, scale: 1 }, 100, 100)).toMatchObject({ x: 64, width: 36, tx0: 1, tx1: 2 });
    expect(viewRect({ x: 0, y: 0, width: 16384, height: 16384, scale: 1 }, 16384, 16384)).toMatchObject({ width: MAX_VIEW_SIDE, height: MAX_VIEW_SIDE });
    expect(viewRect({ x: 0, y: 0, width: 16384, height: 16384, scale: 16 }, 16384, 16384)).toMatchObject({ width: 1024, height: 1024, tx1: 16 });
    expect(defaultViewport(16384, 100)).toMatchObject({ scale: 16 });
    expect(defaultViewport(1024, 1024)).toMatchObject({ scale: 1 });
  });

  it("a tick's changed tiles are encoded once however many players see them", async () => {
    const grid = await engine(512, 512);
    grid.setCells([10, 10, 11, 10, 12, 10, 300, 300, 301, 300, 302, 300], true); // two blinkers
    grid.clearChanges();
    grid.step(1);
    const deltas = new DeltaBuilder(grid, grid.changeMap());
    const everything = viewRect({ x: 0, y: 0, width: 512, height: 512, scale: 1 }, 512, 512);
    const corner = viewRect({ x: 0, y: 0, width: 64, height: 64, scale: 1 }, 512, 512);
    const frames = [deltas.frameFor(everything), deltas.frameFor(everything), deltas.frameFor(corner), deltas.frameFor(corner)];
    expect(deltas.tilesEncoded).toBe(2);
    expect(frames[0]).toEqual(frames[1]);
    const decoded = decodeServerFrame(frames[2]!);
    expect(decoded.ok && decoded.value.type === "delta" && decoded.value.tiles.map((t) => [t.tx, t.ty])).toEqual([[0, 0]]);
    // A coarse view pools changes: both blinkers fall in scaled tiles (0,0) and (1,1) at scale 4.
    const coarse = deltas.frameFor(viewRect({ x: 0, y: 0, width: 512, height: 512, scale: 4 }, 512, 512));
    const coarseDecoded = decodeServerFrame(coarse!);
    expect(coarseDecoded.ok && coarseDecoded.value.type === "delta" && coarseDecoded.value.tiles.map((t) => [t.tx, t.ty])).toEqual([[0, 0], [1, 1]]);
    expect(deltas.frameFor(viewRect({ x: 128, y: 0, width: 64, height: 64, scale: 1 }, 512, 512))).toBeNull();
  });
});
