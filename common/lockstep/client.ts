/**
 * The client's half of lockstep prediction (see band.ts for the scheme and the band's layout): a
 * predicted view holds its rectangle R in its own engine and, for each STEP {from, to, steps,
 * sides, tiles, band}, checks its generation is `from`, writes the tiles, steps `steps`
 * generations, overwrites the band and takes `to` as its generation.
 */
import { type Bitmap, bitmapStride } from "../bitmap.ts";
import { Engine } from "../engine.ts";
import { TILE_SIZE } from "../grid.ts";
import { TILE_BYTES, decodePayload, type RoomSettings, type ServerMessage, type TileRecord } from "../protocol/index.ts";
import { type Area, bandBytes, bandStrips, fnv1a, predictionTopology, writeBand } from "./band.ts";

/**
 * Writes one whole 64×64 tile (TILE_BYTES packed; absolute tile coordinates tx, ty) into an
 * engine whose cell (0, 0) is grid cell (x0, y0), cut to the engine's size: a tile on the
 * grid's ragged edge must not wrap its dead cells onto the other side of a torus engine.
 */
export function writeTile(engine: Engine, x0: number, y0: number, tx: number, ty: number, bits: Uint8Array): void {
  const x = tx * TILE_SIZE - x0;
  const y = ty * TILE_SIZE - y0;
  const width = Math.min(TILE_SIZE, engine.width - x);
  const height = Math.min(TILE_SIZE, engine.height - y);
  if (x < 0 || y < 0 || width <= 0 || height <= 0) return;
  if (width === TILE_SIZE && height === TILE_SIZE) {
    engine.stamp({ width, height, data: bits }, x, y, "replace");
    return;
  }
  const tileStride = TILE_SIZE / 8;
  const stride = bitmapStride(width);
  const data = new Uint8Array(stride * height);
  for (let row = 0; row < height; row++) data.set(bits.subarray(row * tileStride, row * tileStride + stride), row * stride);
  engine.stamp({ width, height, data }, x, y, "replace");
}

type Of<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** Every tile record's payload decoded to TILE_BYTES, or null when one does not decode. */
async function decodeTiles(records: readonly TileRecord[]): Promise<{ tx: number; ty: number; bits: Uint8Array }[] | null> {
  const out: { tx: number; ty: number; bits: Uint8Array }[] = [];
  for (const r of records) {
    const bits = await decodePayload(r.codec, r.payload, TILE_BYTES);
    if (bits === null) return null;
    out.push({ tx: r.tx, ty: r.ty, bits });
  }
  return out;
}

/** What became of a frame: applied, ignored (stale, or not for a predicted view), or the view is
 *  lost and the caller must send RESYNC (once: later frames are ignored until the keyframe). */
export type FrameOutcome = "applied" | "ignored" | "resync";

/**
 * A client's predicted view: the engine holding R, its generation, and what to do with each
 * frame. Hand frames over one at a time in arrival order, awaiting each (keyframes create an
 * engine, payloads may decode asynchronously).
 */
export class LockstepView {
  readonly #module: WebAssembly.Module;
  #settings: RoomSettings | null = null;
  #engine: Engine | null = null;
  #x = 0;
  #y = 0;
  /** A RESYNC is out: frames before the next keyframe are for a state this view does not hold. */
  #lost = false;
  /** Counts for tests and benchmarks. */
  readonly counts = { steps: 0, relabels: 0, deltas: 0, checksums: 0, resyncs: 0 };

  constructor(module: WebAssembly.Module) {
    this.#module = module;
  }

  /** The engine while the view is predicted (scale 1, in sync or waiting for a keyframe). */
  get engine(): Engine | null {
    return this.#engine;
  }

  get active(): boolean {
    return this.#engine !== null;
  }

  /** The view's rectangle in grid cells, or null when not predicting. */
  get rect(): Area | null {
    const e = this.#engine;
    return e ? { x: this.#x, y: this.#y, width: e.width, height: e.height } : null;
  }

  get generation(): number {
    return this.#engine?.generation ?? -1;
  }

  /** WELCOME and SETTINGS: the grid's shape and the rule (a rule change applies to the next step). */
  settings(settings: RoomSettings): void {
    this.#settings = settings;
    if (this.#engine) this.#engine.rule = settings.rule;
  }

  /** A KEYFRAME with its decoded bits: at scale 1 the view starts (again) from them. */
  async keyframe(m: Of<"keyframe">, raw: Uint8Array): Promise<void> {
    this.#lost = false;
    const settings = this.#settings;
    if (m.scale !== 1 || settings === null || m.width < 1 || m.height < 1) {
      this.#engine = null;
      return;
    }
    const topology = predictionTopology(m, settings);
    let engine = this.#engine;
    if (engine === null || engine.width !== m.width || engine.height !== m.height) {
      engine = await Engine.create(this.#module, { width: m.width, height: m.height, topology, rule: settings.rule });
    } else {
      engine.topology = topology;
      engine.rule = settings.rule;
    }
    engine.loadBitmap({ width: m.width, height: m.height, data: raw });
    engine.generation = m.generation;
    engine.clearChanges();
    this.#engine = engine;
    this.#x = m.x;
    this.#y = m.y;
  }

  /** A STEP: overrides, steps, band, and the checksum when the frame has one. */
  async step(m: Of<"step">): Promise<FrameOutcome> {
    if (this.#lost) return "ignored";
    const engine = this.#engine;
    if (engine === null || engine.generation !== m.from) return this.#lose();
    const strips = bandStrips(engine.width, engine.height, m.steps, m.sides);
    if (strips === null) return this.#lose();
    const band = await decodePayload(m.bandCodec, m.band, bandBytes(strips));
    const tiles = await decodeTiles(m.tiles);
    if (band === null || tiles === null) return this.#lose();
    for (const t of tiles) writeTile(engine, this.#x, this.#y, t.tx, t.ty, t.bits);
    engine.step(m.steps);
    writeBand(engine, strips, band);
    engine.generation = m.to;
    if (m.steps === 0) this.counts.relabels++;
    else this.counts.steps++;
    if (m.checksum !== null) {
      if (fnv1a(engine.toBitmap().data) !== m.checksum) return this.#lose();
      this.counts.checksums++;
    }
    return "applied";
  }

  /** A DELTA (edits while paused, clear, randomize, long steps): whole tiles into the engine. */
  async delta(m: Of<"delta">): Promise<FrameOutcome> {
    if (this.#lost) return "ignored";
    const engine = this.#engine;
    if (engine === null || m.scale !== 1) return "ignored";
    const tiles = await decodeTiles(m.tiles);
    if (tiles === null) return this.#lose();
    for (const t of tiles) writeTile(engine, this.#x, this.#y, t.tx, t.ty, t.bits);
    engine.generation = m.generation;
    this.counts.deltas++;
    return "applied";
  }

  #lose(): FrameOutcome {
    this.#lost = true;
    this.counts.resyncs++;
    return "resync";
  }

  /**
   * Visits every 64×64 block of the view that changed since the last call (the engine's change
   * map), with its bits (TILE_BYTES, 64 × 64 packed; cells past the view read dead) and the grid
   * cell of its top-left corner; then forgets the changes. This is how a renderer follows the view.
   */
  drainChanges(visit: (x: number, y: number, bits: Uint8Array) => void): void {
    const engine = this.#engine;
    if (engine === null) return;
    const { tilesX, tilesY, flags } = engine.changeMap();
    engine.clearChanges();
    for (let ty = 0; ty < tilesY; ty++) {
      for (let tx = 0; tx < tilesX; tx++) {
        if (flags[ty * tilesX + tx]) visit(this.#x + tx * TILE_SIZE, this.#y + ty * TILE_SIZE, engine.readRect(tx * TILE_SIZE, ty * TILE_SIZE, TILE_SIZE, TILE_SIZE).data);
      }
    }
  }

  /** The view's cells (R-local bitmap), or null when not predicting. */
  bitmap(): Bitmap | null {
    return this.#engine?.toBitmap() ?? null;
  }
}
