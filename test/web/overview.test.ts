/**
 * The zoomed-out overview in a real browser (headless Chromium against wrangler dev): a 4096² soup
 * room, half of it replaced by a settled field of still lifes, seen at three zooms. Zoomed out,
 * the room sends each block's density level and the page draws it as a shade of the live colour;
 * the tests measure the drawn pixels: which shades are present, that they are shades of the live
 * colour over the world's background, and that the settled half and the busy half differ.
 *
 * Screenshots go to test-results/web/overview-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { CreatedRoom } from "../../common/protocol/index.ts";
import { BROWSER_MISSING_MESSAGE, CHROMIUM, type TestBrowser, type WatchedPage, launchBrowser, screenshot, watchedPage } from "./browser.ts";
import { createRoom, openRoom } from "./room-page.ts";
import { type TestServer, startServer } from "./server.ts";

const IN_CI = Boolean(process.env.CI);
if (!CHROMIUM && !IN_CI) console.warn(BROWSER_MISSING_MESSAGE);

const SIDE = 4096;
/** The settled half: a block (a still life) in every 16×16 square, at (3, 3) inside it, so that
 *  at every scale from 4 up its blocks hold at most 1/16 live cells (level 1). */
const LATTICE_PITCH = 16;
const LATTICE_OFFSET = 3;
/** Generations the 50% soup runs before the picture is taken: it thins to about 15% live, a busy
 *  soup (level 2 and above at every zoom here). */
const SOUP_GENERATIONS = 30;

/** The left half of the grid as RLE: the block lattice, and dead cells everywhere else. */
function latticeRle(width: number, height: number): string {
  const blocks = Math.floor((width - LATTICE_OFFSET) / LATTICE_PITCH) + 1;
  const blockRow = `${LATTICE_OFFSET}b` + `2o${LATTICE_PITCH - 2}b`.repeat(blocks - 1) + "2o";
  const lines: string[] = [];
  for (let y = 0; y < height; y++) lines.push(y % LATTICE_PITCH === LATTICE_OFFSET || y % LATTICE_PITCH === LATTICE_OFFSET + 1 ? blockRow : "");
  // Runs of empty lines as "n$".
  let body = "";
  let ends = 0;
  for (const line of lines) {
    if (line !== "") {
      if (ends > 0) body += ends === 1 ? "$" : `${ends}$`;
      body += line;
      ends = 0;
    }
    ends++;
  }
  return `x = ${width}, y = ${height}, rule = B3/S23\n${body}!\n`;
}

interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** The board's pixels inside a rectangle of grid cells (clipped to what is on screen), counted by
 *  colour: [r, g, b, count][]. */
async function coloursIn(page: Page, x0: number, y0: number, x1: number, y1: number): Promise<Array<[number, number, number, number]>> {
  return page.evaluate(
    ([ax, ay, bx, by]) => {
      const canvas = document.getElementById("board") as HTMLCanvasElement;
      const h = (window as unknown as { __edgelife: { cellToScreen(x: number, y: number): { x: number; y: number } | undefined } }).__edgelife;
      const a = h.cellToScreen(ax, ay);
      const b = h.cellToScreen(bx, by);
      if (!a || !b) return [];
      const ratio = canvas.width / canvas.clientWidth;
      const left = Math.max(0, Math.ceil(a.x * ratio));
      const top = Math.max(0, Math.ceil(a.y * ratio));
      const right = Math.min(canvas.width, Math.floor(b.x * ratio));
      const bottom = Math.min(canvas.height, Math.floor(b.y * ratio));
      if (right <= left || bottom <= top) return [];
      const data = canvas.getContext("2d")!.getImageData(left, top, right - left, bottom - top).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return [...counts].map(([key, n]) => [key >> 16, (key >> 8) & 255, key & 255, n] as [number, number, number, number]);
    },
    [x0, y0, x1, y1],
  );
}

function parseHex(hex: string): Rgb {
  const n = parseInt(hex.trim().replace("#", ""), 16);
  return { r: n >> 16, g: (n >> 8) & 255, b: n & 255 };
}

/** How far a colour lies from the world's background toward the live colour (0 … 1), or null when
 *  it is not on that line (not a shade of the live colour). */
function shadeOf(c: Rgb, world: Rgb, cell: Rgb): number | null {
  const d = [cell.r - world.r, cell.g - world.g, cell.b - world.b];
  const v = [c.r - world.r, c.g - world.g, c.b - world.b];
  const t = (d[0] * v[0] + d[1] * v[1] + d[2] * v[2]) / (d[0] ** 2 + d[1] ** 2 + d[2] ** 2);
  const off = Math.hypot(v[0] - t * d[0], v[1] - t * d[1], v[2] - t * d[2]);
  return off <= 3 ? t : null;
}

describe.skipIf(!CHROMIUM && !IN_CI)("the overview in a real browser", () => {
  let server: TestServer;
  let chromium: TestBrowser;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error(`${BROWSER_MISSING_MESSAGE}; CI requires the browser tests`);
    const [started, launched] = await Promise.allSettled([startServer(), launchBrowser(CHROMIUM)]);
    if (started.status === "fulfilled") server = started.value;
    if (launched.status === "fulfilled") chromium = launched.value;
    if (started.status === "rejected") throw started.reason;
    if (launched.status === "rejected") throw launched.reason;
  });

  afterAll(async () => {
    for (const { context } of pages.splice(0)) await context.close();
    await chromium?.close();
    await server?.stop();
  });

  async function control(room: CreatedRoom, body: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${server.url}/api/rooms/${room.id}/control`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url, authorization: `Bearer ${room.ownerToken}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  }

  it("shows a busy soup and a settled field in different shades of the live colour at three zooms", { timeout: 120_000 }, async () => {
    const room = await createRoom(server.url, { name: "Soup and ash", width: SIDE, height: SIDE });
    await control(room, { action: "randomize", density: 0.5, seed: 2026 });
    await control(room, { action: "step", generations: SOUP_GENERATIONS });
    const stamped = await fetch(`${server.url}/api/rooms/${room.id}/pattern?x=0&y=0&mode=replace`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: server.url, authorization: `Bearer ${room.ownerToken}` },
      body: latticeRle(SIDE / 2, SIDE),
    });
    expect(stamped.status).toBe(200);

    const watched = await watchedPage(chromium.browser);
    pages.push(watched);
    const page = await openRoom(watched.page, server.url, room, false);
    const css = await page.evaluate(() => {
      const style = getComputedStyle(document.getElementById("board")!);
      return { world: style.getPropertyValue("--world"), cell: style.getPropertyValue("--cell") };
    });
    const world = parseHex(css.world);
    const cell = parseHex(css.cell);
    await page.focus("#board");

    /** Waits until the page holds the region at the scale its zoom asks for (the finest power of
     *  two with a scaled cell at least a device pixel, as web/room/viewport.ts chooses) and has
     *  drawn it; returns that scale. */
    async function settle(): Promise<number> {
      const scale = await page.evaluate(() => {
        const view = (window as unknown as { __edgelife: { view: { scale: number } } }).__edgelife.view;
        let s = 1;
        while (s * view.scale * (window.devicePixelRatio || 1) < 1) s *= 2;
        return s;
      });
      await page.waitForFunction((s) => (window as unknown as { __edgelife: { region?: { scale: number } } }).__edgelife.region?.scale === s, scale, { timeout: 20_000 });
      await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
      return scale;
    }

    /** The shades of the live colour drawn in a rectangle of grid cells, by how many pixels show
     *  each (background pixels left out), brightest last; every lit pixel must be such a shade. */
    async function shadesIn(x0: number, y0: number, x1: number, y1: number): Promise<Array<{ shade: number; pixels: number }>> {
      const shades: Array<{ shade: number; pixels: number }> = [];
      for (const [r, g, b, pixels] of await coloursIn(page, x0, y0, x1, y1)) {
        const shade = shadeOf({ r, g, b }, world, cell);
        expect(shade, `rgb(${r}, ${g}, ${b}) is a shade of the live colour`).not.toBeNull();
        if (shade! > 0.05) shades.push({ shade: shade!, pixels });
      }
      return shades.sort((a, b) => a.shade - b.shade);
    }

    /** The shade most of the lit pixels of a rectangle show. */
    const dominant = (shades: Array<{ shade: number; pixels: number }>) => shades.reduce((a, b) => (b.pixels > a.pixels ? b : a)).shade;

    const zooms: Array<{ scale: number; shades: number; settled: number; busy: number }> = [];
    const look = async (name: string) => {
      const scale = await settle();
      await screenshot(page, `overview-${name}-scale-${scale}`);
      // The settled half is x < 2048, the soup x ≥ 2048; both sampled away from their border.
      const all = await shadesIn(0, 0, SIDE, SIDE);
      const settled = await shadesIn(256, 256, 1792, SIDE - 256);
      const busy = await shadesIn(2304, 256, 3840, SIDE - 256);
      zooms.push({ scale, shades: all.filter((s) => s.pixels >= 20).length, settled: dominant(settled), busy: dominant(busy) });
    };

    await look("fitted");
    for (let i = 0; i < 2; i++) await page.keyboard.press("+");
    await look("closer");
    for (let i = 0; i < 6; i++) await page.keyboard.press("-");
    await look("farthest");

    const scales = zooms.map((z) => z.scale);
    expect(new Set(scales).size, `three zooms at scales ${scales}`).toBe(3);
    expect(Math.min(...scales)).toBeGreaterThan(1);
    for (const z of zooms) {
      // One bit per block would draw one lit colour; levels draw several.
      expect(z.shades, `distinct shades at scale ${z.scale}`).toBeGreaterThanOrEqual(2);
      // The busy soup is drawn brighter than the settled field of still lifes.
      expect(z.busy, `busy vs settled shade at scale ${z.scale}`).toBeGreaterThan(z.settled + 0.15);
    }
    // Closest in, the soup's 4×4 blocks span every level: three lit shades.
    expect(zooms.find((z) => z.scale === Math.min(...scales))!.shades).toBe(3);

    // A DELTA at this scale repaints in levels too: one generation on, still several shades.
    const before = await page.evaluate(() => (window as unknown as { __edgelife: { region: { generation: number } } }).__edgelife.region.generation);
    await control(room, { action: "step", generations: 1 });
    await page.waitForFunction((g) => (window as unknown as { __edgelife: { region: { generation: number } } }).__edgelife.region.generation > g, before);
    await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
    expect((await shadesIn(0, 0, SIDE, SIDE)).filter((s) => s.pixels >= 20).length).toBeGreaterThanOrEqual(2);
    await screenshot(page, "overview-after-a-step");
    expect(watched.errors).toEqual([]);
    expect(watched.dialogs).toEqual([]);
  });
});
