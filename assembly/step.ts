/**
 * The bit-parallel kernels. One source, two builds: every helper below is generic over the
 * word type W, instantiated as v128 (128 cells per operation) when the module is built with
 * SIMD and as u64 (64 cells) otherwise. Both run the same boolean circuit, so they agree bit
 * for bit.
 *
 * Per output word the work is:
 *   1. the 3-cell horizontal sum of one new row (west, centre, east → 2-bit sum s, c),
 *   2. the sum of three rows' 2-bit sums → T in 0..9 as bits b3 b2 b1 b0,
 *   3. the rule on (C, T).
 * Step 1 is done once per row and carried down the column for the two rows below it, so the
 * grid is walked column by column inside bands of 64 rows (one change-map tile high, and
 * small enough that a band's rows stay in L1/L2 between neighbouring columns).
 */
import { LEAF_D, LEAF_K, isLife } from "./rules";
import {
  back, changeMap, columns, front, height, pitch, prepareGhosts, swapBuffers, TILE_SHIFT, tilesX, width, wordMask,
} from "./grid";

@inline function and<W>(a: W, b: W): W {
  if (isVector<W>()) return v128.and(a, b);
  // @ts-ignore: u64
  else return a & b;
}
@inline function or<W>(a: W, b: W): W {
  if (isVector<W>()) return v128.or(a, b);
  // @ts-ignore: u64
  else return a | b;
}
@inline function xor<W>(a: W, b: W): W {
  if (isVector<W>()) return v128.xor(a, b);
  // @ts-ignore: u64
  else return a ^ b;
}
/** a & ~b */
@inline function andNot<W>(a: W, b: W): W {
  if (isVector<W>()) return v128.andnot(a, b);
  // @ts-ignore: u64
  else return a & ~b;
}
/** c ? a : b, bit by bit. */
@inline function select<W>(c: W, a: W, b: W): W {
  if (isVector<W>()) return v128.bitselect(a, b, c);
  // @ts-ignore: u64
  else return b ^ ((a ^ b) & c);
}
/** Each cell's west neighbour: shift toward higher x, carrying bit 63 of the word before. */
@inline function west<W>(centre: W, before: W): W {
  if (isVector<W>()) return v128.or(i64x2.shl(centre, 1), i64x2.shr_u(before, 63));
  // @ts-ignore: u64
  else return (centre << 1) | (before >> 63);
}
/** Each cell's east neighbour: shift toward lower x, carrying bit 0 of the word after. */
@inline function east<W>(centre: W, after: W): W {
  if (isVector<W>()) return v128.or(i64x2.shr_u(centre, 1), i64x2.shl(after, 63));
  // @ts-ignore: u64
  else return (centre >> 1) | (after << 63);
}
@inline function splat<W>(value: u64): W {
  if (isVector<W>()) return i64x2.splat(value);
  // @ts-ignore: u64
  else return value;
}

/** Bits of a column: 128 for v128, 64 for u64. */
@inline function columnBits<W>(): i32 {
  return <i32>sizeof<W>() << 3;
}

@inline function columnMask<W>(j: i32): W {
  if (isVector<W>()) return i64x2(wordMask(j << 1), wordMask((j << 1) + 1));
  // @ts-ignore: u64
  else return wordMask(j);
}

/**
 * Steps one column (one word wide) of one band of rows [y0, y1); returns the OR of
 * (new ^ old) over the band, i.e. which 64-cell tile columns changed. `generic` and `masked`
 * are constants at each call site, so each inlined copy keeps only its own branch.
 */
@inline function stepColumn<W>(src: usize, dst: usize, y0: i32, y1: i32, generic: bool, masked: bool, mask: W): W {
  // Row r of a buffer starts at (r + 1) * pitch; src/dst already point at this column's word.
  let p = src + <usize>y0 * pitch; // row y0 - 1
  let centre = load<W>(p);
  let w = west<W>(centre, load<W>(p - 8));
  let e = east<W>(centre, load<W>(p + 8));
  let u = xor<W>(w, e);
  let sumA = xor<W>(u, centre);
  let carryA = or<W>(and<W>(w, e), and<W>(u, centre));
  p += pitch; // row y0
  let centreB = load<W>(p);
  w = west<W>(centreB, load<W>(p - 8));
  e = east<W>(centreB, load<W>(p + 8));
  u = xor<W>(w, e);
  let sumB = xor<W>(u, centreB);
  let carryB = or<W>(and<W>(w, e), and<W>(u, centreB));

  let k0 = splat<W>(0), k1 = k0, k2 = k0, k3 = k0, k4 = k0, k5 = k0, k6 = k0, k7 = k0, k8 = k0, k9 = k0;
  let d1 = k0, d2 = k0, d3 = k0, d4 = k0, d5 = k0, d6 = k0, d7 = k0, d8 = k0;
  if (generic) {
    k0 = splat<W>(load<u64>(LEAF_K, 0)); k1 = splat<W>(load<u64>(LEAF_K, 8));
    k2 = splat<W>(load<u64>(LEAF_K, 16)); k3 = splat<W>(load<u64>(LEAF_K, 24));
    k4 = splat<W>(load<u64>(LEAF_K, 32)); k5 = splat<W>(load<u64>(LEAF_K, 40));
    k6 = splat<W>(load<u64>(LEAF_K, 48)); k7 = splat<W>(load<u64>(LEAF_K, 56));
    k8 = splat<W>(load<u64>(LEAF_K, 64)); k9 = splat<W>(load<u64>(LEAF_K, 72));
    d1 = splat<W>(load<u64>(LEAF_D, 8)); d2 = splat<W>(load<u64>(LEAF_D, 16));
    d3 = splat<W>(load<u64>(LEAF_D, 24)); d4 = splat<W>(load<u64>(LEAF_D, 32));
    d5 = splat<W>(load<u64>(LEAF_D, 40)); d6 = splat<W>(load<u64>(LEAF_D, 48));
    d7 = splat<W>(load<u64>(LEAF_D, 56)); d8 = splat<W>(load<u64>(LEAF_D, 64));
  }

  let q = dst + <usize>(y0 + 1) * pitch; // output row y0
  let diff = splat<W>(0);
  for (let y = y0; y < y1; y++) {
    p += pitch; // row y + 1
    const centreC = load<W>(p);
    w = west<W>(centreC, load<W>(p - 8));
    e = east<W>(centreC, load<W>(p + 8));
    u = xor<W>(w, e);
    const sumC = xor<W>(u, centreC);
    const carryC = or<W>(and<W>(w, e), and<W>(u, centreC));

    // T = (sumA + sumB + sumC) + 2 * (carryA + carryB + carryC), as b3 b2 b1 b0.
    const ones = xor<W>(sumA, sumB);
    const b0 = xor<W>(ones, sumC);
    const onesCarry = or<W>(and<W>(sumA, sumB), and<W>(ones, sumC));
    const twos = xor<W>(carryA, carryB);
    const twosSum = xor<W>(twos, carryC);
    const fours = or<W>(and<W>(carryA, carryB), and<W>(twos, carryC));
    const b1 = xor<W>(twosSum, onesCarry);
    const foursCarry = and<W>(twosSum, onesCarry);

    let next: W;
    if (generic) {
      const b2 = xor<W>(fours, foursCarry);
      const b3 = and<W>(fours, foursCarry);
      // Leaves: the answer for each T as a function of the centre cell, then a multiplexer
      // tree on b0, b1, b2, b3 picks the leaf of each cell's T.
      const leaf1 = xor<W>(k1, and<W>(centreB, d1));
      const leaf2 = xor<W>(k2, and<W>(centreB, d2));
      const leaf3 = xor<W>(k3, and<W>(centreB, d3));
      const leaf4 = xor<W>(k4, and<W>(centreB, d4));
      const leaf5 = xor<W>(k5, and<W>(centreB, d5));
      const leaf6 = xor<W>(k6, and<W>(centreB, d6));
      const leaf7 = xor<W>(k7, and<W>(centreB, d7));
      const leaf8 = xor<W>(k8, and<W>(centreB, d8));
      const t01 = select<W>(b0, leaf1, k0);
      const t23 = select<W>(b0, leaf3, leaf2);
      const t45 = select<W>(b0, leaf5, leaf4);
      const t67 = select<W>(b0, leaf7, leaf6);
      const t89 = select<W>(b0, k9, leaf8);
      const t03 = select<W>(b1, t23, t01);
      const t47 = select<W>(b1, t67, t45);
      next = select<W>(b3, t89, select<W>(b2, t47, t03));
    } else {
      // Life: born with T = 3, survives with T = 3 or 4 (2 or 3 neighbours besides itself).
      // T ≥ 8 sets b3 and clears b2, so "b2 or b3" is simply fours | foursCarry.
      const b2 = xor<W>(fours, foursCarry);
      const high = or<W>(fours, foursCarry);
      const three = andNot<W>(and<W>(b0, b1), high);
      const four = andNot<W>(and<W>(centreB, b2), or<W>(b0, b1));
      next = or<W>(three, four);
    }
    if (masked) {
      next = and<W>(next, mask);
      diff = or<W>(diff, xor<W>(next, and<W>(centreB, mask)));
    } else {
      diff = or<W>(diff, xor<W>(next, centreB));
    }
    store<W>(q, next);
    q += pitch;
    sumA = sumB; carryA = carryB;
    sumB = sumC; carryB = carryC; centreB = centreC;
  }
  return diff;
}

/** Marks the change-map tiles of column j in tile row ty where diff has bits; returns how many. */
@inline function markColumn<W>(diff: W, j: i32, ty: i32): i32 {
  const rowBase = changeMap + <usize>(ty * tilesX);
  let changed = 0;
  if (isVector<W>()) {
    if (i64x2.extract_lane(diff, 0) != 0) {
      store<u8>(rowBase + <usize>(j << 1), 1);
      changed++;
    }
    if (i64x2.extract_lane(diff, 1) != 0 && (j << 1) + 1 < tilesX) {
      store<u8>(rowBase + <usize>((j << 1) + 1), 1);
      changed++;
    }
  } else {
    // @ts-ignore: u64
    if (diff != 0) {
      store<u8>(rowBase + <usize>j, 1);
      changed++;
    }
  }
  return changed;
}

@inline function generation<W>(generic: bool): i32 {
  const size = sizeof<W>();
  const count = (columns << 4) / <i32>size;
  // Columns from here on hold cells at or past W (only the last one or two).
  const firstMasked = min(width / columnBits<W>(), count);
  const src = front + 16, dst = back + 16;
  let changed = 0;
  for (let y0 = 0; y0 < height; y0 += 1 << TILE_SHIFT) {
    const y1 = min(y0 + (1 << TILE_SHIFT), height);
    const ty = y0 >> TILE_SHIFT;
    for (let j = 0; j < firstMasked; j++) {
      const at = <usize>j * size;
      changed += markColumn<W>(stepColumn<W>(src + at, dst + at, y0, y1, generic, false, splat<W>(0)), j, ty);
    }
    for (let j = firstMasked; j < count; j++) {
      const at = <usize>j * size;
      changed += markColumn<W>(stepColumn<W>(src + at, dst + at, y0, y1, generic, true, columnMask<W>(j)), j, ty);
    }
  }
  return changed;
}

function generationLife<W>(): i32 {
  return generation<W>(false);
}

function generationGeneric<W>(): i32 {
  return generation<W>(true);
}

/**
 * Advances n generations; returns how many tiles changed in the last one. Every tile changed
 * along the way is marked in the change map.
 */
export function step(n: i32): i32 {
  let changed = 0;
  for (let g = 0; g < n; g++) {
    prepareGhosts(front);
    if (ASC_FEATURE_SIMD) changed = isLife ? generationLife<v128>() : generationGeneric<v128>();
    else changed = isLife ? generationLife<u64>() : generationGeneric<u64>();
    swapBuffers();
  }
  return changed;
}
