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
 * DeltaBuilder (common/view-frames.ts: changed 64×64 tiles, RUNS or NONE per tile) for the
 * client's view. The same changed tiles are then encoded with DEFLATE (deflate-raw: CompressionStream,
 * which is what a Worker has, and node:zlib's synchronous call, which shows how much of the
 * stream's cost is per-call overhead), and decoded again as a client would. Baselines in the
 * same run: the raw packed bitmap of the view (what sending every cell costs) and a JSON list
 * of the view's live cells, `[[x,y],…]` (what a simple demo sends every generation). To inform
 * the protocol's choices it also sizes what is not in the protocol: the room's frame deflated
 * whole, tiles sent as XOR against what the client holds, and the entropy of the changes.
 * Keyframes (what a joining client gets) are sized and timed with both codecs too.
 *
 * Overview rows: a client viewing the whole room zoomed out (scales above 1) gets each scaled
 * cell's 2-bit density level; the suite sizes its keyframe and deltas beside the one-bit "any cell
 * alive" overview the protocol sent before, over the same generations (frames/overview.ts).
 *
 * Predicted rows: what a client that runs the engine itself (lockstep prediction, HELLO's predict
 * flag; the web client at scale 1) receives instead. Per generation the bench takes what the room
 * takes (common/lockstep/broadcast.ts: the tiles changed before the step, then BroadcastFrames
 * after it, one checksum every CHECKSUM_EVERY_STEPS steps), for the whole view and for a 256×256
 * view in the middle of the grid, hands each STEP to a LockstepView (common/lockstep/client.ts) as
 * the client does, and checks that the client's cells equal the room's in every generation.
 *
 *   node scripts/ts.mjs bench/frames.ts [--quick]
 *
 * Output: progress on stderr, tables on stdout, bench/results/frames-<time>.json and
 * frames-latest.json. Timings are Node's, on the machine that runs the bench: workerd's
 * CompressionStream is a different implementation, so the DEFLATE stream column is indicative
 * of a Worker's cost, not a measurement of it.
 *
 * This file holds the plans and the report; its pieces are in bench/frames/: settings.ts (seeds,
 * sizes), scenes.ts (the five scenes), codecs.ts (frames built and decoded as the room and a
 * client do), predicted.ts (a predicting client), scene-result.ts (one scene on one grid,
 * measured), overview.ts (zoomed-out views, one bit against two), tables.ts and targets.ts (what
 * is printed).
 */
import { LIFE } from "../common/rules.ts";
import { CHECKSUM_EVERY_STEPS } from "../common/lockstep/broadcast.ts";
import { encodeServerMessage } from "../common/protocol/index.ts";
import { defaultViewport, viewRect } from "../common/view-frames.ts";
import { createEngine } from "../common/wasm-node.ts";
import { STATS_INTERVAL_MS } from "../common/protocol/index.ts";
import { SOUP_SEED, describeMachine, formatTable, machineInfo, progress, writeResults } from "./harness.ts";
import { describeLoad, formatInt, formatPercent, loadAverage, mean, verdict } from "./report.ts";
import { type OverviewResult, runOverview } from "./frames/overview.ts";
import { type GridPlan, type SceneResult, runScene } from "./frames/scene-result.ts";
import { ALL_SCENES, type SceneId } from "./frames/scenes.ts";
import { DENSITY, FIELD_SEED, KEYFRAME_REPEATS, QUICK, SOUP_AGE, TICK_MS } from "./frames/settings.ts";
import { bytesTable, gridLabel, keyframeTable, msTable, overviewTable, predictedTable } from "./frames/tables.ts";
import { codecVerdict, targets } from "./frames/targets.ts";

/** Overview plans: per grid, the zoomed-out scales of a whole-room view, sized both ways. The
 *  web client asks for a 4096² room at scale 2 when fitted, 16384² at 8 or 16. */
interface OverviewPlan {
  side: number;
  scales: readonly number[];
  generations: number;
  scenes: readonly SceneId[];
}

const OVERVIEW_PLANS: readonly OverviewPlan[] = QUICK
  ? [
      { side: 1024, scales: [4, 16], generations: 4, scenes: ["soup-fresh", "soup-1000", "field"] },
      { side: 4096, scales: [2, 16], generations: 2, scenes: ["soup-fresh", "soup-1000", "field"] },
      { side: 16384, scales: [16, 64], generations: 2, scenes: ["soup-fresh", "soup-1000"] },
    ]
  : [
      { side: 1024, scales: [2, 4, 16], generations: 20, scenes: ["soup-fresh", "soup-1000", "field", "still"] },
      { side: 4096, scales: [2, 4, 16], generations: 6, scenes: ["soup-fresh", "soup-1000", "field", "still"] },
      { side: 16384, scales: [16, 64], generations: 4, scenes: ["soup-fresh", "soup-1000", "field"] },
    ];

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

  const overview: OverviewResult[] = [];
  for (const plan of OVERVIEW_PLANS) {
    const engine = await createEngine({ width: plan.side, height: plan.side, topology: "torus", rule: LIFE }, "simd");
    for (const scene of plan.scenes) {
      const t = Date.now();
      const rows = runOverview(engine, scene, plan.scales, plan.generations);
      overview.push(...rows);
      for (const r of rows) {
        progress(
          `  ${`${r.side}² @1/${r.scale}`.padEnd(13)} ${r.label.padEnd(27)} overview DELTA ${formatInt(mean(r.delta.map((d) => d.bit))).padStart(9)} → ` +
            `${formatInt(mean(r.delta.map((d) => d.levels))).padStart(9)} B/gen (1 → 2 bits)  [${((Date.now() - t) / 1000).toFixed(1)} s]`,
        );
      }
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
    `room = the DELTA frames common/view-frames.ts builds (RUNS, or NONE when RUNS is not smaller, per changed 64×64 tile); "% raw" is their mean, "worst" the largest generation.\n` +
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
    `predicted = the frames common/lockstep/broadcast.ts builds for a client that predicts (a STEP: 25-byte header, the band of the view's sides, a checksum every ${CHECKSUM_EVERY_STEPS} steps;\n` +
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
  out.push("Overview (a whole room viewed zoomed out): one bit per scaled cell, as sent before, against 2-bit density levels, as sent now:");
  out.push("");
  out.push(overviewTable(overview));
  out.push("");
  out.push(
    "raw = the view's packed scaled cells; keyframe = the KEYFRAME frame (RUNS or NONE); DELTA = the changed 64×64 scaled tiles of one generation (the same tiles both ways);\n" +
      "× = 2-bit ÷ 1-bit; read = the engine's read of the whole view (readOverview / readDensity, median ms, Node, this machine).",
  );
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
    overview,
  });
  process.stdout.write(`results: ${files.stamped}\n         ${files.latest}\n(${elapsedSeconds.toFixed(0)} s)\n`);
}

await main();
