/**
 * A B/S rule as constants for the bit-parallel kernels.
 *
 * The kernels count T = the live cells in the 3×3 block around a cell, centre included
 * (0..9), because summing three rows' 3-cell sums is cheaper than excluding the centre.
 * With C the cell itself, its neighbour count is T - C, so the next state is
 *
 *   C = 0:  alive iff birth has T         (T = 9 cannot happen)
 *   C = 1:  alive iff survive has T - 1   (T = 0 cannot happen)
 *
 * For each T the answer as a function of C is one of 0, 1, C, !C, which the kernel computes
 * as LEAF_K[T] ^ (C & LEAF_D[T]) with all-zero or all-one words — no per-cell lookup.
 */

/** LEAF_K[T]: the next state of a dead cell (C = 0) whose block holds T live cells. */
export const LEAF_K: usize = memory.data(10 * 8, 16);
/** LEAF_D[T]: where a live cell's next state differs from a dead cell's, for the same T. */
export const LEAF_D: usize = memory.data(10 * 8, 16);

export const LIFE_BIRTH: u32 = 1 << 3;
export const LIFE_SURVIVE: u32 = (1 << 2) | (1 << 3);

export let isLife: bool = true;

@inline function word(flag: bool): u64 {
  return flag ? ~(<u64>0) : 0;
}

export function setRule(birth: u32, survive: u32): void {
  isLife = birth == LIFE_BIRTH && survive == LIFE_SURVIVE;
  for (let t: u32 = 0; t <= 9; t++) {
    const dead = t <= 8 && ((birth >> t) & 1) != 0;
    const live = t >= 1 && ((survive >> (t - 1)) & 1) != 0;
    // Impossible cases (a dead cell in a full block, a live one in an empty block) take the
    // other state's answer so the leaf is a constant there.
    const k = t == 9 ? live : dead;
    const d = t == 0 || t == 9 ? false : dead != live;
    store<u64>(LEAF_K + (<usize>t << 3), word(k));
    store<u64>(LEAF_D + (<usize>t << 3), word(d));
  }
}
