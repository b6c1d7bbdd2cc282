/**
 * A client's copy of the grid, kept the way docs/protocol.md tells a client to keep it: a
 * KEYFRAME replaces the rectangle, DELTA tiles overwrite the cells they cover. Tests (in workerd
 * and in Node) read what a player would see from it. It runs in both runtimes, so no Node APIs.
 */
import { Codec, TILE_SIZE, decodeRuns, keyframeBytes, type ServerMessage } from "../../common/protocol/index.ts";

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
      const raw = decodeSync(m.codec, m.payload, keyframeBytes(m.width, m.height));
      Object.assign(this, { scale: m.scale, x: m.x, y: m.y, width: m.width, height: m.height, generation: m.generation });
      this.#bits = raw;
    } else if (m.type === "delta") {
      if (m.scale !== this.scale) return;
      for (const tile of m.tiles) {
        const raw = decodeSync(tile.codec, tile.payload, (TILE_SIZE * TILE_SIZE) / 8);
        for (let r = 0; r < TILE_SIZE; r++) {
          for (let c = 0; c < TILE_SIZE; c++) {
            const alive = ((raw[r * 8 + (c >> 3)] >> (c & 7)) & 1) === 1;
            this.#set(tile.tx * TILE_SIZE + c - this.x, tile.ty * TILE_SIZE + r - this.y, alive);
          }
        }
      }
      this.generation = m.generation;
    }
  }

  #set(i: number, j: number, alive: boolean): void {
    if (i < 0 || j < 0 || i >= this.width || j >= this.height) return;
    const k = j * ((this.width + 7) >> 3) + (i >> 3);
    if (alive) this.#bits[k] |= 1 << (i & 7);
    else this.#bits[k] &= ~(1 << (i & 7));
  }

  /** Whether scaled cell (i, j) of the whole scaled grid is alive (false outside the rectangle). */
  get(i: number, j: number): boolean {
    const a = i - this.x;
    const b = j - this.y;
    if (a < 0 || b < 0 || a >= this.width || b >= this.height) return false;
    return ((this.#bits[b * ((this.width + 7) >> 3) + (a >> 3)] >> (a & 7)) & 1) === 1;
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
