/**
 * A client that predicts (lockstep, HELLO's predict flag; the web client at scale 1), measured one
 * generation at a time: the frame the room builds for it (common/lockstep/broadcast.ts), the
 * client's handling of it in a LockstepView (common/lockstep/client.ts), and a check that the
 * client's cells equal the room's.
 */
import { bitmapsEqual } from "../../common/bitmap.ts";
import { type Engine } from "../../common/engine.ts";
import { type BroadcastFrames } from "../../common/lockstep/broadcast.ts";
import { LockstepView } from "../../common/lockstep/client.ts";
import { Codec, decodeServerFrame, keyframeBytes } from "../../common/protocol/index.ts";
import { type DeltaBuilder, type ViewRect } from "../../common/view-frames.ts";
import { loadModule } from "../../common/wasm-node.ts";
import { elapsed } from "../harness.ts";
import { jsonLiveCellsBytes } from "../report.ts";
import { readLit } from "./codecs.ts";
import { TICK_MS } from "./settings.ts";

export interface PredictedResult {
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

export interface PredictedClient {
  result: PredictedResult;
  rect: ViewRect;
  view: LockstepView;
  /** The room's labels for this client and for a second one with the same view. */
  at: Map<string, number>;
}

let lifeModule: WebAssembly.Module | null = null;

export async function predictedClient(engine: Engine, rect: ViewRect, whole: boolean): Promise<PredictedClient> {
  lifeModule ??= await loadModule("simd");
  const view = new LockstepView(lifeModule);
  view.settings({ name: "bench", width: engine.width, height: engine.height, topology: engine.topology, rule: engine.rule, tickMs: TICK_MS, generationsPerTick: 1, running: true, private: false, locked: false });
  const bits = readLit(engine, rect);
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
export async function predictedGeneration(engine: Engine, client: PredictedClient, frames: BroadcastFrames<string> | null, deltas: DeltaBuilder): Promise<void> {
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
  const truth = readLit(engine, rect);
  if (bitmapsEqual(view.bitmap()!, truth)) result.verified++;
  result.jsonBytes.push(jsonLiveCellsBytes(truth, rect.x, rect.y));
}

