/**
 * Pointer input on the board, turned into intents: pan, zoom, draw or erase strokes, selection
 * rectangles, stamp placement, and the cursor position other players see.
 *
 * - Mouse: the left button acts by mode (move / draw / erase / select, or places the stamp);
 *   the middle and right buttons always pan; the wheel zooms around the pointer.
 * - Touch: one finger acts by mode (the mode switch is what lets one finger either draw or
 *   move); two fingers pan and pinch-zoom together. A one-finger stroke stays tentative for a
 *   moment, so the first finger of a pinch does not leave a dot behind; when a second finger
 *   lands in time, the tentative stroke is cancelled.
 * - Stamping: a mouse or pen click places the stamp; on touch a tap moves the ghost and the "Place"
 *   button stamps, because a finger hides the spot it taps.
 */
import type { View } from "./view.ts";

export type Mode = "move" | "draw" | "erase" | "select";

export interface InputHandlers {
  mode(): Mode;
  stamping(): boolean;
  viewChanged(): void;
  /** The cell under the pointer (null when the pointer left), for presence and the ghost. */
  hover(x: number, y: number, pointerType: string): void;
  leave(): void;
  strokeStart(x: number, y: number, alive: boolean, tentative: boolean): void;
  strokeTo(x: number, y: number): void;
  strokeCommit(): void;
  strokeCancel(): void;
  strokeEnd(): void;
  selectStart(x: number, y: number): void;
  selectTo(x: number, y: number): void;
  selectEnd(): void;
  stampAt(x: number, y: number, place: boolean): void;
}

/** How long a touch stroke waits for a second finger before it becomes real. */
const TENTATIVE_MS = 90;
/** Movement (CSS px) after which a tap is a drag. */
const TAP_SLOP = 6;
const WHEEL_ZOOM_PER_PIXEL = 0.0018;

type Gesture =
  | { kind: "none" }
  | { kind: "pan"; id: number }
  | { kind: "stroke"; id: number; tentative: boolean; timer: ReturnType<typeof setTimeout> | undefined }
  | { kind: "select"; id: number }
  | { kind: "tap"; id: number; startX: number; startY: number; type: string; panning: boolean }
  | { kind: "pinch"; a: number; b: number; distance: number; midX: number; midY: number };

export class BoardInput {
  readonly #canvas: HTMLCanvasElement;
  readonly #view: View;
  readonly #handlers: InputHandlers;
  readonly #pointers = new Map<number, { x: number; y: number; type: string }>();
  #gesture: Gesture = { kind: "none" };

  constructor(canvas: HTMLCanvasElement, view: View, handlers: InputHandlers) {
    this.#canvas = canvas;
    this.#view = view;
    this.#handlers = handlers;
    canvas.addEventListener("pointerdown", (e) => this.#down(e));
    canvas.addEventListener("pointermove", (e) => this.#move(e));
    canvas.addEventListener("pointerup", (e) => this.#up(e, false));
    canvas.addEventListener("pointercancel", (e) => this.#up(e, true));
    canvas.addEventListener("pointerleave", (e) => {
      if (e.pointerType === "mouse" && this.#pointers.size === 0) handlers.leave();
    });
    canvas.addEventListener("wheel", (e) => this.#wheel(e), { passive: false });
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  }

  get dragging(): boolean {
    return this.#gesture.kind === "pan" || this.#gesture.kind === "pinch";
  }

  #local(e: PointerEvent | WheelEvent): { x: number; y: number } {
    const rect = this.#canvas.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }

  #cell(x: number, y: number): { x: number; y: number } {
    const c = this.#view.screenToCell(x, y);
    return { x: Math.floor(c.x), y: Math.floor(c.y) };
  }

  #down(e: PointerEvent): void {
    const p = this.#local(e);
    this.#canvas.focus({ preventScroll: true });
    this.#canvas.setPointerCapture(e.pointerId);
    this.#pointers.set(e.pointerId, { ...p, type: e.pointerType });
    e.preventDefault();

    if (this.#pointers.size === 2) {
      this.#endGesture(true);
      const [a, b] = [...this.#pointers.keys()];
      this.#gesture = { kind: "pinch", a, b, ...this.#pinchGeometry(a, b) };
      this.#canvas.classList.add("dragging");
      return;
    }
    if (this.#pointers.size > 2 || this.#gesture.kind !== "none") return;

    const cell = this.#cell(p.x, p.y);
    const mode = this.#handlers.mode();
    if (e.pointerType === "mouse" && e.button !== 0) {
      this.#startPan(e.pointerId);
    } else if (this.#handlers.stamping()) {
      this.#gesture = { kind: "tap", id: e.pointerId, startX: p.x, startY: p.y, type: e.pointerType, panning: false };
    } else if (mode === "move") {
      this.#startPan(e.pointerId);
    } else if (mode === "select") {
      this.#gesture = { kind: "select", id: e.pointerId };
      this.#handlers.selectStart(cell.x, cell.y);
    } else {
      const tentative = e.pointerType === "touch";
      const gesture: Gesture = { kind: "stroke", id: e.pointerId, tentative, timer: undefined };
      if (tentative) {
        gesture.timer = setTimeout(() => {
          gesture.tentative = false;
          gesture.timer = undefined;
          this.#handlers.strokeCommit();
        }, TENTATIVE_MS);
      }
      this.#gesture = gesture;
      this.#handlers.strokeStart(cell.x, cell.y, mode === "draw", tentative);
    }
  }

  #startPan(id: number): void {
    this.#gesture = { kind: "pan", id };
    this.#canvas.classList.add("dragging");
  }

  #move(e: PointerEvent): void {
    const p = this.#local(e);
    const previous = this.#pointers.get(e.pointerId);
    const cell = this.#cell(p.x, p.y);
    if (!previous) {
      // Hovering (mouse or pen without contact).
      this.#handlers.hover(cell.x, cell.y, e.pointerType);
      return;
    }
    this.#pointers.set(e.pointerId, { ...p, type: e.pointerType });
    const g = this.#gesture;
    switch (g.kind) {
      case "pan":
        if (g.id !== e.pointerId) return;
        this.#view.panBy(p.x - previous.x, p.y - previous.y);
        this.#handlers.viewChanged();
        break;
      case "pinch": {
        const next = this.#pinchGeometry(g.a, g.b);
        this.#view.panBy(next.midX - g.midX, next.midY - g.midY);
        if (g.distance > 0 && next.distance > 0) this.#view.zoomAt(next.midX, next.midY, next.distance / g.distance);
        Object.assign(g, next);
        this.#handlers.viewChanged();
        break;
      }
      case "stroke":
        if (g.id !== e.pointerId) return;
        this.#handlers.strokeTo(cell.x, cell.y);
        this.#handlers.hover(cell.x, cell.y, e.pointerType);
        break;
      case "select":
        if (g.id !== e.pointerId) return;
        this.#handlers.selectTo(cell.x, cell.y);
        break;
      case "tap":
        if (g.id !== e.pointerId) return;
        if (!g.panning && Math.hypot(p.x - g.startX, p.y - g.startY) > TAP_SLOP) {
          g.panning = true;
          this.#canvas.classList.add("dragging");
        }
        if (g.panning) {
          this.#view.panBy(p.x - previous.x, p.y - previous.y);
          this.#handlers.viewChanged();
        }
        break;
      case "none":
        break;
    }
  }

  #up(e: PointerEvent, cancelled: boolean): void {
    if (!this.#pointers.has(e.pointerId)) return;
    const p = this.#local(e);
    const g = this.#gesture;
    if (g.kind === "tap" && g.id === e.pointerId && !g.panning && !cancelled) {
      const cell = this.#cell(p.x, p.y);
      this.#handlers.stampAt(cell.x, cell.y, g.type !== "touch");
    }
    this.#pointers.delete(e.pointerId);
    if (g.kind === "pinch") {
      // The pinch ends when either finger lifts; the other one does nothing until it lifts too.
      if (e.pointerId === g.a || e.pointerId === g.b) this.#gesture = { kind: "none" };
      this.#canvas.classList.remove("dragging");
      return;
    }
    if ("id" in g && g.id === e.pointerId) this.#endGesture(cancelled);
  }

  /** Ends the current one-pointer gesture; `cancel` discards a stroke that is still tentative. */
  #endGesture(cancel: boolean): void {
    const g = this.#gesture;
    this.#gesture = { kind: "none" };
    this.#canvas.classList.remove("dragging");
    if (g.kind === "stroke") {
      clearTimeout(g.timer);
      if (g.tentative && cancel) this.#handlers.strokeCancel();
      else {
        if (g.tentative) this.#handlers.strokeCommit();
        this.#handlers.strokeEnd();
      }
    } else if (g.kind === "select") {
      this.#handlers.selectEnd();
    }
  }

  #pinchGeometry(a: number, b: number): { distance: number; midX: number; midY: number } {
    const pa = this.#pointers.get(a);
    const pb = this.#pointers.get(b);
    if (!pa || !pb) return { distance: 0, midX: 0, midY: 0 };
    return { distance: Math.hypot(pa.x - pb.x, pa.y - pb.y), midX: (pa.x + pb.x) / 2, midY: (pa.y + pb.y) / 2 };
  }

  #wheel(e: WheelEvent): void {
    e.preventDefault();
    const p = this.#local(e);
    // Lines and pages are converted to pixels; a trackpad pinch arrives as a ctrl+wheel with
    // small deltas and gets a higher gain so it feels like the pinch it is.
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.#view.height : 1;
    const gain = e.ctrlKey ? 4 : 1;
    const factor = Math.exp(-e.deltaY * unit * WHEEL_ZOOM_PER_PIXEL * gain);
    this.#view.zoomAt(p.x, p.y, factor);
    this.#handlers.viewChanged();
  }
}
