/**
 * A pattern held for stamping: its cells (after the player's rotations and flips), its name,
 * and the translucent picture that follows the pointer as a ghost preview.
 */
import { type Bitmap, bitmapStride, createBitmap, getBit, setBit } from "../common/bitmap.ts";

export interface Stamp {
  readonly name: string;
  readonly bitmap: Bitmap;
  /** Rule the pattern was made for, when not the room's (shown as a hint). */
  readonly rule?: string;
}

/** Turns the pattern a quarter turn clockwise: cell (x, y) goes to (h-1-y, x). */
export function rotateClockwise(bitmap: Bitmap): Bitmap {
  const out = createBitmap(bitmap.height, bitmap.width);
  forEachLive(bitmap, (x, y) => setBit(out, bitmap.height - 1 - y, x, true));
  return out;
}

/** Mirrors the pattern left to right. */
export function flipHorizontal(bitmap: Bitmap): Bitmap {
  const out = createBitmap(bitmap.width, bitmap.height);
  forEachLive(bitmap, (x, y) => setBit(out, bitmap.width - 1 - x, y, true));
  return out;
}

/** Visits live cells, skipping zero bytes (a pattern is mostly empty). */
export function forEachLive(bitmap: Bitmap, visit: (x: number, y: number) => void): void {
  const stride = bitmapStride(bitmap.width);
  for (let y = 0; y < bitmap.height; y++) {
    for (let b = 0; b < stride; b++) {
      const byte = bitmap.data[y * stride + b];
      if (byte === 0) continue;
      for (let bit = 0; bit < 8; bit++) if ((byte >>> bit) & 1) visit(b * 8 + bit, y);
    }
  }
}

export function countLive(bitmap: Bitmap): number {
  let n = 0;
  forEachLive(bitmap, () => n++);
  return n;
}

/** Patterns bigger than this many cells get only an outline as their ghost. */
const MAX_GHOST_CELLS = 4096 * 4096;

/** The ghost picture: live cells opaque in `colour` (a packed RGBA word, see packColour in
 *  palette.ts), the rest faintly tinted; undefined for a pattern too large to picture. */
export function ghostCanvas(bitmap: Bitmap, colour: number): HTMLCanvasElement | undefined {
  if (bitmap.width * bitmap.height > MAX_GHOST_CELLS) return undefined;
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, bitmap.width);
  canvas.height = Math.max(1, bitmap.height);
  const ctx = canvas.getContext("2d");
  if (!ctx) return undefined;
  const image = ctx.createImageData(canvas.width, canvas.height);
  const pixels = new Uint32Array(image.data.buffer);
  pixels.fill(((0x20 << 24) | (colour & 0xffffff)) >>> 0);
  forEachLive(bitmap, (x, y) => {
    pixels[y * canvas.width + x] = colour;
  });
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** Whether a pattern's cell is alive (bounds-checked). */
export function stampCell(bitmap: Bitmap, x: number, y: number): boolean {
  return x >= 0 && y >= 0 && x < bitmap.width && y < bitmap.height && getBit(bitmap, x, y);
}
