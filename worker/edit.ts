/**
 * What an edit is: cells set or cleared, or a pattern stamped, checked against the room's grid
 * before anything changes (a refused edit changes nothing), then applied in one synchronous call.
 */
import type { Bitmap } from "../common/bitmap.ts";
import type { Engine, StampMode } from "../common/engine.ts";
import { ErrorCode, type RoomSettings } from "../common/protocol/index.ts";
import { parsePattern } from "../common/formats/index.ts";
import { MAX_STAMP_CELLS } from "./limits.ts";
import { fail, outOfBounds, type Outcome } from "./outcome.ts";

export type Edit =
  | { kind: "cells"; alive: boolean; cells: Uint16Array }
  | { kind: "stamp"; x: number; y: number; mode: StampMode; bitmap: Bitmap };

/** What the edit queue carries: edits (`continues`: it joins its player's previous edit's undo
 *  step), and a player's undo or redo, which the room resolves against that player's history
 *  when its tick boundary comes (worker/undo.ts). */
export type QueuedEdit = (Edit & { continues?: boolean }) | { kind: "undo"; stack: "undo" | "redo" };

/** Checks SET_CELLS coordinates (x, y pairs) against the grid. */
export function prepareCells(engine: Engine, cells: Uint16Array, alive: boolean): Outcome<Edit> {
  const { width, height } = engine;
  for (let i = 0; i < cells.length; i += 2) {
    if (cells[i] >= width || cells[i + 1] >= height) return outOfBounds(`cell (${cells[i]}, ${cells[i + 1]}) is outside the ${width}×${height} grid`);
  }
  return { ok: true, value: { kind: "cells", alive, cells } };
}

/** Parses a pattern (RLE or plaintext) and checks that it fits the grid at (x, y). */
export function prepareStamp(engine: Engine, settings: RoomSettings, text: string, x: number, y: number, mode: StampMode): Outcome<Edit> {
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

export function applyEdit(engine: Engine, edit: Edit): void {
  if (edit.kind === "cells") engine.setCells(edit.cells, edit.alive);
  else engine.stamp(edit.bitmap, edit.x, edit.y, edit.mode);
}

/** What an edit weighs in the queue of edits waiting for a tick. */
export function editBytes(edit: QueuedEdit): number {
  return edit.kind === "cells" ? edit.cells.byteLength : edit.kind === "stamp" ? edit.bitmap.data.byteLength : 0;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
