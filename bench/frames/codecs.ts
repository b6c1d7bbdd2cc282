/**
 * Frames built and read as the room and a client would, for measuring: a tile's payload is the
 * codec's output when smaller than the raw bytes (512 at scale 1, 1024 of density levels above),
 * else the raw bytes (NONE), exactly like common/view-frames.ts encodeBits; a DELTA of such tiles;
 * the client's decode of a DELTA or a KEYFRAME; and the view's cells they are made from, read as
 * the room reads them — plus the one-bit overview the protocol sent at scales above 1 before it
 * sent density levels, for comparison.
 */
import { inflateRawSync } from "node:zlib";
import { type Bitmap, bitmapStride } from "../../common/bitmap.ts";
import { type Engine } from "../../common/engine.ts";
import { TILE_SIZE } from "../../common/grid.ts";
import { type DensityMap } from "../../common/density.ts";
import { Codec, type CodecId, assembleDelta, bitsPerCell, decodePayload, decodeServerFrame, encodeTileRecord, keyframeBytes, tileBytes } from "../../common/protocol/index.ts";
import { type ViewRect, readScaled } from "../../common/view-frames.ts";

export interface Encoded {
  codec: CodecId;
  payload: Uint8Array;
}

/** The codec's output when it is smaller than the raw bytes, else the raw bytes (NONE). */
export function smaller(raw: Uint8Array, encoded: Uint8Array, codec: CodecId): Encoded {
  return encoded.length < raw.length ? { codec, payload: encoded } : { codec: Codec.NONE, payload: raw };
}

/** A DELTA of `tiles`, each with its payload from `encoded`. */
export function deltaFrame(generation: number, scale: number, tiles: readonly { tx: number; ty: number }[], encoded: readonly Encoded[]): Uint8Array {
  return assembleDelta(
    generation,
    scale,
    tiles.map((t, i) => encodeTileRecord({ tx: t.tx, ty: t.ty, codec: encoded[i].codec, payload: encoded[i].payload })),
  );
}

/** The client side: frame → tiles of raw bits (async codecs awaited one tile after another). */
export async function decodeDelta(frame: Uint8Array, sync: boolean): Promise<{ tx: number; ty: number; bits: Uint8Array }[]> {
  const decoded = decodeServerFrame(frame);
  if (!decoded.ok || decoded.value.type !== "delta") throw new Error("the bench built a frame the protocol cannot decode");
  const out: { tx: number; ty: number; bits: Uint8Array }[] = [];
  const length = tileBytes(decoded.value.scale);
  for (const tile of decoded.value.tiles) {
    const bits =
      sync && tile.codec === Codec.DEFLATE
        ? new Uint8Array(inflateRawSync(tile.payload))
        : await decodePayload(tile.codec, tile.payload, length);
    if (bits === null || bits.length !== length) throw new Error(`tile (${tile.tx}, ${tile.ty}) does not decode`);
    out.push({ tx: tile.tx, ty: tile.ty, bits });
  }
  return out;
}

/** The view's scaled cells, as the room reads them for a keyframe: cells at scale 1, density
 *  levels above. */
export function readView(engine: Engine, rect: ViewRect): Bitmap | DensityMap {
  return readScaled(engine, rect.scale, rect.x, rect.y, rect.width, rect.height);
}

/** One bit per scaled cell, alive when any cell of its block is: the cells themselves at scale 1,
 *  and above, the overview the protocol sent before density levels. */
export function readLit(engine: Engine, rect: ViewRect): Bitmap {
  return rect.scale === 1
    ? engine.readRect(rect.x, rect.y, rect.width, rect.height)
    : engine.readOverview(rect.x * rect.scale, rect.y * rect.scale, rect.width, rect.height, rect.scale);
}

/** Tile (tx, ty) (absolute tile coordinates) cut out of a view that starts at tile (rect.tx0,
 *  rect.ty0), packed `bits` to a cell: 1 for readLit's views, bitsPerCell(scale) for readView's. */
export function tileOfView(view: Bitmap | DensityMap, rect: ViewRect, tx: number, ty: number, bits = bitsPerCell(rect.scale)): Uint8Array {
  const out = new Uint8Array((TILE_SIZE * TILE_SIZE * bits) / 8);
  const stride = bits === 1 ? bitmapStride(view.width) : keyframeBytes(view.width, 1, rect.scale);
  const rowBytes = (TILE_SIZE * bits) / 8;
  const from = (tx - rect.tx0) * rowBytes;
  const take = Math.max(0, Math.min(rowBytes, stride - from));
  const y0 = (ty - rect.ty0) * TILE_SIZE;
  for (let r = 0; r < TILE_SIZE && y0 + r < view.height; r++) {
    out.set(view.data.subarray((y0 + r) * stride + from, (y0 + r) * stride + from + take), r * rowBytes);
  }
  return out;
}

export async function decodeKeyframe(frame: Uint8Array, rawBytes: number): Promise<Uint8Array> {
  const decoded = decodeServerFrame(frame);
  if (!decoded.ok || decoded.value.type !== "keyframe") throw new Error("keyframe does not decode");
  const bits = await decodePayload(decoded.value.codec, decoded.value.payload, rawBytes);
  if (bits === null) throw new Error("keyframe payload does not decode");
  return bits;
}
