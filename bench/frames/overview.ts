/**
 * What the zoomed-out view costs on the wire, before and after density levels: for a client that
 * views a whole room at a scale above 1, the KEYFRAME and the per-generation DELTA bytes with one
 * bit per scaled cell ("any cell of the block alive", what the protocol sent before) beside the
 * 2-bit density levels it sends now, over the same generations and the same changed tiles.
 *
 * After: the room's own frames (common/view-frames.ts keyframe and DeltaBuilder). Before: the same
 * tiles read with the engine's one-bit readOverview and encoded the way the room encodes a tile
 * (RUNS, or NONE when RUNS is not smaller), in a DELTA of the same shape.
 */
import { type Engine } from "../../common/engine.ts";
import { encodeServerMessage, keyframeBytes } from "../../common/protocol/index.ts";
import { DeltaBuilder, type ViewRect, encodeBits, keyframe, viewRect } from "../../common/view-frames.ts";
import { elapsed } from "../harness.ts";
import { median } from "../report.ts";
import { deltaFrame, readLit, readView, tileOfView } from "./codecs.ts";
import { SCENE_LABELS, type SceneId, setUpScene } from "./scenes.ts";

/** One byte count, the one-bit overview's and the density levels'. */
export interface BeforeAfter {
  bit: number;
  levels: number;
}

export interface OverviewResult {
  side: number;
  scene: SceneId;
  label: string;
  scale: number;
  view: { width: number; height: number; tiles: number };
  generations: number;
  /** Packed scaled cells of the whole view. */
  raw: BeforeAfter;
  keyframe: BeforeAfter;
  /** Per measured generation. */
  delta: BeforeAfter[];
  changedTiles: number[];
  /** The engine's read of the whole view (median ms): readOverview, readDensity. */
  readMs: BeforeAfter;
}

/** The one-bit KEYFRAME of a view, as the room built it before density levels. */
function bitKeyframe(engine: Engine, rect: ViewRect): Uint8Array {
  const { codec, payload } = encodeBits(readLit(engine, rect).data);
  return encodeServerMessage({ type: "keyframe", generation: engine.generation, scale: rect.scale, x: rect.x, y: rect.y, width: rect.width, height: rect.height, codec, payload });
}

/**
 * Puts `scene` into `engine` and, for a whole-room view at each of `scales` (all above 1), measures
 * the keyframe and `generations` generations of deltas both ways.
 */
export function runOverview(engine: Engine, scene: SceneId, scales: readonly number[], generations: number): OverviewResult[] {
  setUpScene(engine, scene);
  const side = engine.width;
  const rects = scales.map((scale) => viewRect({ x: 0, y: 0, width: side, height: side, scale }, side, side));
  const reads = rects.map(() => ({ bit: [] as number[], levels: [] as number[] }));
  const results: OverviewResult[] = rects.map((rect) => ({
    side,
    scene,
    label: SCENE_LABELS[scene],
    scale: rect.scale,
    view: { width: rect.width, height: rect.height, tiles: (rect.tx1 - rect.tx0) * (rect.ty1 - rect.ty0) },
    generations,
    raw: { bit: keyframeBytes(rect.width, rect.height), levels: keyframeBytes(rect.width, rect.height, rect.scale) },
    keyframe: { bit: bitKeyframe(engine, rect).length, levels: keyframe(engine, rect).length },
    delta: [],
    changedTiles: [],
    readMs: { bit: 0, levels: 0 },
  }));
  for (let g = 0; g < generations; g++) {
    engine.step(1);
    const map = engine.changeMap();
    engine.clearChanges();
    const builder = new DeltaBuilder(engine, map);
    rects.forEach((rect, i) => {
      const levels = builder.frameFor(rect)?.length ?? 0;
      const tiles = builder.changedTiles(rect);
      let t = performance.now();
      const lit = readLit(engine, rect);
      reads[i].bit.push(elapsed(t));
      t = performance.now();
      readView(engine, rect);
      reads[i].levels.push(elapsed(t));
      const encoded = tiles.map(({ tx, ty }) => encodeBits(tileOfView(lit, rect, tx, ty, 1)));
      const bit = tiles.length ? deltaFrame(engine.generation, rect.scale, tiles, encoded).length : 0;
      results[i].delta.push({ bit, levels });
      results[i].changedTiles.push(tiles.length);
    });
  }
  results.forEach((r, i) => (r.readMs = { bit: median(reads[i].bit) ?? 0, levels: median(reads[i].levels) ?? 0 }));
  return results;
}
