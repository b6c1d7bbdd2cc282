/**
 * A room's grid, or a rectangle of it, as RLE (GET /api/rooms/:id/pattern).
 */
import type { Engine } from "../common/engine.ts";
import type { RoomSettings } from "../common/protocol/index.ts";
import { writeRle } from "../common/formats/index.ts";
import { MAX_EXPORT_CELLS } from "./limits.ts";
import { badRequest, outOfBounds, type Outcome } from "./outcome.ts";

export type Rect = { x: number; y: number; width: number; height: number };

/** RLE of the whole grid (`rect` null), or of a rectangle of it. */
export function exportPattern(engine: Engine, settings: RoomSettings, rect: Rect | null): Outcome<string> {
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
