/**
 * One scene on one grid, measured: per generation, what the room does in a tick (worker/room.ts
 * #tick → #broadcastChanges: step, take the change map, build the DELTA with the room's own
 * DeltaBuilder) for a plain client, the frames of the predicting clients, the same changed tiles
 * through the other codecs and layouts, and the baselines; and the scene's keyframe.
 */
import { concatBytes } from "../../common/stream.ts";
import { deflateRawSync } from "node:zlib";
import { POPCOUNT8 } from "../../common/bitmap.ts";
import { DENSITY_BITS } from "../../common/density.ts";
import { type Engine } from "../../common/engine.ts";
import { BroadcastFrames, captureStep } from "../../common/lockstep/broadcast.ts";
import {
  Codec,
  DELTA_HEADER_BYTES,
  TILE_RECORD_HEADER_BYTES,
  bitsPerCell,
  decodeServerFrame,
  deflateRaw,
  encodeRuns,
  encodeServerMessage,
  keyframeBytes,
} from "../../common/protocol/index.ts";
import { DeltaBuilder, type ViewRect, keyframe, viewRect } from "../../common/view-frames.ts";
import { elapsed } from "../harness.ts";
import { jsonLiveCellsBytes, liveCellsJson, median } from "../report.ts";
import { type Encoded, decodeDelta, decodeKeyframe, deltaFrame, readLit, readView, smaller, tileOfView } from "./codecs.ts";
import { type PredictedClient, type PredictedResult, predictedClient, predictedGeneration } from "./predicted.ts";
import { SCENE_LABELS, type SceneId, setUpScene } from "./scenes.ts";
import { JSON_TIMED_GENERATIONS, KEYFRAME_REPEATS, MAX_JSON_TIMED_CELLS, PARTIAL_VIEW_SIDE } from "./settings.ts";

export interface GridPlan {
  side: number;
  /** Generations measured per scene. */
  generations: number;
  /** Of those, how many also encode and decode every tile through CompressionStream (slow: one
   *  stream per 64×64 tile). */
  streamGenerations: number;
  scenes: readonly SceneId[];
}

export interface Samples {
  step: number[];
  /** The room's path for one client: DeltaBuilder (tile reads + RUNS/NONE) + frameFor. */
  roomDelta: number[];
  /** Each further client viewing the same rectangle: frameFor on the warm builder. */
  perExtraViewer: number[];
  runsEncode: number[];
  runsDecode: number[];
  deflateStreamEncode: number[];
  deflateStreamDecode: number[];
  deflateSyncEncode: number[];
  deflateSyncDecode: number[];
  jsonEncode: number[];
  jsonDecode: number[];
}

export interface KeyframeResult {
  rawBytes: number;
  runsBytes: number;
  deflateBytes: number;
  /** keyframe() of common/view-frames.ts: read + RUNS/NONE + frame. */
  runsEncodeMs: number;
  runsDecodeMs: number;
  /** read + one CompressionStream over the whole view + frame. */
  deflateStreamEncodeMs: number;
  deflateStreamDecodeMs: number;
}

export interface SceneResult {
  side: number;
  scene: SceneId;
  label: string;
  detail: Record<string, unknown>;
  view: { scale: number; x: number; y: number; width: number; height: number; tiles: number };
  generations: number;
  populationFirst: number;
  populationLast: number;
  /** Packed bits of the whole view: what sending every cell every generation costs. */
  rawBytesPerGeneration: number;
  /** Per measured generation. */
  changedTiles: number[];
  /** Changed tiles whose bits the client already had (resent because a grid tile under them changed). */
  redundantTiles: number[];
  roomBytes: number[];
  deflateBytes: number[];
  /** Not in the protocol, for comparison: the room's whole DELTA frame deflated at once (about what
   *  WebSocket permessage-deflate without context takeover would send). */
  deflateFrameBytes: number[];
  /** Not in the protocol: each changed tile XORed with what the client holds (tiles without a
   *  change skipped), RUNS per tile, or all of them deflated at once. */
  xorRunsBytes: number[];
  xorDeflateFrameBytes: number[];
  /** Cells of the view that differ from the previous generation. */
  changedCells: number[];
  jsonBytes: number[];
  /** Tiles the room sent as RUNS / as NONE (runs would not have been smaller), over all generations. */
  roomTileCodecs: { runs: number; none: number };
  ms: Samples;
  keyframe: KeyframeResult;
  /** Clients that predict (scale-1 views only): the whole view, and a 256×256 one. */
  predicted: PredictedResult[];
}

async function measureKeyframe(engine: Engine, rect: ViewRect): Promise<KeyframeResult> {
  const reps = KEYFRAME_REPEATS;
  const runsEncode: number[] = [];
  const runsDecode: number[] = [];
  const deflateEncode: number[] = [];
  const deflateDecode: number[] = [];
  let runsFrame: Uint8Array = new Uint8Array(0);
  let deflateFrame: Uint8Array = new Uint8Array(0);
  const rawBytes = keyframeBytes(rect.width, rect.height, rect.scale);
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    runsFrame = keyframe(engine, rect);
    runsEncode.push(elapsed(t));
    t = performance.now();
    await decodeKeyframe(runsFrame, rawBytes);
    runsDecode.push(elapsed(t));

    t = performance.now();
    const bits = readView(engine, rect).data;
    const { codec, payload } = smaller(bits, await deflateRaw(bits), Codec.DEFLATE);
    deflateFrame = encodeServerMessage({ type: "keyframe", generation: engine.generation, scale: rect.scale, x: rect.x, y: rect.y, width: rect.width, height: rect.height, codec, payload });
    deflateEncode.push(elapsed(t));
    t = performance.now();
    await decodeKeyframe(deflateFrame, rawBytes);
    deflateDecode.push(elapsed(t));
  }
  return {
    rawBytes,
    runsBytes: runsFrame.length,
    deflateBytes: deflateFrame.length,
    runsEncodeMs: median(runsEncode) ?? 0,
    runsDecodeMs: median(runsDecode) ?? 0,
    deflateStreamEncodeMs: median(deflateEncode) ?? 0,
    deflateStreamDecodeMs: median(deflateDecode) ?? 0,
  };
}

export async function runScene(engine: Engine, plan: GridPlan, scene: SceneId, rect: ViewRect, log: (line: string) => void): Promise<SceneResult> {
  const detail = setUpScene(engine, scene);
  const populationFirst = engine.population();
  const keyframeResult = await measureKeyframe(engine, rect);
  // Predicting clients: the whole view, and a 256×256 window in the middle of the grid.
  const predicted: PredictedClient[] = [];
  if (rect.scale === 1) {
    predicted.push(await predictedClient(engine, rect, true));
    if (engine.width > PARTIAL_VIEW_SIDE) {
      const from = engine.width / 2 - PARTIAL_VIEW_SIDE / 2;
      predicted.push(await predictedClient(engine, viewRect({ x: from, y: from, width: PARTIAL_VIEW_SIDE, height: PARTIAL_VIEW_SIDE, scale: 1 }, engine.width, engine.height), false));
    }
  }

  // What the client holds, tile by tile, starting from the keyframe: to count resent tiles
  // whose bits did not change.
  const held = new Map<number, Uint8Array>();
  const view0 = readView(engine, rect);
  for (let ty = rect.ty0; ty < rect.ty1; ty++) for (let tx = rect.tx0; tx < rect.tx1; tx++) held.set(ty * 65536 + tx, tileOfView(view0, rect, tx, ty));

  const ms: Samples = {
    step: [],
    roomDelta: [],
    perExtraViewer: [],
    runsEncode: [],
    runsDecode: [],
    deflateStreamEncode: [],
    deflateStreamDecode: [],
    deflateSyncEncode: [],
    deflateSyncDecode: [],
    jsonEncode: [],
    jsonDecode: [],
  };
  const result: SceneResult = {
    side: engine.width,
    scene,
    label: SCENE_LABELS[scene],
    detail,
    view: { scale: rect.scale, x: rect.x, y: rect.y, width: rect.width, height: rect.height, tiles: (rect.tx1 - rect.tx0) * (rect.ty1 - rect.ty0) },
    generations: plan.generations,
    populationFirst,
    populationLast: 0,
    rawBytesPerGeneration: keyframeBytes(rect.width, rect.height, rect.scale),
    changedTiles: [],
    redundantTiles: [],
    roomBytes: [],
    deflateBytes: [],
    deflateFrameBytes: [],
    xorRunsBytes: [],
    xorDeflateFrameBytes: [],
    changedCells: [],
    jsonBytes: [],
    roomTileCodecs: { runs: 0, none: 0 },
    ms,
    keyframe: keyframeResult,
    predicted: predicted.map((p) => p.result),
  };
  // The room's labels of predicting clients (common/lockstep/broadcast.ts Lockstep), per view.
  const labels = predicted.map((p) => p.at);

  for (let g = 0; g < plan.generations; g++) {
    // What a room with predicting clients reads before its step (here: nothing was edited).
    const capture = predicted.length ? captureStep(engine) : null;
    let t = performance.now();
    engine.step(1);
    ms.step.push(elapsed(t));
    const map = engine.changeMap();
    engine.clearChanges();
    if (capture) {
      const deltas = new DeltaBuilder(engine, map);
      const changedAnywhere = map.flags.includes(1);
      for (let i = 0; i < predicted.length; i++) {
        const frames = changedAnywhere ? new BroadcastFrames(engine, map, capture, labels[i], g + 1) : null;
        await predictedGeneration(engine, predicted[i], frames, deltas);
      }
    }

    // The room's own path (what #broadcastChanges does for one player).
    t = performance.now();
    const builder = new DeltaBuilder(engine, map);
    const frame = builder.frameFor(rect);
    ms.roomDelta.push(elapsed(t));
    t = performance.now();
    builder.frameFor(rect);
    ms.perExtraViewer.push(elapsed(t));
    result.roomBytes.push(frame?.length ?? 0);

    // The client decodes it; the decoded tiles are the input of the other codecs.
    t = performance.now();
    const tiles = frame ? await decodeDelta(frame, true) : [];
    ms.runsDecode.push(elapsed(t));
    result.changedTiles.push(tiles.length);
    if (frame) {
      const decoded = decodeServerFrame(frame);
      if (decoded.ok && decoded.value.type === "delta") {
        for (const tile of decoded.value.tiles) result.roomTileCodecs[tile.codec === Codec.RUNS ? "runs" : "none"]++;
      }
    }
    // What the client already has: resent tiles with the same bits, and what XOR deltas against
    // the held tiles would cost (tiles whose XOR is all zero skipped) — a protocol alternative.
    let redundant = 0;
    let changedCells = 0;
    const diffs: Uint8Array[] = [];
    let xorRuns = 0;
    for (const tile of tiles) {
      const key = tile.ty * 65536 + tile.tx;
      const before = held.get(key);
      if (before && sameBytes(before, tile.bits)) redundant++;
      held.set(key, tile.bits);
      const diff = new Uint8Array(tile.bits.length);
      let any = 0;
      for (let i = 0; i < diff.length; i++) {
        any |= diff[i] = tile.bits[i] ^ (before ? before[i] : 0);
        changedCells += changedCellsOf(diff[i], bitsPerCell(rect.scale));
      }
      if (any === 0) continue;
      diffs.push(diff);
      xorRuns += TILE_RECORD_HEADER_BYTES + smaller(diff, encodeRuns(diff), Codec.RUNS).payload.length;
    }
    result.redundantTiles.push(redundant);
    result.changedCells.push(changedCells);
    result.xorRunsBytes.push(diffs.length ? DELTA_HEADER_BYTES + xorRuns : 0);
    result.xorDeflateFrameBytes.push(diffs.length ? DELTA_HEADER_BYTES + TILE_RECORD_HEADER_BYTES * diffs.length + deflateRawSync(concatBytes(diffs)).length : 0);
    result.deflateFrameBytes.push(frame ? deflateRawSync(frame).length : 0);

    // RUNS alone (no reads), for a codec-to-codec comparison with DEFLATE.
    t = performance.now();
    for (const tile of tiles) smaller(tile.bits, encodeRuns(tile.bits), Codec.RUNS);
    ms.runsEncode.push(elapsed(t));

    // DEFLATE through node:zlib, synchronously: the bytes of every generation.
    t = performance.now();
    const syncEncoded = tiles.map((tile) => smaller(tile.bits, new Uint8Array(deflateRawSync(tile.bits)), Codec.DEFLATE));
    const deflateFrame = tiles.length ? deltaFrame(engine.generation, rect.scale, tiles, syncEncoded) : null;
    ms.deflateSyncEncode.push(elapsed(t));
    result.deflateBytes.push(deflateFrame?.length ?? 0);
    t = performance.now();
    if (deflateFrame) await decodeDelta(deflateFrame, true);
    ms.deflateSyncDecode.push(elapsed(t));

    // DEFLATE through CompressionStream, one stream per tile (what a Worker has), on fewer generations.
    if (g < plan.streamGenerations) {
      t = performance.now();
      const streamEncoded: Encoded[] = [];
      for (const tile of tiles) streamEncoded.push(smaller(tile.bits, await deflateRaw(tile.bits), Codec.DEFLATE));
      const streamFrame = tiles.length ? deltaFrame(engine.generation, rect.scale, tiles, streamEncoded) : null;
      ms.deflateStreamEncode.push(elapsed(t));
      if ((streamFrame?.length ?? 0) !== (deflateFrame?.length ?? 0)) {
        log(`    note: CompressionStream and zlib sizes differ (${streamFrame?.length ?? 0} vs ${deflateFrame?.length ?? 0} bytes)`);
      }
      t = performance.now();
      if (streamFrame) await decodeDelta(streamFrame, false);
      ms.deflateStreamDecode.push(elapsed(t));
    }

    // Baselines: the view's packed bits (constant) and its live (lit) cells as JSON.
    const view = readLit(engine, rect);
    const jsonBytes = jsonLiveCellsBytes(view, rect.x, rect.y);
    result.jsonBytes.push(jsonBytes);
    if (rect.width * rect.height <= MAX_JSON_TIMED_CELLS && g < JSON_TIMED_GENERATIONS) {
      t = performance.now();
      const json = liveCellsJson(view, rect.x, rect.y);
      ms.jsonEncode.push(elapsed(t));
      if (json.length !== jsonBytes) throw new Error(`JSON size formula disagrees with JSON.stringify (${jsonBytes} vs ${json.length})`);
      t = performance.now();
      JSON.parse(json);
      ms.jsonDecode.push(elapsed(t));
    }
  }
  result.populationLast = engine.population();
  return result;
}

/** Cells that differ in one byte of XORed tiles, packed `bits` to a cell. */
function changedCellsOf(xor: number, bits: number): number {
  return bits === DENSITY_BITS ? POPCOUNT8[(xor | (xor >>> 1)) & 0x55] : POPCOUNT8[xor];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
