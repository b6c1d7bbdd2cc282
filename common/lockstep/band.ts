/**
 * Lockstep prediction, defined once for the room, the web client, the tests and the benchmarks:
 * the band's geometry and how its bits are read and written (this file), the client's predicted
 * view (client.ts), and what the room sends each predicting socket per broadcast (broadcast.ts).
 *
 * A client that views the grid at scale 1 holds every cell of its rectangle R (the KEYFRAME's
 * tile-aligned rectangle) and runs the same engine. After k generations, a cell of R whose
 * distance to every side of R is at least k depends only on cells of R: information travels one
 * cell per generation (the light cone). So the client steps its own copy of R, with every cell
 * outside R dead, and the server sends only what that copy cannot know:
 *
 *   - the band: R's cells within k of a side of R, after the step. A side needs no band when
 *     nothing lies beyond it that the client's copy gets wrong: when R is the whole grid (the
 *     client's engine then runs the room's topology, torus or plane), or on a plane room when
 *     the side is on the grid's edge (beyond it every cell is dead for both);
 *   - the tiles that changed since the client's last frame other than by stepping (the edits
 *     applied at this tick boundary), as they are before the step.
 *
 * Client, for STEP {from, to, steps, sides, tiles, band}: check its generation is `from`, write
 * the tiles, step `steps` generations, overwrite the band, take `to` as its generation.
 *
 * Band layout: the band is cut into at most four strips of R-local cells, in this order —
 *
 *        0                                  width
 *      0 +----------------------------------+
 *        |  1. top:    rows [0, t)          |   t = steps if TOP in sides, else 0
 *        +------+--------------------+------+
 *        | 3.   |                    | 4.   |
 *        | left |   predicted by the | right|   rows [t, height − b)
 *        | cols |   client exactly   | cols |   left cols [0, l), right cols [width − r, width)
 *        |[0, l)|                    |      |
 *        +------+--------------------+------+
 *        |  2. bottom: rows [height − b, height)|   b = steps if BOTTOM in sides
 *        +----------------------------------+
 *
 * — each strip's cells row by row, left to right, as one bit stream: bit i of the stream is bit
 * (i & 7) of byte i >> 3 (the Bitmap convention of common/bitmap.ts, without row padding, so a
 * 1-cell-wide column costs one bit per row, not one byte).
 */
import { bitmapStride } from "../bitmap.ts";
import type { Engine } from "../engine.ts";
import { MAX_PREDICT_STEPS, StepSide } from "../protocol/index.ts";
import type { Topology } from "../rules.ts";

/** A rectangle of cells. */
export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GridShape {
  width: number;
  height: number;
  topology: Topology;
}

export const ALL_SIDES = StepSide.TOP | StepSide.RIGHT | StepSide.BOTTOM | StepSide.LEFT;

export function coversGrid(rect: Area, grid: GridShape): boolean {
  return rect.x === 0 && rect.y === 0 && rect.width === grid.width && rect.height === grid.height;
}

/** The topology of the client's engine: the room's when R is the whole grid, else the plane
 *  (every cell outside R dead; the band corrects what that gets wrong). */
export function predictionTopology(rect: Area, grid: GridShape): Topology {
  return coversGrid(rect, grid) ? grid.topology : "plane";
}

/** Which sides of R need a band (StepSide bits). */
export function bandSides(rect: Area, grid: GridShape): number {
  if (coversGrid(rect, grid)) return 0;
  // On a torus the cells beyond the grid's edge are the other side's: every side needs a band.
  if (grid.topology === "torus") return ALL_SIDES;
  let sides = 0;
  if (rect.y > 0) sides |= StepSide.TOP;
  if (rect.x + rect.width < grid.width) sides |= StepSide.RIGHT;
  if (rect.y + rect.height < grid.height) sides |= StepSide.BOTTOM;
  if (rect.x > 0) sides |= StepSide.LEFT;
  return sides;
}

/**
 * The band's strips, in wire order, in R-local cells; null when a band `steps` deep on those
 * sides does not fit in a width × height rectangle.
 */
export function bandStrips(width: number, height: number, steps: number, sides: number): Area[] | null {
  if (!Number.isInteger(steps) || steps < 0 || sides < 0 || sides > ALL_SIDES) return null;
  const depth = (side: number) => (sides & side ? steps : 0);
  const top = depth(StepSide.TOP);
  const bottom = depth(StepSide.BOTTOM);
  const left = depth(StepSide.LEFT);
  const right = depth(StepSide.RIGHT);
  if (top + bottom > height || left + right > width) return null;
  const strips: Area[] = [];
  if (top > 0) strips.push({ x: 0, y: 0, width, height: top });
  if (bottom > 0) strips.push({ x: 0, y: height - bottom, width, height: bottom });
  const middle = height - top - bottom;
  if (middle > 0 && left > 0) strips.push({ x: 0, y: top, width: left, height: middle });
  if (middle > 0 && right > 0) strips.push({ x: width - right, y: top, width: right, height: middle });
  return strips;
}

export function stripCells(strips: readonly Area[]): number {
  let cells = 0;
  for (const s of strips) cells += s.width * s.height;
  return cells;
}

/** Bytes of a band: its cells, packed without padding. */
export function bandBytes(strips: readonly Area[]): number {
  return Math.ceil(stripCells(strips) / 8);
}

/**
 * Whether the server predicts a step of `steps` generations for a width × height view: at most
 * MAX_PREDICT_STEPS, and a band of at most half the view (beyond that the changed tiles cost
 * about as much, and the client would be stepping cells it is then told anyway).
 */
export function canPredict(width: number, height: number, steps: number, sides: number): boolean {
  if (steps > MAX_PREDICT_STEPS) return false;
  const strips = bandStrips(width, height, steps, sides);
  return strips !== null && 2 * stripCells(strips) <= width * height;
}

// ---------------------------------------------------------------------------------------------
// Bits in and out of the band stream.

/** ORs `count` bits from `src` (starting at byte `from`, bit 0) into `dst` at bit `at`. */
function putBits(dst: Uint8Array, at: number, src: Uint8Array, from: number, count: number): void {
  const shift = at & 7;
  let d = at >>> 3;
  const whole = count >>> 3;
  const rest = count & 7;
  for (let i = 0; i < whole; i++, d++) {
    const v = src[from + i];
    dst[d] |= (v << shift) & 0xff;
    if (shift !== 0 && d + 1 < dst.length) dst[d + 1] |= v >>> (8 - shift);
  }
  if (rest !== 0) {
    const v = src[from + whole] & ((1 << rest) - 1);
    dst[d] |= (v << shift) & 0xff;
    if (shift + rest > 8) dst[d + 1] |= v >>> (8 - shift);
  }
}

/** Copies `count` bits of `src` from bit `at` into `dst` starting at byte `to`, bit 0. */
function takeBits(src: Uint8Array, at: number, dst: Uint8Array, to: number, count: number): void {
  const shift = at & 7;
  let s = at >>> 3;
  const bytes = (count + 7) >>> 3;
  for (let i = 0; i < bytes; i++, s++) {
    let v = src[s] >>> shift;
    if (shift !== 0 && s + 1 < src.length) v |= src[s + 1] << (8 - shift);
    const left = count - i * 8;
    dst[to + i] = left >= 8 ? v & 0xff : v & ((1 << left) - 1);
  }
}

/** The server's side: reads the band of the view whose top-left grid cell is (x0, y0). */
export function readBand(engine: Engine, x0: number, y0: number, strips: readonly Area[]): Uint8Array {
  const out = new Uint8Array(bandBytes(strips));
  let at = 0;
  for (const s of strips) {
    const bits = engine.readRectView(x0 + s.x, y0 + s.y, s.width, s.height);
    const stride = bitmapStride(s.width);
    for (let row = 0; row < s.height; row++, at += s.width) putBits(out, at, bits.data, row * stride, s.width);
  }
  return out;
}

/** The client's side: overwrites the band's cells of its engine (R-local coordinates). */
export function writeBand(engine: Engine, strips: readonly Area[], band: Uint8Array): void {
  let at = 0;
  for (const s of strips) {
    const stride = bitmapStride(s.width);
    const data = new Uint8Array(stride * s.height);
    for (let row = 0; row < s.height; row++, at += s.width) takeBits(band, at, data, row * stride, s.width);
    engine.stamp({ width: s.width, height: s.height, data }, s.x, s.y, "replace");
  }
}

/** FNV-1a (32 bits) of a byte string: the STEP checksum, over the view's packed bits. */
export function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash >>> 0;
}
