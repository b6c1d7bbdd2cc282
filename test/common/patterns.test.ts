import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type Bitmap, getBit } from "../../common/bitmap.ts";
import { type LibraryPattern, PATTERNS, PATTERNS_BY_ID, patternBitmap } from "../../common/patterns.ts";
import { parseRle } from "../../common/formats/rle.ts";
import { type Rule, LIFE, formatRule, parseRule } from "../../common/rules.ts";

/**
 * A tiny independent stepper for checking the library by behaviour: a list of live cells on a
 * big square of plain typed arrays. Each generation every live cell adds one to its eight
 * neighbours' counts, then every touched cell applies the rule. It stands in for the infinite
 * plane: a cell born on the outermost ring throws, so a too-small board fails loudly instead of
 * silently clipping.
 */
class SparseLife {
  readonly size: number;
  readonly rule: Rule;
  generation = 0;
  #alive: Uint8Array;
  #counts: Uint8Array;
  #touched: Uint8Array;
  #cells: number[] = [];

  constructor(size: number, rule: Rule) {
    if (rule.birth & 1) throw new Error("B0 rules turn the whole plane on; this stepper cannot run them");
    this.size = size;
    this.rule = rule;
    this.#alive = new Uint8Array(size * size);
    this.#counts = new Uint8Array(size * size);
    this.#touched = new Uint8Array(size * size);
  }

  /** Places a bitmap's live cells with its top-left at (x0, y0). */
  place(bitmap: Bitmap, x0: number, y0: number): this {
    for (let y = 0; y < bitmap.height; y++) {
      for (let x = 0; x < bitmap.width; x++) {
        const i = (y0 + y) * this.size + x0 + x;
        if (getBit(bitmap, x, y) && !this.#alive[i]) {
          this.#alive[i] = 1;
          this.#cells.push(i);
        }
      }
    }
    return this;
  }

  /** Places a bitmap centred on the board. */
  centre(bitmap: Bitmap): this {
    return this.place(bitmap, (this.size - bitmap.width) >> 1, (this.size - bitmap.height) >> 1);
  }

  get population(): number {
    return this.#cells.length;
  }

  step(generations = 1): this {
    const size = this.size;
    const neighbours = [-size - 1, -size, -size + 1, -1, 1, size - 1, size, size + 1];
    for (let g = 0; g < generations; g++) {
      const candidates: number[] = [];
      for (const i of this.#cells) {
        if (!this.#touched[i]) {
          this.#touched[i] = 1;
          candidates.push(i);
        }
        for (const d of neighbours) {
          const j = i + d;
          this.#counts[j]++;
          if (!this.#touched[j]) {
            this.#touched[j] = 1;
            candidates.push(j);
          }
        }
      }
      const next: number[] = [];
      for (const j of candidates) {
        const n = this.#counts[j];
        // The rule at its decision point: a live cell survives on n ∈ S, a dead one is born on n ∈ B.
        const mask = this.#alive[j] ? this.rule.survive : this.rule.birth;
        if ((mask >>> n) & 1) next.push(j);
        this.#counts[j] = 0;
        this.#touched[j] = 0;
      }
      for (const i of this.#cells) this.#alive[i] = 0;
      for (const j of next) {
        const x = j % size;
        const y = (j - x) / size;
        if (x === 0 || y === 0 || x === size - 1 || y === size - 1) throw new Error(`a cell reached the edge of the ${size}² board`);
        this.#alive[j] = 1;
      }
      this.#cells = next;
      this.generation++;
    }
    return this;
  }

  /** Live cells as [x, y] pairs, sorted by y then x. */
  cells(): [number, number][] {
    return [...this.#cells].sort((a, b) => a - b).map((i) => [i % this.size, Math.floor(i / this.size)]);
  }

  /** Cells inside [x0, x0+w) × [y0, y0+h). */
  cellsIn(x0: number, y0: number, w: number, h: number): [number, number][] {
    return this.cells().filter(([x, y]) => x >= x0 && y >= y0 && x < x0 + w && y < y0 + h);
  }

  isAlive(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.size && y < this.size && this.#alive[y * this.size + x] === 1;
  }
}

interface Shape {
  /** Cells relative to the bounding box's top-left, as "x,y" joined. */
  key: string;
  x: number;
  y: number;
}

/** A set of cells up to translation, plus where its bounding box starts. */
function shape(cells: [number, number][]): Shape {
  const x = Math.min(...cells.map((c) => c[0]));
  const y = Math.min(...cells.map((c) => c[1]));
  const key = cells
    .map(([cx, cy]) => [cx - x, cy - y])
    .sort((a, b) => a[1] - b[1] || a[0] - b[0])
    .join(";");
  return { key, x, y };
}

function bitmapCells(bitmap: Bitmap): [number, number][] {
  const cells: [number, number][] = [];
  for (let y = 0; y < bitmap.height; y++) for (let x = 0; x < bitmap.width; x++) if (getBit(bitmap, x, y)) cells.push([x, y]);
  return cells;
}

function ruleOf(pattern: LibraryPattern): Rule {
  if (pattern.rule === undefined) return LIFE;
  const parsed = parseRule(pattern.rule);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.rule;
}

function board(id: string, size = 256): SparseLife {
  const pattern = PATTERNS_BY_ID.get(id);
  if (pattern === undefined) throw new Error(`no pattern ${id}`);
  return new SparseLife(size, ruleOf(pattern)).centre(patternBitmap(id));
}

const byKind = (kind: LibraryPattern["kind"]) => PATTERNS.filter((p) => p.kind === kind).map((p) => [p.id, p] as const);

describe("the pattern library", () => {
  it("has at least 22 entries with unique ids, including the ones the palette promises", () => {
    expect(PATTERNS.length).toBeGreaterThanOrEqual(22);
    expect(new Set(PATTERNS.map((p) => p.id)).size).toBe(PATTERNS.length);
    for (const id of [
      "glider", "lwss", "mwss", "hwss", "gosper-glider-gun", "simkin-glider-gun", "pulsar", "pentadecathlon", "r-pentomino", "acorn",
      "diehard", "blinker", "toad", "beacon", "block", "beehive", "loaf", "boat", "b-heptomino", "highlife-replicator", "pi-heptomino",
      "tub", "koks-galaxy", "copperhead",
    ]) {
      expect(PATTERNS_BY_ID.has(id), id).toBe(true);
    }
  });

  it.each(PATTERNS.map((p) => [p.id, p] as const))("%s parses, and its header is its bounding box", (_id, pattern) => {
    const parsed = parseRle(pattern.rle);
    if (!parsed.ok) throw new Error(parsed.error);
    const { bitmap, rule } = parsed.value;
    const cells = bitmapCells(bitmap);
    expect(Math.min(...cells.map((c) => c[0]))).toBe(0);
    expect(Math.min(...cells.map((c) => c[1]))).toBe(0);
    expect(Math.max(...cells.map((c) => c[0]))).toBe(bitmap.width - 1);
    expect(Math.max(...cells.map((c) => c[1]))).toBe(bitmap.height - 1);
    expect(rule && formatRule(rule.rule)).toBe(formatRule(ruleOf(pattern)));
    expect(pattern.description.length).toBeGreaterThan(10);
    if (pattern.kind === "oscillator" || pattern.kind === "spaceship" || pattern.kind === "gun" || pattern.kind === "replicator") {
      expect(pattern.period).toBeGreaterThan(0);
    }
  });

  it("throws for an unknown id", () => {
    expect(() => patternBitmap("no-such-pattern")).toThrow(/no library pattern/);
  });
});

describe("still lifes do not change", () => {
  it.each(byKind("still"))("%s", (id) => {
    const life = board(id, 32);
    const before = life.cells();
    expect(life.step().cells()).toEqual(before);
  });
});

describe("oscillators return after their period and not earlier", () => {
  it.each(byKind("oscillator"))("%s", (id, pattern) => {
    const life = board(id, 64);
    const start = life.cells().join(";");
    for (let g = 1; g < pattern.period!; g++) expect(life.step().cells().join(";"), `generation ${g}`).not.toBe(start);
    expect(life.step().cells().join(";")).toBe(start);
  });

  it("have the periods LifeWiki gives them", () => {
    const periods = Object.fromEntries(PATTERNS.filter((p) => p.kind === "oscillator").map((p) => [p.id, p.period]));
    expect(periods).toMatchObject({ blinker: 2, toad: 2, beacon: 2, clock: 2, pulsar: 3, pentadecathlon: 15, "figure-eight": 8, "koks-galaxy": 8 });
  });
});

describe("spaceships move by their speed each period, and are not themselves earlier", () => {
  it.each([
    ["glider", 4, [1, 1]],
    ["lwss", 4, [-2, 0]],
    ["mwss", 4, [-2, 0]],
    ["hwss", 4, [-2, 0]],
  ] as const)("%s repeats after %i generations moved by %j", (id, period, [dx, dy]) => {
    expect(PATTERNS_BY_ID.get(id)?.period).toBe(period);
    const life = board(id, 64);
    const start = shape(life.cells());
    for (let g = 1; g < period; g++) expect(shape(life.step().cells()).key, `generation ${g}`).not.toBe(start.key);
    const after = shape(life.step().cells());
    expect(after.key).toBe(start.key);
    expect([after.x - start.x, after.y - start.y]).toEqual([dx, dy]);
    // …and keeps going: ten periods later it has moved ten times as far.
    const far = shape(life.step(period * 10).cells());
    expect(far.key).toBe(start.key);
    expect([far.x - start.x, far.y - start.y]).toEqual([dx * 11, dy * 11]);
  });

  it("the copperhead is a 28-cell c/10 orthogonal ship", () => {
    expect(PATTERNS_BY_ID.get("copperhead")?.period).toBe(10);
    const life = board("copperhead", 128);
    expect(life.population).toBe(28);
    const start = shape(life.cells());
    for (let g = 1; g < 10; g++) expect(shape(life.step().cells()).key).not.toBe(start.key);
    const after = shape(life.step().cells());
    expect(after.key).toBe(start.key);
    expect(Math.abs(after.x - start.x) + Math.abs(after.y - start.y)).toBe(1);
  });
});

describe("guns", () => {
  it("the Gosper glider gun adds a 5-cell glider every 30 generations", () => {
    expect(PATTERNS_BY_ID.get("gosper-glider-gun")?.period).toBe(30);
    const life = board("gosper-glider-gun", 512);
    const populations = [life.population];
    for (let g = 0; g < 600; g++) populations.push(life.step().population);
    for (let g = 120; g + 30 <= 600; g++) expect(populations[g + 30] - populations[g], `generation ${g}`).toBe(5);
    expect(populations[0]).toBe(36);
  });

  it("the Simkin glider gun repeats every 120 generations, adding one glider", () => {
    expect(PATTERNS_BY_ID.get("simkin-glider-gun")?.period).toBe(120);
    const size = 1024;
    const life = board("simkin-glider-gun", size);
    const bitmap = patternBitmap("simkin-glider-gun");
    // The gun's own cells: its bounding box with a small margin, which the gliders leave quickly.
    const x0 = ((size - bitmap.width) >> 1) - 2;
    const y0 = ((size - bitmap.height) >> 1) - 2;
    const gun = () => life.cellsIn(x0, y0, bitmap.width + 4, bitmap.height + 4).join(";");
    const populations = [life.population];
    const gunStates: string[] = [gun()];
    for (let g = 0; g < 720; g++) {
      populations.push(life.step().population);
      gunStates.push(gun());
    }
    for (let g = 240; g + 120 <= 720; g++) expect(populations[g + 120] - populations[g], `generation ${g}`).toBe(5);
    expect(gunStates[600]).toBe(gunStates[480]);
    for (const shorter of [60, 40, 30, 24, 20]) expect(gunStates[480 + shorter], `period ${shorter}`).not.toBe(gunStates[480]);
  });
});

describe("methuselahs (LifeWiki's published lifespans)", () => {
  it("the R-pentomino has 116 cells at generation 1103", () => {
    expect(board("r-pentomino", 1024).step(1103).population).toBe(116);
  });

  it("the acorn has 633 cells at generation 5206", () => {
    expect(board("acorn", 4096).step(5206).population).toBe(633);
  });

  it("the diehard dies at generation 130", () => {
    const life = board("diehard", 256).step(129);
    expect(life.population).toBeGreaterThan(0);
    expect(life.step().population).toBe(0);
  });

  // "Stabilises at generation N": from N on the population stays constant (the debris here is
  // still lifes and gliders); at N−1 it still changes.
  it.each([
    ["b-heptomino", 148],
    ["pi-heptomino", 173],
  ] as const)("the %s has 7 cells and stabilises at generation %i", (id, settled) => {
    const life = board(id, 1024);
    expect(life.population).toBe(7);
    const before = life.step(settled - 1).population;
    const at = life.step().population;
    expect(at).not.toBe(before);
    for (let g = 0; g < 200; g++) expect(life.step().population).toBe(at);
  });
});

describe("the HighLife replicator", () => {
  it("has made two copies of itself after 12 generations under B36/S23", () => {
    const pattern = PATTERNS_BY_ID.get("highlife-replicator")!;
    expect(formatRule(ruleOf(pattern))).toBe("B36/S23");
    expect(pattern.period).toBe(12);
    const original = bitmapCells(patternBitmap("highlife-replicator"));
    const life = board("highlife-replicator", 128).step(12);
    // Every place where the replicator's cells are all alive and the rest of its 5×5 box is dead.
    const copies: [number, number][] = [];
    for (let y = 0; y < life.size - 5; y++) {
      for (let x = 0; x < life.size - 5; x++) {
        let match = true;
        for (let dy = 0; dy < 5 && match; dy++) {
          for (let dx = 0; dx < 5 && match; dx++) {
            const wanted = original.some(([ox, oy]) => ox === dx && oy === dy);
            match = life.isAlive(x + dx, y + dy) === wanted;
          }
        }
        if (match) copies.push([x, y]);
      }
    }
    expect(copies.length).toBe(2);
    // The two copies sit on the diagonal the replicator grows along.
    const [[ax, ay], [bx, by]] = copies;
    expect(Math.abs(bx - ax)).toBe(Math.abs(by - ay));
    // It is not Life behaviour: under B3/S23 the same cells do something else.
    const underLife = new SparseLife(128, LIFE).centre(patternBitmap("highlife-replicator")).step(12);
    expect(underLife.cells()).not.toEqual(life.cells());
  });
});

describe("cross-checks against Golly's reference cases", () => {
  const oraclePath = resolve(process.cwd(), "../shared/oracle/cases.json");
  interface OracleCase {
    name: string;
    pattern: string;
    rule: string;
    topology: string;
    rle: string;
    pop_series: number[];
  }
  const cases: OracleCase[] = existsSync(oraclePath) ? JSON.parse(readFileSync(oraclePath, "utf8")) : [];
  const ids: Record<string, string> = {
    glider: "glider",
    lwss: "lwss",
    r_pentomino: "r-pentomino",
    acorn: "acorn",
    diehard: "diehard",
    gosper_glider_gun: "gosper-glider-gun",
    pulsar: "pulsar",
    pentadecathlon: "pentadecathlon",
  };

  it.skipIf(cases.length === 0)("every library pattern Golly has is the same cells, in the same orientation", () => {
    const seen = new Set<string>();
    for (const c of cases) {
      const id = ids[c.pattern];
      if (id === undefined || seen.has(id)) continue;
      seen.add(id);
      const parsed = parseRle(c.rle);
      if (!parsed.ok) throw new Error(parsed.error);
      expect(shape(bitmapCells(patternBitmap(id))).key, id).toBe(shape(bitmapCells(parsed.value.bitmap)).key);
    }
    expect(seen.size).toBe(Object.keys(ids).length);
  });

  // The checks above lean on SparseLife; here it earns that trust against a simulator nobody on
  // this project wrote.
  it.skipIf(cases.length === 0)("the test stepper reproduces Golly's population series on the unbounded Life cases", () => {
    const unbounded = cases.filter((c) => c.topology === "unbounded" && c.rule === "B3/S23");
    expect(unbounded.length).toBeGreaterThan(0);
    for (const c of unbounded) {
      const parsed = parseRle(c.rle);
      if (!parsed.ok) throw new Error(parsed.error);
      const life = new SparseLife(4096, LIFE).centre(parsed.value.bitmap);
      const series = [life.population];
      for (let g = 1; g < c.pop_series.length; g++) series.push(life.step().population);
      expect(series, c.name).toEqual(c.pop_series);
    }
  });
});
