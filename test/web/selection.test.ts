/**
 * Selections in a real browser (headless Chromium) against the real server, on a desktop (mouse
 * and keyboard) and on a 390×844 touch phone (fingers and the on-screen buttons): a player drags
 * out a rectangle and copies, cuts, deletes, fills, turns, flips, moves (by dragging it, and with
 * Move) and identifies it, and pastes patterns through the system clipboard — this app's own RLE
 * and Golly's. What the room holds is read back over HTTP, so every check is of the room's cells,
 * not of the page's idea of them.
 */
import type { CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bitmap, bitmapPopulation, bitmapsEqual, createBitmap, getBit, setBit } from "../../common/bitmap.ts";
import { parsePattern } from "../../common/formats/index.ts";
import type { CreatedRoom } from "../../common/protocol/index.ts";
import { flipHorizontal, rotateClockwise } from "../../web/stamp.ts";
import { BROWSER_MISSING_MESSAGE, CHROMIUM, type TestBrowser, type WatchedPage, launchBrowser, screenshot, watchedPage } from "./browser.ts";
import { cellPosition, createRoom, openRoom } from "./room-page.ts";
import { type TestServer, startServer } from "./server.ts";

const IN_CI = Boolean(process.env.CI);
if (!CHROMIUM && !IN_CI) console.warn(BROWSER_MISSING_MESSAGE);

const GLIDER_RLE = "x = 3, y = 3, rule = B3/S23\nbo$2bo$3o!";
/** As Golly puts a selection on the clipboard: a header with spaces, a body across lines. */
const GOLLY_LWSS = "x = 5, y = 4, rule = B3/S23\nbo2bo$o4b$o3bo$\n4o!\n";
/** An L of five cells in a 4×2 box: turning it shows where a non-square selection goes. */
const L_RLE = "x = 4, y = 2, rule = B3/S23\no$4o!";

interface Device {
  name: string;
  options: Parameters<typeof watchedPage>[1];
  touch: boolean;
}
const DESKTOP: Device = { name: "on a desktop", options: {}, touch: false };
const PHONE: Device = { name: "on a phone", options: { width: 390, height: 844, mobile: true }, touch: true };

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

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!CHROMIUM && !IN_CI)("selections in a real browser", () => {
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
    await chromium?.close();
    await server?.stop();
  });

  /** A page whose clipboard the page may read and write (unless `permissions` says otherwise). */
  async function open(device: Device, permissions = ["clipboard-read", "clipboard-write"]): Promise<WatchedPage> {
    const watched = await watchedPage(chromium.browser, { ...device.options, permissions });
    pages.push(watched);
    return watched;
  }

  /** No page of the test logged a console error or opened a dialog; then they are closed. */
  async function expectCleanPages(): Promise<void> {
    for (const { errors, dialogs } of pages) {
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
    }
    for (const { context } of pages.splice(0)) await context.close();
  }

  async function roomWith(name: string, patterns: Array<[string, number, number]>): Promise<CreatedRoom> {
    const room = await createRoom(server.url, { name, width: 64, height: 64 });
    for (const [rle, x, y] of patterns) {
      const response = await fetch(`${server.url}/api/rooms/${room.id}/pattern?x=${x}&y=${y}`, { method: "POST", body: rle, headers: { origin: server.url } });
      expect(response.status).toBe(200);
    }
    return room;
  }

  /** The room's cells in a rectangle, as the server exports them. */
  async function cells(room: CreatedRoom, [x, y, w, h]: [number, number, number, number]): Promise<Bitmap> {
    const response = await fetch(`${server.url}/api/rooms/${room.id}/pattern?x=${x}&y=${y}&w=${w}&h=${h}`);
    expect(response.status).toBe(200);
    return bitmapOf(await response.text());
  }

  async function population(room: CreatedRoom): Promise<number> {
    return ((await (await fetch(`${server.url}/api/rooms/${room.id}`)).json()) as { population: number }).population;
  }

  /** Waits (up to 10 s) for the room to hold `expected` in the rectangle. */
  async function untilCells(room: CreatedRoom, rect: [number, number, number, number], expected: Bitmap): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const now = await cells(room, rect);
      if (bitmapsEqual(now, expected)) return;
      if (Date.now() > deadline) expect(bitmapsEqual(now, expected), `the room's cells at ${rect.join(", ")}`).toBe(true);
      await delay(100);
    }
  }

  async function untilPopulation(room: CreatedRoom, accept: (n: number) => boolean): Promise<number> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const n = await population(room);
      if (accept(n) || Date.now() > deadline) return n;
      await delay(100);
    }
  }

  /** A click, or on the phone a tap. */
  async function press(page: Page, device: Device, selector: string): Promise<void> {
    if (device.touch) await page.tap(selector);
    else await page.click(selector);
  }

  /** The player's finger (phone) or mouse (desktop) on the board from cell `from` to cell `to`. */
  async function drag(page: Page, device: Device, from: [number, number], to: [number, number]): Promise<void> {
    const a = await cellPosition(page, ...from);
    const b = await cellPosition(page, ...to);
    const steps = 6;
    if (!device.touch) {
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move(b.x, b.y, { steps });
      await page.mouse.up();
      return;
    }
    const cdp: CDPSession = await page.context().newCDPSession(page);
    const touch = (type: "touchStart" | "touchMove" | "touchEnd", x: number, y: number) =>
      cdp.send("Input.dispatchTouchEvent", { type, touchPoints: type === "touchEnd" ? [] : [{ x, y, id: 1 }] });
    await touch("touchStart", a.x, a.y);
    for (let i = 1; i <= steps; i++) await touch("touchMove", a.x + ((b.x - a.x) * i) / steps, a.y + ((b.y - a.y) * i) / steps);
    // The finger rests before it lifts, as it does to drop something exactly: a finger that lifts
    // while moving flings, and the browser then swallows the next tap, which only stops the fling.
    for (let i = 0; i < 3; i++) {
      await delay(40);
      await touch("touchMove", b.x, b.y);
    }
    await touch("touchEnd", b.x, b.y);
    await cdp.detach();
  }

  /** Select mode (its toolbar button), then a rectangle from cell (x0, y0) to cell (x1, y1). */
  async function select(page: Page, device: Device, x0: number, y0: number, x1: number, y1: number): Promise<void> {
    await press(page, device, '.tool[data-mode="select"]');
    await drag(page, device, [x0, y0], [x1, y1]);
    await page.locator("#select-size", { hasText: `${x1 - x0 + 1}×${y1 - y0 + 1} at (${x0}, ${y0})` }).waitFor();
  }

  /** Puts the stamp down at the ghost centred on cell (x, y): a click, or a tap and Place. */
  async function placeAt(page: Page, device: Device, x: number, y: number): Promise<void> {
    const p = await cellPosition(page, x, y);
    if (device.touch) {
      await page.touchscreen.tap(p.x, p.y);
      await page.tap("#stamp-place");
    } else {
      await page.mouse.move(p.x, p.y);
      await page.mouse.click(p.x, p.y);
    }
  }

  /** Holds the clipboard's pattern as a stamp: Ctrl+V, or on the phone the panel's button. */
  async function paste(page: Page, device: Device): Promise<void> {
    if (device.touch) {
      await page.tap("#panel-toggle");
      const panel = page.locator("#export-panel");
      if (!(await panel.evaluate((e) => (e as HTMLDetailsElement).open))) await page.tap("#export-panel > summary");
      await page.tap("#paste-clipboard");
      await page.locator("#stamp-bar").waitFor({ state: "visible" });
      await page.tap("#panel-toggle");
    } else {
      await page.focus("#board");
      await page.keyboard.press("Control+v");
      await page.locator("#stamp-bar").waitFor({ state: "visible" });
    }
  }

  async function clipboardText(page: Page): Promise<string> {
    return page.evaluate(() => navigator.clipboard.readText());
  }

  for (const device of [DESKTOP, PHONE]) {
    describe(device.name, () => {
      it("copies a glider as RLE to the system clipboard, identifies it, flips, turns and deletes it", async () => {
        const room = await roomWith(`Selections ${device.name}`, [[GLIDER_RLE, 10, 10], [L_RLE, 30, 40]]);
        const { page } = await open(device);
        await openRoom(page, server.url, room, true);
        await select(page, device, 9, 9, 13, 13);
        const glider = placed(bitmapOf(GLIDER_RLE), 5, 5, 1, 1);

        if (device.touch) await press(page, device, "#select-copy");
        else await page.keyboard.press("Control+c");
        await page.locator("#select-status", { hasText: "Copied 5×5 as RLE" }).waitFor();
        expect(bitmapsEqual(bitmapOf(await clipboardText(page)), glider)).toBe(true);

        await press(page, device, "#select-identify");
        await page.locator("#select-status", { hasText: "Identify: c/4 diagonal spaceship, period 4" }).waitFor();
        expect(await page.locator("#select-status").textContent()).toContain("population 5");

        await press(page, device, "#select-flip");
        await untilCells(room, [9, 9, 5, 5], flipHorizontal(glider));
        await press(page, device, "#select-rotate");
        await untilCells(room, [9, 9, 5, 5], rotateClockwise(flipHorizontal(glider)));

        if (device.touch) await press(page, device, "#select-delete");
        else await page.keyboard.press("Delete");
        await untilCells(room, [9, 9, 5, 5], createBitmap(5, 5));
        expect(await untilPopulation(room, (n) => n === 5)).toBe(5); // the L alone is left

        // A 4×2 selection turns about its centre into a 2×4 one: the union of the two rectangles
        // holds only the turned L, and the selection follows it.
        await select(page, device, 30, 40, 33, 41);
        await press(page, device, "#select-rotate");
        await untilCells(room, [30, 39, 4, 4], placed(rotateClockwise(bitmapOf(L_RLE)), 4, 4, 1, 0));
        await page.locator("#select-size", { hasText: "2×4 at (31, 39)" }).waitFor();
        expect(await population(room)).toBe(5);
        await screenshot(page, `selection-turned-${device.touch ? "phone" : "desktop"}`);
        await expectCleanPages();
      });

      it("moves cells by dragging the selection, and with Move, which changes nothing until placed", async () => {
        const room = await roomWith(`Moves ${device.name}`, [[GLIDER_RLE, 10, 10]]);
        const { page } = await open(device);
        await openRoom(page, server.url, room, true);
        const glider = bitmapOf(GLIDER_RLE);
        await select(page, device, 10, 10, 12, 12);

        // Grabbed by its middle cell and dropped 20 right and 10 down.
        await drag(page, device, [11, 11], [31, 21]);
        await page.locator("#select-size", { hasText: "3×3 at (30, 20)" }).waitFor();
        await untilCells(room, [30, 20, 3, 3], glider);
        await untilCells(room, [10, 10, 3, 3], createBitmap(3, 3));
        expect(await population(room)).toBe(5);

        // Move lifts the cells as a stamp; put away, it leaves them where they were.
        await press(page, device, "#select-move");
        await page.locator("#stamp-bar").waitFor({ state: "visible" });
        await press(page, device, "#stamp-cancel");
        await page.locator("#stamp-bar").waitFor({ state: "hidden" });
        await select(page, device, 30, 20, 32, 22);
        await press(page, device, "#select-copy");
        await page.locator("#select-status", { hasText: "Copied 3×3" }).waitFor();
        expect(bitmapsEqual(bitmapOf(await clipboardText(page)), glider)).toBe(true);

        // Lifted again and placed centred on (41, 41): the cells go to (40, 40), and only there.
        await press(page, device, "#select-move");
        await page.locator("#stamp-bar").waitFor({ state: "visible" });
        await placeAt(page, device, 41, 41);
        await untilCells(room, [40, 40, 3, 3], glider);
        await untilCells(room, [30, 20, 3, 3], createBitmap(3, 3));
        expect(await population(room)).toBe(5);
        await page.locator("#select-size", { hasText: "3×3 at (40, 40)" }).waitFor();
        expect(await page.locator("#stamp-bar").isHidden()).toBe(true);
        await expectCleanPages();
      });

      it("fills at random, cuts, and pastes this app's RLE and Golly's where the ghost is", async () => {
        const room = await roomWith(`Clipboard ${device.name}`, [[GLIDER_RLE, 4, 4]]);
        const { page } = await open(device);
        await openRoom(page, server.url, room, true);

        await select(page, device, 20, 20, 29, 29);
        await page.fill("#select-density", "0.5");
        await press(page, device, "#select-fill");
        await untilPopulation(room, (n) => n > 5);
        const filled = await cells(room, [20, 20, 10, 10]);
        expect(bitmapPopulation(filled)).toBeGreaterThan(20);
        expect(bitmapPopulation(filled)).toBeLessThan(80);
        expect(await population(room)).toBe(bitmapPopulation(filled) + 5); // nothing outside changed

        if (device.touch) await press(page, device, "#select-cut");
        else await page.keyboard.press("Control+x");
        await untilCells(room, [20, 20, 10, 10], createBitmap(10, 10));
        expect(bitmapsEqual(bitmapOf(await clipboardText(page)), filled)).toBe(true);

        // Pasted back centred on (45, 45): the 10×10 cells land with their top-left at (40, 40).
        await paste(page, device);
        expect(await page.locator("#stamp-size").textContent()).toBe(`10×10, ${bitmapPopulation(filled)} cells`);
        await placeAt(page, device, 45, 45);
        await untilCells(room, [40, 40, 10, 10], filled);
        await press(page, device, "#stamp-cancel");

        // Golly's clipboard text, pasted and placed centred on (7, 41): its 5×4 box starts at (5, 39).
        await page.evaluate((text) => navigator.clipboard.writeText(text), GOLLY_LWSS);
        await paste(page, device);
        await placeAt(page, device, 7, 41);
        await untilCells(room, [5, 39, 5, 4], bitmapOf(GOLLY_LWSS));
        expect(await untilPopulation(room, (n) => n === 5 + bitmapPopulation(filled) + 9)).toBe(5 + bitmapPopulation(filled) + 9);
        await screenshot(page, `selection-pasted-${device.touch ? "phone" : "desktop"}`);
        await expectCleanPages();
      });
    });
  }

  it("shows the RLE in a box to copy by hand where the browser refuses the clipboard, and still pastes it", async () => {
    const room = await roomWith("No clipboard", [[GLIDER_RLE, 10, 10]]);
    // A browser that refuses every clipboard write (as one may without permission or focus).
    const { page } = await open(DESKTOP, []);
    await page.addInitScript(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError"));
    });
    await openRoom(page, server.url, room, true);
    await select(page, DESKTOP, 10, 10, 12, 12);
    await page.keyboard.press("Control+c");
    await page.locator("#clipboard-box").waitFor({ state: "visible" });
    await page.locator("#select-status", { hasText: "refused the clipboard" }).waitFor();
    const shown = await page.inputValue("#clipboard-text");
    expect(bitmapsEqual(bitmapOf(shown), bitmapOf(GLIDER_RLE))).toBe(true);
    // The box's text is selected, ready for Ctrl+C.
    expect(
      await page.evaluate(() => {
        const area = document.getElementById("clipboard-text") as HTMLTextAreaElement;
        return document.activeElement === area && area.selectionStart === 0 && area.selectionEnd === area.value.length;
      }),
    ).toBe(true);
    await screenshot(page, "selection-clipboard-refused");
    await page.click("#clipboard-done");
    expect(await page.locator("#clipboard-box").isHidden()).toBe(true);

    // Nor may the page read the system clipboard: "Paste from clipboard" holds the page's own copy.
    await page.click("#export-panel > summary");
    await page.click("#paste-clipboard");
    await page.locator("#stamp-bar").waitFor({ state: "visible" });
    expect(await page.locator("#stamp-size").textContent()).toBe("3×3, 5 cells");
    await placeAt(page, DESKTOP, 41, 21);
    await untilCells(room, [40, 20, 3, 3], bitmapOf(GLIDER_RLE));
    await expectCleanPages();
  });

  it("lets a player in a locked room select and copy, but not change the cells", async () => {
    const room = await roomWith("Locked", [[GLIDER_RLE, 10, 10]]);
    const locked = await fetch(`${server.url}/api/rooms/${room.id}/control`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${room.ownerToken}`, origin: server.url },
      body: JSON.stringify({ action: "configure", locked: true }),
    });
    expect(locked.status).toBe(200);
    const { page } = await open(DESKTOP);
    await openRoom(page, server.url, room, false);
    await select(page, DESKTOP, 10, 10, 12, 12);
    await page.keyboard.press("Delete");
    await page.locator("#banner", { hasText: "The owner has locked editing." }).waitFor();
    // A drag inside the selection selects anew instead of moving cells nobody may move.
    await drag(page, DESKTOP, [11, 11], [14, 13]);
    await page.locator("#select-size", { hasText: "4×3 at (11, 11)" }).waitFor();
    await select(page, DESKTOP, 10, 10, 12, 12);
    await page.keyboard.press("Control+c");
    await page.locator("#select-status", { hasText: "Copied 3×3 as RLE" }).waitFor();
    expect(bitmapsEqual(bitmapOf(await clipboardText(page)), bitmapOf(GLIDER_RLE))).toBe(true);
    expect(bitmapsEqual(await cells(room, [0, 0, 64, 64]), placed(bitmapOf(GLIDER_RLE), 64, 64, 10, 10))).toBe(true);
    await expectCleanPages();
  });

  it("identifies the whole grid: a lone blinker is a period-2 oscillator", async () => {
    const room = await roomWith("Whole grid", [["x = 3, y = 1, rule = B3/S23\n3o!", 50, 7]]);
    const { page } = await open(DESKTOP);
    await openRoom(page, server.url, room, true);
    await page.click("#export-panel > summary");
    await page.click("#identify-grid");
    await page.locator("#export-status", { hasText: "Identify: period-2 oscillator, population 3." }).waitFor();
    await expectCleanPages();
  });
});
