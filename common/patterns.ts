/**
 * A small library of named patterns for the stamp palette and for tests. Each entry is an RLE
 * that `parseRle` reads; the header's x/y is the pattern's bounding box. Every claim made here
 * (period, speed, kind) is checked by behaviour in test/common/patterns.test.ts.
 *
 * Orientation follows Golly's defaults where the reference cases have the same pattern
 * (glider heading down-right, spaceships heading left).
 */
import { type Bitmap } from "./bitmap.ts";
import { parseRle } from "./formats/rle.ts";

export type PatternKind = "still" | "oscillator" | "spaceship" | "gun" | "methuselah" | "replicator";

export interface LibraryPattern {
  readonly id: string;
  readonly name: string;
  /** RLE with header; the rule is Life unless `rule` says otherwise. */
  readonly rle: string;
  /** Rule string for patterns that only work under another rule. */
  readonly rule?: string;
  readonly description: string;
  /** Generations until the pattern repeats (for spaceships: repeats displaced; for guns: the gun's cycle). */
  readonly period?: number;
  readonly kind: PatternKind;
}

export const PATTERNS: readonly LibraryPattern[] = [
  // Still lifes
  { id: "block", name: "Block", kind: "still", rle: "x = 2, y = 2, rule = B3/S23\n2o$2o!", description: "The most common still life: four cells in a square" },
  { id: "beehive", name: "Beehive", kind: "still", rle: "x = 4, y = 3, rule = B3/S23\nb2o$o2bo$b2o!", description: "Six-cell still life; the second most common" },
  { id: "loaf", name: "Loaf", kind: "still", rle: "x = 4, y = 4, rule = B3/S23\nb2o$o2bo$bobo$2bo!", description: "Seven-cell still life" },
  { id: "boat", name: "Boat", kind: "still", rle: "x = 3, y = 3, rule = B3/S23\n2o$obo$bo!", description: "Five-cell still life" },
  { id: "ship", name: "Ship", kind: "still", rle: "x = 3, y = 3, rule = B3/S23\n2o$obo$b2o!", description: "Six-cell still life" },
  { id: "tub", name: "Tub", kind: "still", rle: "x = 3, y = 3, rule = B3/S23\nbo$obo$bo!", description: "Four-cell still life around an empty centre" },

  // Oscillators
  { id: "blinker", name: "Blinker", kind: "oscillator", period: 2, rle: "x = 3, y = 1, rule = B3/S23\n3o!", description: "The smallest oscillator: a line of three that turns" },
  { id: "toad", name: "Toad", kind: "oscillator", period: 2, rle: "x = 4, y = 2, rule = B3/S23\nb3o$3o!", description: "Period-2 oscillator of two offset rows" },
  { id: "beacon", name: "Beacon", kind: "oscillator", period: 2, rle: "x = 4, y = 4, rule = B3/S23\n2o$2o$2b2o$2b2o!", description: "Two blocks touching corners; the inner cells blink" },
  { id: "clock", name: "Clock", kind: "oscillator", period: 2, rle: "x = 4, y = 4, rule = B3/S23\n2bo$obo$bobo$bo!", description: "Small period-2 oscillator that seems to turn" },
  {
    id: "pulsar",
    name: "Pulsar",
    kind: "oscillator",
    period: 3,
    rle: "x = 13, y = 13, rule = B3/S23\n2b3o3b3o2$o4bobo4bo$o4bobo4bo$o4bobo4bo$2b3o3b3o2$2b3o3b3o$o4bobo4bo$o\n4bobo4bo$o4bobo4bo2$2b3o3b3o!",
    description: "The most common period-3 oscillator, with four-fold symmetry",
  },
  {
    id: "pentadecathlon",
    name: "Pentadecathlon",
    kind: "oscillator",
    period: 15,
    rle: "x = 10, y = 3, rule = B3/S23\n2bo4bo$2ob4ob2o$2bo4bo!",
    description: "Period-15 oscillator that grows from a row of ten cells",
  },
  { id: "figure-eight", name: "Figure eight", kind: "oscillator", period: 8, rle: "x = 6, y = 6, rule = B3/S23\n3o$3o$3o$3b3o$3b3o$3b3o!", description: "Period-8 oscillator from two 3×3 squares touching corners" },
  {
    id: "koks-galaxy",
    name: "Kok's galaxy",
    kind: "oscillator",
    period: 8,
    rle: "x = 9, y = 9, rule = B3/S23\n6ob2o$6ob2o$7b2o$2o5b2o$2o5b2o$2o5b2o$2o$2ob6o$2ob6o!",
    description: "Period-8 oscillator of four arms turning around a centre",
  },

  // Spaceships
  { id: "glider", name: "Glider", kind: "spaceship", period: 4, rle: "x = 3, y = 3, rule = B3/S23\nbo$2bo$3o!", description: "The smallest spaceship: moves one cell diagonally every 4 generations" },
  { id: "lwss", name: "Lightweight spaceship", kind: "spaceship", period: 4, rle: "x = 5, y = 4, rule = B3/S23\nbo2bo$o$o3bo$4o!", description: "LWSS: moves two cells sideways every 4 generations" },
  { id: "mwss", name: "Middleweight spaceship", kind: "spaceship", period: 4, rle: "x = 6, y = 5, rule = B3/S23\n3bo$bo3bo$o$o4bo$5o!", description: "MWSS: moves two cells sideways every 4 generations" },
  { id: "hwss", name: "Heavyweight spaceship", kind: "spaceship", period: 4, rle: "x = 7, y = 5, rule = B3/S23\n3b2o$bo4bo$o$o5bo$6o!", description: "HWSS: the largest of the three classic orthogonal ships" },
  {
    id: "copperhead",
    name: "Copperhead",
    kind: "spaceship",
    period: 10,
    rle: "x = 8, y = 12, rule = B3/S23\nb2o2b2o$3b2o$3b2o$obo2bobo$o6bo2$o6bo$b2o2b2o$2b4o2$3b2o$3b2o!",
    description: "Slow c/10 spaceship: one cell every 10 generations",
  },

  // Guns
  {
    id: "gosper-glider-gun",
    name: "Gosper glider gun",
    kind: "gun",
    period: 30,
    rle: "x = 36, y = 9, rule = B3/S23\n24bo$22bobo$12b2o6b2o12b2o$11bo3bo4b2o12b2o$2o8bo5bo3b2o$2o8bo3bob2o4b\nobo$10bo5bo7bo$11bo3bo$12b2o!",
    description: "The first known gun: a glider every 30 generations",
  },
  {
    id: "simkin-glider-gun",
    name: "Simkin glider gun",
    kind: "gun",
    period: 120,
    rle: "x = 33, y = 21, rule = B3/S23\n2o5b2o$2o5b2o2$4b2o$4b2o5$22b2ob2o$21bo5bo$21bo6bo2b2o$21b3o3bo3b2o$26bo4$20b2o$20bo$21b3o$23bo!",
    description: "A small gun: a glider every 120 generations",
  },

  // Methuselahs
  { id: "r-pentomino", name: "R-pentomino", kind: "methuselah", rle: "x = 3, y = 3, rule = B3/S23\nb2o$2o$bo!", description: "Five cells that take 1103 generations to settle" },
  { id: "acorn", name: "Acorn", kind: "methuselah", rle: "x = 7, y = 3, rule = B3/S23\nbo$3bo$2o2b3o!", description: "Seven cells that take 5206 generations to settle into 633 cells" },
  { id: "diehard", name: "Diehard", kind: "methuselah", rle: "x = 8, y = 3, rule = B3/S23\n6bo$2o$bo3b3o!", description: "Seven cells that vanish after 130 generations" },
  { id: "b-heptomino", name: "B-heptomino", kind: "methuselah", rle: "x = 4, y = 3, rule = B3/S23\nob2o$3o$bo!", description: "Seven cells that settle after 148 generations; a common reaction in larger patterns" },
  { id: "pi-heptomino", name: "Pi-heptomino", kind: "methuselah", rle: "x = 3, y = 3, rule = B3/S23\n3o$obo$obo!", description: "Seven cells shaped like π that settle after 173 generations" },

  // Other rules
  {
    id: "highlife-replicator",
    name: "Replicator (HighLife)",
    kind: "replicator",
    period: 12,
    rule: "B36/S23",
    rle: "x = 5, y = 5, rule = B36/S23\n2b3o$bo2bo$o3bo$o2bo$3o!",
    description: "HighLife's replicator: makes a copy of itself every 12 generations",
  },
];

export const PATTERNS_BY_ID: ReadonlyMap<string, LibraryPattern> = new Map(PATTERNS.map((pattern) => [pattern.id, pattern]));

/** The cells of a library pattern; throws for an unknown id or a broken entry (programming errors). */
export function patternBitmap(id: string): Bitmap {
  const pattern = PATTERNS_BY_ID.get(id);
  if (pattern === undefined) throw new Error(`no library pattern "${id}"`);
  const parsed = parseRle(pattern.rle);
  if (!parsed.ok) throw new Error(`library pattern "${id}": ${parsed.error}`);
  return parsed.value.bitmap;
}
