/**
 * The page's colours: the board's palette, read from the stylesheet's custom properties (so
 * styles.css is the one place they are chosen), the shades of the live colour that draw a
 * zoomed-out view's density levels, and the conversions from a colour to what a canvas ImageData
 * or a CSS property takes.
 */

export interface Palette {
  world: string;
  outside: string;
  cell: string;
  pending: string;
  gridLine: string;
  selection: string;
}

export function readPalette(element: Element): Palette {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    world: read("--world", "#0a0c10"),
    outside: read("--outside", "#151922"),
    cell: read("--cell", "#ffd166"),
    pending: read("--cell-pending", "#5ec8e5"),
    gridLine: read("--grid-line", "rgba(255,255,255,0.07)"),
    selection: read("--selection", "#5ec8e5"),
  };
}

/** A CSS colour ("#rrggbb") as the Uint32 an ImageData holds on little-endian machines. */
export function packColour(hex: string, alpha = 255): number {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  const [r, g, b] = match ? [1, 2, 3].map((i) => parseInt(match[i], 16)) : [255, 209, 102];
  return ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/**
 * How opaque each density level of a zoomed-out view (common/density.ts: 0 none, 1 sparse,
 * 2 busy, 3 dense) is drawn in the live colour, over the world's background: level 3 is the live
 * colour itself, as a cell at full zoom; 1 and 2 mix it with the background about a third and
 * two thirds of the way, so the three lit levels are evenly spaced in lightness on the dark world
 * and even level 1, a lone glider, stays clearly visible.
 */
export const LEVEL_ALPHAS: readonly number[] = [0, 0.35, 0.65, 1];

/** The pixel words (as ImageData holds them) of levels 0 … 3 for the live colour `alive`
 *  (packColour's word); level 0 is transparent, the world showing through. */
export function levelColours(alive: number): Uint32Array {
  return Uint32Array.from(LEVEL_ALPHAS, (a) => (a === 0 ? 0 : ((alive & 0x00ffffff) | (Math.round(a * 255) << 24)) >>> 0));
}

/** A player's colour (0xRRGGBB, as presence sends it) as CSS. */
export function colourCss(colour: number): string {
  return `#${(colour & 0xffffff).toString(16).padStart(6, "0")}`;
}
