/**
 * What the client knows of the grid: the one rectangle the server keeps it up to date on (the
 * latest KEYFRAME, patched by DELTA tiles — or, at scale 1, stepped by the page's own engine
 * under STEP frames, see common/lockstep/), held directly as pixels. The player's own edits
 * that the server has not confirmed yet are kept apart (pending-edits.ts).
 *
 * The rectangle is in *scaled cells* (one per s×s block of grid cells, s a power of two; see
 * docs/protocol.md). Its pixels live in an offscreen canvas, one pixel per scaled cell, so
 * drawing a frame is a single scaled drawImage, whatever the zoom: bits are turned into pixels
 * only when a frame arrives, and only for the tiles that changed. At scale 1 a pixel is a cell,
 * in the live colour or transparent; at a coarser scale the frames carry each block's density
 * level (common/density.ts), drawn as shades of the live colour (palette.ts levelColours), so a
 * soup, its settled ash and a lone spaceship look different at every zoom.
 */
import { TILE_SIZE, bitsPerCell, keyframeBytes } from "../common/protocol/index.ts";
import { levelColours } from "./palette.ts";

export class KnownRegion {
  readonly canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  readonly #image: ImageData;
  readonly #pixels: Uint32Array;
  /** Bits per scaled cell (1 at scale 1, 2 above), and the pixel word of each value: a cell's
   *  bit, or a block's density level. */
  readonly #bits: number;
  readonly #colours: Uint32Array;
  #dirtyX0 = Infinity;
  #dirtyY0 = Infinity;
  #dirtyX1 = -Infinity;
  #dirtyY1 = -Infinity;
  generation: number;

  /**
   * @param scale grid cells per scaled cell on each side
   * @param x,y,width,height the rectangle in scaled cells
   * @param raw the KEYFRAME's decoded payload: packed cells at scale 1, ceil(width/8) bytes per
   *   row; density levels above, ceil(width/4) bytes per row (keyframeBytes)
   * @param alive the live-cell colour as a little-endian RGBA word (see packColour in palette.ts)
   */
  constructor(
    readonly scale: number,
    readonly x: number,
    readonly y: number,
    readonly width: number,
    readonly height: number,
    generation: number,
    raw: Uint8Array,
    alive: number,
  ) {
    this.generation = generation;
    this.#bits = bitsPerCell(scale);
    this.#colours = this.#bits === 1 ? Uint32Array.of(0, alive) : levelColours(alive);
    this.canvas = document.createElement("canvas");
    this.canvas.width = Math.max(1, width);
    this.canvas.height = Math.max(1, height);
    const context = this.canvas.getContext("2d");
    if (!context) throw new Error("no 2D canvas context");
    this.#context = context;
    this.#image = context.createImageData(this.canvas.width, this.canvas.height);
    this.#pixels = new Uint32Array(this.#image.data.buffer);
    const stride = keyframeBytes(width, 1, scale);
    const perByte = 8 / this.#bits;
    const mask = (1 << this.#bits) - 1;
    for (let row = 0; row < height; row++) {
      const rowBytes = row * stride;
      const rowPixels = row * width;
      for (let b = 0; b < stride; b++) {
        const byte = raw[rowBytes + b];
        if (byte === 0) continue; // the image starts transparent (dead, level 0)
        const base = rowPixels + b * perByte;
        const end = Math.min(perByte, width - b * perByte);
        for (let k = 0; k < end; k++) this.#pixels[base + k] = this.#colours[(byte >>> (k * this.#bits)) & mask];
      }
    }
    this.#markDirty(0, 0, width, height);
  }

  /** Copies the part of one 64×64 tile (whole contents, as a DELTA of this region's scale carries
   *  it: tileBytes(scale) packed) that lies inside. */
  applyTile(tx: number, ty: number, raw: Uint8Array): void {
    this.applyBlock(tx * TILE_SIZE, ty * TILE_SIZE, raw);
  }

  /** The same for a 64×64 block whose top-left scaled cell is (left, top): also the page's own
   *  engine's changed blocks at scale 1 (`TILE_BYTES` packed). */
  applyBlock(left: number, top: number, raw: Uint8Array): void {
    const x0 = Math.max(left, this.x);
    const y0 = Math.max(top, this.y);
    const x1 = Math.min(left + TILE_SIZE, this.x + this.width);
    const y1 = Math.min(top + TILE_SIZE, this.y + this.height);
    if (x0 >= x1 || y0 >= y1) return;
    const pixels = this.#pixels;
    const colours = this.#colours;
    const bits = this.#bits;
    const mask = (1 << bits) - 1;
    const tileStride = (TILE_SIZE * bits) / 8;
    for (let sy = y0; sy < y1; sy++) {
      const tileRow = (sy - top) * tileStride;
      let p = (sy - this.y) * this.width + (x0 - this.x);
      for (let sx = x0; sx < x1; sx++, p++) {
        const at = (sx - left) * bits;
        pixels[p] = colours[(raw[tileRow + (at >>> 3)] >>> (at & 7)) & mask];
      }
    }
    this.#markDirty(x0 - this.x, y0 - this.y, x1 - this.x, y1 - this.y);
  }

  /** Pushes changed pixels to the canvas; called once per batch of frames, not per tile. */
  flush(): void {
    if (this.#dirtyX0 >= this.#dirtyX1) return;
    this.#context.putImageData(
      this.#image,
      0,
      0,
      this.#dirtyX0,
      this.#dirtyY0,
      this.#dirtyX1 - this.#dirtyX0,
      this.#dirtyY1 - this.#dirtyY0,
    );
    this.#dirtyX0 = this.#dirtyY0 = Infinity;
    this.#dirtyX1 = this.#dirtyY1 = -Infinity;
  }

  /** Whether grid cell (x, y) is alive as far as this region knows (when scaled: whether its
   *  block has any live cell, a level above 0); undefined outside the region. */
  cellAt(x: number, y: number): boolean | undefined {
    const sx = Math.floor(x / this.scale) - this.x;
    const sy = Math.floor(y / this.scale) - this.y;
    if (sx < 0 || sy < 0 || sx >= this.width || sy >= this.height) return undefined;
    return this.#pixels[sy * this.width + sx] !== 0;
  }

  /** Live scaled cells in the region (for tests and the status line; a full scan). */
  countAlive(): number {
    let n = 0;
    for (const p of this.#pixels) if (p !== 0) n++;
    return n;
  }

  /** The region in grid cells. */
  gridRect(): { x: number; y: number; w: number; h: number } {
    return { x: this.x * this.scale, y: this.y * this.scale, w: this.width * this.scale, h: this.height * this.scale };
  }

  #markDirty(x0: number, y0: number, x1: number, y1: number): void {
    this.#dirtyX0 = Math.min(this.#dirtyX0, x0);
    this.#dirtyY0 = Math.min(this.#dirtyY0, y0);
    this.#dirtyX1 = Math.max(this.#dirtyX1, x1);
    this.#dirtyY1 = Math.max(this.#dirtyY1, y1);
  }
}
