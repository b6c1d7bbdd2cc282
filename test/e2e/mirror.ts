/**
 * A client's copy of the grid, kept the way docs/protocol.md tells a client to keep it: a
 * KEYFRAME replaces the rectangle, DELTA tiles overwrite the cells they cover. At scale 1 a
 * scaled cell is one bit; above, the 2-bit density level of its block (alive = level above 0).
 * Tests (in workerd and in Node) read what a player would see from it. It runs in both runtimes,
 * so no Node APIs.
 */
import { Codec, TILE_SIZE, bitsPerCell, decodeRuns, keyframeBytes, tileBytes, type ServerMessage } from "../../common/protocol/index.ts";

export class GridMirror {
  generation = -1;
  scale = 1;
  x = 0;
  y = 0;
  width = 0;
  height = 0;
  #bits: Uint8Array = new Uint8Array(0);

  /** Applies a KEYFRAME or DELTA (RUNS or NONE payloads); other messages are ignored. */
  apply(m: ServerMessage): void {
    if (m.type === "keyframe") {
      const raw = decodeSync(m.codec, m.payload, keyframeBytes(m.width, m.height, m.scale));
      Object.assign(this, { scale: m.scale, x: m.x, y: m.y, width: m.width, height: m.height, generation: m.generation });
      this.#bits = raw;
    } else if (m.type === "delta") {
      if (m.scale !== this.scale) return;
      const bits = bitsPerCell(m.scale);
      for (const tile of m.tiles) {
        const raw = decodeSync(tile.codec, tile.payload, tileBytes(m.scale));
        for (let r = 0; r < TILE_SIZE; r++) {
          for (let c = 0; c < TILE_SIZE; c++) {
            const value = (raw[(r * TILE_SIZE * bits) / 8 + ((c * bits) >> 3)] >> ((c * bits) & 7)) & ((1 << bits) - 1);
            this.#set(tile.tx * TILE_SIZE + c - this.x, tile.ty * TILE_SIZE + r - this.y, value);
          }
        }
      }
      this.generation = m.generation;
    }
  }

  /** Scaled cell (i, j) of the rectangle, `bitsPerCell(scale)` bits: its byte, shift and mask. */
  #at(i: number, j: number): [number, number, number] {
    const bits = bitsPerCell(this.scale);
    return [j * keyframeBytes(this.width, 1, this.scale) + ((i * bits) >> 3), (i * bits) & 7, (1 << bits) - 1];
  }

  #set(i: number, j: number, value: number): void {
    if (i < 0 || j < 0 || i >= this.width || j >= this.height) return;
    const [k, shift, mask] = this.#at(i, j);
    this.#bits[k] = (this.#bits[k] & ~(mask << shift)) | (value << shift);
  }

  /** Scaled cell (i, j) of the whole scaled grid: 0 or 1 at scale 1, its block's density level
   *  0 … 3 above (0 outside the rectangle). */
  level(i: number, j: number): number {
    const a = i - this.x;
    const b = j - this.y;
    if (a < 0 || b < 0 || a >= this.width || b >= this.height) return 0;
    const [k, shift, mask] = this.#at(a, b);
    return (this.#bits[k] >> shift) & mask;
  }

  /** Whether scaled cell (i, j) of the whole scaled grid is alive (false outside the rectangle). */
  get(i: number, j: number): boolean {
    return this.level(i, j) > 0;
  }

  /** Live scaled cells as "x,y" strings, sorted: easy to compare in a test. */
  cells(): string[] {
    const out: string[] = [];
    for (let b = 0; b < this.height; b++) for (let a = 0; a < this.width; a++) if (this.get(this.x + a, this.y + b)) out.push(`${this.x + a},${this.y + b}`);
    return out.sort();
  }
}

function decodeSync(codec: number, payload: Uint8Array, length: number): Uint8Array {
  const raw = codec === Codec.RUNS ? decodeRuns(payload, length) : codec === Codec.NONE && payload.length === length ? payload.slice() : null;
  if (raw === null) throw new Error(`undecodable payload (codec ${codec})`);
  return raw;
}
