/**
 * Draws one frame of the room: the world's background, the known region's pixels (one scaled
 * drawImage; shades of the live colour for a zoomed-out view's density levels), grid lines when
 * cells are large, the player's pending edits, the selection, the stamp's ghost and the other
 * players' cursors.
 *
 * Per-frame cost is independent of the grid's size: the region canvas already holds the
 * pixels, and only overlays that are on screen are drawn. Frames are drawn on demand (when
 * something changed), not continuously, so an idle room costs no CPU.
 */
import type { KnownRegion } from "./known-region.ts";
import type { Palette } from "./palette.ts";
import type { PendingEdits } from "./pending-edits.ts";
import type { CellRect, View } from "./view.ts";

/** Grid lines appear once a cell is this many device pixels wide. */
const GRID_LINE_MIN_PX = 8;

export interface Cursor {
  id: number;
  name: string;
  colour: string;
  x: number;
  y: number;
}

export interface Ghost {
  x: number;
  y: number;
  width: number;
  height: number;
  image: HTMLCanvasElement | undefined;
}

export interface Scene {
  view: View;
  region: KnownRegion | undefined;
  pending: PendingEdits;
  selection: CellRect | undefined;
  ghost: Ghost | undefined;
  cursors: Iterable<Cursor>;
}

export class Renderer {
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #palette: Palette;
  #dpr = 1;

  constructor(canvas: HTMLCanvasElement, palette: Palette) {
    const ctx = canvas.getContext("2d", { alpha: false });
    if (!ctx) throw new Error("no 2D canvas context");
    this.#canvas = canvas;
    this.#ctx = ctx;
    this.#palette = palette;
  }

  /** Matches the backing store to the element's CSS size × devicePixelRatio. */
  resize(cssWidth: number, cssHeight: number, dpr: number): void {
    this.#dpr = dpr;
    const width = Math.max(1, Math.round(cssWidth * dpr));
    const height = Math.max(1, Math.round(cssHeight * dpr));
    if (this.#canvas.width !== width) this.#canvas.width = width;
    if (this.#canvas.height !== height) this.#canvas.height = height;
  }

  draw(scene: Scene): void {
    const ctx = this.#ctx;
    const { view } = scene;
    const dpr = this.#dpr;
    const palette = this.#palette;
    const k = view.scale * dpr; // device pixels per cell
    const ox = (view.width / 2 - view.cx * view.scale) * dpr;
    const oy = (view.height / 2 - view.cy * view.scale) * dpr;

    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = palette.outside;
    ctx.fillRect(0, 0, this.#canvas.width, this.#canvas.height);

    // Cell space from here: one unit = one grid cell.
    ctx.setTransform(k, 0, 0, k, ox, oy);
    ctx.fillStyle = palette.world;
    ctx.fillRect(0, 0, view.gridWidth, view.gridHeight);

    const visible = view.visibleCells();
    const region = scene.region;
    if (region) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, 0, view.gridWidth, view.gridHeight);
      ctx.clip();
      // Nearest-neighbour: a cell is a crisp square at every zoom. A zoomed-out region's pixels
      // are the live colour at its density level's opacity (palette.ts LEVEL_ALPHAS), so this one
      // draw over the world's fill makes the shades.
      ctx.imageSmoothingEnabled = false;
      const r = region.gridRect();
      ctx.drawImage(region.canvas, 0, 0, region.width, region.height, r.x, r.y, r.w, r.h);
      ctx.restore();
    }

    if (k >= GRID_LINE_MIN_PX) this.#gridLines(visible, k);

    // Pending edits: alive in the "pending" colour until the server confirms them.
    if (scene.pending.size > 0) {
      const x1 = visible.x + visible.w;
      const y1 = visible.y + visible.h;
      const inset = k >= 4 ? 1 / k : 0;
      scene.pending.forEachIn(visible.x, visible.y, x1, y1, (x, y, alive) => {
        ctx.fillStyle = alive ? palette.pending : palette.world;
        ctx.fillRect(x + inset, y + inset, 1 - 2 * inset, 1 - 2 * inset);
      });
    }

    if (scene.ghost) this.#ghost(scene.ghost, k);
    if (scene.selection) this.#selection(scene.selection, k);

    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    for (const cursor of scene.cursors) this.#cursor(view, cursor);
  }

  #gridLines(visible: CellRect, k: number): void {
    const ctx = this.#ctx;
    ctx.strokeStyle = this.#palette.gridLine;
    ctx.lineWidth = 1 / k;
    ctx.beginPath();
    for (let x = visible.x; x <= visible.x + visible.w; x++) {
      ctx.moveTo(x, visible.y);
      ctx.lineTo(x, visible.y + visible.h);
    }
    for (let y = visible.y; y <= visible.y + visible.h; y++) {
      ctx.moveTo(visible.x, y);
      ctx.lineTo(visible.x + visible.w, y);
    }
    ctx.stroke();
  }

  #ghost(ghost: Ghost, k: number): void {
    const ctx = this.#ctx;
    if (ghost.image) {
      ctx.save();
      ctx.imageSmoothingEnabled = false;
      ctx.globalAlpha = 0.7;
      ctx.drawImage(ghost.image, ghost.x, ghost.y, ghost.width, ghost.height);
      ctx.restore();
    }
    ctx.strokeStyle = this.#palette.pending;
    ctx.lineWidth = 1.5 / k;
    ctx.strokeRect(ghost.x, ghost.y, ghost.width, ghost.height);
  }

  #selection(rect: CellRect, k: number): void {
    const ctx = this.#ctx;
    ctx.save();
    ctx.fillStyle = this.#palette.selection;
    ctx.globalAlpha = 0.12;
    ctx.fillRect(rect.x, rect.y, rect.w, rect.h);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = this.#palette.selection;
    ctx.lineWidth = 1.5 / k;
    ctx.setLineDash([6 / k, 4 / k]);
    ctx.strokeRect(rect.x, rect.y, rect.w, rect.h);
    ctx.restore();
  }

  /** An arrow at the cursor's cell and the player's name beside it (canvas text, never markup). */
  #cursor(view: View, cursor: Cursor): void {
    const ctx = this.#ctx;
    const p = view.cellToScreen(cursor.x + 0.5, cursor.y + 0.5);
    if (p.x < -50 || p.y < -50 || p.x > view.width + 50 || p.y > view.height + 50) return;
    ctx.fillStyle = cursor.colour;
    ctx.strokeStyle = "rgba(0,0,0,0.6)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    ctx.lineTo(p.x + 4, p.y + 13);
    ctx.lineTo(p.x + 7, p.y + 8);
    ctx.lineTo(p.x + 13, p.y + 6);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
    const label = cursor.name || "anonymous";
    ctx.font = "12px system-ui, sans-serif";
    const width = ctx.measureText(label).width;
    ctx.fillStyle = "rgba(10,12,16,0.8)";
    ctx.fillRect(p.x + 12, p.y + 10, width + 8, 17);
    ctx.fillStyle = cursor.colour;
    ctx.fillText(label, p.x + 16, p.y + 23);
  }
}
