/**
 * Lockstep prediction against the real engine: a client that steps its own copy of a view and
 * takes the band (and the tiles edited before the step) holds exactly the server's cells, for
 * random rules, both topologies, whole and partial views, steps 1…8. The server side here is
 * built by hand from the engine (what changed before the step, the band after it), independent of
 * common/lockstep/broadcast.ts, and every frame goes through the protocol's encoder and decoder.
 *
 * Everything derives from one seed; set PROPERTY_SEED to explore, and use the seed and case
 * printed on a failure to reproduce it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { bitmapsEqual, createBitmap, setBit } from "../../common/bitmap.ts";
import type { Engine } from "../../common/engine.ts";
import { TILE_SIZE } from "../../common/grid.ts";
import { ALL_SIDES, bandBytes, bandSides, bandStrips, canPredict, fnv1a, readBand } from "../../common/lockstep/band.ts";
import { LockstepView } from "../../common/lockstep/client.ts";
import {
  Codec,
  MAX_PREDICT_STEPS,
  StepSide,
  decodeServerFrame,
  encodeRuns,
  encodeServerMessage,
  type RoomSettings,
  type ServerMessage,
  type TileRecord,
} from "../../common/protocol/index.ts";
import { type Rule, type Topology, formatRule } from "../../common/rules.ts";
import { createEngine, loadModule } from "../../common/wasm-node.ts";
import { Prng } from "../assembly/prng.ts";

const SEED = Number(process.env.PROPERTY_SEED ?? 20260427);
const CASES = 300;
const ROUNDS = 6;

let module: WebAssembly.Module;
beforeAll(async () => {
  module = await loadModule("simd");
});

function settingsOf(engine: Engine): RoomSettings {
  return {
    name: "t",
    width: engine.width,
    height: engine.height,
    topology: engine.topology,
    rule: engine.rule,
    tickMs: 100,
    generationsPerTick: 1,
    running: true,
    private: false,
    locked: false,
  };
}

/** Sends a message through the wire: encoder, then the checked decoder. */
function wire<T extends ServerMessage>(m: T): T {
  const decoded = decodeServerFrame(encodeServerMessage(m));
  if (!decoded.ok || decoded.value.type !== m.type) throw new Error(`frame does not decode: ${JSON.stringify(decoded)}`);
  return decoded.value as T;
}

interface View {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A tile-aligned view clipped to the grid, as the room makes them (common/view-frames.ts viewRect). */
function randomView(prng: Prng, width: number, height: number): View {
  if (prng.chance(0.25)) return { x: 0, y: 0, width, height };
  const tilesX = Math.ceil(width / TILE_SIZE);
  const tilesY = Math.ceil(height / TILE_SIZE);
  const tx0 = prng.int(0, tilesX - 1);
  const ty0 = prng.int(0, tilesY - 1);
  const tx1 = prng.int(tx0 + 1, tilesX);
  const ty1 = prng.int(ty0 + 1, tilesY);
  const x = tx0 * TILE_SIZE;
  const y = ty0 * TILE_SIZE;
  return { x, y, width: Math.min(tx1 * TILE_SIZE, width) - x, height: Math.min(ty1 * TILE_SIZE, height) - y };
}

function randomRule(prng: Prng): Rule {
  if (prng.chance(0.3)) return { birth: 0b1000, survive: 0b1100 }; // Life
  // B0 rules included: the client's dead outside and the server's differ, and the band covers it.
  return { birth: prng.int(0, 511), survive: prng.int(0, 511) };
}

/** The client's view starts from a keyframe of the server's cells. */
async function joinView(server: Engine, view: View): Promise<LockstepView> {
  const client = new LockstepView(module);
  client.settings(settingsOf(server));
  const bits = server.readRect(view.x, view.y, view.width, view.height);
  await client.keyframe(
    wire({ type: "keyframe", generation: server.generation, scale: 1, ...view, codec: Codec.NONE, payload: bits.data }),
    bits.data,
  );
  return client;
}

/** The tiles marked in the server's change map, as they are now, that intersect the view. */
function editedTiles(server: Engine, view: View): TileRecord[] {
  const { tilesX, tilesY, flags } = server.changeMap();
  const tiles: TileRecord[] = [];
  for (let ty = 0; ty < tilesY; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      const inside = tx * TILE_SIZE < view.x + view.width && (tx + 1) * TILE_SIZE > view.x && ty * TILE_SIZE < view.y + view.height && (ty + 1) * TILE_SIZE > view.y;
      if (flags[ty * tilesX + tx] && inside) tiles.push({ tx, ty, codec: Codec.NONE, payload: server.readRect(tx * TILE_SIZE, ty * TILE_SIZE, TILE_SIZE, TILE_SIZE).data });
    }
  }
  return tiles;
}

/** Steps the server k generations and builds the STEP frame for the view, by hand. */
function serverStep(server: Engine, view: View, from: number, k: number, options: { band: boolean } = { band: true }): ServerMessage & { type: "step" } {
  const tiles = editedTiles(server, view);
  server.step(k);
  server.clearChanges();
  const sides = options.band ? bandSides(view, server) : 0;
  const strips = bandStrips(view.width, view.height, k, sides);
  if (strips === null) throw new Error("band does not fit");
  const raw = readBand(server, view.x, view.y, strips);
  const runs = encodeRuns(raw);
  const band = runs.length < raw.length ? { bandCodec: Codec.RUNS, band: runs } : { bandCodec: Codec.NONE, band: raw };
  const checksum = fnv1a(server.readRect(view.x, view.y, view.width, view.height).data);
  return wire({ type: "step", from, to: server.generation, steps: k, sides, checksum, tiles, ...band });
}

function randomEdits(prng: Prng, server: Engine): void {
  const count = prng.int(0, 3);
  for (let i = 0; i < count; i++) {
    if (prng.chance(0.5)) {
      const cells: number[] = [];
      for (let j = prng.int(1, 12); j > 0; j--) cells.push(prng.int(0, server.width - 1), prng.int(0, server.height - 1));
      server.setCells(cells, prng.chance(0.7));
    } else {
      const w = prng.int(1, Math.min(40, server.width));
      const h = prng.int(1, Math.min(40, server.height));
      server.stamp(prng.bitmap(w, h, 0.5), prng.int(-10, server.width), prng.int(-10, server.height), prng.chance(0.5) ? "replace" : "or");
    }
  }
}

describe("a predicting client holds exactly the server's cells", () => {
  it(`${CASES} random rooms × ${ROUNDS} steps of 1…8 generations, with edits between steps (seed ${SEED})`, async () => {
    const prng = new Prng(SEED);
    const sizes = [64, 70, 100, 128, 129, 150, 192, 200];
    let partial = 0;
    let banded = 0;
    for (let c = 0; c < CASES; c++) {
      const width = prng.pick(sizes);
      const height = prng.pick(sizes);
      const topology: Topology = prng.chance(0.5) ? "torus" : "plane";
      const rule = randomRule(prng);
      const server = await createEngine({ width, height, topology, rule }, "simd");
      server.stamp(prng.bitmap(width, height, prng.pick([0.1, 0.35, 0.5])), 0, 0, "replace");
      server.clearChanges();
      const view = randomView(prng, width, height);
      const what = `case ${c}: ${width}×${height} ${topology} ${formatRule(rule)}, view ${view.width}×${view.height} at (${view.x}, ${view.y})`;
      const client = await joinView(server, view);
      if (view.width !== width || view.height !== height) partial++;
      for (let round = 0; round < ROUNDS; round++) {
        randomEdits(prng, server);
        const k = prng.int(1, 8);
        const sides = bandSides(view, server);
        if (bandStrips(view.width, view.height, k, sides) === null) continue; // a band deeper than the view
        if (sides !== 0) banded++;
        const outcome = await client.step(serverStep(server, view, client.generation, k));
        expect(outcome, `${what}, round ${round}, k ${k}`).toBe("applied");
        const expected = server.readRect(view.x, view.y, view.width, view.height);
        expect(bitmapsEqual(client.bitmap()!, expected), `${what}, round ${round}, k ${k}`).toBe(true);
        expect(client.generation).toBe(server.generation);
      }
      expect(client.counts.resyncs, what).toBe(0);
    }
    // The seed reaches what the property is about: partial views whose band does the work.
    expect(partial).toBeGreaterThan(CASES / 2);
    expect(banded).toBeGreaterThan(CASES);
  });

  it("a glider leaving a partial view is wrong without the band and right with it", async () => {
    for (const withBand of [false, true]) {
      const server = await createEngine({ width: 192, height: 192, topology: "torus", rule: { birth: 0b1000, survive: 0b1100 } }, "simd");
      // A glider heading down-right, about to cross the view's bottom-right corner at (128, 128).
      const glider = createBitmap(3, 3);
      for (const [x, y] of [[1, 0], [2, 1], [0, 2], [1, 2], [2, 2]]) setBit(glider, x, y, true);
      server.stamp(glider, 122, 122, "or");
      server.clearChanges();
      const view = { x: 64, y: 64, width: 64, height: 64 };
      const client = await joinView(server, view);
      let wrong = 0;
      for (let i = 0; i < 8; i++) {
        await client.step(serverStep(server, view, client.generation, 2, { band: withBand }));
        if (!bitmapsEqual(client.bitmap()!, server.readRect(view.x, view.y, view.width, view.height))) wrong++;
      }
      if (withBand) expect(wrong).toBe(0);
      else expect(wrong).toBeGreaterThan(0);
    }
  });

  it("edits applied before a step reach the client only through the frame's tiles", async () => {
    const server = await createEngine({ width: 128, height: 128, topology: "plane", rule: { birth: 0b1000, survive: 0b1100 } }, "simd");
    const view = { x: 0, y: 0, width: 128, height: 128 };
    const withTiles = await joinView(server, view);
    const withoutTiles = await joinView(server, view);
    server.setCells([10, 10, 11, 10, 12, 10], true); // a blinker, drawn at the tick boundary
    const frame = serverStep(server, view, withTiles.generation, 1);
    expect(frame.tiles.map((t) => [t.tx, t.ty])).toEqual([[0, 0]]);
    expect(await withTiles.step(frame)).toBe("applied");
    expect([withTiles.engine!.getCell(11, 9), withTiles.engine!.getCell(11, 10), withTiles.engine!.getCell(11, 11)]).toEqual([true, true, true]);
    // Without them the client steps an empty grid, and the frame's checksum gives it away.
    expect(await withoutTiles.step({ ...frame, tiles: [] })).toBe("resync");
  });

  it("refuses a STEP from another generation once, then ignores frames until a keyframe", async () => {
    const server = await createEngine({ width: 64, height: 64, topology: "torus", rule: { birth: 0b1000, survive: 0b1100 } }, "simd");
    server.randomize(0.4, 9);
    const view = { x: 0, y: 0, width: 64, height: 64 };
    const client = await joinView(server, view);
    server.step(1); // a frame the client never got
    const frame = serverStep(server, view, client.generation + 1, 1);
    expect(await client.step(frame)).toBe("resync");
    expect(await client.step({ ...frame, from: client.generation })).toBe("ignored");
    const bits = server.readRect(0, 0, 64, 64);
    await client.keyframe({ type: "keyframe", generation: server.generation, scale: 1, ...view, codec: Codec.NONE, payload: bits.data }, bits.data);
    expect(await client.step(serverStep(server, view, client.generation, 3))).toBe("applied");
    expect(client.counts.resyncs).toBe(1);
  });

  it("a view at another scale is not predicted", async () => {
    const server = await createEngine({ width: 256, height: 256, topology: "torus", rule: { birth: 0b1000, survive: 0b1100 } }, "simd");
    const client = new LockstepView(module);
    client.settings(settingsOf(server));
    const raw = server.readOverview(0, 0, 128, 128, 2).data;
    await client.keyframe({ type: "keyframe", generation: 0, scale: 2, x: 0, y: 0, width: 128, height: 128, codec: Codec.NONE, payload: raw }, raw);
    expect(client.active).toBe(false);
  });
});

describe("band geometry", () => {
  it("orders the band top, bottom, left, right, row by row, as one bit stream", async () => {
    const engine = await createEngine({ width: 10, height: 6, topology: "plane", rule: { birth: 0b1000, survive: 0b1100 } }, "simd");
    // top (0,0) (9,0) · bottom (1,5) · left (0,2) · right (9,4)
    engine.setCells([0, 0, 9, 0, 1, 5, 0, 2, 9, 4], true);
    const strips = bandStrips(10, 6, 1, ALL_SIDES)!;
    expect(strips).toEqual([
      { x: 0, y: 0, width: 10, height: 1 },
      { x: 0, y: 5, width: 10, height: 1 },
      { x: 0, y: 1, width: 1, height: 4 },
      { x: 9, y: 1, width: 1, height: 4 },
    ]);
    // Stream bits: top 0..9 (cells 0 and 9), bottom 10..19 (cell 1 → bit 11), left 20..23 (row 2 →
    // bit 21), right 24..27 (row 4 → bit 27): bytes 01, 0a (bits 9, 11), 20 (bit 21), 08 (bit 27).
    expect(Array.from(readBand(engine, 0, 0, strips))).toEqual([0x01, 0x0a, 0x20, 0x08]);
    expect(bandBytes(strips)).toBe(4);
  });

  it("needs no band for the whole grid, and none on a plane's edges", () => {
    const plane = { width: 200, height: 100, topology: "plane" as const };
    const torus = { ...plane, topology: "torus" as const };
    expect(bandSides({ x: 0, y: 0, width: 200, height: 100 }, plane)).toBe(0);
    expect(bandSides({ x: 0, y: 0, width: 200, height: 100 }, torus)).toBe(0);
    expect(bandSides({ x: 0, y: 0, width: 64, height: 64 }, torus)).toBe(ALL_SIDES);
    expect(bandSides({ x: 0, y: 0, width: 64, height: 64 }, plane)).toBe(StepSide.RIGHT | StepSide.BOTTOM);
    expect(bandSides({ x: 128, y: 64, width: 72, height: 36 }, plane)).toBe(StepSide.TOP | StepSide.LEFT);
  });

  it("predicts while the band is at most half the view and at most MAX_PREDICT_STEPS deep", () => {
    expect(canPredict(1024, 1024, MAX_PREDICT_STEPS, ALL_SIDES)).toBe(true);
    expect(canPredict(1024, 1024, MAX_PREDICT_STEPS + 1, ALL_SIDES)).toBe(false);
    expect(canPredict(64, 64, 9, ALL_SIDES)).toBe(true); // 2·9·64 + 2·9·46 = 1980 ≤ 2048
    expect(canPredict(64, 64, 10, ALL_SIDES)).toBe(false); // 2·10·64 + 2·10·44 = 2160
    expect(canPredict(4096, 4096, 1000, 0)).toBe(false);
    expect(canPredict(4096, 4096, 64, 0)).toBe(true);
    expect(bandStrips(10, 10, 6, StepSide.TOP | StepSide.BOTTOM)).toBeNull();
  });

  it("FNV-1a matches the published test vectors", () => {
    const ascii = (s: string) => new TextEncoder().encode(s);
    expect(fnv1a(ascii(""))).toBe(0x811c9dc5);
    expect(fnv1a(ascii("a"))).toBe(0xe40c292c);
    expect(fnv1a(ascii("foobar"))).toBe(0xbf9cf968);
  });
});
