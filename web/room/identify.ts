/**
 * Identify, in the page: what the selection's cells (or the whole grid's) do — still life,
 * oscillator and its period, spaceship with its speed and displacement, or that it grows or dies —
 * in one readable line, from common/identify.ts run on the room's own export of the cells with the
 * room's rule, on the page's Wasm engine.
 *
 * Off the interaction path: the line says "Identifying…" and the page paints it before the search
 * starts (the export's round trip, then one frame). The search itself runs on the main thread:
 * this client is one bundle (scripts/build-web.mjs), and a Worker needs a script of its own to
 * load. So its cost is bounded instead: the live cells' box may hold at most MAX_IDENTIFY_CELLS,
 * which identify.ts measures at about 0.7 s for a 1024² soup, the slowest kind; a glider or most
 * oscillators take a few milliseconds.
 */
import type { Bitmap } from "../../common/bitmap.ts";
import { Engine } from "../../common/engine.ts";
import { type Identification, type Range, identify } from "../../common/identify.ts";
import type { Rule } from "../../common/rules.ts";
import { formatCount } from "../dom.ts";
import { liveBounds } from "../selection-ops.ts";

/** Live area Identify takes here: 1024² keeps the page's longest pause near a second. */
export const MAX_IDENTIFY_CELLS = 1024 * 1024;

/** What the page shows: the line, or why there is none. */
export type IdentifyLine = { ok: true; line: string } | { ok: false; error: string };

/** Runs Identify on `cells` under `rule` with the page's engine module, after the next paint. */
export async function identifyCells(cells: Bitmap, rule: Rule, module: WebAssembly.Module | null): Promise<IdentifyLine> {
  if (!module) return { ok: false, error: "Identify needs WebAssembly, which this browser did not load." };
  const box = liveBounds(cells);
  if (box && box.w * box.h > MAX_IDENTIFY_CELLS) {
    return { ok: false, error: `the live cells span ${box.w}×${box.h}; select at most ${formatCount(MAX_IDENTIFY_CELLS)} cells of them (1024×1024) to identify.` };
  }
  await nextPaint();
  const result = await identify(cells, rule, { createEngine: (options) => Engine.create(module, options) });
  return result.ok ? { ok: true, line: identificationLine(result.value) } : { ok: false, error: result.error };
}

/**
 * One line for people, in LifeWiki's words: "c/4 diagonal spaceship, period 4, displacement
 * (1, 1), population 5"; "period-3 oscillator, population 15–27"; "settles after 1 generation into a
 * still life, population 4"; "grows: not periodic within 1000 generations, population 5–2,712".
 * Displacement is the bounding box's move per period, x to the right and y down, as on the board.
 */
export function identificationLine(found: Identification): string {
  switch (found.kind) {
    case "empty":
      return "no live cells";
    case "unknown": {
      const what = found.reason === "dies" ? `dies at generation ${formatCount(found.generations)}` : `${found.reason === "grows" ? "grows: " : ""}not periodic within ${formatCount(found.generations)} generations`;
      return `${what}, population ${range(found.population)}`;
    }
    default: {
      const what =
        found.kind === "spaceship"
          ? `${found.speed} spaceship, period ${found.period}, displacement (${found.dx}, ${found.dy})`
          : found.kind === "oscillator"
            ? `period-${found.period} oscillator`
            : "still life";
      const settled = found.transient === 0 ? what : `settles after ${formatCount(found.transient)} generation${found.transient === 1 ? "" : "s"} into a ${what}`;
      return `${settled}, population ${range(found.population)}`;
    }
  }
}

function range({ min, max }: Range): string {
  return min === max ? formatCount(min) : `${formatCount(min)}–${formatCount(max)}`;
}

/** Resolves once the browser has painted (the "Identifying…" line shows before the search); a
 *  hidden tab paints nothing and gets no animation frames, so it only yields once. */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (document.hidden) setTimeout(resolve, 0);
    else requestAnimationFrame(() => setTimeout(resolve, 0));
  });
}
