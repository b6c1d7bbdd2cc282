/**
 * The oracle's two fingerprints, computed on the test side with node:crypto straight from a
 * bitmap, so Engine.sha256() / bboxSha256() are checked against code that does not share
 * anything with the Wasm SHA-256.
 *
 *   sha256      SHA-256 of the whole grid as W*H bytes, byte y*W + x = 1 if alive else 0
 *   bboxSha256  the same over the bounding box of the live cells only; null if none
 */
import { createHash } from "node:crypto";
import { type Bitmap, getBit } from "../../common/bitmap.ts";

export interface CellBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function gridSha256(bitmap: Bitmap): string {
  return sha256Hex(cellBytes(bitmap, { x: 0, y: 0, width: bitmap.width, height: bitmap.height }));
}

export function bboxSha256(bitmap: Bitmap): string | null {
  const box = bitmapBBox(bitmap);
  return box ? sha256Hex(cellBytes(bitmap, box)) : null;
}

export function bitmapBBox(bitmap: Bitmap): CellBox | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      if (!getBit(bitmap, x, y)) continue;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  return maxX < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function cellBytes(bitmap: Bitmap, box: CellBox): Uint8Array {
  const bytes = new Uint8Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      if (getBit(bitmap, box.x + x, box.y + y)) bytes[y * box.width + x] = 1;
    }
  }
  return bytes;
}
