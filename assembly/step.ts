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
import {
  D1, D2, D4, D6, D8, DX23, DX45, DX67, K0, K2, K4, K6, K8, K9, KX01, KX23, KX45, KX67, LEAVES, LEAVES_WIDE, isLife,
} from "./rules";
import {
  back, changeMap, columnDiffs, columns, front, height, pitch, prepareGhosts, swapBuffers, TILE_SHIFT, sumRing, tilesX, width, wordMask,
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

/** Word `index` of the rule's table (rules.ts). */
@inline function leaf<W>(index: i32): W {
  if (isVector<W>()) return v128.load(LEAVES_WIDE + (<usize>index << 4));
  // @ts-ignore: u64
  else return load<u64>(LEAVES + (<usize>index << 3));
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
 * Adds three rows' 3-cell sums (each a 2-bit number: sum + 2 * carry) into the block count
 * T = b3 b2 b1 b0, then applies the rule. `leaves` are the rule's words (rules.ts), loaded
 * into locals once per column: held that way the engine keeps them in registers or stack
 * slots instead of reloading and spilling them on every word.
 */
@inline function nextState<W>(
  sumA: W, carryA: W, sumB: W, carryB: W, sumC: W, carryC: W, centre: W, generic: bool,
  k0: W, kx01: W, d1: W, k2: W, d2: W, kx23: W, dx23: W, k4: W, d4: W,
  kx45: W, dx45: W, k6: W, d6: W, kx67: W, dx67: W, k8: W, d8: W, k9: W,
): W {
  const ones = xor<W>(sumA, sumB);
  const b0 = xor<W>(ones, sumC);
  const onesCarry = or<W>(and<W>(sumA, sumB), and<W>(ones, sumC));
  const twos = xor<W>(carryA, carryB);
  const twosSum = xor<W>(twos, carryC);
  const fours = or<W>(and<W>(carryA, carryB), and<W>(twos, carryC));
  const b1 = xor<W>(twosSum, onesCarry);
  const foursCarry = and<W>(twosSum, onesCarry);
  const b2 = xor<W>(fours, foursCarry);
  if (!generic) {
    // Life: born with T = 3, survives with T = 3 or 4 (2 or 3 neighbours besides itself).
    // T ≥ 8 sets b3 and clears b2, so "b2 or b3" is simply fours | foursCarry.
    const high = or<W>(fours, foursCarry);
    const three = andNot<W>(and<W>(b0, b1), high);
    const four = andNot<W>(and<W>(centre, b2), or<W>(b0, b1));
    return or<W>(three, four);
  }
  const b3 = and<W>(fours, foursCarry);
  // Any rule: leaf T is K[T] ^ (centre & D[T]). Each pair of leaves (T even, T odd) is picked
  // by b0 as leaf_even ^ (b0 & (leaf_even ^ leaf_odd)), the XOR of the pair's constants being
  // precomputed (KX, DX); then b1, b2 and b3 select among the pairs. T = 9 only has b3 b0.
  const leaf2 = xor<W>(k2, and<W>(centre, d2));
  const leaf4 = xor<W>(k4, and<W>(centre, d4));
  const leaf6 = xor<W>(k6, and<W>(centre, d6));
  const leaf8 = xor<W>(k8, and<W>(centre, d8));
  const t01 = xor<W>(k0, and<W>(b0, xor<W>(kx01, and<W>(centre, d1))));
  const t23 = xor<W>(leaf2, and<W>(b0, xor<W>(kx23, and<W>(centre, dx23))));
  const t45 = xor<W>(leaf4, and<W>(b0, xor<W>(kx45, and<W>(centre, dx45))));
  const t67 = xor<W>(leaf6, and<W>(b0, xor<W>(kx67, and<W>(centre, dx67))));
  const t89 = xor<W>(leaf8, and<W>(b0, xor<W>(leaf8, k9)));
  const t03 = select<W>(b1, t23, t01);
  const t47 = select<W>(b1, t67, t45);
  return select<W>(b3, t89, select<W>(b2, t47, t03));
}

/** One row's horizontal 3-cell sums at `p`: west + centre + east as sum + 2 * carry. */
@inline function rowSum<W>(p: usize, ringAt: usize): void {
  const centre = load<W>(p);
  const w = west<W>(centre, load<W>(p - 8));
  const e = east<W>(centre, load<W>(p + 8));
  const u = xor<W>(w, e);
  store<W>(ringAt, xor<W>(u, centre));
  store<W>(ringAt + sizeof<W>(), or<W>(and<W>(w, e), and<W>(u, centre)));
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

/**
 * Output word j of row y. `generic` and `masked` are constants at each call site, so each
 * inlined copy keeps only its own branches; only the last column or two are masked.
 */
@inline function cell<W>(
  j: i32, below: usize, here: usize, out: usize, ring: usize, diffs: usize, aboveSlot: usize, hereSlot: usize,
  generic: bool, masked: bool,
  k0: W, kx01: W, d1: W, k2: W, d2: W, kx23: W, dx23: W, k4: W, d4: W,
  kx45: W, dx45: W, k6: W, d6: W, kx67: W, dx67: W, k8: W, d8: W, k9: W,
): void {
  const size = <usize>sizeof<W>();
  const at = <usize>j * size;
  const slots = ring + <usize>j * (size << 2);
  const sumA = load<W>(slots + aboveSlot), carryA = load<W>(slots + aboveSlot + size);
  const sumB = load<W>(slots + hereSlot), carryB = load<W>(slots + hereSlot + size);
  rowSum<W>(below + at, slots + aboveSlot);
  const sumC = load<W>(slots + aboveSlot), carryC = load<W>(slots + aboveSlot + size);
  const centre = load<W>(here + at);
  let next = nextState<W>(
    sumA, carryA, sumB, carryB, sumC, carryC, centre, generic,
    k0, kx01, d1, k2, d2, kx23, dx23, k4, d4, kx45, dx45, k6, d6, kx67, dx67, k8, d8, k9,
  );
  let old = centre;
  if (masked) {
    const mask = columnMask<W>(j);
    next = and<W>(next, mask);
    old = and<W>(old, mask);
  }
  store<W>(out + at, next);
  store<W>(diffs + at, or<W>(load<W>(diffs + at), xor<W>(next, old)));
}

/**
 * One generation, front → back, row by row. Each row's 3-cell sums are computed once, when
 * the row first enters the 3-row window, and kept in a two-row ring per column
 *
 *   ring + j * 4W:  [ sum | carry ]  slot 0   [ sum | carry ]  slot 1      (row r in slot (r+1) & 1)
 *
 * so producing output row y reads row y+1 from the grid, rows y-1 and y from the ring, and
 * replaces row y-1 with row y+1. Rows are walked in address order, which the hardware
 * prefetcher follows at any width; the per-column change bits gather in `diffs` for 64 rows.
 */
@inline function generation<W>(generic: bool): i32 {
  const size = <usize>sizeof<W>();
  const count = (columns << 4) / <i32>size;
  // Columns from here on hold cells at or past W (only the last one or two).
  const firstMasked = min(width / columnBits<W>(), count);
  const src = front + 16, dst = back + 16;
  const ring = sumRing, diffs = columnDiffs;
  for (let j = 0; j < count; j++) {
    rowSum<W>(src + <usize>j * size, ring + <usize>j * (size << 2)); // row -1 → slot 0
    rowSum<W>(src + pitch + <usize>j * size, ring + <usize>j * (size << 2) + (size << 1)); // row 0 → slot 1
  }
  memory.fill(diffs, 0, <usize>count * size);

  const zero = splat<W>(0);
  const k0 = generic ? leaf<W>(K0) : zero, kx01 = generic ? leaf<W>(KX01) : zero, d1 = generic ? leaf<W>(D1) : zero;
  const k2 = generic ? leaf<W>(K2) : zero, d2 = generic ? leaf<W>(D2) : zero;
  const kx23 = generic ? leaf<W>(KX23) : zero, dx23 = generic ? leaf<W>(DX23) : zero;
  const k4 = generic ? leaf<W>(K4) : zero, d4 = generic ? leaf<W>(D4) : zero;
  const kx45 = generic ? leaf<W>(KX45) : zero, dx45 = generic ? leaf<W>(DX45) : zero;
  const k6 = generic ? leaf<W>(K6) : zero, d6 = generic ? leaf<W>(D6) : zero;
  const kx67 = generic ? leaf<W>(KX67) : zero, dx67 = generic ? leaf<W>(DX67) : zero;
  const k8 = generic ? leaf<W>(K8) : zero, d8 = generic ? leaf<W>(D8) : zero, k9 = generic ? leaf<W>(K9) : zero;

  let changed = 0;
  for (let y = 0; y < height; y++) {
    const below = src + <usize>(y + 2) * pitch; // row y + 1
    const here = src + <usize>(y + 1) * pitch; // row y
    const out = dst + <usize>(y + 1) * pitch;
    const aboveSlot = <usize>(y & 1) * (size << 1); // row y - 1, to be replaced by row y + 1
    const hereSlot = <usize>((y + 1) & 1) * (size << 1);
    for (let j = 0; j < firstMasked; j++) {
      cell<W>(j, below, here, out, ring, diffs, aboveSlot, hereSlot, generic, false,
        k0, kx01, d1, k2, d2, kx23, dx23, k4, d4, kx45, dx45, k6, d6, kx67, dx67, k8, d8, k9);
    }
    for (let j = firstMasked; j < count; j++) {
      cell<W>(j, below, here, out, ring, diffs, aboveSlot, hereSlot, generic, true,
        k0, kx01, d1, k2, d2, kx23, dx23, k4, d4, kx45, dx45, k6, d6, kx67, dx67, k8, d8, k9);
    }
    if ((y & 63) == 63 || y == height - 1) {
      const ty = y >> TILE_SHIFT;
      for (let j = 0; j < count; j++) changed += markColumn<W>(load<W>(diffs + <usize>j * size), j, ty);
      memory.fill(diffs, 0, <usize>count * size);
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
