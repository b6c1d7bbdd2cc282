/**
 * The room's half of lockstep prediction (band.ts): which sockets predict and which generation
 * each one's view stands at, what changed before a step, and the STEP frames of one broadcast.
 * A socket is any key `K` that identifies a client (a WebSocket in the room, a number in the
 * benchmarks).
 *
 * Invariant, per predicting socket: the client holds its view rectangle exactly as the room's grid
 * was at the last broadcast (or keyframe), labelled with the generation `#at` records. Every
 * broadcast either brings it to the room's current grid (STEP, or DELTA when a step is too long
 * to predict) or sends nothing because no cell of the grid changed (then the label lags, and the
 * next STEP says so in its `from`). A socket that is behind misses broadcasts and is brought back
 * by a keyframe, which sets its label again.
 *
 * Cost: the band of each distinct view is read (four readRect strips) and encoded once per
 * broadcast, the tiles edited before the step once per tick, the checksum once per distinct view
 * every CHECKSUM_EVERY_STEPS broadcasts, and the frame once per view and generation held: per
 * socket it is a lookup and a send.
 */
import { type Engine } from "../engine.ts";
import { TILE_SIZE } from "../grid.ts";
import { type CodecId, Codec, assembleStep, encodeTileRecord } from "../protocol/index.ts";
import { type DeltaBuilder, type ViewRect, encodeBits } from "../view-frames.ts";
import { bandSides, bandStrips, canPredict, fnv1a, readBand } from "./band.ts";

/** Each view's STEP carries a checksum once every this many step broadcasts, so that a client
 *  whose prediction ever went wrong finds out within a second or so at 20 ticks/s. Views take
 *  their turns at different broadcasts (by position), so a room with many distinct large views
 *  reads a few of them per tick rather than all of them every 16th tick. */
export const CHECKSUM_EVERY_STEPS = 16;

/** What changed since the last broadcast, as it was just before a step (edits applied at this tick
 *  boundary), by tile key ty * 65536 + tx. */
export interface StepCapture {
  from: number;
  tiles: Map<number, Uint8Array>;
}

type ChangeMap = { tilesX: number; tilesY: number; flags: Uint8Array };

export class Lockstep<K> {
  /** Predicting sockets and the generation of the view each holds. */
  readonly #at = new Map<K, number>();
  readonly #isOpen: (socket: K) => boolean;
  #stepBroadcasts = 0;

  /** `isOpen` says whether a socket can still be sent to: closed ones are forgotten before a step. */
  constructor(isOpen: (socket: K) => boolean) {
    this.#isOpen = isOpen;
  }

  /** A KEYFRAME went out: the socket holds its rectangle at `generation`, and predicts from now on
   *  if it asked to (HELLO) and views every cell (scale 1). */
  keyframeSent(ws: K, rect: ViewRect, generation: number, predicts: boolean): void {
    if (predicts && rect.scale === 1) this.#at.set(ws, generation);
    else this.#at.delete(ws);
  }

  /** A socket left: forget it now rather than at the next tick, which a room nobody watches
   *  may never have (it would keep every closed socket of its last crowd alive). */
  forget(ws: K): void {
    this.#at.delete(ws);
  }

  /**
   * Call just before stepping: the tiles that changed since the last broadcast, read now. Null
   * when no socket predicts, so a room without predicting clients pays nothing.
   */
  capture(engine: Engine): StepCapture | null {
    for (const ws of this.#at.keys()) if (!this.#isOpen(ws)) this.#at.delete(ws);
    return this.#at.size === 0 ? null : captureStep(engine);
  }

  /** The frames of one broadcast: `map` is the change map since the last one; `capture` is set when
   *  the change was a step taken after capture() (a tick, or a step while paused). */
  frames(engine: Engine, map: ChangeMap, capture: StepCapture | null): BroadcastFrames<K> {
    if (capture) this.#stepBroadcasts++;
    return new BroadcastFrames(engine, map, capture, this.#at, capture ? this.#stepBroadcasts : null);
  }
}

/** The tiles marked in the change map, read now: what a step's STEP frames send as overrides. */
export function captureStep(engine: Engine): StepCapture {
  const { tilesX, tilesY, flags } = engine.changeMap();
  const tiles = new Map<number, Uint8Array>();
  for (let ty = 0; ty < tilesY; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      if (flags[ty * tilesX + tx]) tiles.set(ty * 65536 + tx, engine.readRect(tx * TILE_SIZE, ty * TILE_SIZE, TILE_SIZE, TILE_SIZE).data);
    }
  }
  return { from: engine.generation, tiles };
}

interface ViewParts {
  steps: number;
  sides: number;
  records: Uint8Array[];
  bandCodec: CodecId;
  band: Uint8Array;
  checksum: number | null;
}

const NO_BAND = new Uint8Array(0);

/** Builds, lazily and once per distinct view, what every socket of a broadcast is sent. */
export class BroadcastFrames<K> {
  readonly #engine: Engine;
  readonly #map: ChangeMap;
  readonly #capture: StepCapture | null;
  readonly #at: Map<K, number>;
  /** The number of this step broadcast (for whose turn a checksum is), or null when not a step. */
  readonly #broadcast: number | null;
  readonly #generation: number;
  /** Per distinct view: its STEP parts, or null when this step is not predicted for it. */
  readonly #views = new Map<string, ViewParts | null>();
  readonly #records = new Map<number, Uint8Array>();
  /** Whole STEP frames by view and the generation the client holds: in a running room nearly
   *  every client of a view holds the same one, so they are sent the very same bytes. */
  readonly #frames = new Map<string, Uint8Array>();

  constructor(engine: Engine, map: ChangeMap, capture: StepCapture | null, at: Map<K, number>, broadcast: number | null) {
    this.#engine = engine;
    this.#map = map;
    this.#capture = capture;
    this.#at = at;
    this.#broadcast = broadcast;
    this.#generation = engine.generation;
  }

  /** The frame for one socket (STEP, or DELTA as today), or null when it needs none. */
  frameFor(ws: K, rect: ViewRect, deltas: DeltaBuilder): Uint8Array | null {
    const at = this.#at.get(ws);
    if (at === undefined) return deltas.frameFor(rect);
    let frame: Uint8Array | null;
    const key = `${rect.x},${rect.y},${rect.width},${rect.height}`;
    const parts = this.#capture ? this.#parts(key, rect) : null;
    if (parts === null) {
      // Not a step (an edit while paused, clear, randomize), or a step too long to predict: the
      // changed tiles, which the client writes into its engine.
      frame = deltas.frameFor(rect);
    } else {
      const frameKey = `${key}@${at}`;
      frame = this.#frames.get(frameKey) ?? null;
      if (frame === null) {
        frame = assembleStep(at, this.#generation, parts.steps, parts.sides, parts.checksum, parts.records, parts.bandCodec, parts.band);
        this.#frames.set(frameKey, frame);
      }
    }
    // No frame: no cell of the view changed, so the client's cells are still right.
    if (frame !== null) this.#at.set(ws, this.#generation);
    return frame;
  }

  /** The shared parts of a STEP for `rect`, or null when this step is not predicted for it. */
  #parts(key: string, rect: ViewRect): ViewParts | null {
    const cached = this.#views.get(key);
    if (cached !== undefined) return cached;
    const capture = this.#capture!;
    const engine = this.#engine;
    const changed = this.#changedIn(rect);
    const steps = changed ? this.#generation - capture.from : 0;
    const sides = changed ? bandSides(rect, engine) : 0;
    const strips = bandStrips(rect.width, rect.height, steps, sides);
    if (strips === null || (changed && !canPredict(rect.width, rect.height, steps, sides))) {
      this.#views.set(key, null);
      return null;
    }
    const parts: ViewParts = { steps, sides, records: [], bandCodec: Codec.NONE, band: NO_BAND, checksum: null };
    this.#views.set(key, parts);
    if (changed) {
      // The tiles edited before the step, as they were then.
      for (const [tileKey, bits] of capture.tiles) {
        const tx = tileKey % 65536;
        const ty = Math.floor(tileKey / 65536);
        if (tx < rect.tx0 || tx >= rect.tx1 || ty < rect.ty0 || ty >= rect.ty1) continue;
        let record = this.#records.get(tileKey);
        if (!record) {
          const { codec, payload } = encodeBits(bits);
          record = encodeTileRecord({ tx, ty, codec, payload });
          this.#records.set(tileKey, record);
        }
        parts.records.push(record);
      }
      const band = readBand(engine, rect.x, rect.y, strips);
      const encoded = encodeBits(band);
      parts.bandCodec = encoded.codec;
      parts.band = encoded.payload;
    }
    if (this.#checksumDue(rect)) parts.checksum = fnv1a(engine.readRect(rect.x, rect.y, rect.width, rect.height).data);
    return parts;
  }

  /** Whether this broadcast is the view's turn for a checksum: every CHECKSUM_EVERY_STEPS-th,
   *  shifted by the view's position. */
  #checksumDue(rect: ViewRect): boolean {
    if (this.#broadcast === null) return false;
    const turn = (rect.tx0 * 7 + rect.ty0 * 3 + rect.tx1 * 5 + rect.ty1) % CHECKSUM_EVERY_STEPS;
    return (this.#broadcast + turn) % CHECKSUM_EVERY_STEPS === 0;
  }

  /** Whether any tile of the view changed since the last broadcast (by edits or by the step). */
  #changedIn(rect: ViewRect): boolean {
    const { tilesX, flags } = this.#map;
    for (let ty = rect.ty0; ty < rect.ty1; ty++) {
      for (let tx = rect.tx0; tx < rect.tx1; tx++) if (flags[ty * tilesX + tx]) return true;
    }
    return false;
  }
}
