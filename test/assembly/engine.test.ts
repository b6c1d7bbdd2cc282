/**
 * The Engine API on both Wasm builds: editing, reading, hashing, change tracking, limits.
 * Expected values come from the plain reference stepper, from node:crypto, or from loops
 * written here over plain bitmaps; never from the engine itself.
 */
import { describe, expect, it } from "vitest";
import { type Bitmap, bitmapFromBytes, bitmapPopulation, bitmapsEqual, createBitmap, getBit, setBit } from "../../common/bitmap.ts";
import { type DensityMap, createDensityMap, getLevel, setLevel } from "../../common/density.ts";
import { type Engine, type EngineOptions, EngineError, IO_CHUNK_BYTES, type Kernel } from "../../common/engine.ts";
import { MAX_SIDE, TILE_SIZE } from "../../common/grid.ts";
import { ReferenceGrid } from "../../common/reference.ts";
import { LIFE, type Rule, type Topology } from "../../common/rules.ts";
import { createEngine } from "../../common/wasm-node.ts";
import { bboxSha256, bitmapBBox, gridSha256 } from "./fingerprint.ts";
import { Prng } from "./prng.ts";

const KERNELS: readonly Kernel[] = ["simd", "scalar"];
const HIGHLIFE: Rule = { birth: (1 << 3) | (1 << 6), survive: (1 << 2) | (1 << 3) };
const B0_S8: Rule = { birth: 1, survive: 1 << 8 };
const SEEDS: Rule = { birth: 1 << 2, survive: 0 };

/** bo$2bo$3o: the glider moving down and right. */
const GLIDER = pattern([".#.", "..#", "###"]);
/** 2o$2o: the block, a still life. */
const BLOCK = pattern(["##", "##"]);

function pattern(rows: string[]): Bitmap {
  const width = rows[0].length;
  return bitmapFromBytes(width, rows.length, rows.join("").split("").map((c) => (c === "#" ? 1 : 0)));
}

function options(width: number, height: number, topology: Topology = "torus", rule: Rule = LIFE): EngineOptions {
  return { width, height, topology, rule };
}

/** The cells of `bitmap` inside the rectangle, with everything outside the bitmap dead. */
function expectedRect(bitmap: Bitmap, x0: number, y0: number, width: number, height: number): Bitmap {
  const out = createBitmap(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx = x0 + x;
      const gy = y0 + y;
      if (gx >= 0 && gy >= 0 && gx < bitmap.width && gy < bitmap.height && getBit(bitmap, gx, gy)) setBit(out, x, y, true);
    }
  }
  return out;
}

/** Output cell (i, j) alive when any cell of the scale×scale block at (x + i*scale, y + j*scale) is. */
function expectedOverview(bitmap: Bitmap, x0: number, y0: number, width: number, height: number, scale: number): Bitmap {
  const out = createBitmap(width, height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const block = expectedRect(bitmap, x0 + i * scale, y0 + j * scale, scale, scale);
      if (bitmapPopulation(block) > 0) setBit(out, i, j, true);
    }
  }
  return out;
}

/**
 * Output cell (i, j): the density level of the scale×scale block at (x + i*scale, y + j*scale), as
 * docs/protocol.md defines it from the block's live share among its cells inside the grid:
 * 0 none, 1 at most 1/16, 2 at most 1/4, 3 more.
 */
function expectedDensity(bitmap: Bitmap, x0: number, y0: number, width: number, height: number, scale: number): DensityMap {
  const out = createDensityMap(width, height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      let live = 0;
      let cells = 0;
      for (let y = y0 + j * scale; y < y0 + (j + 1) * scale; y++) {
        for (let x = x0 + i * scale; x < x0 + (i + 1) * scale; x++) {
          if (x < 0 || y < 0 || x >= bitmap.width || y >= bitmap.height) continue;
          cells++;
          if (getBit(bitmap, x, y)) live++;
        }
      }
      setLevel(out, i, j, live === 0 ? 0 : live * 16 <= cells ? 1 : live * 4 <= cells ? 2 : 3);
    }
  }
  return out;
}

function levelsEqual(a: DensityMap, b: DensityMap): boolean {
  return a.width === b.width && a.height === b.height && a.data.length === b.data.length && a.data.every((byte, i) => byte === b.data[i]);
}

/** How many cells of the map are at each level. */
function levelCounts(map: DensityMap): number[] {
  const counts = [0, 0, 0, 0];
  for (let j = 0; j < map.height; j++) for (let i = 0; i < map.width; i++) counts[getLevel(map, i, j)]++;
  return counts;
}

/** Indices (ty * tilesX + tx) of the TILE_SIZE² tiles holding a cell that differs between two generations. */
function changedTiles(before: Uint8Array, after: Uint8Array, width: number, height: number): Set<number> {
  const tilesX = Math.ceil(width / TILE_SIZE);
  const tiles = new Set<number>();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (before[y * width + x] !== after[y * width + x]) tiles.add(Math.floor(y / TILE_SIZE) * tilesX + Math.floor(x / TILE_SIZE));
    }
  }
  return tiles;
}

function flaggedTiles(flags: Uint8Array): Set<number> {
  const tiles = new Set<number>();
  flags.forEach((flag, i) => flag && tiles.add(i));
  return tiles;
}

describe.each(KERNELS)("the %s engine", (kernel) => {
  const create = (o: EngineOptions): Promise<Engine> => createEngine(o, kernel);

  it("reports which kernel it runs", async () => {
    expect((await create(options(8, 8))).kernel).toBe(kernel);
  });

  it("reads back cells set with setCells, ignoring off-grid coordinates", async () => {
    const engine = await create(options(100, 50));
    engine.setCells([0, 0, 99, 49, 50, 25, -1, 3, 100, 0, 3, 50, 7, -2], true);
    expect(engine.getCell(0, 0)).toBe(true);
    expect(engine.getCell(99, 49)).toBe(true);
    expect(engine.getCell(50, 25)).toBe(true);
    expect(engine.getCell(99, 3)).toBe(false); // -1 is not wrapped, even on a torus
    expect(engine.getCell(-1, 3)).toBe(false);
    expect(engine.population()).toBe(3);
    engine.setCells([50, 25], false);
    expect(engine.getCell(50, 25)).toBe(false);
    expect(engine.population()).toBe(2);
  });

  it("adds a stamped pattern's live cells in 'or' mode and keeps what lies under its dead cells", async () => {
    const engine = await create(options(40, 30, "plane"));
    engine.setCells([10, 10, 11, 11, 30, 20], true); // (10,10) is under a dead glider cell
    engine.stamp(GLIDER, 10, 10, "or");
    const expected = createBitmap(40, 30);
    for (const [x, y] of [[10, 10], [11, 11], [30, 20], [11, 10], [12, 11], [10, 12], [11, 12], [12, 12]]) setBit(expected, x, y, true);
    expect(bitmapsEqual(engine.toBitmap(), expected)).toBe(true);
  });

  it("clears what lies under a stamped pattern's dead cells in 'replace' mode, and nothing outside it", async () => {
    const engine = await create(options(40, 30, "plane"));
    engine.setCells([10, 10, 11, 11, 30, 20, 13, 10], true);
    engine.stamp(GLIDER, 10, 10, "replace");
    const expected = createBitmap(40, 30);
    for (const [x, y] of [[30, 20], [13, 10], [11, 10], [12, 11], [10, 12], [11, 12], [12, 12]]) setBit(expected, x, y, true);
    expect(bitmapsEqual(engine.toBitmap(), expected)).toBe(true);
  });

  it("wraps a pattern stamped across the corner of a torus, whatever the offset's sign", async () => {
    for (const [x, y] of [[30, 20], [-2, -1], [30 + 64, 20 - 64]]) {
      const engine = await create(options(32, 21, "torus"));
      const soup = new Prng(7).bitmap(5, 4, 0.6);
      engine.stamp(soup, x, y, "replace");
      const expected = createBitmap(32, 21);
      for (let py = 0; py < 4; py++) {
        for (let px = 0; px < 5; px++) {
          if (getBit(soup, px, py)) setBit(expected, (((x + px) % 32) + 32) % 32, (((y + py) % 21) + 21) % 21, true);
        }
      }
      expect(bitmapsEqual(engine.toBitmap(), expected), `stamp at ${x},${y}`).toBe(true);
    }
  });

  it("clips a pattern stamped across the edge of the plane", async () => {
    for (const [x, y] of [[30, 18], [-2, -1], [-10, 5], [40, 40]]) {
      const engine = await create(options(32, 21, "plane"));
      const soup = new Prng(11).bitmap(5, 4, 0.6);
      engine.stamp(soup, x, y, "or");
      const expected = createBitmap(32, 21);
      for (let py = 0; py < 4; py++) {
        for (let px = 0; px < 5; px++) {
          const gx = x + px;
          const gy = y + py;
          if (getBit(soup, px, py) && gx >= 0 && gy >= 0 && gx < 32 && gy < 21) setBit(expected, gx, gy, true);
        }
      }
      expect(bitmapsEqual(engine.toBitmap(), expected), `stamp at ${x},${y}`).toBe(true);
    }
  });

  it("reads any rectangle, with the parts outside the grid read as dead", async () => {
    for (const topology of ["torus", "plane"] as const) {
      const soup = new Prng(3).bitmap(100, 70, 0.5);
      const engine = await create(options(100, 70, topology));
      engine.loadBitmap(soup);
      const prng = new Prng(4);
      const rects: [number, number, number, number][] = [
        [0, 0, 100, 70],
        [-5, -3, 30, 20],
        [90, 60, 20, 20],
        [-20, -20, 10, 10],
        [100, 0, 5, 5],
        [13, 7, 1, 1],
        [-3, 10, 110, 3],
      ];
      for (let i = 0; i < 30; i++) rects.push([prng.int(-40, 110), prng.int(-40, 80), prng.int(1, 90), prng.int(1, 60)]);
      for (const [x, y, w, h] of rects) {
        expect(bitmapsEqual(engine.readRect(x, y, w, h), expectedRect(soup, x, y, w, h)), `${topology} readRect(${x}, ${y}, ${w}, ${h})`).toBe(true);
        // The copy-free read gives the same bits (copied here before the next engine call).
        const view = engine.readRectView(x, y, w, h);
        expect(bitmapsEqual({ ...view, data: view.data.slice() }, expectedRect(soup, x, y, w, h)), `${topology} readRectView(${x}, ${y}, ${w}, ${h})`).toBe(true);
      }
    }
  });

  it("refuses a copy-free read above IO_CHUNK_BYTES, where readRect goes band by band", async () => {
    const engine = await create(options(16384, 1024));
    expect(engine.readRectView(0, 0, 16384, 512).data.length).toBe(IO_CHUNK_BYTES);
    expect(() => engine.readRectView(0, 0, 16384, 513)).toThrow(EngineError);
  });

  it("shows a block as alive in the overview when any of its cells is alive", async () => {
    const soup = new Prng(5).bitmap(300, 170, 0.002);
    soup.data[0] |= 1; // a live corner cell, so block (0, 0) is alive at every scale
    const engine = await create(options(300, 170));
    engine.loadBitmap(soup);
    const prng = new Prng(6);
    const views: [number, number, number, number, number][] = [
      [0, 0, 300, 170, 1],
      [0, 0, 150, 85, 2],
      [0, 0, 43, 25, 7],
      [0, 0, 38, 22, 8],
      [0, 0, 5, 3, 64],
      [-10, -20, 40, 20, 10],
      [5, 3, 100, 60, 3],
      [290, 160, 4, 4, 16],
    ];
    for (let i = 0; i < 20; i++) views.push([prng.int(-50, 280), prng.int(-50, 160), prng.int(1, 60), prng.int(1, 40), prng.int(1, 20)]);
    for (const [x, y, w, h, scale] of views) {
      expect(
        bitmapsEqual(engine.readOverview(x, y, w, h, scale), expectedOverview(soup, x, y, w, h, scale)),
        `readOverview(${x}, ${y}, ${w}, ${h}, ${scale})`,
      ).toBe(true);
    }
    expect(() => engine.readOverview(0, 0, 4, 4, 0)).toThrow(EngineError);
  });

  it("gives each block of a density view the level of its live share, counted from the cells", async () => {
    const prng = new Prng(11);
    // Soups from sparse to dense, so every level occurs; a 300×170 grid cuts blocks at its edges.
    for (const density of [0.005, 0.04, 0.15, 0.5]) {
      const soup = prng.bitmap(300, 170, density);
      const engine = await create(options(300, 170));
      engine.loadBitmap(soup);
      const views: [number, number, number, number, number][] = [];
      for (const scale of [1, 2, 4, 8, 16, 32, 64, 128, 256]) {
        views.push([0, 0, Math.ceil(300 / scale), Math.ceil(170 / scale), scale]); // the whole grid, as the room reads it
        views.push([64 * scale, 0, 3, 2, scale]); // a view narrower than the grid
        views.push([prng.int(-40, 290), prng.int(-40, 160), prng.int(1, 70), prng.int(1, 30), scale]); // anywhere, even off the grid
      }
      for (const [x, y, w, h, scale] of views) {
        expect(levelsEqual(engine.readDensity(x, y, w, h, scale), expectedDensity(soup, x, y, w, h, scale)), `density ${density}: readDensity(${x}, ${y}, ${w}, ${h}, ${scale})`).toBe(true);
      }
    }
    // The widest band the room reads: 8192 scaled cells of a 16384-wide grid at scale 2.
    const wide = prng.bitmap(16384, 8, 0.1);
    const engine = await create(options(16384, 8));
    engine.loadBitmap(wide);
    expect(levelsEqual(engine.readDensity(0, 0, 8192, 4, 2), expectedDensity(wide, 0, 0, 8192, 4, 2))).toBe(true);
    expect(() => engine.readDensity(0, 0, 4, 4, 3)).toThrow(EngineError);
  });

  it("lights a block of the density view exactly where the one-bit overview lights it", async () => {
    const soup = new Prng(12).bitmap(256, 256, 0.01);
    const engine = await create(options(256, 256));
    engine.loadBitmap(soup);
    for (const scale of [2, 4, 16, 64]) {
      const side = 256 / scale;
      const levels = engine.readDensity(0, 0, side, side, scale);
      const lit = engine.readOverview(0, 0, side, side, scale);
      for (let j = 0; j < side; j++) for (let i = 0; i < side; i++) expect(getLevel(levels, i, j) > 0, `scale ${scale} (${i}, ${j})`).toBe(getBit(lit, i, j));
    }
  });

  it("tells a fresh soup, its settled ash and a lone glider apart at scale 16", async () => {
    const engine = await create(options(256, 256));
    engine.randomize(0.5, 7);
    expect(levelCounts(engine.readDensity(0, 0, 16, 16, 16))).toEqual([0, 0, 0, 256]); // 50% live: all dense
    engine.step(3000);
    const ash = levelCounts(engine.readDensity(0, 0, 16, 16, 16));
    expect(ash[1], `settled soup levels ${ash}`).toBeGreaterThan(ash[2] + ash[3]); // mostly sparse: ash is about 3% live
    expect(ash[3]).toBe(0);
    engine.clear();
    engine.stamp(GLIDER, 100, 100);
    const glider = levelCounts(engine.readDensity(0, 0, 16, 16, 16));
    expect(glider).toEqual([255, 1, 0, 0]); // 5 cells of a 16×16 block: one sparse block, nothing else
  });

  it("fills the same cells for the same randomize seed and different ones for another", async () => {
    const a = await create(options(256, 256));
    const b = await create(options(256, 256));
    a.randomize(0.5, 42);
    b.randomize(0.5, 42);
    expect(bitmapsEqual(a.toBitmap(), b.toBitmap())).toBe(true);
    b.randomize(0.5, 43);
    expect(bitmapsEqual(a.toBitmap(), b.toBitmap())).toBe(false);
    b.randomize(0.5, 42 + 2 ** 32); // the seed's high word counts too
    expect(bitmapsEqual(a.toBitmap(), b.toBitmap())).toBe(false);
  });

  it("randomizes to an empty grid at density 0 and a full one at density 1", async () => {
    const engine = await create(options(129, 65));
    engine.randomize(1, 9);
    expect(engine.population()).toBe(129 * 65);
    engine.randomize(0, 9);
    expect(engine.population()).toBe(0);
    expect(engine.bbox()).toBeNull();
  });

  it("randomizes about 30% of a 256×256 grid at density 0.3, spread over every quarter", async () => {
    // 65536 independent cells at p = 0.3: sd = sqrt(n p (1-p)) ≈ 117 cells. Six sd (≈ 1.1%
    // of the grid) makes a false failure practically impossible; a biased generator (e.g. one
    // off by a bit of resolution, or stuck rows) misses by far more.
    const engine = await create(options(256, 256));
    for (const seed of [1, 2, 3]) {
      engine.randomize(0.3, seed);
      expect(Math.abs(engine.population() - 0.3 * 65536)).toBeLessThan(6 * Math.sqrt(65536 * 0.3 * 0.7));
      for (const [x, y] of [[0, 0], [128, 0], [0, 128], [128, 128]]) {
        const quarter = bitmapPopulation(engine.readRect(x, y, 128, 128));
        expect(Math.abs(quarter - 0.3 * 16384)).toBeLessThan(6 * Math.sqrt(16384 * 0.3 * 0.7));
      }
      const rows = new Set<string>();
      for (let y = 0; y < 256; y++) rows.add(engine.readRect(0, y, 256, 1).data.join(","));
      expect(rows.size).toBe(256);
    }
  });

  it("counts the population and bounds the live cells", async () => {
    const engine = await create(options(200, 100));
    expect(engine.population()).toBe(0);
    expect(engine.bbox()).toBeNull();
    engine.setCells([5, 90, 150, 3, 70, 40], true);
    expect(engine.population()).toBe(3);
    expect(engine.bbox()).toEqual({ x: 5, y: 3, width: 146, height: 88 });
    engine.setCells([199, 99], true);
    expect(engine.bbox()).toEqual({ x: 5, y: 3, width: 195, height: 97 });
    engine.clear();
    expect(engine.population()).toBe(0);
    expect(engine.bbox()).toBeNull();
  });

  it("hashes the grid and its bounding box exactly as node:crypto does over one byte per cell", async () => {
    for (const [w, h, density] of [[1, 1, 1], [100, 37, 0.4], [65, 1, 0.5], [300, 300, 0.3], [64, 64, 0.01], [77, 5, 0]] as const) {
      const soup = new Prng(w * 1000 + h).bitmap(w, h, density);
      const engine = await create(options(w, h));
      engine.loadBitmap(soup);
      expect(engine.sha256(), `sha256 of ${w}×${h}`).toBe(gridSha256(soup));
      expect(engine.bboxSha256(), `bbox sha256 of ${w}×${h}`).toBe(bboxSha256(soup));
    }
  });

  it("hashes the glider's bounding box to the oracle's published example", async () => {
    const engine = await create(options(20, 20));
    engine.stamp(GLIDER, 7, 3);
    expect(engine.bboxSha256()).toBe("41a1e03b15d712311c62bc1215998958c5b201ef39795211534c3569f5142b2c");
    expect(engine.bboxSha256()).toBe(bboxSha256(GLIDER));
  });

  it("hashes an empty grid's bounding box to null", async () => {
    const engine = await create(options(10, 10));
    expect(engine.bboxSha256()).toBeNull();
    expect(engine.sha256()).toBe(gridSha256(createBitmap(10, 10)));
  });

  it("marks only the tiles a glider touches on a 256×256 torus, and counts the last generation's", async () => {
    // Start astride the tile corner at (64, 64) so that four tiles are involved.
    for (const [x, y] of [[62, 62], [100, 20], [254, 254]]) {
      const engine = await create(options(256, 256));
      const reference = new ReferenceGrid(256, 256, "torus", LIFE);
      engine.stamp(GLIDER, x, y);
      reference.loadBitmap(engine.toBitmap());
      engine.clearChanges();
      expect(flaggedTiles(engine.changeMap().flags).size).toBe(0);
      const expected = new Set<number>();
      for (let g = 1; g <= 12; g++) {
        const before = reference.cells.slice();
        reference.step();
        const last = changedTiles(before, reference.cells, 256, 256);
        for (const tile of last) expected.add(tile);
        expect(engine.step(), `tiles changed in generation ${g} from ${x},${y}`).toBe(last.size);
        const map = engine.changeMap();
        expect(map.tilesX).toBe(4);
        expect(map.tilesY).toBe(4);
        expect(flaggedTiles(map.flags), `change map after generation ${g} from ${x},${y}`).toEqual(expected);
      }
    }
  });

  it("returns 0 from step and marks no tile when only still lifes remain", async () => {
    const engine = await create(options(256, 256));
    engine.stamp(BLOCK, 10, 10);
    engine.stamp(BLOCK, 63, 63);
    engine.clearChanges();
    expect(engine.step()).toBe(0);
    expect(engine.step(5)).toBe(0);
    expect(flaggedTiles(engine.changeMap().flags).size).toBe(0);
    expect(engine.population()).toBe(8);
  });

  it("marks the tiles under edits made between generations", async () => {
    const engine = await create(options(256, 256));
    engine.clearChanges();
    engine.setCells([10, 10, 200, 130], true);
    expect(flaggedTiles(engine.changeMap().flags)).toEqual(new Set([0, 2 * 4 + 3]));
  });

  it("counts generations, and step(0) changes nothing", async () => {
    const engine = await create(options(64, 64));
    engine.stamp(GLIDER, 5, 5);
    const before = engine.toBitmap();
    expect(engine.step(0)).toBe(0);
    expect(engine.generation).toBe(0);
    expect(bitmapsEqual(engine.toBitmap(), before)).toBe(true);
    engine.step(7);
    engine.step();
    expect(engine.generation).toBe(8);
    engine.generation = 1000;
    engine.step(2);
    expect(engine.generation).toBe(1002);
    expect(() => engine.step(-1)).toThrow(EngineError);
    expect(() => engine.step(1.5)).toThrow(EngineError);
  });

  it("follows a switch of topology and rule in the middle of a run", async () => {
    const soup = new Prng(21).bitmap(70, 45, 0.4);
    const engine = await create(options(70, 45, "torus", LIFE));
    const reference = ReferenceGrid.fromBitmap(soup, "torus", LIFE);
    engine.loadBitmap(soup);
    const phases: [Topology, Rule][] = [["torus", LIFE], ["plane", HIGHLIFE], ["torus", B0_S8], ["plane", SEEDS], ["plane", B0_S8], ["torus", LIFE]];
    for (const [topology, rule] of phases) {
      engine.topology = topology;
      engine.rule = rule;
      reference.topology = topology;
      reference.rule = rule;
      engine.step(15);
      reference.step(15);
      expect(engine.topology).toBe(topology);
      expect(engine.rule).toEqual(rule);
      expect(bitmapsEqual(engine.toBitmap(), reference.toBitmap()), `after 15 generations of ${topology}, B${rule.birth}/S${rule.survive}`).toBe(true);
    }
  });

  it("rejects rule masks that are not 9-bit", async () => {
    const engine = await create(options(8, 8));
    expect(() => (engine.rule = { birth: 1 << 9, survive: 0 })).toThrow(EngineError);
    expect(() => (engine.rule = { birth: 0, survive: -1 })).toThrow(EngineError);
  });

  it("runs 1×1, 16384×1 and 1×16384 grids like the reference", async () => {
    const rules: Rule[] = [LIFE, B0_S8, { birth: 1, survive: 0 }, { birth: 1 << 8, survive: 1 << 8 }, { birth: 0b101010100, survive: 0b010101011 }];
    for (const [w, h] of [[1, 1], [MAX_SIDE, 1], [1, MAX_SIDE], [2, 1], [1, 2], [2, 2]]) {
      for (const topology of ["torus", "plane"] as const) {
        for (const rule of rules) {
          const soup = new Prng(w + h).bitmap(w, h, 0.5);
          const engine = await create(options(w, h, topology, rule));
          const reference = ReferenceGrid.fromBitmap(soup, topology, rule);
          engine.loadBitmap(soup);
          for (let g = 0; g < 6; g++) {
            engine.step();
            reference.step();
            const what = `${w}×${h} ${topology}, B${rule.birth}/S${rule.survive} mask, generation ${g + 1}`;
            expect(bitmapsEqual(engine.toBitmap(), reference.toBitmap()), what).toBe(true);
            expect(engine.population(), what).toBe(reference.population());
          }
        }
      }
    }
  });

  it("refuses grids smaller than 1 or larger than 16384 on a side", async () => {
    await expect(create(options(0, 10))).rejects.toThrow(EngineError);
    await expect(create(options(10, MAX_SIDE + 1))).rejects.toThrow(EngineError);
    await expect(create(options(2.5, 10))).rejects.toThrow(EngineError);
  });

  it("refuses to load a bitmap of another size", async () => {
    const engine = await create(options(10, 10));
    expect(() => engine.loadBitmap(createBitmap(10, 11))).toThrow(EngineError);
  });

  it("keeps a 16384×16384 grid and its change map within about 2.25 bits per cell", async () => {
    // The requirement: at most about 2.25 bits per cell resident for the grid and its change
    // map. 16384² × 2.25 / 8 bytes ≈ 75.5 MB; 1 MiB on top covers the io area, stack and
    // page rounding, a constant that does not grow with the grid.
    const engine = await create(options(MAX_SIDE, MAX_SIDE));
    engine.randomize(0.5, 1);
    if (kernel === "simd") engine.step(1);
    engine.stamp(GLIDER, 100, 100);
    engine.population();
    engine.bbox();
    engine.sha256();
    engine.changeMap();
    expect(engine.memoryBytes()).toBeLessThanOrEqual((MAX_SIDE * MAX_SIDE * 2.25) / 8 + 1024 * 1024);
  });

  it("stays within that budget after whole-grid transfers (snapshot save and restore)", async () => {
    const engine = await create(options(MAX_SIDE, MAX_SIDE));
    engine.randomize(0.5, 2);
    const saved = engine.toBitmap();
    engine.clear();
    engine.loadBitmap(saved);
    engine.readOverview(0, 0, 1024, 1024, 16);
    expect(engine.population()).toBe(saved.data.reduce((n, byte) => n + popcount8(byte), 0));
    expect(engine.memoryBytes()).toBeLessThanOrEqual((MAX_SIDE * MAX_SIDE * 2.25) / 8 + 2 * 1024 * 1024);
  });
});

describe("the two kernels", () => {
  it("agree on a 1024×1024 soup for 50 generations", async () => {
    const [simd, scalar] = await Promise.all(KERNELS.map((k) => createEngine(options(1024, 1024), k)));
    simd.randomize(0.5, 77);
    scalar.randomize(0.5, 77);
    expect(bitmapsEqual(simd.toBitmap(), scalar.toBitmap())).toBe(true);
    simd.step(50);
    scalar.step(50);
    expect(simd.sha256()).toBe(scalar.sha256());
    expect(simd.sha256()).toBe(gridSha256(scalar.toBitmap()));
    expect(bitmapBBox(simd.toBitmap())).toEqual(simd.bbox());
  });
});

function popcount8(byte: number): number {
  let n = 0;
  for (let b = byte; b; b &= b - 1) n++;
  return n;
}
