/**
 * Drawing and erasing. A stroke's cells are drawn as pending at once (pending-edits.ts) and
 * sent in small batches (SET_CELLS, each with its own seq); the overlay is dropped when the
 * room ACKs a batch (the frame showing the truth comes first) or answers with an ERROR. A
 * touch stroke stays tentative, unsent, until input.ts knows it is not the start of a pinch.
 */
import { type ClientMessage, MAX_CELLS_PER_EDIT } from "../../common/protocol/index.ts";
import type { PendingEdits } from "../pending-edits.ts";
import { cellsOnLine } from "../view.ts";
import type { Banner } from "./banner.ts";

/** Strokes are sent in batches at most this often (and at once when a batch is full): 20 frames
 *  a second stays under the server's per-socket edit rate (worker/limits.ts). */
const STROKE_FLUSH_MS = 50;

interface Stroke {
  alive: boolean;
  seq: number;
  /** Cells not sent yet: x0, y0, x1, y1, … */
  unsent: number[];
  committed: boolean;
  seen: Set<number>;
  lastX: number;
  lastY: number;
}

export interface StrokeHandlers {
  /** The overlay; undefined until the grid's size is known. */
  pending(): PendingEdits | undefined;
  inGrid(x: number, y: number): boolean;
  canEdit(): boolean;
  nextSeq(): number;
  send(message: ClientMessage): boolean;
  changed(): void;
}

export class Strokes {
  readonly #banner: Banner;
  readonly #handlers: StrokeHandlers;
  #stroke: Stroke | undefined;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(banner: Banner, handlers: StrokeHandlers) {
    this.#banner = banner;
    this.#handlers = handlers;
  }

  start(x: number, y: number, alive: boolean, tentative: boolean): void {
    if (!this.#handlers.canEdit()) {
      this.#banner.show("The owner has locked editing.", "info", 2500);
      return;
    }
    this.#stroke = { alive, seq: this.#handlers.nextSeq(), unsent: [], committed: !tentative, seen: new Set(), lastX: x, lastY: y };
    this.#addCell(x, y);
    this.#scheduleFlush();
  }

  to(x: number, y: number): void {
    const stroke = this.#stroke;
    if (!stroke) return;
    const line = cellsOnLine(stroke.lastX, stroke.lastY, x, y);
    for (let i = 1; i < line.length; i++) this.#addCell(line[i][0], line[i][1]);
    stroke.lastX = x;
    stroke.lastY = y;
    this.#scheduleFlush();
  }

  /** A tentative stroke is real after all. */
  commit(): void {
    if (!this.#stroke) return;
    this.#stroke.committed = true;
    this.#flush();
  }

  /** A tentative stroke was the first finger of a pinch: nothing of it is sent. */
  cancel(): void {
    const stroke = this.#stroke;
    if (!stroke) return;
    this.#handlers.pending()?.drop(stroke.seq);
    this.#stroke = undefined;
    this.#handlers.changed();
  }

  end(): void {
    this.#flush();
    this.#stroke = undefined;
  }

  /** The connection dropped: the stroke's cells went with the overlay. */
  abandon(): void {
    this.#stroke = undefined;
  }

  #addCell(x: number, y: number): void {
    const stroke = this.#stroke;
    const pending = this.#handlers.pending();
    if (!stroke || !pending || !this.#handlers.inGrid(x, y)) return;
    const key = y * pending.gridWidth + x;
    if (stroke.seen.has(key)) return;
    stroke.seen.add(key);
    pending.add(stroke.seq, x, y, stroke.alive);
    stroke.unsent.push(x, y);
    if (stroke.committed && stroke.unsent.length >= MAX_CELLS_PER_EDIT * 2) this.#flush();
    this.#handlers.changed();
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flush();
    }, STROKE_FLUSH_MS);
  }

  /** Sends the stroke's unsent cells, at most MAX_CELLS_PER_EDIT per frame, each with its seq. */
  #flush(): void {
    const stroke = this.#stroke;
    if (!stroke || !stroke.committed || stroke.unsent.length === 0) return;
    while (stroke.unsent.length > 0) {
      const batch = stroke.unsent.splice(0, MAX_CELLS_PER_EDIT * 2);
      const seq = stroke.seq;
      if (!this.#handlers.send({ type: "setCells", seq, alive: stroke.alive, cells: Uint16Array.from(batch) })) {
        this.#handlers.pending()?.drop(seq);
        this.#banner.show("Not connected: that edit was not sent.", "error", 3000);
      }
      // Later cells of this stroke belong to a new batch. Cells still unsent (a batch was full)
      // move to it, so acknowledging this batch does not clear them from the overlay.
      stroke.seq = this.#handlers.nextSeq();
      for (let i = 0; i < stroke.unsent.length; i += 2) this.#handlers.pending()?.add(stroke.seq, stroke.unsent[i], stroke.unsent[i + 1], stroke.alive);
    }
  }
}
