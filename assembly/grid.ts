/**
 * The grid's memory layout and every whole-grid operation except stepping (step.ts) and the
 * zoomed-out reads (overview.ts).
 *
 * Linear memory (the stub runtime never allocates, so we lay it out by hand):
 *
 *   [static data][change map: tilesX*tilesY bytes][row scratch][buffer A][buffer B][io area →]
 *
 * Each buffer holds H + 3 rows: a ghost row above (row -1), rows 0..H-1, a ghost row below
 * (row H) and one spare row so the last ghost row's right guard exists. A row is PITCH bytes:
 *
 *   word:   0          1            2      3            …   2S+1
 *         +----------+------------+------+------+-------+--------+
 *         | g0       | g1         | d0   | d1   |  …    | d2S-1  |
 *         +----------+------------+------+------+-------+--------+
 *           right      left guard   cells 0..63, 64..127, …  (S = ceil(W/128))
 *           guard of   (bit 63 =
 *           the row    cell -1)
 *           above
 *
 * Cell x of a row is bit (x & 63) of data word x >> 6 (least significant bit = smallest x),
 * so "bit W" of a row is the first bit past the last cell: inside the data when W is not a
 * multiple of 128, else bit 0 of the next row's g0. Data starts 16 bytes into the row and
 * PITCH is a multiple of 16, so every v128 of cells is aligned.
 *
 * Invariant between steps: in the front buffer every bit at or past W in rows 0..H-1 is 0.
 * Ghost cells (row -1, row H, g1 bit 63, bit W) are written just before each step by
 * prepareGhosts: copies of the opposite edge on the torus, zeros on the plane.
 */

export const TILE_SHIFT = 6; // change-map tiles are 64×64 cells
export const MAX_SIDE = 16384;

export let width: i32 = 0;
export let height: i32 = 0;
export let torus: bool = true;
/** v128 columns per row. */
export let columns: i32 = 0;
export let pitch: usize = 0;
export let front: usize = 0;
export let back: usize = 0;
export let tilesX: i32 = 0;
export let tilesY: i32 = 0;
export let changeMap: usize = 0;
export let rowScratch: usize = 0;
/** The step's per-column scratch: two rows of 3-cell sums, and change bits (step.ts). */
export let sumRing: usize = 0;
export let columnDiffs: usize = 0;
let io: usize = 0;
let ioCapacity: usize = 0;
/** Buffers whose plane ghosts still need zeroing (after init or a topology change). */
let planeGhostsDirty: i32 = 2;

/** Bytes kept spare past every io request, so word-wide reads and writes may overrun. */
const IO_SLACK: usize = 16;

@inline function alignUp(value: usize, to: usize): usize {
  return (value + to - 1) & ~(to - 1);
}

function ensureMemory(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end <= have) return true;
  const pages = <i32>((end - have + 0xffff) >> 16);
  return memory.grow(pages) >= 0;
}

/**
 * Distance from buffer A to buffer B. The kernel loads from one while its stores to the
 * other are still in flight; when a load's address equals a recent store's modulo 4096 the
 * processor assumes a dependence and stalls ("4K aliasing"). Loads run at most a row plus
 * ~20 words ahead of those stores, in either buffer order, so pad the gap until none of
 * those offsets lands within 32 bytes of a multiple of 4096.
 */
function bufferGap(bufferBytes: usize): usize {
  for (let pad: usize = 0; pad < 4096; pad += 64) {
    const gap = bufferBytes + pad;
    let clear = true;
    for (let sign = -1; sign <= 1 && clear; sign += 2) {
      for (let extra = 0; extra <= 1 && clear; extra++) {
        for (let k = 0; k <= 24 && clear; k++) {
          const offset = <i64>sign * <i64>gap + <i64>extra * <i64>pitch + <i64>(k << 4);
          const residue = <i32>(((offset % 4096) + 4096) % 4096);
          if (residue < 32 || residue > 4096 - 32) clear = false;
        }
      }
    }
    if (clear) return gap;
  }
  return bufferBytes + 2048;
}

/** Lays out memory for a width × height grid; returns 0, or 1 when memory cannot grow. */
export function init(w: i32, h: i32, isTorus: bool): i32 {
  width = w;
  height = h;
  torus = isTorus;
  columns = (w + 127) >> 7;
  // Rows start on cache lines (64 bytes), which also makes buffer-to-buffer address
  // differences predictable modulo 4096 for bufferGap below.
  pitch = alignUp(<usize>(columns + 1) << 4, 64);
  tilesX = (w + 63) >> TILE_SHIFT;
  tilesY = (h + 63) >> TILE_SHIFT;
  changeMap = alignUp(__heap_base, 16);
  rowScratch = alignUp(changeMap + <usize>(tilesX * tilesY), 16);
  const bufferBytes = pitch * <usize>(h + 3);
  sumRing = alignUp(rowScratch + max(pitch, <usize>w + 64), 64);
  columnDiffs = sumRing + (<usize>columns << 6);
  front = alignUp(columnDiffs + (<usize>columns << 4), 64);
  back = front + bufferGap(bufferBytes);
  io = alignUp(back + bufferBytes, 16);
  ioCapacity = 4096;
  if (!ensureMemory(io + ioCapacity + IO_SLACK)) return 1;
  memory.fill(changeMap, 0, io - changeMap);
  planeGhostsDirty = 2;
  return 0;
}

export function setTopology(isTorus: bool): void {
  torus = isTorus;
  planeGhostsDirty = 2;
}

/** The io area, grown (never moved) to hold at least `bytes`; views on the JS side must be re-made. */
export function ioReserve(bytes: usize): usize {
  if (bytes > ioCapacity) {
    if (!ensureMemory(io + bytes + IO_SLACK)) unreachable();
    ioCapacity = bytes;
  }
  return io;
}

export function ioPointer(): usize {
  return io;
}

/** Address of the first data word of row r (r may be -1 or H: the ghost rows). */
@inline export function rowData(buffer: usize, r: i32): usize {
  return buffer + <usize>(r + 1) * pitch + 16;
}

@inline function wordAt(buffer: usize, x: i32, y: i32): usize {
  return rowData(buffer, y) + (<usize>(x >> 6) << 3);
}

export function getCell(x: i32, y: i32): i32 {
  return <i32>((load<u64>(wordAt(front, x, y)) >> <u64>(x & 63)) & 1);
}

@inline function markTile(x: i32, y: i32): void {
  store<u8>(changeMap + <usize>((y >> TILE_SHIFT) * tilesX + (x >> TILE_SHIFT)), 1);
}

export function markChanged(x: i32, y: i32, w: i32, h: i32): void {
  if (w <= 0 || h <= 0) return;
  const tx0 = max(x, 0) >> TILE_SHIFT, tx1 = min(x + w - 1, width - 1) >> TILE_SHIFT;
  const ty0 = max(y, 0) >> TILE_SHIFT, ty1 = min(y + h - 1, height - 1) >> TILE_SHIFT;
  for (let ty = ty0; ty <= ty1; ty++) {
    for (let tx = tx0; tx <= tx1; tx++) store<u8>(changeMap + <usize>(ty * tilesX + tx), 1);
  }
}

export function clearChanges(): void {
  memory.fill(changeMap, 0, <usize>(tilesX * tilesY));
}

/** Reads `count` (x, y) i32 pairs from io and sets or clears those cells; off-grid pairs are skipped. */
export function setCells(count: i32, alive: bool): void {
  for (let i = 0; i < count; i++) {
    const x = load<i32>(io + (<usize>i << 3));
    const y = load<i32>(io + (<usize>i << 3), 4);
    if (<u32>x >= <u32>width || <u32>y >= <u32>height) continue;
    const p = wordAt(front, x, y);
    const bit = <u64>1 << <u64>(x & 63);
    store<u64>(p, alive ? load<u64>(p) | bit : load<u64>(p) & ~bit);
    markTile(x, y);
  }
}

@inline function lowMask(n: i32): u64 {
  return n >= 64 ? ~(<u64>0) : (<u64>1 << <u64>n) - 1;
}

/** Writes the low n bits of `bits` (n ≤ 64) at cell x of the row whose data starts at `row`. */
function writeBits(row: usize, x: i32, bits: u64, n: i32, replace: bool): void {
  const p = row + (<usize>(x >> 6) << 3);
  const off = <u64>(x & 63);
  const m = lowMask(n);
  bits &= m;
  if (replace) store<u64>(p, (load<u64>(p) & ~(m << off)) | (bits << off));
  else store<u64>(p, load<u64>(p) | (bits << off));
  if (off + <u64>n > 64) {
    const p1 = p + 8;
    const back = 64 - off;
    if (replace) store<u64>(p1, (load<u64>(p1) & ~(m >> back)) | (bits >> back));
    else store<u64>(p1, load<u64>(p1) | (bits >> back));
  }
}

/** Reads n ≤ 57 bits from cell x of the row whose data starts at `row` (x + n ≤ the row's cells). */
@inline function readBits(row: usize, x: i32, n: i32): u64 {
  const p = row + (<usize>(x >> 6) << 3);
  const off = <u64>(x & 63);
  let bits = load<u64>(p) >> off;
  if (off + <u64>n > 64) bits |= load<u64>(p, 8) << (64 - off);
  return bits & lowMask(n);
}

/** 56 cells: the most a byte-aligned u64 read of a packed bitmap row always holds. */
const CHUNK: i32 = 56;

/**
 * Stamps the w × h bitmap in io (rows of ceil(w/8) bytes, LSB first) with its top-left at
 * (x, y): wrapping on the torus, clipped on the plane. Cells are moved 56 at a time.
 */
export function stamp(x: i32, y: i32, w: i32, h: i32, replace: bool): void {
  const stride = <usize>((w + 7) >> 3);
  for (let py = 0; py < h; py++) {
    let ty = y + py;
    if (torus) ty = ((ty % height) + height) % height;
    else if (ty < 0 || ty >= height) continue;
    const src = io + <usize>py * stride;
    const row = rowData(front, ty);
    let px = 0;
    if (!torus && x < 0) px = -x;
    while (px < w) {
      let tx = x + px;
      if (torus) tx = ((tx % width) + width) % width;
      else if (tx >= width) break;
      // A chunk never crosses the grid's right edge nor a non-byte-aligned source position.
      const n = min(min(CHUNK - (px & 7), w - px), width - tx);
      const bits = (load<u64>(src + <usize>(px >> 3)) >> <u64>(px & 7)) & lowMask(n);
      writeBits(row, tx, bits, n, replace);
      px += n;
    }
  }
  markStamped(x, y, w, h);
}

function markStamped(x: i32, y: i32, w: i32, h: i32): void {
  if (!torus) {
    markChanged(x, y, w, h);
    return;
  }
  // On the torus the stamped area may wrap; mark the wrapped pieces (whole grid if it is larger).
  if (w >= width || h >= height) {
    memory.fill(changeMap, 1, <usize>(tilesX * tilesY));
    return;
  }
  const x0 = ((x % width) + width) % width;
  const y0 = ((y % height) + height) % height;
  markChanged(x0, y0, w, h);
  if (x0 + w > width) markChanged(0, y0, x0 + w - width, h);
  if (y0 + h > height) markChanged(x0, 0, w, y0 + h - height);
  if (x0 + w > width && y0 + h > height) markChanged(0, 0, x0 + w - width, y0 + h - height);
}

/** Copies the rectangle into io as a packed bitmap; cells outside the grid read as dead. */
export function readRect(x: i32, y: i32, w: i32, h: i32): void {
  const stride = <usize>((w + 7) >> 3);
  memory.fill(io, 0, stride * <usize>h);
  for (let py = 0; py < h; py++) {
    const gy = y + py;
    if (gy < 0 || gy >= height) continue;
    const out = io + <usize>py * stride;
    const row = rowData(front, gy);
    let px = x < 0 ? -x : 0;
    while (px < w) {
      const gx = x + px;
      if (gx >= width) break;
      const n = min(min(CHUNK - (px & 7), w - px), width - gx);
      const bits = readBits(row, gx, n) << <u64>(px & 7);
      const p = out + <usize>(px >> 3);
      store<u64>(p, load<u64>(p) | bits);
      px += n;
    }
  }
}

export function clear(): void {
  for (let y = 0; y < height; y++) memory.fill(rowData(front, y), 0, <usize>columns << 4);
  memory.fill(changeMap, 1, <usize>(tilesX * tilesY));
}

/** Mask of the valid cells in data word k of a row (all ones but for the row's tail). */
@inline export function wordMask(k: i32): u64 {
  const base = k << 6;
  if (base + 64 <= width) return ~(<u64>0);
  if (base >= width) return 0;
  return lowMask(width - base);
}

let rngState: u64 = 0;

@inline function splitmix64(): u64 {
  rngState += 0x9e3779b97f4a7c15;
  let z = rngState;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/**
 * Fills the grid so each cell is alive with probability p = round(density * 65536) / 65536.
 * Bits of p are folded in from the lowest set one up: OR with a fresh random word for a 1 bit,
 * AND for a 0 bit, which yields exactly probability p per cell with 64 cells per draw.
 */
export function randomize(density: f64, seedLo: u32, seedHi: u32): void {
  rngState = (<u64>seedHi << 32) | <u64>seedLo;
  const p = <u32>Math.round(density * 65536);
  const words = columns << 1;
  for (let y = 0; y < height; y++) {
    const row = rowData(front, y);
    for (let k = 0; k < words; k++) {
      let word: u64 = 0;
      if (p >= 65536) word = ~(<u64>0);
      else if (p != 0) {
        word = splitmix64();
        for (let bit = ctz(p) + 1; bit < 16; bit++) {
          word = (p >> bit) & 1 ? word | splitmix64() : word & splitmix64();
        }
      }
      store<u64>(row + (<usize>k << 3), word & wordMask(k));
    }
  }
  memory.fill(changeMap, 1, <usize>(tilesX * tilesY));
}

export function population(): f64 {
  let total: u64 = 0;
  const words = <usize>columns << 1;
  for (let y = 0; y < height; y++) {
    const row = rowData(front, y);
    for (let k: usize = 0; k < words; k++) total += popcnt(load<u64>(row + (k << 3)));
  }
  return <f64>total;
}

/** Writes the live cells' bounding box (x, y, width, height as i32) to io; 0 when empty. */
export function bbox(): i32 {
  const words = columns << 1;
  let minX = width, maxX = -1, minY = height, maxY = -1;
  for (let y = 0; y < height; y++) {
    const row = rowData(front, y);
    for (let k = 0; k < words; k++) {
      const word = load<u64>(row + (<usize>k << 3));
      if (word == 0) continue;
      minY = min(minY, y);
      maxY = y;
      minX = min(minX, (k << 6) + <i32>ctz(word));
      maxX = max(maxX, (k << 6) + 63 - <i32>clz(word));
    }
  }
  if (maxY < 0) return 0;
  store<i32>(io, minX);
  store<i32>(io, minY, 4);
  store<i32>(io, maxX - minX + 1, 8);
  store<i32>(io, maxY - minY + 1, 12);
  return 1;
}

/**
 * Writes the ghost cells of `buffer` for the coming step: on the torus, row -1 is row H-1,
 * row H is row 0, and each row's cell -1 and cell W are its cells W-1 and 0; on the plane all
 * ghosts are dead (zeroed only when they may be stale).
 */
export function prepareGhosts(buffer: usize): void {
  const dataBytes = <usize>columns << 4;
  const ghostWordIsGuard = width == columns << 7;
  if (!torus) {
    if (planeGhostsDirty == 0) return;
    planeGhostsDirty--;
    memory.fill(rowData(buffer, -1), 0, dataBytes);
    memory.fill(rowData(buffer, height), 0, dataBytes);
    for (let r = -1; r <= height; r++) {
      store<u64>(rowData(buffer, r) - 8, 0);
      if (ghostWordIsGuard) store<u64>(rowData(buffer, r) + dataBytes, 0);
    }
    return;
  }
  planeGhostsDirty = 2;
  memory.copy(rowData(buffer, -1), rowData(buffer, height - 1), dataBytes);
  memory.copy(rowData(buffer, height), rowData(buffer, 0), dataBytes);
  const lastWord = <usize>((width - 1) >> 6) << 3;
  const lastBit = <u64>((width - 1) & 63);
  const ghostWord = <usize>(width >> 6) << 3;
  const ghostBit = <u64>(width & 63);
  for (let r = -1; r <= height; r++) {
    const row = rowData(buffer, r);
    const west = (load<u64>(row + lastWord) >> lastBit) & 1;
    const east = load<u64>(row) & 1;
    store<u64>(row - 8, west << 63);
    if (ghostWordIsGuard) store<u64>(row + ghostWord, east);
    else store<u64>(row + ghostWord, load<u64>(row + ghostWord) | (east << ghostBit));
  }
}

export function swapBuffers(): void {
  const t = front;
  front = back;
  back = t;
}

/** Expands `count` cells of a row starting at x into io-free scratch as bytes (1 alive, 0 dead). */
export function expandRow(y: i32, x: i32, count: i32): usize {
  const row = rowData(front, y);
  for (let i = 0; i < count; i++) {
    const cx = x + i;
    store<u8>(rowScratch + <usize>i, <u8>((load<u64>(row + (<usize>(cx >> 6) << 3)) >> <u64>(cx & 63)) & 1));
  }
  return rowScratch;
}
