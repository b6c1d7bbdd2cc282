/**
 * The KEYFRAME and DELTA frames of a player's view, built from an engine: viewports, keyframes
 * and per-tick deltas. It needs only the engine and the protocol, so the room (which sends these
 * frames) and the benchmarks (which measure them) build them with the same code.
 *
 * A player's viewport (grid cells + scale) becomes a tile-aligned rectangle in scaled space (see
 * docs/protocol.md). Keyframes send that whole rectangle; deltas send the 64×64 scaled tiles in it
 * that changed. At scale 1 a scaled cell is one bit, the cell; at coarser scales it is two bits,
 * the density level of its block (common/density.ts), read by the engine's readDensity. A tick's
 * changed tiles are read and encoded once per scale and shared by every player whose rectangle
 * contains them: per player, the work is a lookup and a copy.
 *
 * Both codecs used here (RUNS, or NONE when RUNS would be larger) are synchronous on purpose: a
 * frame is encoded at the instant its bits are read, so the send order on a socket is the order of
 * generations. An asynchronous codec (DEFLATE) would need an ordered outbox per socket so that a
 * slow keyframe cannot overtake later deltas.
 */
import type { Bitmap } from "./bitmap.ts";
import type { DensityMap } from "./density.ts";
import { type Engine } from "./engine.ts";
import { TILE_SIZE } from "./grid.ts";
import {
  Codec,
  MAX_VIEW_SIDE,
  assembleDelta,
  bitsPerCell,
  encodeRuns,
  encodeServerMessage,
  encodeTileRecord,
  keyframeBytes,
  tileBytes,
  type CodecId,
} from "./protocol/index.ts";

/** What a client asked to see, in grid cells. */
export interface Viewport {
  x: number;
  y: number;
  width: number;
  height: number;
  scale: number;
}

/** The tile-aligned rectangle a client is kept up to date on, in scaled cells and tiles. */
export interface ViewRect {
  scale: number;
  x: number;
  y: number;
  width: number;
  height: number;
  tx0: number;
  ty0: number;
  tx1: number; // exclusive
  ty1: number;
}

/** Default view before a client says otherwise: the whole grid in at most 1024² scaled cells. */
export const DEFAULT_VIEW_SIDE = 1024;

export function defaultViewport(gridWidth: number, gridHeight: number): Viewport {
  let scale = 1;
  while (Math.ceil(gridWidth / scale) > DEFAULT_VIEW_SIDE || Math.ceil(gridHeight / scale) > DEFAULT_VIEW_SIDE) scale *= 2;
  return { x: 0, y: 0, width: gridWidth, height: gridHeight, scale };
}

const MAX_VIEW_TILES = MAX_VIEW_SIDE / TILE_SIZE;

/** Clips a viewport to the grid and to MAX_VIEW_SIDE, and aligns it to tiles. */
export function viewRect(view: Viewport, gridWidth: number, gridHeight: number): ViewRect {
  const s = view.scale;
  const scaledW = Math.ceil(gridWidth / s);
  const scaledH = Math.ceil(gridHeight / s);
  const span = (from: number, length: number, grid: number, scaled: number): [number, number] => {
    let a = Math.floor(Math.max(0, from) / s);
    let b = Math.ceil(Math.min(grid, from + length) / s);
    if (b <= a) {
      // Entirely off the grid: keep the nearest edge in view rather than nothing.
      a = Math.min(Math.max(a, 0), scaled - 1);
      b = a + 1;
    }
    const t0 = Math.floor(a / TILE_SIZE);
    const t1 = Math.min(Math.ceil(b / TILE_SIZE), t0 + MAX_VIEW_TILES);
    return [t0, t1];
  };
  const [tx0, tx1] = span(view.x, view.width, gridWidth, scaledW);
  const [ty0, ty1] = span(view.y, view.height, gridHeight, scaledH);
  const x = tx0 * TILE_SIZE;
  const y = ty0 * TILE_SIZE;
  return { scale: s, x, y, width: Math.min(tx1 * TILE_SIZE, scaledW) - x, height: Math.min(ty1 * TILE_SIZE, scaledH) - y, tx0, ty0, tx1, ty1 };
}

/** Scaled cells of `engine` in a rectangle of scaled space, packed as the protocol sends them at
 *  this scale: cells at scale 1 (readRect), density levels above (readDensity). */
export function readScaled(engine: Engine, scale: number, x: number, y: number, width: number, height: number): Bitmap | DensityMap {
  return scale === 1 ? engine.readRect(x, y, width, height) : engine.readDensity(x * scale, y * scale, width, height, scale);
}

/** RUNS when it is smaller, else the raw bytes. */
export function encodeBits(raw: Uint8Array): { codec: CodecId; payload: Uint8Array } {
  const runs = encodeRuns(raw);
  return runs.length < raw.length ? { codec: Codec.RUNS, payload: runs } : { codec: Codec.NONE, payload: raw };
}

export function keyframe(engine: Engine, rect: ViewRect): Uint8Array {
  const bits = readScaled(engine, rect.scale, rect.x, rect.y, rect.width, rect.height);
  const { codec, payload } = encodeBits(bits.data);
  return encodeServerMessage({
    type: "keyframe",
    generation: engine.generation,
    scale: rect.scale,
    x: rect.x,
    y: rect.y,
    width: rect.width,
    height: rect.height,
    codec,
    payload,
  });
}

/**
 * The deltas of one moment (one tick, or one edit while paused), built lazily from the engine's
 * change map and shared by all players. Create it, ask `frameFor` for every player, drop it.
 */
export class DeltaBuilder {
  readonly #engine: Engine;
  readonly #map: { tilesX: number; tilesY: number; flags: Uint8Array };
  readonly #generation: number;
  /** Changed scaled tiles per scale: a scaled tile changed when any grid tile under it did. */
  readonly #pooled = new Map<number, { stx: number; flags: Uint8Array }>();
  /** Encoded tile records by (scale, tx, ty). */
  readonly #records = new Map<number, Uint8Array>();
  /** Rows of scaled tiles read at once for scales > 1, where a read costs whole grid rows anyway. */
  readonly #bands = new Map<number, Bitmap | DensityMap>();
  tilesEncoded = 0;

  constructor(engine: Engine, map: { tilesX: number; tilesY: number; flags: Uint8Array }) {
    this.#engine = engine;
    this.#map = map;
    this.#generation = engine.generation;
  }

  #pool(scale: number): { stx: number; flags: Uint8Array } {
    let pooled = this.#pooled.get(scale);
    if (pooled) return pooled;
    const { tilesX, tilesY, flags } = this.#map;
    const stx = Math.ceil(tilesX / scale);
    const out = new Uint8Array(stx * Math.ceil(tilesY / scale));
    for (let ty = 0; ty < tilesY; ty++) {
      const rowBase = Math.floor(ty / scale) * stx;
      for (let tx = 0; tx < tilesX; tx++) if (flags[ty * tilesX + tx]) out[rowBase + Math.floor(tx / scale)] = 1;
    }
    pooled = { stx, flags: out };
    this.#pooled.set(scale, pooled);
    return pooled;
  }

  #tileBits(scale: number, tx: number, ty: number): Uint8Array {
    if (scale === 1) return this.#engine.readRect(tx * TILE_SIZE, ty * TILE_SIZE, TILE_SIZE, TILE_SIZE).data;
    const key = Math.log2(scale) * 65536 + ty;
    let band = this.#bands.get(key);
    if (!band) {
      const scaledW = Math.ceil(this.#engine.width / scale);
      band = readScaled(this.#engine, scale, 0, ty * TILE_SIZE, scaledW, TILE_SIZE);
      this.#bands.set(key, band);
    }
    const out = new Uint8Array(tileBytes(scale));
    const stride = keyframeBytes(band.width, 1, scale); // bytes per row of the band
    const rowBytes = (TILE_SIZE * bitsPerCell(scale)) / 8;
    const from = tx * rowBytes;
    const take = Math.min(rowBytes, stride - from);
    for (let r = 0; r < TILE_SIZE; r++) out.set(band.data.subarray(r * stride + from, r * stride + from + take), r * rowBytes);
    return out;
  }

  #record(scale: number, tx: number, ty: number): Uint8Array {
    const key = (Math.log2(scale) * 1024 + ty) * 1024 + tx;
    let record = this.#records.get(key);
    if (!record) {
      const { codec, payload } = encodeBits(this.#tileBits(scale, tx, ty));
      record = encodeTileRecord({ tx, ty, codec, payload });
      this.#records.set(key, record);
      this.tilesEncoded++;
    }
    return record;
  }

  /** The tiles of a player's rectangle that changed: what its DELTA carries, in that order. */
  changedTiles(rect: ViewRect): { tx: number; ty: number }[] {
    const { stx, flags } = this.#pool(rect.scale);
    const tiles: { tx: number; ty: number }[] = [];
    for (let ty = rect.ty0; ty < rect.ty1; ty++) {
      for (let tx = rect.tx0; tx < rect.tx1; tx++) if (flags[ty * stx + tx]) tiles.push({ tx, ty });
    }
    return tiles;
  }

  /** The DELTA frame for a player's rectangle, or null when nothing in it changed. */
  frameFor(rect: ViewRect): Uint8Array | null {
    const records = this.changedTiles(rect).map(({ tx, ty }) => this.#record(rect.scale, tx, ty));
    return records.length === 0 ? null : assembleDelta(this.#generation, rect.scale, records);
  }
}
