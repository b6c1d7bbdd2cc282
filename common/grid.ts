/**
 * The bounds every part of the system agrees on: how large a grid may be and how it is cut into
 * tiles. Rules (the `:T`/`:P` suffix), pattern readers, the engine wrapper and the wire protocol
 * all import these from here, so this module imports nothing.
 */

/** Width and height bounds of a grid; 16384² is 2^28 cells, 32 MiB per buffer. */
export const MIN_SIDE = 1;
export const MAX_SIDE = 16384;

/** Change-map tiles, DELTA records and snapshot bands are TILE_SIZE × TILE_SIZE cells (one
 *  64-bit word wide). */
export const TILE_SIZE = 64;

/** One tile's packed bits: 512 bytes. */
export const TILE_BYTES = (TILE_SIZE * TILE_SIZE) / 8;
