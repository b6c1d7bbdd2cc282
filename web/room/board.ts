/**
 * The board's picture, drawn on demand: a part that changed what is shown asks for a frame,
 * and the board draws at most once per animation frame from the scene the page gathers
 * (render.ts does the drawing), then shows the zoom level beside the zoom buttons.
 */
import { byId, setText } from "../dom.ts";
import type { Palette } from "../palette.ts";
import { type Scene, Renderer } from "../render.ts";

export class Board {
  readonly #renderer: Renderer;
  readonly #scene: () => Scene | undefined;
  #drawScheduled = false;

  /** `scene` is undefined until the grid's size is known. */
  constructor(canvas: HTMLCanvasElement, palette: Palette, scene: () => Scene | undefined) {
    this.#renderer = new Renderer(canvas, palette);
    this.#scene = scene;
  }

  resize(cssWidth: number, cssHeight: number, dpr: number): void {
    this.#renderer.resize(cssWidth, cssHeight, dpr);
  }

  /** Draws at the next animation frame, once however often it is asked. */
  requestDraw(): void {
    if (this.#drawScheduled) return;
    this.#drawScheduled = true;
    requestAnimationFrame(() => {
      this.#drawScheduled = false;
      this.#draw();
    });
  }

  #draw(): void {
    const scene = this.#scene();
    if (!scene) return;
    const { view } = scene;
    scene.region?.flush();
    this.#renderer.draw(scene);
    const zoom = view.scale >= 1 ? `1 cell = ${Number(view.scale.toFixed(view.scale < 10 ? 1 : 0))} px` : `1 px = ${Number((1 / view.scale).toFixed(1))} cells`;
    setText(byId("zoom-level", HTMLSpanElement), zoom);
  }
}
