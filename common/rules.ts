/**
 * A Life-like (outer-totalistic Moore) rule: bit n of `birth` is set when a dead cell with n
 * live neighbours is born; bit n of `survive` when a live cell with n live neighbours stays
 * alive. n is 0..8, so each mask is 9 bits and there are 2^18 rules.
 */
export interface Rule {
  readonly birth: number;
  readonly survive: number;
}

export type Topology = "torus" | "plane";

export const LIFE: Rule = { birth: 1 << 3, survive: (1 << 2) | (1 << 3) };
