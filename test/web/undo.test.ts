/**
 * Undo and redo in a real browser (headless Chromium) against the real server (wrangler dev), with
 * two players: Ada draws and undoes through the page's own controls — Ctrl+Z, Ctrl+Shift+Z,
 * Ctrl+Y, the toolbar's buttons, and on a phone the same buttons by touch — and Bob, on another
 * page, sees her cells go and come back. What the room holds is read back over HTTP too.
 */
import type { Page, WebSocket as PageSocket } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getBit } from "../../common/bitmap.ts";
import { parsePattern } from "../../common/formats/index.ts";
import { ClientType, type CreatedRoom } from "../../common/protocol/index.ts";
import { BROWSER_MISSING_MESSAGE, CHROMIUM, type TestBrowser, type WatchedPage, launchBrowser, screenshot, watchedPage } from "./browser.ts";
import { cellPosition, createRoom, openRoom } from "./room-page.ts";
import { type TestServer, startServer } from "./server.ts";

const IN_CI = Boolean(process.env.CI);
if (!CHROMIUM && !IN_CI) console.warn(BROWSER_MISSING_MESSAGE);

type Cell = [number, number];
/** The cells of one stroke along row 12. */
const STROKE: Cell[] = Array.from({ length: 10 }, (_, i) => [10 + i, 12]);

describe.skipIf(!CHROMIUM && !IN_CI)("undo and redo in a real browser", () => {
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

  async function open(room: CreatedRoom, options: Parameters<typeof watchedPage>[1] = {}, before?: (page: Page) => void): Promise<WatchedPage> {
    const watched = await watchedPage(chromium.browser, options);
    pages.push(watched);
    before?.(watched.page);
    await openRoom(watched.page, server.url, room, false);
    return watched;
  }

  /** Every page logged no console error and opened no dialog. */
  function expectCleanPages(): void {
    for (const { errors, dialogs } of pages) {
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
    }
  }

  /** The room's live cells over HTTP, row by row. */
  async function roomCells(room: CreatedRoom): Promise<Cell[]> {
    const parsed = parsePattern(await (await fetch(`${server.url}/api/rooms/${room.id}/pattern`)).text());
    if (!parsed.ok) throw new Error(parsed.error);
    const { bitmap } = parsed.value;
    const cells: Cell[] = [];
    for (let y = 0; y < bitmap.height; y++) for (let x = 0; x < bitmap.width; x++) if (getBit(bitmap, x, y)) cells.push([x, y]);
    return cells;
  }

  /** Waits until the page shows every one of `cells` alive (or every one dead). */
  async function waitForCells(page: Page, cells: Cell[], alive: boolean): Promise<void> {
    await page.waitForFunction(
      ([list, want]) => list.every(([x, y]) => (window as unknown as { __edgelife: { cellAt(x: number, y: number): boolean | undefined } }).__edgelife.cellAt(x, y) === want),
      [cells, alive] as const,
    );
  }

  /** Waits until the page has no edit waiting for the room's answer. */
  async function settled(page: Page): Promise<void> {
    await page.waitForFunction(() => (window as unknown as { __edgelife: { pending: number } }).__edgelife.pending === 0);
  }

  /** Counts the SET_CELLS frames of every socket the page opens. */
  function countSetCells(page: Page, count: { frames: number }): void {
    page.on("websocket", (socket: PageSocket) =>
      socket.on("framesent", ({ payload }) => {
        if (typeof payload !== "string" && payload[1] === ClientType.SET_CELLS) count.frames++;
      }),
    );
  }

  /** A mouse stroke through `cells`, slow enough (80 ms a cell) that the page sends it in several frames. */
  async function strokeThrough(page: Page, cells: Cell[]): Promise<void> {
    const first = await cellPosition(page, cells[0][0], cells[0][1]);
    await page.mouse.move(first.x, first.y);
    await page.mouse.down();
    for (const [x, y] of cells.slice(1)) {
      const p = await cellPosition(page, x, y);
      await page.mouse.move(p.x, p.y);
      await page.waitForTimeout(80);
    }
    await page.mouse.up();
  }

  it("Ctrl+Z takes back a whole stroke, which the other player sees go; Ctrl+Shift+Z and Ctrl+Y bring it back", async () => {
    const room = await createRoom(server.url, { name: "Undo keys", width: 48, height: 48 });
    const sent = { frames: 0 };
    const ada = await open(room, {}, (page) => countSetCells(page, sent));
    const bob = await open(room);

    // Bob's own cell, elsewhere.
    const bobCell = await cellPosition(bob.page, 30, 30);
    await bob.page.mouse.click(bobCell.x, bobCell.y);
    await waitForCells(ada.page, [[30, 30]], true);

    const before = sent.frames;
    await strokeThrough(ada.page, STROKE);
    await waitForCells(bob.page, STROKE, true);
    await settled(ada.page);
    // The stroke went out in several frames, and one Ctrl+Z takes them all back.
    expect(sent.frames - before).toBeGreaterThanOrEqual(3);
    await screenshot(ada.page, "undo-stroke-drawn");

    await ada.page.keyboard.press("Control+z");
    await waitForCells(bob.page, STROKE, false);
    expect(await roomCells(room)).toEqual([[30, 30]]);
    await screenshot(bob.page, "undo-stroke-undone-seen-by-other");

    await ada.page.keyboard.press("Control+Shift+z");
    await waitForCells(bob.page, STROKE, true);
    await ada.page.keyboard.press("Control+z");
    await waitForCells(bob.page, STROKE, false);
    await ada.page.keyboard.press("Control+y");
    await waitForCells(bob.page, STROKE, true);
    expect(await roomCells(room)).toEqual([...STROKE, [30, 30]]);

    // Bob's undo is his own: it takes his cell, not Ada's stroke.
    await bob.page.keyboard.press("Control+z");
    await waitForCells(ada.page, [[30, 30]], false);
    expect(await roomCells(room)).toEqual(STROKE);
    expectCleanPages();
  });

  it("the toolbar's buttons undo and redo, and say so when there is nothing to undo", async () => {
    const room = await createRoom(server.url, { name: "Undo buttons", width: 48, height: 48 });
    const ada = await open(room);
    const bob = await open(room);
    const cells: Cell[] = [
      [5, 5],
      [7, 5],
    ];
    for (const [x, y] of cells) {
      const p = await cellPosition(ada.page, x, y);
      await ada.page.mouse.click(p.x, p.y);
      await settled(ada.page);
    }
    await waitForCells(bob.page, cells, true);

    await ada.page.click("#undo");
    await waitForCells(bob.page, [[7, 5]], false);
    await waitForCells(bob.page, [[5, 5]], true);
    await ada.page.click("#undo");
    await waitForCells(bob.page, [[5, 5]], false);
    await ada.page.click("#undo");
    await ada.page.locator("#banner", { hasText: "nothing to undo" }).waitFor();
    await ada.page.click("#redo");
    await waitForCells(bob.page, [[5, 5]], true);
    expect(await roomCells(room)).toEqual([[5, 5]]);
    expectCleanPages();
  });

  it("on a phone, the on-screen buttons undo and redo a tapped cell, and the other player sees it", async () => {
    const room = await createRoom(server.url, { name: "Undo phone", width: 48, height: 48 });
    const phone = await open(room, { width: 390, height: 844, mobile: true });
    const bob = await open(room);
    // Both buttons are on screen, whole, and big enough for a finger.
    for (const id of ["#undo", "#redo"]) {
      const box = await phone.page.locator(id).boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      expect(box!.y + box!.height).toBeLessThanOrEqual(844);
      expect(Math.min(box!.width, box!.height)).toBeGreaterThanOrEqual(30);
    }
    const p = await cellPosition(phone.page, 20, 20);
    await phone.page.touchscreen.tap(p.x, p.y);
    await waitForCells(bob.page, [[20, 20]], true);
    await settled(phone.page);
    await screenshot(phone.page, "undo-phone");

    const tap = async (id: string) => {
      const box = (await phone.page.locator(id).boundingBox())!;
      await phone.page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    };
    await tap("#undo");
    await waitForCells(bob.page, [[20, 20]], false);
    await tap("#redo");
    await waitForCells(bob.page, [[20, 20]], true);
    expect(await roomCells(room)).toEqual([[20, 20]]);
    expectCleanPages();
  });
});
