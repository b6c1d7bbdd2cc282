/**
 * Snapshots of a room's grid in its Durable Object's SQLite storage: chunked below the ~2 MB value
 * limit, checksummed per chunk, and kept in two slots so that a damaged chunk falls back to the
 * previous good snapshot instead of loading garbage.
 *
 * Chunks are bands of whole grid rows, a multiple of 64 rows (one change-map tile row) each, at
 * most SNAPSHOT_CHUNK_BYTES of packed bits before encoding. A 16384² grid is 32 chunks of 512
 * rows; a 1024² grid is one chunk.
 *
 *   snapshot_slot  (one row per slot 0 | 1)
 *   +------+------------+-------+--------+----------------+--------+----------+-------+
 *   | slot | generation | width | height | rows_per_chunk | chunks | saved_at | check |
 *   +------+------------+-------+--------+----------------+--------+----------+-------+
 *     check = CRC-32 of "generation,width,height,rows_per_chunk,chunks,saved_at"
 *
 *   snapshot_chunk (one row per slot and band)
 *   +------+-----+-------+-----+------------------------------------------------+
 *   | slot | idx | codec | crc | data: band rows packed (common/bitmap.ts), then |
 *   |      |     |       |     | encoded with codec NONE or RUNS (common/protocol/codecs.ts)   |
 *   +------+-----+-------+-----+------------------------------------------------+
 *     crc = CRC-32 of [slot u8, idx u32 LE, codec u8, data…]; binding slot and index into the
 *     checksum also catches a chunk that landed in the wrong place.
 *
 *   snapshot_current: the slot of the newest complete snapshot.
 *
 * Writing: every chunk of the *other* slot that changed since that slot was last written is
 * rewritten, then its header, then the pointer flips — all synchronously, with no await, so the
 * Durable Object commits them as one transaction. Which bands changed is tracked per slot from the
 * engine's change map; after a restart every band counts as changed, so the first snapshot after
 * a restart rewrites its slot completely.
 *
 * Reading: the current slot is verified chunk by chunk while it is loaded; on any mismatch the
 * other slot is loaded over it (each slot covers the whole grid). A damaged pointer is not a
 * dead end: the slot headers say which slot is newer. When no slot verifies, the grid is cleared
 * rather than trusted.
 */
import type { Engine } from "../common/engine.ts";
import { TILE_SIZE } from "../common/grid.ts";
import { bitmapStride } from "../common/bitmap.ts";
import { Codec, decodeRuns, encodeRuns } from "../common/protocol/index.ts";
import { SNAPSHOT_CHUNK_BYTES } from "./limits.ts";

export type RestoreResult =
  | { kind: "restored"; generation: number; slot: number; damagedSlots: number[] }
  | { kind: "empty" } // nothing was ever saved
  | { kind: "damaged"; damagedSlots: number[] }; // nothing verified; the grid was cleared

interface SlotRow extends Record<string, SqlStorageValue> {
  slot: number;
  generation: number;
  width: number;
  height: number;
  rows_per_chunk: number;
  chunks: number;
  saved_at: number;
  check: number;
}

interface ChunkRow extends Record<string, SqlStorageValue> {
  codec: number;
  crc: number;
  data: ArrayBuffer;
}

/** Rows per chunk for a grid `width` cells wide: a multiple of 64, at most SNAPSHOT_CHUNK_BYTES. */
export function chunkRows(width: number): number {
  return Math.max(TILE_SIZE, Math.floor(SNAPSHOT_CHUNK_BYTES / bitmapStride(width) / TILE_SIZE) * TILE_SIZE);
}

export class SnapshotStore {
  readonly #sql: SqlStorage;
  readonly #width: number;
  readonly #height: number;
  readonly #rowsPerChunk: number;
  readonly #chunks: number;
  /** Per slot, 1 where a chunk changed since that slot was last written. */
  readonly #dirty: [Uint8Array, Uint8Array];
  /** Whether anything changed since the newest snapshot was written. */
  #changed = true;

  constructor(sql: SqlStorage, width: number, height: number) {
    this.#sql = sql;
    this.#width = width;
    this.#height = height;
    this.#rowsPerChunk = chunkRows(width);
    this.#chunks = Math.ceil(height / this.#rowsPerChunk);
    this.#dirty = [new Uint8Array(this.#chunks).fill(1), new Uint8Array(this.#chunks).fill(1)];
    sql.exec(`CREATE TABLE IF NOT EXISTS snapshot_slot (
      slot INTEGER PRIMARY KEY, generation INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
      rows_per_chunk INTEGER NOT NULL, chunks INTEGER NOT NULL, saved_at INTEGER NOT NULL, "check" INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS snapshot_chunk (
      slot INTEGER NOT NULL, idx INTEGER NOT NULL, codec INTEGER NOT NULL, crc INTEGER NOT NULL, data BLOB NOT NULL,
      PRIMARY KEY (slot, idx))`);
    sql.exec(`CREATE TABLE IF NOT EXISTS snapshot_current (id INTEGER PRIMARY KEY CHECK (id = 0), slot INTEGER NOT NULL)`);
  }

  get chunkCount(): number {
    return this.#chunks;
  }

  /** Notes that rows [y0, y1) changed, for both slots. */
  markRows(y0: number, y1: number): void {
    const first = Math.max(0, Math.floor(y0 / this.#rowsPerChunk));
    const last = Math.min(this.#chunks - 1, Math.floor((y1 - 1) / this.#rowsPerChunk));
    for (let i = first; i <= last; i++) this.#dirty[0][i] = this.#dirty[1][i] = 1;
    if (first <= last) this.#changed = true;
  }

  markAll(): void {
    this.#dirty[0].fill(1);
    this.#dirty[1].fill(1);
    this.#changed = true;
  }

  /** Folds an engine change map (one byte per 64×64 tile) into the dirty bands. */
  markTiles(map: { tilesX: number; tilesY: number; flags: Uint8Array }): void {
    for (let ty = 0; ty < map.tilesY; ty++) {
      const row = map.flags.subarray(ty * map.tilesX, (ty + 1) * map.tilesX);
      if (row.includes(1)) this.markRows(ty * TILE_SIZE, (ty + 1) * TILE_SIZE);
    }
  }

  /** Whether anything changed since the newest snapshot. */
  get dirty(): boolean {
    return this.#changed;
  }

  currentSlot(): number | null {
    const rows = this.#sql.exec<{ slot: number }>("SELECT slot FROM snapshot_current WHERE id = 0").toArray();
    return rows.length === 1 && (rows[0].slot === 0 || rows[0].slot === 1) ? rows[0].slot : null;
  }

  /** Writes the engine's grid as the newest snapshot; returns the slot and chunks written. */
  save(engine: Engine, now: number): { slot: number; written: number } {
    const current = this.currentSlot();
    const slot = current === null ? 0 : 1 - current;
    const dirty = this.#dirty[slot];
    let written = 0;
    for (let i = 0; i < this.#chunks; i++) {
      if (dirty[i] === 0) continue;
      const y0 = i * this.#rowsPerChunk;
      const rows = Math.min(this.#rowsPerChunk, this.#height - y0);
      const raw = engine.readRectView(0, y0, this.#width, rows).data; // valid until the next engine call
      const runs = encodeRuns(raw);
      const [codec, data] = runs.length < raw.length ? [Codec.RUNS, runs] : [Codec.NONE, raw.slice()];
      this.#sql.exec(
        "INSERT OR REPLACE INTO snapshot_chunk (slot, idx, codec, crc, data) VALUES (?, ?, ?, ?, ?)",
        slot,
        i,
        codec,
        chunkCrc(slot, i, codec, data),
        data,
      );
      written++;
    }
    const header = [engine.generation, this.#width, this.#height, this.#rowsPerChunk, this.#chunks, now];
    this.#sql.exec(
      `INSERT OR REPLACE INTO snapshot_slot (slot, generation, width, height, rows_per_chunk, chunks, saved_at, "check")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      slot,
      ...header,
      headerCrc(header),
    );
    this.#sql.exec("INSERT OR REPLACE INTO snapshot_current (id, slot) VALUES (0, ?)", slot);
    dirty.fill(0);
    this.#changed = false;
    return { slot, written };
  }

  /** Loads the newest snapshot that verifies into `engine` (grid and generation). */
  restore(engine: Engine): RestoreResult {
    const current = this.currentSlot();
    // The pointer names the newest slot; should it be damaged itself, the slots' own headers
    // say which is newer.
    const order = current !== null ? [current, 1 - current] : this.#slotsNewestFirst();
    if (order.length === 0) return { kind: "empty" };
    const damagedSlots: number[] = [];
    for (const slot of order) {
      const generation = this.#load(engine, slot);
      if (generation === null) {
        damagedSlots.push(slot);
        continue;
      }
      engine.generation = generation;
      // After a restart nothing is known about what the other slot holds: rewrite all of it
      // (but the grid itself is exactly the snapshot, so nothing needs saving yet).
      this.markAll();
      this.#changed = false;
      if (slot !== current) this.#sql.exec("INSERT OR REPLACE INTO snapshot_current (id, slot) VALUES (0, ?)", slot);
      return { kind: "restored", generation, slot, damagedSlots };
    }
    engine.clear();
    engine.generation = 0;
    this.markAll();
    return { kind: "damaged", damagedSlots };
  }

  /** Slots that have a header, newest generation first (headers are verified when loaded). */
  #slotsNewestFirst(): number[] {
    return this.#sql
      .exec<{ slot: number }>("SELECT slot FROM snapshot_slot WHERE slot IN (0, 1) ORDER BY generation DESC, saved_at DESC")
      .toArray()
      .map((row) => row.slot);
  }

  /** Loads `slot` chunk by chunk, verifying each; returns its generation, or null if anything is off. */
  #load(engine: Engine, slot: number): number | null {
    const headers = this.#sql.exec<SlotRow>(`SELECT * FROM snapshot_slot WHERE slot = ?`, slot).toArray();
    if (headers.length !== 1) return null;
    const h = headers[0];
    const header = [h.generation, h.width, h.height, h.rows_per_chunk, h.chunks, h.saved_at];
    if (headerCrc(header) !== h.check) return null;
    if (h.width !== this.#width || h.height !== this.#height || h.rows_per_chunk !== this.#rowsPerChunk || h.chunks !== this.#chunks) return null;
    const stride = bitmapStride(this.#width);
    for (let i = 0; i < this.#chunks; i++) {
      // One chunk in memory at a time: a 16384² grid never needs a second 32 MiB copy.
      const rows = this.#sql.exec<ChunkRow>("SELECT codec, crc, data FROM snapshot_chunk WHERE slot = ? AND idx = ?", slot, i).toArray();
      if (rows.length !== 1) return null;
      const { codec, crc } = rows[0];
      const data = new Uint8Array(rows[0].data);
      if (chunkCrc(slot, i, codec, data) !== crc) return null;
      const y0 = i * this.#rowsPerChunk;
      const height = Math.min(this.#rowsPerChunk, this.#height - y0);
      const rawLength = stride * height;
      const raw = codec === Codec.RUNS ? decodeRuns(data, rawLength) : codec === Codec.NONE && data.length === rawLength ? data : null;
      if (raw === null) return null;
      engine.stamp({ width: this.#width, height, data: raw }, 0, y0, "replace");
    }
    return h.generation;
  }

  /** Forgets every snapshot (the room is being deleted). */
  drop(): void {
    this.#sql.exec("DROP TABLE IF EXISTS snapshot_chunk");
    this.#sql.exec("DROP TABLE IF EXISTS snapshot_slot");
    this.#sql.exec("DROP TABLE IF EXISTS snapshot_current");
  }
}

// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): synchronous, so a snapshot is written
// without an await that would let other events interleave with a half-written slot.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function chunkCrc(slot: number, idx: number, codec: number, data: Uint8Array): number {
  const prefix = new Uint8Array(6);
  const view = new DataView(prefix.buffer);
  view.setUint8(0, slot);
  view.setUint32(1, idx, true);
  view.setUint8(5, codec);
  return crc32(data, crc32(prefix));
}

function headerCrc(fields: number[]): number {
  return crc32(new TextEncoder().encode(fields.join(",")));
}
