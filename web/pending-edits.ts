/**
 * The player's own edits, drawn at once and kept until the server answers. The room sends the
 * DELTA (or STEP) that carries an applied edit before the edit's ACK (both on the same ordered socket), so
 * when the ACK arrives the region already shows the truth and the overlay is simply dropped; an
 * ERROR drops it too. Keys are y * gridWidth + x, exact for grids up to 16384² (2^28 keys).
 */
export class PendingEdits {
  readonly #cells = new Map<number, { alive: boolean; seq: number }>();
  readonly #batches = new Map<number, number[]>();
  #version = 0;

  constructor(readonly gridWidth: number) {}

  /** Bumped on every change, so the renderer knows when to redraw. */
  get version(): number {
    return this.#version;
  }

  get size(): number {
    return this.#cells.size;
  }

  add(seq: number, x: number, y: number, alive: boolean): void {
    const key = y * this.gridWidth + x;
    this.#cells.set(key, { alive, seq });
    let batch = this.#batches.get(seq);
    if (!batch) this.#batches.set(seq, (batch = []));
    batch.push(key);
    this.#version++;
  }

  get(x: number, y: number): boolean | undefined {
    return this.#cells.get(y * this.gridWidth + x)?.alive;
  }

  /** The server applied batch `seq`, and the frames before its ACK show it. */
  ack(seq: number): void {
    this.drop(seq);
  }

  /** Forgets batch `seq` (refused, confirmed, or a stroke cancelled by a second finger). */
  drop(seq: number): void {
    const batch = this.#batches.get(seq);
    if (!batch) return;
    for (const key of batch) if (this.#cells.get(key)?.seq === seq) this.#cells.delete(key);
    this.#batches.delete(seq);
    this.#version++;
  }

  clear(): void {
    this.#cells.clear();
    this.#batches.clear();
    this.#version++;
  }

  /** Calls `visit` for each pending cell inside the rectangle. */
  forEachIn(x0: number, y0: number, x1: number, y1: number, visit: (x: number, y: number, alive: boolean) => void): void {
    for (const [key, cell] of this.#cells) {
      const y = Math.floor(key / this.gridWidth);
      const x = key - y * this.gridWidth;
      if (x >= x0 && x < x1 && y >= y0 && y < y1) visit(x, y, cell.alive);
    }
  }
}
