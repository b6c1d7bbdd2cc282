/**
 * The suite's five scenes, each put into an engine from a fixed seed: a fresh 50% soup, the same
 * soup 1,000 generations on, a lattice of still lifes and oscillators, the same lattice with
 * still lifes only (a running grid that never changes), and an empty grid.
 */
import { type Bitmap, bitmapStride, createBitmap, setBit } from "../../common/bitmap.ts";
import { type Engine } from "../../common/engine.ts";
import { patternBitmap } from "../../common/patterns.ts";
import { SOUP_SEED } from "../harness.ts";
import { formatInt, seededRandom } from "../report.ts";
import { DENSITY, FIELD_SEED, SOUP_AGE } from "./settings.ts";

export type SceneId = "soup-fresh" | "soup-1000" | "field" | "still" | "empty";

export const SCENE_LABELS: Record<SceneId, string> = {
  "soup-fresh": "50% soup, fresh",
  "soup-1000": `50% soup after ${formatInt(SOUP_AGE)} gens`,
  field: "still lifes + oscillators",
  still: "still lifes only",
  empty: "empty",
};

export const ALL_SCENES: readonly SceneId[] = ["soup-fresh", "soup-1000", "field", "still", "empty"];

/** Lattice pitch of the field: objects are at most 15 cells wide in any phase and sit 4 cells
 *  into their site, so neighbours are ≥ 5 cells apart and never interact. */
const FIELD_PITCH = 24;
const FIELD_INSET = 4;
const STILL_LIFES = ["block", "beehive", "loaf", "boat", "ship", "tub"] as const;
const OSCILLATORS = ["blinker", "toad", "beacon", "clock"] as const;

/**
 * One object per lattice site, drawn from `seed`: with oscillators, 10% empty, 78% still lifes,
 * 10% period-2 oscillators and 2% pulsars (period 3); without, 10% empty and 90% still lifes.
 */
function fieldBitmap(side: number, seed: number, oscillators: boolean): { bitmap: Bitmap; objects: Record<string, number> } {
  const next = seededRandom(seed);
  const shapes = new Map<string, Bitmap>();
  const shape = (id: string) => {
    let b = shapes.get(id);
    if (!b) shapes.set(id, (b = patternBitmap(id)));
    return b;
  };
  const bitmap = createBitmap(side, side);
  const objects: Record<string, number> = {};
  const sites = Math.floor(side / FIELD_PITCH);
  for (let sy = 0; sy < sites; sy++) {
    for (let sx = 0; sx < sites; sx++) {
      const r = next();
      const pick = next();
      let id: string | null;
      if (r < 0.1) id = null;
      else if (!oscillators || r < 0.88) id = STILL_LIFES[Math.floor(pick * STILL_LIFES.length)];
      else if (r < 0.98) id = OSCILLATORS[Math.floor(pick * OSCILLATORS.length)];
      else id = "pulsar";
      if (id === null) continue;
      objects[id] = (objects[id] ?? 0) + 1;
      const b = shape(id);
      const ox = sx * FIELD_PITCH + FIELD_INSET;
      const oy = sy * FIELD_PITCH + FIELD_INSET;
      const stride = bitmapStride(b.width);
      for (let y = 0; y < b.height; y++) {
        for (let x = 0; x < b.width; x++) if ((b.data[y * stride + (x >>> 3)] >>> (x & 7)) & 1) setBit(bitmap, ox + x, oy + y, true);
      }
    }
  }
  return { bitmap, objects };
}

/** Puts the engine in the scene's starting state, with an empty change map and generation 0. */
export function setUpScene(engine: Engine, scene: SceneId): Record<string, unknown> {
  engine.generation = 0;
  let detail: Record<string, unknown> = {};
  switch (scene) {
    case "soup-fresh":
      engine.randomize(DENSITY, SOUP_SEED);
      detail = { density: DENSITY, seed: SOUP_SEED };
      break;
    case "soup-1000":
      engine.randomize(DENSITY, SOUP_SEED);
      engine.step(SOUP_AGE);
      detail = { density: DENSITY, seed: SOUP_SEED, age: SOUP_AGE };
      break;
    case "field":
    case "still": {
      const { bitmap, objects } = fieldBitmap(engine.width, FIELD_SEED, scene === "field");
      engine.loadBitmap(bitmap);
      detail = { seed: FIELD_SEED, pitch: FIELD_PITCH, objects };
      break;
    }
    case "empty":
      engine.clear();
      break;
  }
  engine.clearChanges();
  return detail;
}
