/**
 * What one edit changed, recorded just before the room applies it so that its player can undo
 * it: only the cells whose state the edit changes, and the state it gives each. Undo gives those
 * cells their other state back, redo the edit's state again. Both write only those cells, at the
 * current generation: every other cell — another player's work, or the edit's own offspring that
 * the game grew elsewhere — is left as it is. Cells an edit left as they were (drawing over live
 * cells, the dead cells of a pattern stamped with "or") are not in the record, so undoing it in a
 * running room never brings back a cell that has died since.
 *
 * Two shapes, because SET_CELLS lists cells anywhere on the grid (two far-apart cells would make
 * a rectangle as large as the grid) while a stamp covers one rectangle. Little-endian:
 *
 *   cells (SET_CELLS): the cells it changed, all to one state
 *     +-------+----------+-----------+------------------------+
 *     | 00 u8 | alive u8 | count u16 | count × (x u16, y u16) |
 *     +-------+----------+-----------+------------------------+
 *
 *   area (STAMP): its rectangle (on a torus it may wrap past the right and bottom edges) and two
 *   bitmaps of that size, in common/bitmap.ts layout, RUNS-encoded (common/protocol/codecs.ts):
 *   the cells the stamp brought to life, and those it cleared ("replace" only); none is in both.
 *     +-------+-------+-------+-----------+------------+-------------+-------------+---------------+
 *     | 01 u8 | x u16 | y u16 | width u16 | height u16 | bornLen u32 | born (RUNS) | killed (RUNS) |
 *     +-------+-------+-------+-----------+------------+-------------+-------------+---------------+
 *
 *   too large: an edit whose record would pass MAX_UNDO_AREA_BYTES (or the history's
 *   MAX_UNDO_RECORD_BYTES)
 *     +-------+
 *     | 02 u8 |
 *     +-------+
 */
import { type Bitmap, POPCOUNT8, bitmapStride, createBitmap } from "../common/bitmap.ts";
import type { Engine } from "../common/engine.ts";
import { Reader, Writer } from "../common/protocol/bytes.ts";
import { decodeRuns, encodeRuns } from "../common/protocol/index.ts";
import type { Edit } from "./edit.ts";
import { MAX_UNDO_AREA_BYTES } from "./limits.ts";

export type ChangeRecord =
  | { kind: "cells"; alive: boolean; cells: Uint16Array /* x0, y0, x1, y1, …: the cells set to `alive` */ }
  | { kind: "area"; x: number; y: number; born: Bitmap; killed: Bitmap }
  | { kind: "tooLarge" };

const Kind = { cells: 0, area: 1, tooLarge: 2 } as const;
export const TOO_LARGE: ChangeRecord = { kind: "tooLarge" };

/** What `edit` will change on the grid as it is now; call it just before applying the edit. */
export function recordEdit(engine: Engine, edit: Edit): ChangeRecord {
  if (edit.kind === "cells") {
    // One read per listed cell: a SET_CELLS lists at most MAX_CELLS_PER_EDIT of them, where one
    // read of their bounding rectangle could cost the whole grid.
    const seen = new Set<number>();
    const changed: number[] = [];
    for (let i = 0; i < edit.cells.length; i += 2) {
      const x = edit.cells[i];
      const y = edit.cells[i + 1];
      const key = y * engine.width + x;
      if (seen.has(key)) continue;
      seen.add(key);
      if (engine.getCell(x, y) !== edit.alive) changed.push(x, y);
    }
    return { kind: "cells", alive: edit.alive, cells: Uint16Array.from(changed) };
  }
  const { width, height, data: pattern } = edit.bitmap;
  if (bitmapStride(width) * height > MAX_UNDO_AREA_BYTES) return TOO_LARGE;
  const before = readWrapped(engine, edit.x, edit.y, width, height).data;
  const born = new Uint8Array(pattern.length);
  const killed = new Uint8Array(pattern.length);
  for (let i = 0; i < pattern.length; i++) {
    born[i] = pattern[i] & ~before[i];
    if (edit.mode === "replace") killed[i] = before[i] & ~pattern[i];
  }
  return { kind: "area", x: edit.x, y: edit.y, born: { width, height, data: born }, killed: { width, height, data: killed } };
}

/** How many cells the record changes (0: none, a step to pass over), or −1 when it was too large to keep. */
export function changedCells(record: ChangeRecord): number {
  if (record.kind === "tooLarge") return -1;
  if (record.kind === "cells") return record.cells.length >>> 1;
  let n = 0;
  for (const bits of [record.born.data, record.killed.data]) for (const byte of bits) n += POPCOUNT8[byte];
  return n;
}

export function encodeRecord(record: ChangeRecord): Uint8Array {
  const w = new Writer();
  if (record.kind === "cells") {
    w.u8(Kind.cells).u8(record.alive ? 1 : 0).u16(record.cells.length >>> 1);
    for (const v of record.cells) w.u16(v);
  } else if (record.kind === "area") {
    const born = encodeRuns(record.born.data);
    w.u8(Kind.area).u16(record.x).u16(record.y).u16(record.born.width).u16(record.born.height).u32(born.length).bytes(born).bytes(encodeRuns(record.killed.data));
  } else {
    w.u8(Kind.tooLarge);
  }
  return w.finish();
}

/** Our own rows, but read with every length checked all the same: a damaged one is null. */
export function decodeRecord(bytes: Uint8Array): ChangeRecord | null {
  try {
    const r = new Reader(bytes);
    const kind = r.u8();
    if (kind === Kind.tooLarge && r.remaining === 0) return TOO_LARGE;
    if (kind === Kind.cells) {
      const alive = r.u8();
      const count = r.u16();
      if (alive > 1 || r.remaining !== count * 4) return null;
      const cells = new Uint16Array(count * 2);
      for (let i = 0; i < cells.length; i++) cells[i] = r.u16();
      return { kind: "cells", alive: alive === 1, cells };
    }
    if (kind !== Kind.area) return null;
    const x = r.u16();
    const y = r.u16();
    const width = r.u16();
    const height = r.u16();
    const size = bitmapStride(width) * height;
    const born = decodeRuns(r.bytesOf(r.u32()), size);
    const killed = decodeRuns(r.bytesOf(r.remaining), size);
    if (!born || !killed) return null;
    return { kind: "area", x, y, born: { width, height, data: born }, killed: { width, height, data: killed } };
  } catch {
    return null; // shorter than its lengths say
  }
}

/**
 * Gives the record's cells their state from before the edit (undo) or after it (redo), on the
 * grid as it is now; every other cell stays as it is.
 */
export function replay(engine: Engine, record: ChangeRecord, to: "before" | "after"): void {
  if (record.kind === "cells") return engine.setCells(record.cells, to === "after" ? record.alive : !record.alive);
  if (record.kind === "tooLarge") return;
  const { x, y, born, killed } = record;
  const set = to === "after" ? born.data : killed.data;
  const clear = to === "after" ? killed.data : born.data;
  const now = readWrapped(engine, x, y, born.width, born.height).data;
  for (let i = 0; i < now.length; i++) now[i] = (now[i] & ~clear[i]) | set[i];
  engine.stamp({ width: born.width, height: born.height, data: now }, x, y, "replace");
}

/** The w×h rectangle from (x, y), wrapping past the right and bottom edges (a torus: on a plane a
 *  stamp always fits), read in at most four pieces. */
function readWrapped(engine: Engine, x: number, y: number, w: number, h: number): Bitmap {
  if (x + w <= engine.width && y + h <= engine.height) return engine.readRect(x, y, w, h);
  const out = createBitmap(w, h);
  for (const [gy, oy, ph] of spans(y, h, engine.height)) {
    for (const [gx, ox, pw] of spans(x, w, engine.width)) orInto(out, engine.readRect(gx, gy, pw, ph), ox, oy);
  }
  return out;
}

/** [grid start, offset in the rectangle, length] of each piece of a side that may wrap once. */
function spans(at: number, length: number, side: number): Array<[number, number, number]> {
  if (at + length <= side) return [[at, 0, length]];
  return [
    [at, 0, side - at],
    [0, side - at, length - (side - at)],
  ];
}

/** ORs `piece` into `out` with its top-left cell at (ox, oy), a byte at a time. A row's padding
 *  bits are 0, so nothing spills past the piece's own cells. */
function orInto(out: Bitmap, piece: Bitmap, ox: number, oy: number): void {
  const outStride = bitmapStride(out.width);
  const stride = bitmapStride(piece.width);
  const shift = ox & 7;
  for (let r = 0; r < piece.height; r++) {
    const row = (oy + r) * outStride + (ox >>> 3);
    for (let i = 0; i < stride; i++) {
      const byte = piece.data[r * stride + i];
      if (byte === 0) continue;
      out.data[row + i] |= (byte << shift) & 0xff;
      if (shift !== 0 && byte >>> (8 - shift) !== 0) out.data[row + i + 1] |= byte >>> (8 - shift);
    }
  }
}
