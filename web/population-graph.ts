/**
 * The population graph: one line over the last MAX_SAMPLES stats messages, drawn on a small
 * canvas whenever a sample arrives (a few times a second), never per animation frame.
 *
 * Hand-written rather than uPlot: one series, no axes to negotiate, no zoom or legend; the
 * whole job is a polyline and two labels, and it keeps the bundle free of a 45 kB chart
 * library for a 60-line need.
 */
const MAX_SAMPLES = 600;

export class PopulationGraph {
  readonly #canvas: HTMLCanvasElement;
  readonly #generations = new Float64Array(MAX_SAMPLES);
  readonly #populations = new Float64Array(MAX_SAMPLES);
  #start = 0;
  #count = 0;
  #pending = false;

  constructor(canvas: HTMLCanvasElement) {
    this.#canvas = canvas;
    // The panel can be hidden at first (phones) or resized: redraw at the new size.
    new ResizeObserver(() => this.#schedule()).observe(canvas);
  }

  /** Adds a sample; a generation lower than the last one (a reset or clear) restarts the graph. */
  add(generation: number, population: number): void {
    if (this.#count > 0) {
      const last = (this.#start + this.#count - 1) % MAX_SAMPLES;
      if (generation < this.#generations[last]) this.clear();
      else if (generation === this.#generations[last]) {
        this.#populations[last] = population;
        this.#schedule();
        return;
      }
    }
    const slot = (this.#start + this.#count) % MAX_SAMPLES;
    this.#generations[slot] = generation;
    this.#populations[slot] = population;
    if (this.#count < MAX_SAMPLES) this.#count++;
    else this.#start = (this.#start + 1) % MAX_SAMPLES;
    this.#schedule();
  }

  clear(): void {
    this.#start = 0;
    this.#count = 0;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      this.draw();
    });
  }

  draw(): void {
    const canvas = this.#canvas;
    const dpr = window.devicePixelRatio || 1;
    const cssWidth = canvas.clientWidth || 240;
    const cssHeight = canvas.clientHeight || 80;
    if (canvas.width !== Math.round(cssWidth * dpr) || canvas.height !== Math.round(cssHeight * dpr)) {
      canvas.width = Math.round(cssWidth * dpr);
      canvas.height = Math.round(cssHeight * dpr);
    }
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const style = getComputedStyle(canvas);
    const lineColour = style.getPropertyValue("--graph-line").trim() || "#ffd166";
    const textColour = style.color || "#aaa";
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = textColour;
    if (this.#count === 0) {
      ctx.fillText("waiting for stats…", 4, cssHeight / 2);
      return;
    }
    let minPop = Infinity;
    let maxPop = -Infinity;
    for (let i = 0; i < this.#count; i++) {
      const p = this.#populations[(this.#start + i) % MAX_SAMPLES];
      if (p < minPop) minPop = p;
      if (p > maxPop) maxPop = p;
    }
    const first = this.#generations[this.#start];
    const last = this.#generations[(this.#start + this.#count - 1) % MAX_SAMPLES];
    const top = 14;
    const bottom = cssHeight - 14;
    const spanGen = Math.max(1, last - first);
    const spanPop = Math.max(1, maxPop - minPop);
    ctx.strokeStyle = lineColour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#start + i) % MAX_SAMPLES;
      const x = ((this.#generations[slot] - first) / spanGen) * (cssWidth - 2) + 1;
      const y = bottom - ((this.#populations[slot] - minPop) / spanPop) * (bottom - top);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    if (this.#count === 1) ctx.lineTo(cssWidth - 1, bottom); // one sample: a flat line
    ctx.stroke();
    ctx.fillText(`max ${maxPop.toLocaleString("en-US")}`, 4, 11);
    ctx.fillText(`min ${minPop.toLocaleString("en-US")}`, 4, cssHeight - 3);
    const span = `gen ${first.toLocaleString("en-US")}–${last.toLocaleString("en-US")}`;
    ctx.fillText(span, cssWidth - ctx.measureText(span).width - 4, cssHeight - 3);
  }
}
