/**
 * The page's colours: the board's palette, read from the stylesheet's custom properties (so
 * styles.css is the one place they are chosen), and the conversions from a colour to what a
 * canvas ImageData or a CSS property takes.
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

/** A player's colour (0xRRGGBB, as presence sends it) as CSS. */
export function colourCss(colour: number): string {
  return `#${(colour & 0xffffff).toString(16).padStart(6, "0")}`;
}
