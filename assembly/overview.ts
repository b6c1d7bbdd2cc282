/**
 * Zoomed-out reads of the grid into io. At scale s, output ("scaled") cell (i, j) stands for the
 * s × s block of grid cells at (x + i*s, y + j*s); cells outside the grid are dead.
 *
 *   readOverview  1 bit per scaled cell (common/bitmap.ts layout): alive when any cell of the
 *                 block is.
 *   readDensity   2 bits per scaled cell: the block's density level, defined in common/density.ts
 *                 (the contract; the thresholds below must match it, which the tests check):
 *
 *                   level 0   no live cell
 *                   level 1   live share ≤ 1/16
 *                   level 2   live share ≤ 1/4
 *                   level 3   live share > 1/4
 *
 *                 The share is of the block's cells that lie inside the grid, so a block cut by
 *                 the grid's edge is not made to look sparse. Level > 0 exactly when the
 *                 overview's bit is set.
 *
 * readDensity's output, rows of ceil(w/4) bytes:
 *
 *   byte i >> 2 of the row:  | 7 6 | 5 4 | 3 2 | 1 0 |
 *                             cell   cell  cell  cell     cell i: bits 2(i & 3) .. 2(i & 3) + 1
 *                             4k+3   4k+2  4k+1  4k
 *
 * How a block is counted without touching cells one by one: a row's cells are fetched 64 at a
 * time from the first block's left edge (one aligned load when that edge is a multiple of 64, as
 * it is for every view the protocol asks for), so block boundaries fall on fixed bit positions of
 * each fetched word. Its live cells are summed in place into lanes (the bit-parallel popcount,
 * stopped early), and the lanes of a block row's s grid rows are added word by word into one or
 * two accumulators per word; the lane width is chosen so that s rows cannot overflow it:
 *
 *   s        lanes summed per grid row                      a block is
 *   1        1 bit                                          one lane
 *   2, 4     2-cell sums; even and odd pairs in separate    s = 2: one pair's lane
 *            accumulators, 4-bit lanes (≤ 8 after 4 rows)   s = 4: the lane in both accumulators
 *   8, 16    8-cell sums in bytes (≤ 128 after 16 rows)     one byte, or two
 *   32       popcnt of each half, in the two accumulators   one half
 *   ≥ 64     popcnt of the word                             s / 64 words
 *
 * Per grid word and row that is one load, at most three shift-mask-add steps and one add. For
 * s = 2 … 16 the levels of a whole accumulator word are found at once: adding (top bit − 1 − t)
 * to every lane sets a lane's top bit exactly when its count exceeds t, three such tests give the
 * level, and shifts squeeze the 2-bit results together for one store of 64 / s cells. Other scales
 * (and views that start left of the grid) go block by block. Blocks cut by the grid's left or
 * right edge are redone with their own cell count; the last block row of a grid whose height is
 * not a multiple of s uses its shorter height.
 *
 * Speed (16384² grid at 50%, this machine): 3 ms for an 8192 × 1024 view at s = 2, 8 ms for the
 * whole grid at s = 16; readOverview takes 40 and 8 ms for the same.
 */
import { columns, front, height, ioPointer, ioReserve, rowData, rowScratch, width } from "./grid";

/** Level 1 holds shares up to 1 / 2^SPARSE_SHIFT (1/16), level 2 up to 1 / 2^BUSY_SHIFT (1/4). */
const SPARSE_SHIFT = 4;
const BUSY_SHIFT = 2;

const M1: u64 = 0x5555555555555555;
const M2: u64 = 0x3333333333333333;
const M4: u64 = 0x0f0f0f0f0f0f0f0f;
const M8: u64 = 0x00ff00ff00ff00ff;

/**
 * A zoomed-out view into io: output cell (i, j) is alive when any grid cell of the
 * scale × scale block at (x + i*scale, y + j*scale) is alive (outside the grid is dead).
 */
export function readOverview(x: i32, y: i32, w: i32, h: i32, scale: i32): void {
  const io = ioPointer();
  const stride = <usize>((w + 7) >> 3);
  memory.fill(io, 0, stride * <usize>h);
  const words = <usize>columns << 1;
  for (let j = 0; j < h; j++) {
    const gy0 = max(y + j * scale, 0);
    const gy1 = min(y + (j + 1) * scale, height);
    if (gy0 >= gy1) continue;
    // OR the block's rows together, then test each block's span of that one row.
    memory.fill(rowScratch, 0, words << 3);
    for (let gy = gy0; gy < gy1; gy++) {
      const row = rowData(front, gy);
      for (let k: usize = 0; k < words; k++) {
        const p = rowScratch + (k << 3);
        store<u64>(p, load<u64>(p) | load<u64>(row + (k << 3)));
      }
    }
    const out = io + <usize>j * stride;
    for (let i = 0; i < w; i++) {
      const gx0 = max(x + i * scale, 0);
      const gx1 = min(x + (i + 1) * scale, width);
      if (gx0 < gx1 && anyBit(rowScratch, gx0, gx1)) {
        const p = out + <usize>(i >> 3);
        store<u8>(p, <u8>(<i32>load<u8>(p) | (1 << (i & 7))));
      }
    }
  }
}

/** Whether any bit in [x0, x1) of the row at `row` is set. */
function anyBit(row: usize, x0: i32, x1: i32): bool {
  let w0 = x0 >> 6;
  const w1 = (x1 - 1) >> 6;
  const first = ~(<u64>0) << <u64>(x0 & 63);
  const last = ~(<u64>0) >> <u64>(63 - ((x1 - 1) & 63));
  if (w0 == w1) return (load<u64>(row + (<usize>w0 << 3)) & first & last) != 0;
  if ((load<u64>(row + (<usize>w0 << 3)) & first) != 0) return true;
  for (let k = w0 + 1; k < w1; k++) if (load<u64>(row + (<usize>k << 3)) != 0) return true;
  return (load<u64>(row + (<usize>w1 << 3)) & last) != 0;
}

/** 64 cells of the row whose data starts at `row`, from grid cell `start` (bit 0 = cell `start`);
 *  cells outside [0, width) read as dead. */
@inline function fetch64(row: usize, start: i32): u64 {
  if (start >= width || start <= -64) return 0;
  if (start < 0) return load<u64>(row) << <u64>(-start);
  const k = start >> 6;
  const off = <u64>(start & 63);
  let bits = load<u64>(row + (<usize>k << 3)) >> off;
  // Cells at or past the width are 0 in the data words (grid.ts); past the last data word is
  // the next row's guard, never read.
  if (off != 0 && k + 1 < columns << 1) bits |= load<u64>(row + (<usize>(k + 1) << 3)) << (64 - off);
  return bits;
}

/** Adds one fetched word's lane sums (the table above) to accumulator word `p` (and `p + odd`). */
@inline function accumulate(v: u64, s: i32, p: usize, odd: usize): void {
  if (s >= 64) {
    store<u64>(p, load<u64>(p) + popcnt(v));
    return;
  }
  if (s == 1) {
    store<u64>(p, load<u64>(p) + v);
    return;
  }
  if (s == 32) {
    store<u64>(p, load<u64>(p) + popcnt(v & 0xffffffff));
    store<u64>(p + odd, load<u64>(p + odd) + popcnt(v >> 32));
    return;
  }
  v = v - ((v >> 1) & M1);
  if (s <= 4) {
    store<u64>(p, load<u64>(p) + (v & M2));
    store<u64>(p + odd, load<u64>(p + odd) + ((v >> 2) & M2));
    return;
  }
  v = (v & M2) + ((v >> 2) & M2);
  v = (v + (v >> 4)) & M4;
  store<u64>(p, load<u64>(p) + v);
}

/** accumulate() over `n` words loaded from `src`, with the choice of lanes made once per row. */
function sumAlignedRow(src: usize, n: i32, s: i32, acc: usize, odd: usize): void {
  if (s >= 64) {
    for (let q = 0; q < n; q++) {
      const k = <usize>q << 3;
      store<u64>(acc + k, load<u64>(acc + k) + popcnt(load<u64>(src + k)));
    }
  } else if (s <= 4 && s > 1) {
    for (let q = 0; q < n; q++) {
      const k = <usize>q << 3;
      const v = load<u64>(src + k);
      if (v != 0) accumulate(v, 2, acc + k, odd);
    }
  } else if (s == 8 || s == 16) {
    for (let q = 0; q < n; q++) {
      const k = <usize>q << 3;
      const v = load<u64>(src + k);
      if (v != 0) accumulate(v, 8, acc + k, odd);
    }
  } else {
    for (let q = 0; q < n; q++) {
      const k = <usize>q << 3;
      const v = load<u64>(src + k);
      if (v != 0) accumulate(v, s, acc + k, odd);
    }
  }
}

/** Live cells of block b of the row's accumulators (the table at the top of this file). */
@inline function blockLive(b: i32, s: i32, acc: usize, odd: usize): u32 {
  if (s >= 64) {
    const n = s >> 6;
    const p = acc + (<usize>(b * n) << 3);
    let live: u64 = 0;
    for (let t = 0; t < n; t++) live += load<u64>(p + (<usize>t << 3));
    return <u32>live;
  }
  const perWord = 64 >> <i32>ctz(s);
  const p = acc + (<usize>(b >> <i32>ctz(perWord)) << 3);
  const k = <u64>(b & (perWord - 1));
  const e = load<u64>(p);
  const o = load<u64>(p + odd);
  if (s == 1) return <u32>((e >> k) & 1);
  if (s == 2) return <u32>((((k & 1) != 0 ? o : e) >> ((k >> 1) << 2)) & 15);
  if (s == 4) return <u32>(((e >> (k << 2)) & 15) + ((o >> (k << 2)) & 15));
  if (s == 8) return <u32>((e >> (k << 3)) & 255);
  if (s == 16) return <u32>(((e >> (k << 4)) & 255) + ((e >> ((k << 4) + 8)) & 255));
  return <u32>(k == 0 ? e : o);
}

@inline function level(live: u32, sparse: u32, busy: u32): u64 {
  // live ≤ cells / 16 exactly when live ≤ floor(cells / 16), and so for 1/4.
  return <u64>(<u32>(live > 0) + <u32>(live > sparse) + <u32>(live > busy));
}

/** The level of every lane of `c` at once (lanes of 2^laneShift bits, each count at most half the
 *  lane's range, so adding below its top bit cannot carry into the next lane): 0 … 3 per lane. */
@inline function laneLevels(c: u64, sparse: u32, busy: u32, ones: u64, laneShift: u64): u64 {
  const top = ones << ((<u64>1 << laneShift) - 1);
  const below = top - ones; // each lane: top bit − 1
  const above0 = ((c + below) & top) >> ((<u64>1 << laneShift) - 1);
  const above1 = ((c + below - <u64>sparse * ones) & top) >> ((<u64>1 << laneShift) - 1);
  const above2 = ((c + below - <u64>busy * ones) & top) >> ((<u64>1 << laneShift) - 1);
  return above0 + above1 + above2;
}

const NIBBLES: u64 = 0x1111111111111111;
const BYTES: u64 = 0x0101010101010101;
const HALVES: u64 = 0x0001000100010001;

/**
 * One accumulator word's blocks as packed 2-bit levels (64 / s cells, 128 / s bits), all full
 * blocks with the same thresholds, for s = 2, 4, 8, 16: the lanes are compared with the
 * thresholds together and the levels squeezed together with shifts.
 */
@inline function wordLevels(e: u64, o: u64, s: i32, sparse: u32, busy: u32): u64 {
  if (s == 2) {
    // Even pairs' counts are nibbles of e, odd pairs' of o: block 2k at bits 4k, 2k + 1 at 4k + 2.
    return laneLevels(e, sparse, busy, NIBBLES, 2) | (laneLevels(o, sparse, busy, NIBBLES, 2) << 2);
  }
  if (s == 4) {
    // Block b is nibble b of e plus nibble b of o; even blocks in the bytes' low halves, odd in the high.
    const even = laneLevels((e & M4) + (o & M4), sparse, busy, BYTES, 3);
    const odd = laneLevels(((e >> 4) & M4) + ((o >> 4) & M4), sparse, busy, BYTES, 3);
    let x = even | (odd << 2);
    x = (x | (x >> 4)) & M8;
    x = (x | (x >> 8)) & 0x0000ffff0000ffff;
    return (x | (x >> 16)) & 0xffffffff;
  }
  if (s == 8) {
    let x = laneLevels(e, sparse, busy, BYTES, 3);
    x = (x | (x >> 6)) & 0x000f000f000f000f;
    x = (x | (x >> 12)) & 0x000000ff000000ff;
    return (x | (x >> 24)) & 0xffff;
  }
  let x = laneLevels((e & M8) + ((e >> 8) & M8), sparse, busy, HALVES, 4);
  x = (x | (x >> 14)) & 0x0000000f0000000f;
  return (x | (x >> 28)) & 0xff;
}

/**
 * A zoomed-out view into io with 2 bits per output cell: the density level of the
 * scale × scale block at (x + i*scale, y + j*scale) (see the top of this file). `scale` is a
 * power of two from 1 to 256.
 */
export function readDensity(x: i32, y: i32, w: i32, h: i32, scale: i32): void {
  const s = scale;
  const log2s = <i32>ctz(s);
  const stride = <usize>((w + 3) >> 2);
  const outBytes = stride * <usize>h;
  // Only the blocks that meet the grid's columns are counted; the rest stay level 0.
  const iStart = x >= 0 ? 0 : min(w, (-x) >> log2s);
  const iEnd = width - x <= 0 ? 0 : min(w, (width - x + s - 1) >> log2s);
  const blocks = max(iEnd - iStart, 0);
  const base = x + iStart * s;
  const perWord = s >= 64 ? 1 : 64 >> log2s;
  const words = s >= 64 ? blocks * (s >> 6) : (blocks + perWord - 1) >> <i32>ctz(perWord);
  // The accumulators (two u64 per fetched word; the second used for s = 2, 4 and 32) sit in io
  // after the output, past the 8 bytes the output's last 64-bit store may touch.
  const accBytes = <usize>words << 3;
  const accOffset = (outBytes + 8 + 15) & ~(<usize>15);
  const io = ioReserve(accOffset + (accBytes << 1));
  const acc = io + accOffset;
  memory.fill(io, 0, outBytes);
  if (blocks == 0) return;
  const aligned = base >= 0 && (base & 63) == 0;
  const firstWord = base >> 6;
  const wordsInRow = aligned ? min(words, (columns << 1) - firstWord) : words;
  const packed = aligned && iStart == 0 && s >= 2 && s <= 16;
  // Blocks cut by the grid's left or right edge have fewer cells than s × rows.
  const cutFirst = base < 0;
  const cutLast = base + blocks * s > width;
  for (let j = 0; j < h; j++) {
    const gy0 = max(y + j * s, 0);
    const gy1 = min(y + (j + 1) * s, height);
    if (gy0 >= gy1) continue;
    memory.fill(acc, 0, accBytes << 1);
    for (let gy = gy0; gy < gy1; gy++) {
      const row = rowData(front, gy);
      if (aligned) {
        sumAlignedRow(row + (<usize>firstWord << 3), wordsInRow, s, acc, accBytes);
      } else {
        for (let q = 0; q < words; q++) {
          const v = fetch64(row, base + (q << 6));
          if (v != 0) accumulate(v, s, acc + (<usize>q << 3), accBytes);
        }
      }
    }
    const rows = <u32>(gy1 - gy0);
    const sparse = (<u32>s * rows) >> SPARSE_SHIFT;
    const busy = (<u32>s * rows) >> BUSY_SHIFT;
    const out = io + <usize>j * stride;
    if (packed) {
      // Whole accumulator words at a time; chunk q lands at bit 2 * 64/s * q of the row. The last
      // chunk drops the lanes past the row's blocks (cells of the grid the view does not cover).
      const chunkBytes = <usize>(16 >> log2s);
      for (let q = 0; q < words; q++) {
        const p = acc + (<usize>q << 3);
        let chunk = wordLevels(load<u64>(p), load<u64>(p + accBytes), s, sparse, busy);
        const left = blocks - q * perWord;
        if (left < perWord) chunk &= (<u64>1 << (<u64>left << 1)) - 1;
        const at = out + <usize>q * chunkBytes;
        if (s == 2) store<u64>(at, chunk);
        else if (s == 4) store<u32>(at, <u32>chunk);
        else if (s == 8) store<u16>(at, <u16>chunk);
        else store<u8>(at, <u8>chunk);
      }
    } else {
      // Block by block; the levels gather in `bits` and go out 32 cells at a time, ORed into the
      // zeroed row (the last store may reach past the row's end, with zeros there).
      let at = out + (<usize>(iStart >> 5) << 3);
      let shift = <u64>((iStart & 31) << 1);
      let bits: u64 = 0;
      for (let b = 0; b < blocks; b++) {
        bits |= level(blockLive(b, s, acc, accBytes), sparse, busy) << shift;
        shift += 2;
        if (shift == 64) {
          store<u64>(at, load<u64>(at) | bits);
          at += 8;
          bits = 0;
          shift = 0;
        }
      }
      if (shift != 0) store<u64>(at, load<u64>(at) | bits);
    }
    // The blocks cut by the grid's edges, again with their own cell counts.
    if (cutFirst) setEdgeLevel(out, iStart, blockLive(0, s, acc, accBytes), cutCells(base, s, rows));
    if (cutLast) setEdgeLevel(out, iStart + blocks - 1, blockLive(blocks - 1, s, acc, accBytes), cutCells(base + (blocks - 1) * s, s, rows));
  }
}

/** Cells inside the grid of the block whose left edge is grid column gx0. */
@inline function cutCells(gx0: i32, s: i32, rows: u32): u32 {
  return <u32>(min(gx0 + s, width) - max(gx0, 0)) * rows;
}

@inline function setEdgeLevel(out: usize, i: i32, live: u32, cells: u32): void {
  const p = out + <usize>(i >> 2);
  const shift = <u32>(i & 3) << 1;
  const value = <u32>level(live, cells >> SPARSE_SHIFT, cells >> BUSY_SHIFT);
  store<u8>(p, <u8>((<u32>load<u8>(p) & ~(3 << shift)) | (value << shift)));
}
