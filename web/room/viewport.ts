/**
 * The camera's commands and the rectangle the page asks the room for. The camera (view.ts) is
 * made once the grid's size is known; resizing the stage, zooming, panning and fitting move it,
 * and each move may send VIEWPORT: the rectangle the room keeps this page up to date on, with a
 * margin around what is visible, at the scale that keeps it affordable.
 */
import { type ClientMessage, MAX_SCALE, MAX_VIEW_SIDE } from "../../common/protocol/index.ts";
import { byId } from "../dom.ts";
import { type CellRect, View, containsRect } from "../view.ts";
import type { Board } from "./board.ts";

/** Viewport requests while panning or zooming go out at most this often. */
const VIEWPORT_MS = 120;
/** The requested viewport reaches this fraction of the visible size beyond each edge, so short
 *  pans need no new keyframe. */
const VIEWPORT_MARGIN = 0.25;
/** The known region's pixels (4 bytes each in the offscreen canvas): 32 MiB at most. */
const MAX_REGION_PIXELS = 8 * 1024 * 1024;
export const ZOOM_STEP = 1.5;

interface Link {
  readonly isOpen: boolean;
  send(message: ClientMessage): boolean;
}

export class Viewport {
  readonly #stage: HTMLElement;
  readonly #board: Board;
  readonly #link: Link;
  #view: View | undefined;
  #fitted = false;
  #requested: { rect: CellRect; scale: number } | undefined;
  #sentAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(stage: HTMLElement, board: Board, link: Link) {
    this.#stage = stage;
    this.#board = board;
    this.#link = link;
    byId("zoom-in", HTMLButtonElement).addEventListener("click", () => this.zoomBy(ZOOM_STEP));
    byId("zoom-out", HTMLButtonElement).addEventListener("click", () => this.zoomBy(1 / ZOOM_STEP));
    byId("zoom-fit", HTMLButtonElement).addEventListener("click", () => this.fit());
  }

  /** The camera; undefined until the grid's size is known. */
  get view(): View | undefined {
    return this.#view;
  }

  /** Makes the camera for a grid of this size. */
  create(width: number, height: number): View {
    this.#view = new View(width, height);
    return this.#view;
  }

  /** Follows the stage's size from now on. */
  observeStage(): void {
    new ResizeObserver(() => this.resize()).observe(this.#stage);
  }

  /** Whether (x, y) is a cell of the grid (never before its size is known). */
  inGrid(x: number, y: number): boolean {
    const view = this.#view;
    return view !== undefined && x >= 0 && y >= 0 && x < view.gridWidth && y < view.gridHeight;
  }

  /** Matches the camera and the canvas to the stage; the first time it has a size, fits the grid. */
  resize(): void {
    const view = this.#view;
    if (!view) return;
    const rect = this.#stage.getBoundingClientRect();
    view.resize(rect.width, rect.height);
    this.#board.resize(rect.width, rect.height, window.devicePixelRatio || 1);
    if (!this.#fitted && rect.width > 1 && rect.height > 1) {
      this.#fitted = true;
      view.fit();
    }
    this.changed();
  }

  /** The camera moved (here, or by pointer input). */
  changed(): void {
    this.#board.requestDraw();
    this.sendViewport(false);
  }

  zoomBy(factor: number): void {
    const view = this.#view;
    if (!view) return;
    view.zoomAt(view.width / 2, view.height / 2, factor);
    this.changed();
  }

  fit(): void {
    this.#view?.fit();
    this.changed();
  }

  /** Pans by a fraction of the visible width and height. */
  panBy(fx: number, fy: number): void {
    const view = this.#view;
    if (!view) return;
    view.panBy(fx * view.width, fy * view.height);
    this.changed();
  }

  /** A new connection: the room holds no viewport for it yet. */
  forgetRequest(): void {
    this.#requested = undefined;
  }

  /** Sends VIEWPORT when the view left the requested rectangle, needs another scale, or now
   *  covers a much smaller area than requested; `force` after (re)connecting. */
  sendViewport(force: boolean): void {
    const view = this.#view;
    const desired = this.#desired();
    if (!view || !desired || !this.#link.isOpen) return;
    const requested = this.#requested;
    const needed =
      force ||
      !requested ||
      requested.scale !== desired.scale ||
      !containsRect(requested.rect, view.visibleCells()) ||
      requested.rect.w * requested.rect.h > 6 * desired.rect.w * desired.rect.h;
    if (!needed) return;
    const wait = this.#sentAt + VIEWPORT_MS - Date.now();
    if (!force && wait > 0) {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.sendViewport(false);
      }, wait);
      return;
    }
    const { rect, scale } = desired;
    if (this.#link.send({ type: "viewport", x: rect.x, y: rect.y, width: rect.w, height: rect.h, scale })) {
      this.#requested = desired;
      this.#sentAt = Date.now();
    }
  }

  /** The scale to ask for: the finest power of two at which one scaled cell covers at least a
   *  device pixel, the rectangle stays within MAX_VIEW_SIDE scaled cells a side, and the region's
   *  pixels stay within MAX_REGION_PIXELS. */
  #desired(): { rect: CellRect; scale: number } | undefined {
    const view = this.#view;
    if (!view) return undefined;
    const rect = view.paddedCells(VIEWPORT_MARGIN);
    if (rect.w === 0 || rect.h === 0) return undefined;
    const devicePixelsPerCell = view.scale * (window.devicePixelRatio || 1);
    let scale = 1;
    while (
      scale < MAX_SCALE &&
      (scale * devicePixelsPerCell < 1 ||
        rect.w / scale > MAX_VIEW_SIDE ||
        rect.h / scale > MAX_VIEW_SIDE ||
        (rect.w / scale) * (rect.h / scale) > MAX_REGION_PIXELS)
    ) {
      scale *= 2;
    }
    return { rect, scale };
  }
}
