/**
 * SHA-256 (FIPS 180-4), streamed, for the grid fingerprints defined by the oracle: the grid
 * (or its bounding box) as one byte per cell, 1 alive and 0 dead, row-major. Hashing inside
 * Wasm lets a 16384² grid (256 MiB of such bytes) be fingerprinted without ever building them.
 */
import { bbox, expandRow, height, ioPointer, width } from "./grid";

const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const state: usize = memory.data(8 * 4, 16);
const block: usize = memory.data(64, 16);
const schedule: usize = memory.data(64 * 4, 16);
let blockUsed: i32 = 0;
let totalBytes: u64 = 0;

function reset(): void {
  store<u32>(state, 0x6a09e667, 0); store<u32>(state, 0xbb67ae85, 4);
  store<u32>(state, 0x3c6ef372, 8); store<u32>(state, 0xa54ff53a, 12);
  store<u32>(state, 0x510e527f, 16); store<u32>(state, 0x9b05688c, 20);
  store<u32>(state, 0x1f83d9ab, 24); store<u32>(state, 0x5be0cd19, 28);
  blockUsed = 0;
  totalBytes = 0;
}

@inline function big(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

function compress(): void {
  for (let i = 0; i < 16; i++) store<u32>(schedule + (<usize>i << 2), big(block + (<usize>i << 2)));
  for (let i = 16; i < 64; i++) {
    const w15 = load<u32>(schedule + (<usize>(i - 15) << 2));
    const w2 = load<u32>(schedule + (<usize>(i - 2) << 2));
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
    store<u32>(schedule + (<usize>i << 2),
      load<u32>(schedule + (<usize>(i - 16) << 2)) + s0 + load<u32>(schedule + (<usize>(i - 7) << 2)) + s1);
  }
  let a = load<u32>(state, 0), b = load<u32>(state, 4), c = load<u32>(state, 8), d = load<u32>(state, 12);
  let e = load<u32>(state, 16), f = load<u32>(state, 20), g = load<u32>(state, 24), h = load<u32>(state, 28);
  for (let i = 0; i < 64; i++) {
    const s1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = h + s1 + ch + load<u32>(K + (<usize>i << 2)) + load<u32>(schedule + (<usize>i << 2));
    const s0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = s0 + maj;
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  store<u32>(state, load<u32>(state, 0) + a, 0); store<u32>(state, load<u32>(state, 4) + b, 4);
  store<u32>(state, load<u32>(state, 8) + c, 8); store<u32>(state, load<u32>(state, 12) + d, 12);
  store<u32>(state, load<u32>(state, 16) + e, 16); store<u32>(state, load<u32>(state, 20) + f, 20);
  store<u32>(state, load<u32>(state, 24) + g, 24); store<u32>(state, load<u32>(state, 28) + h, 28);
}

function update(data: usize, length: usize): void {
  totalBytes += <u64>length;
  let i: usize = 0;
  while (i < length) {
    const take = min(<usize>(64 - blockUsed), length - i);
    memory.copy(block + <usize>blockUsed, data + i, take);
    blockUsed += <i32>take;
    i += take;
    if (blockUsed == 64) {
      compress();
      blockUsed = 0;
    }
  }
}

function finish(): void {
  const bits = totalBytes << 3;
  store<u8>(block + <usize>blockUsed, 0x80);
  blockUsed++;
  if (blockUsed > 56) {
    memory.fill(block + <usize>blockUsed, 0, <usize>(64 - blockUsed));
    compress();
    blockUsed = 0;
  }
  memory.fill(block + <usize>blockUsed, 0, <usize>(56 - blockUsed));
  store<u64>(block, bswap<u64>(bits), 56);
  compress();
  // The digest is left at the start of the io area, where the JS side reads it.
  const digest = ioPointer();
  for (let i = 0; i < 8; i++) store<u32>(digest + (<usize>i << 2), bswap<u32>(load<u32>(state + (<usize>i << 2))));
}

function hashRect(x: i32, y: i32, w: i32, h: i32): void {
  reset();
  for (let row = y; row < y + h; row++) update(expandRow(row, x, w), <usize>w);
  finish();
}

export function sha256Grid(): void {
  hashRect(0, 0, width, height);
}

/** Hashes the bounding box's cells; returns 0 (and hashes nothing) for an empty grid. */
export function sha256BBox(): i32 {
  if (!bbox()) return 0;
  const box = ioPointer();
  hashRect(load<i32>(box), load<i32>(box, 4), load<i32>(box, 8), load<i32>(box, 12));
  return 1;
}

/** Hashes `length` bytes placed in io (used to test this implementation against others). */
export function sha256Io(length: usize): void {
  reset();
  update(ioPointer(), length);
  finish();
}
