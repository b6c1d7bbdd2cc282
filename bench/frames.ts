/**
 * How many bytes does a room send per generation, and what does encoding them cost? One client
 * views a whole room (1024² and 4096² at one bit per cell; a 16384² room as an overview at the
 * scale that fits 1024² scaled cells) while the grid runs, for five scenes:
 *
 *   soup-fresh   a 50% soup, generations 1…N after the randomize
 *   soup-1000    the same soup after 1,000 generations
 *   field        a lattice of still lifes and oscillators (block … pulsar) from a fixed seed
 *   still        the same lattice with still lifes only: a running grid that never changes
 *   empty        an empty running room
 *
 * Per generation it reproduces what the room does in a tick (worker/room.ts #tick →
 * #broadcastChanges): step, take the change map, build the DELTA with the room's own
 * DeltaBuilder (worker/views.ts: changed 64×64 tiles, RUNS or NONE per tile) for the client's
 * view. The same changed tiles are then encoded with DEFLATE (deflate-raw: CompressionStream,
 * which is what a Worker has, and node:zlib's synchronous call, which shows how much of the
 * stream's cost is per-call overhead), and decoded again as a client would. Baselines in the
 * same run: the raw packed bitmap of the view (what sending every cell costs) and a JSON list
 * of the view's live cells, `[[x,y],…]` (what a simple demo sends every generation). To inform
 * the protocol's choices it also sizes what is not in the protocol: the room's frame deflated
 * whole, tiles sent as XOR against what the client holds, and the entropy of the changes.
 * Keyframes (what a joining client gets) are sized and timed with both codecs too.
 *
 * Predicted rows: what a client that runs the engine itself (lockstep prediction, HELLO's predict
 * flag; the web client at scale 1) receives instead. Per generation the bench takes what the room
 * takes (worker/predict.ts: the tiles changed before the step, then BroadcastFrames after it, one
 * checksum every CHECKSUM_EVERY_STEPS steps), for the whole view and for a 256×256 view in the
 * middle of the grid, hands each STEP to a LockstepView (common/predict.ts) as the client does,
 * and checks that the client's cells equal the room's in every generation.
 *
 *   node scripts/ts.mjs bench/frames.ts [--quick]
 *
 * Output: progress on stderr, tables on stdout, bench/results/frames-<time>.json and
 * frames-latest.json. Timings are Node's, on the machine that runs the bench: workerd's
 * CompressionStream is a different implementation, so the DEFLATE stream column is indicative
 * of a Worker's cost, not a measurement of it.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Bitmap } from "../common/bitmap.ts";
import { POPCOUNT8, bitmapStride, bitmapsEqual, createBitmap, setBit } from "../common/bitmap.ts";
import { type Engine } from "../common/engine.ts";
import { TILE_SIZE } from "../common/grid.ts";
import { patternBitmap } from "../common/patterns.ts";
import {
  Codec,
  type CodecId,
  TILE_BYTES,
  assembleDelta,
  decodePayload,
  decodeServerFrame,
  deflateRaw,
  encodeRuns,
  encodeServerMessage,
  encodeTileRecord,
  keyframeBytes,
} from "../common/protocol.ts";
import { LockstepView } from "../common/predict.ts";
import { LIFE } from "../common/rules.ts";
import { createEngine, loadModule } from "../common/wasm-node.ts";
import { STATS_INTERVAL_MS } from "../worker/limits.ts";
import { BroadcastFrames, CHECKSUM_EVERY_STEPS, captureStep } from "../worker/predict.ts";
import { DeltaBuilder, type ViewRect, defaultViewport, keyframe, viewRect } from "../worker/views.ts";
import { SOUP_DENSITY, SOUP_SEED, describeMachine, formatTable, hasFlag, machineInfo, progress, writeResults } from "./harness.ts";
import {
  type TargetCheck,
  describeLoad,
  formatInt,
  formatMs,
  formatPercent,
  jsonLiveCellsBytes,
  liveCellsJson,
  loadAverage,
  median,
  seededRandom,
  verdict,
} from "./report.ts";

const QUICK = hasFlag("--quick");
const DENSITY = SOUP_DENSITY;
const FIELD_SEED = 1103;
const SOUP_AGE = 1000;
/** The room suite's tick rate; only used to spread the STATS frame over generations. */
const TICK_MS = 50;
/** DELTA framing (see common/protocol.ts): a 14-byte header, then 7 bytes before each tile's payload. */
const DELTA_HEADER = 14;
const TILE_RECORD_HEADER = 7;
/** JSON baselines are built (and timed) only for views up to this many cells: a 4096² soup's list
 *  is over 100 MB of text. Its size is computed exactly either way (see jsonLiveCellsBytes). */
const MAX_JSON_TIMED_CELLS = 1 << 20;
/** Generations whose JSON is built and timed, per scene. */
const JSON_TIMED_GENERATIONS = 3;
/** The partial view of the predicted rows: a 256×256 window in the middle of the grid. */
const PARTIAL_VIEW_SIDE = 256;

type SceneId = "soup-fresh" | "soup-1000" | "field" | "still" | "empty";

const SCENE_LABELS: Record<SceneId, string> = {
  "soup-fresh": "50% soup, fresh",
  "soup-1000": `50% soup after ${formatInt(SOUP_AGE)} gens`,
  field: "still lifes + oscillators",
  still: "still lifes only",
  empty: "empty",
};

interface GridPlan {
  side: number;
  /** Generations measured per scene. */
  generations: number;
  /** Of those, how many also encode and decode every tile through CompressionStream (slow: one
   *  stream per 64×64 tile). */
  streamGenerations: number;
  scenes: readonly SceneId[];
}

const ALL_SCENES: readonly SceneId[] = ["soup-fresh", "soup-1000", "field", "still", "empty"];

const PLANS: readonly GridPlan[] = QUICK
  ? [
      { side: 1024, generations: 4, streamGenerations: 1, scenes: ALL_SCENES },
      { side: 4096, generations: 2, streamGenerations: 0, scenes: ["field"] },
      { side: 16384, generations: 2, streamGenerations: 1, scenes: ["soup-fresh", "empty"] },
    ]
  : [
      { side: 1024, generations: 20, streamGenerations: 3, scenes: ALL_SCENES },
      { side: 4096, generations: 6, streamGenerations: 1, scenes: ALL_SCENES },
      { side: 16384, generations: 8, streamGenerations: 2, scenes: ALL_SCENES },
    ];

// ---------------------------------------------------------------------------------------------
// Scenes

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
function setUpScene(engine: Engine, scene: SceneId): Record<string, unknown> {
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

// ---------------------------------------------------------------------------------------------
// Codecs as the room would use them: a tile's payload is the codec's output when smaller than the
// 512 raw bytes, else the raw bytes (NONE), exactly like worker/views.ts encodeBits.

interface Encoded {
  codec: CodecId;
  payload: Uint8Array;
}

function smaller(raw: Uint8Array, encoded: Uint8Array, codec: CodecId): Encoded {
  return encoded.length < raw.length ? { codec, payload: encoded } : { codec: Codec.NONE, payload: raw };
}

function deltaFrame(generation: number, scale: number, tiles: readonly { tx: number; ty: number }[], encoded: readonly Encoded[]): Uint8Array {
  return assembleDelta(
    generation,
    scale,
    tiles.map((t, i) => encodeTileRecord({ tx: t.tx, ty: t.ty, codec: encoded[i].codec, payload: encoded[i].payload })),
  );
}

/** The client side: frame → tiles of raw bits (async codecs awaited one tile after another). */
async function decodeDelta(frame: Uint8Array, sync: boolean): Promise<{ tx: number; ty: number; bits: Uint8Array }[]> {
  const decoded = decodeServerFrame(frame);
  if (!decoded.ok || decoded.value.type !== "delta") throw new Error("the bench built a frame the protocol cannot decode");
  const out: { tx: number; ty: number; bits: Uint8Array }[] = [];
  for (const tile of decoded.value.tiles) {
    const bits =
      sync && tile.codec === Codec.DEFLATE
        ? new Uint8Array(inflateRawSync(tile.payload))
        : await decodePayload(tile.codec, tile.payload, TILE_BYTES);
    if (bits === null || bits.length !== TILE_BYTES) throw new Error(`tile (${tile.tx}, ${tile.ty}) does not decode`);
    out.push({ tx: tile.tx, ty: tile.ty, bits });
  }
  return out;
}

/** The view's scaled cells, as the room reads them for a keyframe. */
function readView(engine: Engine, rect: ViewRect): Bitmap {
  return rect.scale === 1
    ? engine.readRect(rect.x, rect.y, rect.width, rect.height)
    : engine.readOverview(rect.x * rect.scale, rect.y * rect.scale, rect.width, rect.height, rect.scale);
}

/** Tile (tx, ty) (absolute tile coordinates) cut out of a view bitmap that starts at tile (rect.tx0, rect.ty0). */
function tileOfView(view: Bitmap, rect: ViewRect, tx: number, ty: number): Uint8Array {
  const out = new Uint8Array(TILE_BYTES);
  const stride = bitmapStride(view.width);
  const rowBytes = TILE_SIZE / 8;
  const from = (tx - rect.tx0) * rowBytes;
  const take = Math.max(0, Math.min(rowBytes, stride - from));
  const y0 = (ty - rect.ty0) * TILE_SIZE;
  for (let r = 0; r < TILE_SIZE && y0 + r < view.height; r++) {
    out.set(view.data.subarray((y0 + r) * stride + from, (y0 + r) * stride + from + take), r * rowBytes);
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}


/** Binary entropy in bits: the order-0 floor, per cell, for coding which cells changed. */
function entropyBits(p: number): number {
  return p <= 0 || p >= 1 ? 0 : -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function elapsed(start: number): number {
  return performance.now() - start;
}

// ---------------------------------------------------------------------------------------------
// One scene on one grid

interface Samples {
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

interface KeyframeResult {
  rawBytes: number;
  runsBytes: number;
  deflateBytes: number;
  /** keyframe() of worker/views.ts: read + RUNS/NONE + frame. */
  runsEncodeMs: number;
  runsDecodeMs: number;
  /** read + one CompressionStream over the whole view + frame. */
  deflateStreamEncodeMs: number;
  deflateStreamDecodeMs: number;
}

interface SceneResult {
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

interface PredictedResult {
  view: { x: number; y: number; width: number; height: number };
  whole: boolean;
  rawBytesPerGeneration: number;
  /** Per measured generation: the frame the room sends this client (STEP, or DELTA when a change
   *  is not a predicted step), 0 when none; what a plain client with the same view gets; JSON. */
  bytes: number[];
  deltaBytes: number[];
  jsonBytes: number[];
  frames: { step: number; relabel: number; delta: number; none: number };
  /** Generations where the client's cells equaled the room's, of those measured. */
  verified: number;
  ms: {
    /** The room's work for the first client with this view: the band read and encoded, the frame. */
    server: number[];
    /** Each further client with the same view. */
    perExtraViewer: number[];
    /** The client: decode, write edited tiles, step its engine, write the band, checksum. */
    client: number[];
  };
}

interface PredictedClient {
  result: PredictedResult;
  rect: ViewRect;
  view: LockstepView;
  /** The room's labels for this client and for a second one with the same view. */
  at: Map<string, number>;
}

let lifeModule: WebAssembly.Module | null = null;

async function predictedClient(engine: Engine, rect: ViewRect, whole: boolean): Promise<PredictedClient> {
  lifeModule ??= await loadModule("simd");
  const view = new LockstepView(lifeModule);
  view.settings({ name: "bench", width: engine.width, height: engine.height, topology: engine.topology, rule: engine.rule, tickMs: TICK_MS, generationsPerTick: 1, running: true, private: false, locked: false });
  const bits = readView(engine, rect);
  await view.keyframe({ type: "keyframe", generation: engine.generation, scale: 1, x: rect.x, y: rect.y, width: rect.width, height: rect.height, codec: Codec.NONE, payload: bits.data }, bits.data);
  const result: PredictedResult = {
    view: { x: rect.x, y: rect.y, width: rect.width, height: rect.height },
    whole,
    rawBytesPerGeneration: keyframeBytes(rect.width, rect.height),
    bytes: [],
    deltaBytes: [],
    jsonBytes: [],
    frames: { step: 0, relabel: 0, delta: 0, none: 0 },
    verified: 0,
    ms: { server: [], perExtraViewer: [], client: [] },
  };
  return { result, rect, view, at: new Map([["client", engine.generation], ["viewer", engine.generation]]) };
}

/** One generation for a predicting client: the room's frame, the client's handling, the check. */
async function predictedGeneration(engine: Engine, client: PredictedClient, frames: BroadcastFrames<string> | null, deltas: DeltaBuilder): Promise<void> {
  const { result, rect, view } = client;
  let t = performance.now();
  // The room sends nothing at all when no cell of the grid changed (#broadcastChanges).
  const frame = frames ? frames.frameFor("client", rect, deltas) : null;
  result.ms.server.push(elapsed(t));
  t = performance.now();
  if (frames) frames.frameFor("viewer", rect, deltas);
  result.ms.perExtraViewer.push(elapsed(t));
  result.bytes.push(frame?.length ?? 0);
  result.deltaBytes.push(deltas.frameFor(rect)?.length ?? 0);
  t = performance.now();
  if (frame) {
    const decoded = decodeServerFrame(frame);
    if (!decoded.ok || (decoded.value.type !== "step" && decoded.value.type !== "delta")) throw new Error("the room built a frame the client cannot decode");
    const m = decoded.value;
    const outcome = m.type === "step" ? await view.step(m) : await view.delta(m);
    if (outcome !== "applied") throw new Error(`the predicting client lost its view (${outcome}) at generation ${engine.generation}`);
    if (m.type === "delta") result.frames.delta++;
    else if (m.steps === 0) result.frames.relabel++;
    else result.frames.step++;
  } else {
    result.frames.none++;
  }
  result.ms.client.push(elapsed(t));
  const truth = readView(engine, rect);
  if (bitmapsEqual(view.bitmap()!, truth)) result.verified++;
  result.jsonBytes.push(jsonLiveCellsBytes(truth, rect.x, rect.y));
}

/** Keyframes are one-off events: timed a few times, the median kept. */
const KEYFRAME_REPEATS = QUICK ? 1 : 3;

async function measureKeyframe(engine: Engine, rect: ViewRect): Promise<KeyframeResult> {
  const reps = KEYFRAME_REPEATS;
  const runsEncode: number[] = [];
  const runsDecode: number[] = [];
  const deflateEncode: number[] = [];
  const deflateDecode: number[] = [];
  let runsFrame: Uint8Array = new Uint8Array(0);
  let deflateFrame: Uint8Array = new Uint8Array(0);
  const rawBytes = keyframeBytes(rect.width, rect.height);
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

async function decodeKeyframe(frame: Uint8Array, rawBytes: number): Promise<Uint8Array> {
  const decoded = decodeServerFrame(frame);
  if (!decoded.ok || decoded.value.type !== "keyframe") throw new Error("keyframe does not decode");
  const bits = await decodePayload(decoded.value.codec, decoded.value.payload, rawBytes);
  if (bits === null) throw new Error("keyframe payload does not decode");
  return bits;
}

async function runScene(engine: Engine, plan: GridPlan, scene: SceneId, rect: ViewRect, log: (line: string) => void): Promise<SceneResult> {
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
    rawBytesPerGeneration: keyframeBytes(rect.width, rect.height),
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
  // The room's labels of predicting clients (worker/predict.ts Lockstep), per view.
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
      const diff = new Uint8Array(TILE_BYTES);
      let any = 0;
      for (let i = 0; i < TILE_BYTES; i++) {
        any |= diff[i] = tile.bits[i] ^ (before ? before[i] : 0);
        changedCells += POPCOUNT8[diff[i]];
      }
      if (any === 0) continue;
      diffs.push(diff);
      xorRuns += TILE_RECORD_HEADER + smaller(diff, encodeRuns(diff), Codec.RUNS).payload.length;
    }
    result.redundantTiles.push(redundant);
    result.changedCells.push(changedCells);
    result.xorRunsBytes.push(diffs.length ? DELTA_HEADER + xorRuns : 0);
    result.xorDeflateFrameBytes.push(diffs.length ? DELTA_HEADER + TILE_RECORD_HEADER * diffs.length + deflateRawSync(concat(diffs)).length : 0);
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

    // Baselines: the view's packed bits (constant) and its live cells as JSON.
    const view = readView(engine, rect);
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

// ---------------------------------------------------------------------------------------------
// Reporting

const mean = (values: readonly number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
const max = (values: readonly number[]) => (values.length ? Math.max(...values) : 0);

function gridLabel(r: SceneResult): string {
  return r.view.scale === 1 ? `${r.side}²` : `${r.side}² @1/${r.view.scale}`;
}

/** The order-0 entropy of the changed cells of the view, in bytes per generation. */
function changeEntropyBytes(r: SceneResult): number {
  const cells = r.view.width * r.view.height;
  return mean(r.changedCells.map((n) => (cells * entropyBits(n / cells)) / 8));
}

function bytesTable(results: readonly SceneResult[]): string {
  return formatTable(
    ["grid (view)", "scene", "tiles chg/gen", "resent same", "raw B/gen", "JSON B/gen", "room B/gen", "% raw", "worst", "DEFL/tile", "DEFL/frame", "XOR+RUNS", "XOR+DEFL", "H(chg)", "room/JSON"],
    results.map((r) => {
      const raw = r.rawBytesPerGeneration;
      const room = mean(r.roomBytes);
      const json = mean(r.jsonBytes);
      const changed = r.changedTiles.reduce((a, b) => a + b, 0);
      const redundant = r.redundantTiles.reduce((a, b) => a + b, 0);
      return [
        gridLabel(r),
        r.label,
        `${formatInt(mean(r.changedTiles))}/${formatInt(r.view.tiles)}`,
        changed ? formatPercent(redundant / changed, 0) : "—",
        formatInt(raw),
        formatInt(json),
        formatInt(room),
        formatPercent(room / raw),
        formatPercent(max(r.roomBytes) / raw),
        formatPercent(mean(r.deflateBytes) / raw),
        formatPercent(mean(r.deflateFrameBytes) / raw),
        formatPercent(mean(r.xorRunsBytes) / raw),
        formatPercent(mean(r.xorDeflateFrameBytes) / raw),
        formatPercent(changeEntropyBytes(r) / raw),
        json > 2 ? formatPercent(room / json, 2) : "—",
      ];
    }),
    new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
  );
}

function msTable(results: readonly SceneResult[]): string {
  const m = (values: readonly number[]) => formatMs(median(values));
  return formatTable(
    ["grid (view)", "scene", "step", "room delta", "+viewer", "RUNS enc", "RUNS dec", "DEFL stream enc", "DEFL stream dec", "DEFL zlib enc", "DEFL zlib dec", "JSON enc", "JSON dec"],
    results.map((r) => [
      gridLabel(r),
      r.label,
      m(r.ms.step),
      m(r.ms.roomDelta),
      m(r.ms.perExtraViewer),
      m(r.ms.runsEncode),
      m(r.ms.runsDecode),
      m(r.ms.deflateStreamEncode),
      m(r.ms.deflateStreamDecode),
      m(r.ms.deflateSyncEncode),
      m(r.ms.deflateSyncDecode),
      m(r.ms.jsonEncode),
      m(r.ms.jsonDecode),
    ]),
    new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
  );
}

function keyframeTable(results: readonly SceneResult[]): string {
  return formatTable(
    ["grid (view)", "scene", "raw B", "RUNS B", "% raw", "DEFLATE B", "% raw", "RUNS enc", "RUNS dec", "DEFL enc", "DEFL dec"],
    results.map((r) => {
      const k = r.keyframe;
      return [
        gridLabel(r),
        r.label,
        formatInt(k.rawBytes),
        formatInt(k.runsBytes),
        formatPercent(k.runsBytes / k.rawBytes),
        formatInt(k.deflateBytes),
        formatPercent(k.deflateBytes / k.rawBytes),
        formatMs(k.runsEncodeMs),
        formatMs(k.runsDecodeMs),
        formatMs(k.deflateStreamEncodeMs),
        formatMs(k.deflateStreamDecodeMs),
      ];
    }),
    new Set([2, 3, 4, 5, 6, 7, 8, 9, 10]),
  );
}

/** The predicted rows of a scene: the whole view's, or the partial one's. */
function predictedOf(r: SceneResult | undefined, whole: boolean): PredictedResult | undefined {
  return r?.predicted.find((p) => p.whole === whole);
}

function predictedLabel(r: SceneResult, p: PredictedResult): string {
  return p.whole ? `${r.side}²` : `${r.side}² (${p.view.width}² at ${p.view.x},${p.view.y})`;
}

function predictedTable(results: readonly SceneResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const p of r.predicted) {
      const raw = p.rawBytesPerGeneration;
      const f = p.frames;
      rows.push([
        predictedLabel(r, p),
        r.label,
        formatInt(raw),
        formatInt(mean(p.jsonBytes)),
        formatInt(mean(p.deltaBytes)),
        formatPercent(mean(p.deltaBytes) / raw),
        formatInt(mean(p.bytes)),
        formatPercent(mean(p.bytes) / raw, 2),
        formatPercent(max(p.bytes) / raw, 2),
        `${f.step}/${f.relabel}/${f.delta}/${f.none}`,
        formatMs(median(p.ms.server)),
        formatMs(median(p.ms.perExtraViewer)),
        formatMs(median(p.ms.client)),
        `${p.verified}/${p.bytes.length}`,
      ]);
    }
  }
  return formatTable(
    ["grid (view)", "scene", "raw B/gen", "JSON B/gen", "plain B/gen", "% raw", "predicted B/gen", "% raw", "worst", "STEP/relabel/DELTA/none", "room ms", "+viewer", "client ms", "exact"],
    rows,
    new Set([2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13]),
  );
}

function targets(results: readonly SceneResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const find = (side: number, scene: SceneId) => results.find((r) => r.side === side && r.scene === scene && r.view.scale === 1);
  const share = (bytes: readonly number[], raw: number) => `worst ${formatPercent(max(bytes) / raw, 2)}, mean ${formatPercent(mean(bytes) / raw, 2)}`;

  // The web client predicts whenever it views at scale 1 (a whole 1024² room is one), so the
  // targets are judged on the predicted rows; a plain client's DELTA frames are shown beside them.
  const unchanging = results.filter((r) => r.scene === "still" || r.scene === "empty");
  const deltaBytes = unchanging.reduce((sum, r) => sum + r.roomBytes.reduce((a, b) => a + b, 0), 0);
  const predictedBytes = unchanging.reduce((sum, r) => sum + r.predicted.reduce((s, p) => s + p.bytes.reduce((a, b) => a + b, 0), 0), 0);
  const statsBytes = encodeServerMessage({ type: "stats", generation: 0, population: 0, generationsPerSecond: 0, players: 1, running: true, still: true }).length;
  checks.push({
    target: "a running grid that does not change sends nothing but STATS",
    measured: unchanging.length
      ? `${formatInt(predictedBytes)} B of STEP to predicting clients and ${formatInt(deltaBytes)} B of DELTA to plain ones in ` +
        `${unchanging.reduce((s, r) => s + r.generations, 0)} generations of ${unchanging.length} unchanging scenes (STATS is ${statsBytes} B)`
      : "no unchanging scene in this run",
    met: unchanging.length ? deltaBytes === 0 && predictedBytes === 0 : null,
  });

  for (const [side, scene, limit, what] of [
    [1024, "soup-1000", 0.15, `1024² soup after ${formatInt(SOUP_AGE)} generations ≤ 15% of raw per generation`],
    [1024, "soup-fresh", 0.6, "fresh 1024² 50% soup ≤ 60% of raw per generation"],
    [4096, "soup-fresh", 0.6, "fresh 4096² 50% soup ≤ 60% of raw per generation"],
  ] as const) {
    const r = find(side, scene);
    const p = predictedOf(r, true);
    if (!r || !p) {
      if (side === 1024) checks.push({ target: what, measured: "not measured", met: null });
      continue;
    }
    const partial = predictedOf(r, false);
    checks.push({
      target: what,
      measured:
        `predicting client (the web client at scale 1): ${share(p.bytes, p.rawBytesPerGeneration)} over ${r.generations} generations; ` +
        (partial ? `a ${partial.view.width}² view: ${share(partial.bytes, partial.rawBytesPerGeneration)}; ` : "") +
        `a plain client's DELTA: ${share(r.roomBytes, r.rawBytesPerGeneration)}`,
      met: max(p.bytes) / p.rawBytesPerGeneration <= limit,
    });
  }

  const comparable = results.flatMap((r) => r.predicted.filter((p) => mean(p.jsonBytes) > 2).map((p) => ({ r, p })));
  const worst = comparable.reduce<{ ratio: number; label: string }>(
    (acc, { r, p }) => {
      const ratio = max(p.bytes.map((b, i) => b / p.jsonBytes[i]));
      return ratio > acc.ratio ? { ratio, label: `${predictedLabel(r, p)}, ${r.label}` } : acc;
    },
    { ratio: 0, label: "" },
  );
  const plain = results.filter((r) => mean(r.jsonBytes) > 2).reduce((acc, r) => Math.max(acc, max(r.roomBytes.map((b, i) => b / r.jsonBytes[i]))), 0);
  checks.push({
    target: "always far below the JSON live-cell list (here: ≤ 10% of it in every generation)",
    measured: comparable.length
      ? `predicting clients: worst ${formatPercent(worst.ratio, 2)} of JSON (${worst.label}); plain clients' DELTA: worst ${formatPercent(plain, 2)}`
      : "not measured",
    met: comparable.length ? worst.ratio <= 0.1 : null,
  });

  const predictedAll = results.flatMap((r) => r.predicted);
  const verified = predictedAll.reduce((n, p) => n + p.verified, 0);
  const measured = predictedAll.reduce((n, p) => n + p.bytes.length, 0);
  checks.push({
    target: "a predicting client holds exactly the room's cells in every generation",
    measured: `${verified} of ${measured} client-generations exact, over ${predictedAll.length} views`,
    met: measured ? verified === measured : null,
  });
  return checks;
}

/** Which codec wins, per byte and per millisecond, over the scenes where tiles were sent. */
function codecVerdict(results: readonly SceneResult[]): string[] {
  const sent = results.filter((r) => r.roomBytes.some((b) => b > 0));
  if (sent.length === 0) return ["no scene sent tiles; no codec verdict"];
  const roomTotal = sent.reduce((s, r) => s + mean(r.roomBytes), 0);
  const deflateTotal = sent.reduce((s, r) => s + mean(r.deflateBytes), 0);
  const deflateSmaller = sent.filter((r) => mean(r.deflateBytes) < mean(r.roomBytes));
  const lines = [
    `per byte: DEFLATE is smaller in ${deflateSmaller.length} of ${sent.length} scenes that send tiles; summed over them, ` +
      `RUNS|NONE sends ${formatInt(roomTotal)} B/gen and DEFLATE ${formatInt(deflateTotal)} B/gen (${formatPercent(deflateTotal / roomTotal, 0)} of RUNS).`,
  ];
  const ratio = (pick: (r: SceneResult) => [number[], number[]]) => {
    const ratios = sent
      .map((r) => {
        const [a, b] = pick(r);
        const ma = median(a);
        const mb = median(b);
        return ma !== null && mb !== null && ma > 0 ? mb / ma : null;
      })
      .filter((v): v is number => v !== null);
    return ratios.length ? { low: Math.min(...ratios), high: Math.max(...ratios), n: ratios.length } : null;
  };
  const describe = (name: string, range: { low: number; high: number; n: number } | null) =>
    range ? `${name} ${range.low.toFixed(1)}–${range.high.toFixed(1)}× the RUNS time (${range.n} scenes)` : `${name} not measured`;
  lines.push(
    `per ms (codec only, median per frame): ${describe("DEFLATE via CompressionStream takes", ratio((r) => [r.ms.runsEncode, r.ms.deflateStreamEncode]))} to encode, ` +
      `${describe("", ratio((r) => [r.ms.runsDecode, r.ms.deflateStreamDecode])).trim()} to decode; ` +
      `${describe("via zlib's sync call", ratio((r) => [r.ms.runsEncode, r.ms.deflateSyncEncode]))} to encode.`,
  );
  const keyframes = results.filter((r) => r.keyframe.runsBytes > 0);
  const kfDeflate = keyframes.reduce((s, r) => s + r.keyframe.deflateBytes, 0);
  const kfRuns = keyframes.reduce((s, r) => s + r.keyframe.runsBytes, 0);
  lines.push(`keyframes (one whole view, one stream call): DEFLATE totals ${formatPercent(kfDeflate / kfRuns, 0)} of RUNS' bytes over ${keyframes.length} scenes.`);
  return lines;
}

// ---------------------------------------------------------------------------------------------

/** Runs the whole pipeline once on a small grid so the JIT has seen every path before timing. */
async function warmUp(): Promise<void> {
  const engine = await createEngine({ width: 256, height: 256, topology: "torus", rule: LIFE }, "simd");
  const rect = viewRect(defaultViewport(256, 256), 256, 256);
  for (const scene of ["soup-fresh", "field"] as const) await runScene(engine, { side: 256, generations: 12, streamGenerations: 3, scenes: [] }, scene, rect, () => {});
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const loadBefore = loadAverage();
  const started = Date.now();
  progress(`frames benchmark${QUICK ? " (quick)" : ""} on ${describeMachine(machine)}; ${describeLoad(loadBefore)}`);
  await warmUp();

  const results: SceneResult[] = [];
  const notes: string[] = [];
  for (const plan of PLANS) {
    const engine = await createEngine({ width: plan.side, height: plan.side, topology: "torus", rule: LIFE }, "simd");
    // The whole room in view: at one bit per cell up to 4096² (the protocol's largest view), and
    // for larger rooms the room's own default, the smallest scale that fits 1024² scaled cells.
    const view = plan.side <= 4096 ? { x: 0, y: 0, width: plan.side, height: plan.side, scale: 1 } : defaultViewport(plan.side, plan.side);
    const rect = viewRect(view, plan.side, plan.side);
    for (const scene of plan.scenes) {
      const t = Date.now();
      const r = await runScene(engine, plan, scene, rect, (line) => notes.push(line));
      results.push(r);
      progress(
        `  ${gridLabel(r).padEnd(13)} ${r.label.padEnd(27)} room ${formatInt(mean(r.roomBytes)).padStart(10)} B/gen ` +
          `(${formatPercent(mean(r.roomBytes) / r.rawBytesPerGeneration).padStart(6)} of raw), deflate ${formatInt(mean(r.deflateBytes)).padStart(10)} B/gen, ` +
          `predicted ${r.predicted.length ? `${formatInt(mean(r.predicted[0].bytes))} B/gen` : "—"}  ` +
          `[${((Date.now() - t) / 1000).toFixed(1)} s]`,
      );
    }
  }

  const checks = targets(results);
  const verdictLines = codecVerdict(results);
  const loadAfter = loadAverage();
  const elapsedSeconds = (Date.now() - started) / 1000;
  const statsBytes = encodeServerMessage({ type: "stats", generation: 0, population: 0, generationsPerSecond: 0, players: 1, running: true, still: false }).length;
  const out: string[] = [];
  out.push("");
  out.push(`Frames: bytes per generation to one client viewing the whole room (torus, B3/S23); ${describeMachine(machine)}`);
  out.push(`${describeLoad(loadBefore)} at start, ${describeLoad(loadAfter)} at end`);
  out.push("");
  out.push(bytesTable(results));
  out.push("");
  out.push(
    `room = the DELTA frames worker/views.ts builds (RUNS, or NONE when RUNS is not smaller, per changed 64×64 tile); "% raw" is their mean, "worst" the largest generation.\n` +
      `Alternatives, as % of raw: DEFL/tile = the same tiles as deflate-raw; DEFL/frame = the room's frame deflated whole (≈ permessage-deflate without context takeover);\n` +
      `XOR+RUNS, XOR+DEFL (not in the protocol) = each changed tile XORed with what the client holds (no-change tiles skipped), RUNS per tile / one deflate per frame;\n` +
      `H(chg) = order-0 entropy of which cells changed: roughly the floor for any delta that codes changes cell by cell.\n` +
      `Not counted above: one STATS frame (${statsBytes} B) every ${STATS_INTERVAL_MS} ms while ticking (≈ ${(statsBytes * TICK_MS / STATS_INTERVAL_MS).toFixed(1)} B/gen at ${1000 / TICK_MS} ticks/s), WebSocket framing (2–10 B per frame).\n` +
      `"resent same": changed tiles whose bits the client already had (a grid tile under a scaled tile changed, the scaled bits did not).`,
  );
  out.push("");
  out.push("Predicting clients (lockstep: the client runs the engine on its view; what the web client does at scale 1):");
  out.push("");
  out.push(predictedTable(results));
  out.push("");
  out.push(
    `predicted = the frames worker/predict.ts builds for a client that predicts (a STEP: 25-byte header, the band of the view's sides, a checksum every ${CHECKSUM_EVERY_STEPS} steps;\n` +
      `a whole-room view needs no band); plain = the DELTA a client without prediction gets for the same view. Frames: STEP / STEP with 0 steps (nothing in view changed) /\n` +
      `DELTA / nothing (no cell changed anywhere). room ms = the room's work for the first client with this view (band read + encode + frame), +viewer = each further one;\n` +
      `client ms = the client's decode + step + band (+ checksum); exact = generations where the client's cells equaled the room's. The web client asks for a whole 4096² room\n` +
      `at scale 2 (its region is capped at 8 M pixels), where it gets DELTA overview frames; the 4096² rows are a client that views it at scale 1.`,
  );
  out.push("");
  out.push("Milliseconds per frame (median over the measured generations; Node, this machine):");
  out.push("");
  out.push(msTable(results));
  out.push("");
  out.push(
    "room delta = DeltaBuilder + frameFor (tile reads from Wasm + RUNS + framing), +viewer = one more client with the same view (cached records);\n" +
      "RUNS/DEFL enc/dec = codec only over the changed tiles; DEFL stream = one CompressionStream per tile (what a Worker has), zlib = node:zlib sync (Node only).",
  );
  out.push("");
  out.push(`Keyframes (what a joining client gets; median of ${KEYFRAME_REPEATS}):`);
  out.push("");
  out.push(keyframeTable(results));
  out.push("");
  out.push("Codec verdict:");
  for (const line of verdictLines) out.push(`  ${line}`);
  out.push("");
  out.push("Targets:");
  out.push("");
  out.push(formatTable(["target", "measured", "verdict"], checks.map((c) => [c.target, c.measured, verdict(c)])));
  for (const note of notes) out.push(note);
  process.stdout.write(`${out.join("\n")}\n\n`);

  const files = writeResults("frames", {
    suite: "frames",
    date: new Date().toISOString(),
    quick: QUICK,
    machine,
    load: { before: loadBefore, after: loadAfter },
    elapsedSeconds,
    settings: { density: DENSITY, soupSeed: SOUP_SEED, fieldSeed: FIELD_SEED, soupAge: SOUP_AGE, topology: "torus", rule: "B3/S23", statsFrameBytes: statsBytes, statsIntervalMs: STATS_INTERVAL_MS },
    targets: checks,
    codecVerdict: verdictLines,
    results,
  });
  process.stdout.write(`results: ${files.stamped}\n         ${files.latest}\n(${elapsedSeconds.toFixed(0)} s)\n`);
}

await main();
