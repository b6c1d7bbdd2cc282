/**
 * Selections in a real browser (headless Chromium) against the real server: a player drags out a
 * rectangle and copies, cuts, deletes, fills, turns, flips, moves and identifies it, and pastes
 * patterns through the system clipboard. What the room holds is read back over HTTP, so every
 * check is of the room's cells, not of the page's idea of them.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bitmap, bitmapPopulation, bitmapsEqual, createBitmap, getBit, setBit } from "../../common/bitmap.ts";
import { parsePattern } from "../../common/formats/index.ts";
import type { CreatedRoom } from "../../common/protocol/index.ts";
import { flipHorizontal, rotateClockwise } from "../../web/stamp.ts";
import { BROWSER_MISSING_MESSAGE, CHROMIUM, type TestBrowser, type WatchedPage, launchBrowser, screenshot, watchedPage } from "./browser.ts";
import { cellPosition, createRoom, openRoom } from "./room-page.ts";
import { type TestServer, startServer } from "./server.ts";

const IN_CI = Boolean(process.env.CI);
const GLIDER_RLE = "x = 3, y = 3, rule = B3/S23\nbo$2bo$3o!";
/** As Golly writes a clipboard: a comment, a header with spaces, a body across lines. */
const GOLLY_LWSS = "#C Pasted from Golly\nx = 5, y = 4, rule = B3/S23\nbo2bo$o4b$o3bo$\n4o!\n";

function bitmapOf(rle: string): Bitmap {
  const parsed = parsePattern(rle);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.bitmap;
}

/** A w×h bitmap with `pattern` drawn at (dx, dy). */
function placed(pattern: Bitmap, w: number, h: number, dx: number, dy: number): Bitmap {
  const out = createBitmap(w, h);
  for (let y = 0; y < pattern.height; y++) for (let x = 0; x < pattern.width; x++) if (getBit(pattern, x, y)) setBit(out, x + dx, y + dy, true);
  return out;
}

describe.skipIf(!CHROMIUM && !IN_CI)("selections in a real browser", () => {
  let server: TestServer;
  let chromium: TestBrowser;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error(`${BROWSER_MISSING_MESSAGE}; CI requires the browser tests`);
    [server, chromium] = await Promise.all([startServer(), launchBrowser(CHROMIUM)]);
  });

  afterAll(async () => {
    for (const { context } of pages) await context.close();
    await chromium?.close();
    await server?.stop();
  });

  async function open(options: Parameters<typeof watchedPage>[1] = {}): Promise<WatchedPage> {
    const watched = await watchedPage(chromium.browser, { permissions: ["clipboard-read", "clipboard-write"], ...options });
    pages.push(watched);
    return watched;
  }

  /** The room's cells in a rectangle, as the server exports them. */
  async function cells(room: CreatedRoom, x: number, y: number, w: number, h: number): Promise<Bitmap> {
    const response = await fetch(`${server.url}/api/rooms/${room.id}/pattern?x=${x}&y=${y}&w=${w}&h=${h}`);
    expect(response.status).toBe(200);
    return bitmapOf(await response.text());
  }

  async function population(room: CreatedRoom): Promise<number> {
    return ((await (await fetch(`${server.url}/api/rooms/${room.id}`)).json()) as { population: number }).population;
  }

  async function stampOverHttp(room: CreatedRoom, rle: string, x: number, y: number): Promise<void> {
    expect((await fetch(`${server.url}/api/rooms/${room.id}/pattern?x=${x}&y=${y}`, { method: "POST", body: rle, headers: { origin: server.url } })).status).toBe(200);
  }

  /** Select mode, then a drag from cell (x0, y0) to cell (x1, y1). */
  async function select(page: Page, x0: number, y0: number, x1: number, y1: number): Promise<void> {
    await page.focus("#board");
    await page.keyboard.press("s");
    const a = await cellPosition(page, x0, y0);
    const b = await cellPosition(page, x1, y1);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 4 });
    await page.mouse.up();
    await page.locator("#select-size", { hasText: `${x1 - x0 + 1}×${y1 - y0 + 1} at (${x0}, ${y0})` }).waitFor();
  }

  /** Clicks a selection button and waits for the room to hold `expected` in the rectangle. */
  async function untilCells(room: CreatedRoom, rect: [number, number, number, number], expected: Bitmap): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const now = await cells(room, ...rect);
      if (bitmapsEqual(now, expected)) return;
      if (Date.now() > deadline) expect(bitmapsEqual(now, expected), "the room's cells").toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("copies a glider as RLE to the system clipboard, identifies it, flips, turns and deletes it", async () => {
    const room = await createRoom(server.url, { name: "Selections", width: 64, height: 64 });
    await stampOverHttp(room, GLIDER_RLE, 10, 10);
    const { page } = await open();
    await openRoom(page, server.url, room, true);
    await select(page, 9, 9, 13, 13);
    const glider = placed(bitmapOf(GLIDER_RLE), 5, 5, 1, 1);

    await page.click("#select-copy");
    await page.locator("#select-status", { hasText: "Copied 5×5 as RLE" }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(bitmapsEqual(bitmapOf(copied), glider)).toBe(true);

    await page.click("#select-identify");
    await page.locator("#select-status", { hasText: "c/4 diagonal spaceship" }).waitFor();
    expect(await page.locator("#select-status").textContent()).toContain("population 5");

    await page.click("#select-flip");
    await untilCells(room, [9, 9, 5, 5], flipHorizontal(glider));
    await page.click("#select-rotate");
    await untilCells(room, [9, 9, 5, 5], rotateClockwise(flipHorizontal(glider)));
    await screenshot(page, "selection-turned");
    await page.click("#select-delete");
    await untilCells(room, [9, 9, 5, 5], createBitmap(5, 5));
    expect(await population(room)).toBe(0);
  });

  it("cuts with Ctrl+X and pastes with Ctrl+V, also a pattern copied from Golly, where the ghost is", async () => {
    const room = await createRoom(server.url, { name: "Clipboard", width: 64, height: 64 });
    await stampOverHttp(room, GLIDER_RLE, 30, 30);
    const { page } = await open();
    await openRoom(page, server.url, room, true);
    await select(page, 30, 30, 32, 32);
    await page.keyboard.press("Control+x");
    await untilCells(room, [30, 30, 3, 3], createBitmap(3, 3));
    expect(bitmapsEqual(bitmapOf(await page.evaluate(() => navigator.clipboard.readText())), bitmapOf(GLIDER_RLE))).toBe(true);

    // Golly's clipboard text, pasted: held as a stamp, placed with a click on cell (5, 40).
    await page.evaluate((text) => navigator.clipboard.writeText(text), GOLLY_LWSS);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+v");
    await page.locator("#stamp-bar").waitFor({ state: "visible" });
    const target = await cellPosition(page, 7, 41);
    await page.mouse.move(target.x, target.y);
    await page.mouse.click(target.x, target.y);
    const deadline = Date.now() + 10_000;
    while ((await population(room)) !== 9 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await population(room)).toBe(9);
    const grid = await cells(room, 0, 0, 64, 64);
    const lwss = bitmapOf(GOLLY_LWSS);
    // Wherever the ghost put it, the room holds exactly the LWSS once.
    let found = 0;
    for (let y = 0; y + lwss.height <= 64; y++) {
      for (let x = 0; x + lwss.width <= 64; x++) {
        let same = true;
        for (let py = 0; py < lwss.height && same; py++) for (let px = 0; px < lwss.width && same; px++) same = getBit(grid, x + px, y + py) === getBit(lwss, px, py);
        if (same) found++;
      }
    }
    expect(found).toBe(1);
  });

  it("fills a selection at random and moves cells elsewhere, on a phone with the on-screen buttons", async () => {
    const room = await createRoom(server.url, { name: "Pocket selections", width: 48, height: 48 });
    await stampOverHttp(room, GLIDER_RLE, 4, 4);
    const { page } = await open({ width: 390, height: 844, mobile: true });
    await openRoom(page, server.url, room, true);

    await select(page, 20, 20, 29, 29);
    await page.fill("#select-density", "0.5");
    await page.tap("#select-fill");
    const deadline = Date.now() + 10_000;
    while ((await population(room)) <= 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const filled = await cells(room, 20, 20, 10, 10);
    expect(bitmapPopulation(filled)).toBeGreaterThan(20);
    expect(bitmapPopulation(filled)).toBeLessThan(80);
    expect(await population(room)).toBe(bitmapPopulation(filled) + 5); // nothing outside changed
    await page.tap("#select-delete");
    await untilCells(room, [20, 20, 10, 10], createBitmap(10, 10));

    // Move: the glider is lifted, and placed by a tap where it should go.
    await select(page, 4, 4, 6, 6);
    await page.tap("#select-move");
    await untilCells(room, [4, 4, 3, 3], createBitmap(3, 3));
    await page.tap("#stamp-place");
    await untilCells(room, [4, 4, 3, 3], bitmapOf(GLIDER_RLE)); // placed back where the ghost was
    await screenshot(page, "selection-phone");
    for (const { errors } of pages) expect(errors).toEqual([]);
  });
});
