/**
 * Each player's undo and redo history. When the room applies a player's edit it first records
 * what the edit is about to overwrite: for SET_CELLS, the listed cells' states; for a stamp, the
 * cells of its rectangle. Undo writes those states back — at the current generation, so in a
 * running room it restores the edited area as it was before the edit, and nothing outside that
 * area (another player's work elsewhere) is touched — and keeps the edit for redo, which applies
 * it again. A new edit clears the player's redo history, as every editor does.
 *
 * The history lives in the room's SQLite storage (table undo_step), keyed by the socket's player
 * id, so that it survives hibernation, which ends every in-memory state of an object idle for a
 * few seconds while its sockets stay open. It is deleted when the socket closes: a reconnecting
 * page is a new player and starts a new history.
 *
 *   undo_step: id INTEGER PRIMARY KEY (order) | player | stack ('undo' | 'redo') | data BLOB
 *
 *   data = restore edits, then reapply edits, each list `count u8` then per edit:
 *     kind u8 = 0 cells:  alive u8 | count u32 | count × (x u16, y u16)
 *     kind u8 = 1 stamp:  x u32 | y u32 | mode u8 (0 or, 1 replace) | width u16 | height u16 | packed rows
 *   (little-endian; an edit too large to record is stored with no restore edits and refused by undo)
 */
import { type Bitmap, bitmapStride, createBitmap } from "../common/bitmap.ts";
import type { Engine } from "../common/engine.ts";
import { concatBytes } from "../common/stream.ts";
import type { Edit } from "./edit.ts";
import { MAX_UNDO_RECORD_BYTES, MAX_UNDO_STEPS } from "./limits.ts";

export type UndoOutcome = { ok: true } | { ok: false; reason: string };

export class UndoHistory {
  readonly #sql: SqlStorage;
  #tableReady = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Records what `edit` is about to change for `player`; call just before applying it. */
  record(engine: Engine, player: number, edit: Edit): void {
    if (player === 0) return; // HTTP edits belong to no player
    this.#ensure();
    const restore = restoringEdits(engine, edit);
    const data = encodeSteps(restore, [edit]);
    this.#sql.exec("DELETE FROM undo_step WHERE player = ? AND stack = 'redo'", player);
    this.#sql.exec("INSERT INTO undo_step (player, stack, data) VALUES (?, 'undo', ?)", player, data.byteLength <= MAX_UNDO_RECORD_BYTES ? data : encodeSteps(null, []));
    // Past MAX_UNDO_STEPS the oldest step goes.
    this.#sql.exec(
      "DELETE FROM undo_step WHERE player = ? AND stack = 'undo' AND id NOT IN (SELECT id FROM undo_step WHERE player = ? AND stack = 'undo' ORDER BY id DESC LIMIT ?)",
      player,
      player,
      MAX_UNDO_STEPS,
    );
  }

  /** Whether `player` has a step to undo (or redo). */
  has(player: number, stack: "undo" | "redo"): boolean {
    this.#ensure();
    return this.#sql.exec("SELECT 1 FROM undo_step WHERE player = ? AND stack = ? LIMIT 1", player, stack).toArray().length > 0;
  }

  /**
   * Undoes (or redoes) `player`'s newest step on `engine`: the step moves to the other stack. A
   * redone step records what it overwrites afresh, so undoing it again restores the present.
   */
  apply(engine: Engine, player: number, stack: "undo" | "redo", applyEdit: (edit: Edit) => void): UndoOutcome {
    this.#ensure();
    const row = this.#sql.exec<{ id: number; data: ArrayBuffer }>("SELECT id, data FROM undo_step WHERE player = ? AND stack = ? ORDER BY id DESC LIMIT 1", player, stack).toArray()[0];
    if (!row) return { ok: false, reason: stack === "undo" ? "nothing to undo" : "nothing to redo" };
    const step = decodeSteps(new Uint8Array(row.data));
    if (!step || step.restore === null) {
      this.#sql.exec("DELETE FROM undo_step WHERE id = ?", row.id);
      return { ok: false, reason: "that edit was too large to undo" };
    }
    const edits = stack === "undo" ? step.restore : step.reapply;
    // Going forward again, what the redo overwrites is recorded anew (it may differ from before).
    const restoreAfter = stack === "redo" ? edits.flatMap((edit) => restoringEdits(engine, edit) ?? []) : step.restore;
    for (const edit of edits) applyEdit(edit);
    this.#sql.exec("DELETE FROM undo_step WHERE id = ?", row.id);
    const moved = stack === "undo" ? encodeSteps(step.restore, step.reapply) : encodeSteps(restoreAfter, step.reapply);
    this.#sql.exec("INSERT INTO undo_step (player, stack, data) VALUES (?, ?, ?)", player, stack === "undo" ? "redo" : "undo", moved);
    return { ok: true };
  }

  /** The player left: its history goes with it. */
  forget(player: number): void {
    if (!this.#tableReady && !this.#exists()) return;
    this.#sql.exec("DELETE FROM undo_step WHERE player = ?", player);
  }

  #exists(): boolean {
    return this.#sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'undo_step'").toArray().length > 0;
  }

  #ensure(): void {
    if (this.#tableReady) return;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS undo_step (id INTEGER PRIMARY KEY AUTOINCREMENT, player INTEGER NOT NULL, stack TEXT NOT NULL, data BLOB NOT NULL)");
    this.#tableReady = true;
  }
}

/** The edits that put back what `edit` is about to overwrite, or null when that is too large. */
function restoringEdits(engine: Engine, edit: Edit): Edit[] | null {
  if (edit.kind === "cells") {
    // The listed cells' present states (at most MAX_CELLS_PER_EDIT of them).
    const alive: number[] = [];
    const dead: number[] = [];
    for (let i = 0; i < edit.cells.length; i += 2) (engine.getCell(edit.cells[i], edit.cells[i + 1]) ? alive : dead).push(edit.cells[i], edit.cells[i + 1]);
    const out: Edit[] = [];
    if (alive.length) out.push({ kind: "cells", alive: true, cells: Uint16Array.from(alive) });
    if (dead.length) out.push({ kind: "cells", alive: false, cells: Uint16Array.from(dead) });
    return out;
  }
  const { x, y } = edit;
  const { width, height } = edit.bitmap;
  if (bitmapStride(width) * height > MAX_UNDO_RECORD_BYTES) return null;
  return [{ kind: "stamp", x, y, mode: "replace", bitmap: readWrapped(engine, x, y, width, height) }];
}

/** A w×h rectangle of the grid from (x, y), wrapping past the right and bottom edges (a torus;
 *  on a plane a stamp never crosses them), read in at most four pieces. */
function readWrapped(engine: Engine, x: number, y: number, w: number, h: number): Bitmap {
  const out = createBitmap(w, h);
  const stride = bitmapStride(w);
  const spansX = x + w <= engine.width ? [[x, 0, w]] : [[x, 0, engine.width - x], [0, engine.width - x, w - (engine.width - x)]];
  const spansY = y + h <= engine.height ? [[y, 0, h]] : [[y, 0, engine.height - y], [0, engine.height - y, h - (engine.height - y)]];
  for (const [gy, oy, ph] of spansY) {
    for (const [gx, ox, pw] of spansX) {
      const piece = engine.readRect(gx, gy, pw, ph);
      const pieceStride = bitmapStride(pw);
      for (let r = 0; r < ph; r++) {
        for (let c = 0; c < pw; c++) {
          if ((piece.data[r * pieceStride + (c >> 3)] >> (c & 7)) & 1) out.data[(oy + r) * stride + ((ox + c) >> 3)] |= 1 << ((ox + c) & 7);
        }
      }
    }
  }
  return out;
}

function encodeSteps(restore: Edit[] | null, reapply: Edit[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const list = (edits: Edit[] | null) => {
    parts.push(Uint8Array.of(edits === null ? 0xff : edits.length));
    for (const edit of edits ?? []) parts.push(encodeEdit(edit));
  };
  list(restore);
  list(reapply);
  return concatBytes(parts);
}

function encodeEdit(edit: Edit): Uint8Array {
  if (edit.kind === "cells") {
    const out = new Uint8Array(6 + edit.cells.length * 2);
    const view = new DataView(out.buffer);
    out[0] = 0;
    out[1] = edit.alive ? 1 : 0;
    view.setUint32(2, edit.cells.length / 2, true);
    for (let i = 0; i < edit.cells.length; i++) view.setUint16(6 + i * 2, edit.cells[i], true);
    return out;
  }
  const { width, height, data } = edit.bitmap;
  const out = new Uint8Array(14 + data.length);
  const view = new DataView(out.buffer);
  out[0] = 1;
  view.setUint32(1, edit.x, true);
  view.setUint32(5, edit.y, true);
  out[9] = edit.mode === "replace" ? 1 : 0;
  view.setUint16(10, width, true);
  view.setUint16(12, height, true);
  out.set(data, 14);
  return out;
}

/** Our own storage, but still read with every length checked: a damaged row is no step. */
function decodeSteps(bytes: Uint8Array): { restore: Edit[] | null; reapply: Edit[] } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const list = (): Edit[] | null | undefined => {
    if (at >= bytes.length) return undefined;
    const count = bytes[at++];
    if (count === 0xff) return null;
    const edits: Edit[] = [];
    for (let i = 0; i < count; i++) {
      const kind = bytes[at];
      if (kind === 0 && at + 6 <= bytes.length) {
        const n = view.getUint32(at + 2, true);
        if (at + 6 + n * 4 > bytes.length) return undefined;
        const cells = new Uint16Array(n * 2);
        for (let k = 0; k < n * 2; k++) cells[k] = view.getUint16(at + 6 + k * 2, true);
        edits.push({ kind: "cells", alive: bytes[at + 1] === 1, cells });
        at += 6 + n * 4;
      } else if (kind === 1 && at + 14 <= bytes.length) {
        const width = view.getUint16(at + 10, true);
        const height = view.getUint16(at + 12, true);
        const size = bitmapStride(width) * height;
        if (at + 14 + size > bytes.length) return undefined;
        const bitmap = { width, height, data: bytes.slice(at + 14, at + 14 + size) };
        edits.push({ kind: "stamp", x: view.getUint32(at + 1, true), y: view.getUint32(at + 5, true), mode: bytes[at + 9] === 1 ? "replace" : "or", bitmap });
        at += 14 + size;
      } else return undefined;
    }
    return edits;
  };
  const restore = list();
  const reapply = list();
  if (restore === undefined || !reapply || at !== bytes.length) return null;
  return { restore, reapply };
}
