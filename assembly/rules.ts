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
 * as K[T] ^ (C & D[T]) with all-zero or all-one words — no per-cell lookup. The table also
 * holds the XOR of neighbouring leaves' constants (KX, DX), which the kernel's first
 * multiplexer level uses directly.
 *
 *   index: 0  1    2  3  4  5    6  7    8     9     10  11  12    13    14  15    16    17
 *   word:  K0 KX01 D1 K2 D2 KX23 DX23 K4 D4 KX45 DX45 K6  D6  KX67  DX67  K8  D8   K9
 */
export const K0 = 0, KX01 = 1, D1 = 2, K2 = 3, D2 = 4, KX23 = 5, DX23 = 6, K4 = 7, D4 = 8;
export const KX45 = 9, DX45 = 10, K6 = 11, D6 = 12, KX67 = 13, DX67 = 14, K8 = 15, D8 = 16, K9 = 17;
const COUNT = 18;

/** The table as u64 words (scalar kernel) and as v128 words, each u64 twice (SIMD kernel). */
export const LEAVES: usize = memory.data(COUNT * 8, 16);
export const LEAVES_WIDE: usize = memory.data(COUNT * 16, 16);

export const LIFE_BIRTH: u32 = 1 << 3;
export const LIFE_SURVIVE: u32 = (1 << 2) | (1 << 3);

export let isLife: bool = true;

function put(index: i32, flag: bool): void {
  const word: u64 = flag ? ~(<u64>0) : 0;
  store<u64>(LEAVES + (<usize>index << 3), word);
  store<u64>(LEAVES_WIDE + (<usize>index << 4), word);
  store<u64>(LEAVES_WIDE + (<usize>index << 4) + 8, word);
}

@inline function bit(bits: u32, t: u32): bool {
  return ((bits >> t) & 1) != 0;
}

export function setRule(birth: u32, survive: u32): void {
  isLife = birth == LIFE_BIRTH && survive == LIFE_SURVIVE;
  let kBits: u32 = 0, dBits: u32 = 0;
  for (let t: u32 = 0; t <= 9; t++) {
    const dead = t <= 8 && ((birth >> t) & 1) != 0;
    const live = t >= 1 && ((survive >> (t - 1)) & 1) != 0;
    // Impossible cases (a dead cell in a full block, a live one in an empty block) take the
    // other state's answer so the leaf is a constant there.
    if (t == 9 ? live : dead) kBits |= 1 << t;
    if (t != 0 && t != 9 && dead != live) dBits |= 1 << t;
  }
  put(K0, bit(kBits, 0)); put(KX01, bit(kBits, 0) != bit(kBits, 1)); put(D1, bit(dBits, 1));
  put(K2, bit(kBits, 2)); put(D2, bit(dBits, 2)); put(KX23, bit(kBits, 2) != bit(kBits, 3)); put(DX23, bit(dBits, 2) != bit(dBits, 3));
  put(K4, bit(kBits, 4)); put(D4, bit(dBits, 4)); put(KX45, bit(kBits, 4) != bit(kBits, 5)); put(DX45, bit(dBits, 4) != bit(dBits, 5));
  put(K6, bit(kBits, 6)); put(D6, bit(dBits, 6)); put(KX67, bit(kBits, 6) != bit(kBits, 7)); put(DX67, bit(dBits, 6) != bit(dBits, 7));
  put(K8, bit(kBits, 8)); put(D8, bit(dBits, 8)); put(K9, bit(kBits, 9));
}
