/**
 * A packed rectangle of cells, the one shape in which cells cross every boundary:
 * pattern files, the Wasm engine, viewports and snapshots.
 *
 *   row y occupies bytes [y*stride, (y+1)*stride), stride = ceil(width / 8)
 *
 *   byte:   ... | b7 b6 b5 b4 b3 b2 b1 b0 | ...
 *   cell x:       x+7            ...    x      (x = 8 * byte index in the row)
 *
 * Bit (x & 7) of byte (y * stride + (x >> 3)) is cell (x, y); x grows right, y grows down.
 * Bits past `width` in a row's last byte are always 0.
 */
export interface Bitmap {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function bitmapStride(width: number): number {
  return (width + 7) >>> 3;
}

export function createBitmap(width: number, height: number): Bitmap {
  return { width, height, data: new Uint8Array(bitmapStride(width) * height) };
}

export function getBit(bitmap: Bitmap, x: number, y: number): boolean {
  const i = y * bitmapStride(bitmap.width) + (x >>> 3);
  return ((bitmap.data[i] >>> (x & 7)) & 1) === 1;
}

export function setBit(bitmap: Bitmap, x: number, y: number, alive: boolean): void {
  const i = y * bitmapStride(bitmap.width) + (x >>> 3);
  const mask = 1 << (x & 7);
  if (alive) bitmap.data[i] |= mask;
  else bitmap.data[i] &= ~mask;
}

/** Number of live cells. */
export function bitmapPopulation(bitmap: Bitmap): number {
  let n = 0;
  for (const byte of bitmap.data) n += POPCOUNT8[byte];
  return n;
}

/** One byte per cell (1 = alive), row-major: the layout the oracle's hashes are defined on. */
export function bitmapToBytes(bitmap: Bitmap): Uint8Array {
  const out = new Uint8Array(bitmap.width * bitmap.height);
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      if (getBit(bitmap, x, y)) out[y * bitmap.width + x] = 1;
    }
  }
  return out;
}

export function bitmapFromBytes(width: number, height: number, bytes: ArrayLike<number>): Bitmap {
  const bitmap = createBitmap(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (bytes[y * width + x]) setBit(bitmap, x, y, true);
    }
  }
  return bitmap;
}

export function bitmapsEqual(a: Bitmap, b: Bitmap): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** Live cells in each byte value of a packed bitmap. */
export const POPCOUNT8 = (() => {
  const table = new Uint8Array(256);
  for (let i = 1; i < 256; i++) table[i] = (i & 1) + table[i >>> 1];
  return table;
})();
