/**
 * The web client in a real browser (headless Chromium) against the real server (wrangler dev):
 * people draw, watch, pan, zoom, stamp, paste and export through the page's own controls. The
 * page exposes read-only hooks (window.__edgelife, see web/room/test-hooks.ts) only for what the
 * tests cannot read from pixels: generation, the known cells, and where a cell is on screen.
 *
 * Screenshots go to test-results/web/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { type Bitmap, getBit } from "../../common/bitmap.ts";
import type { CreatedRoom } from "../../common/protocol/index.ts";
import { parsePattern } from "../../common/formats/index.ts";
import { patternBitmap } from "../../common/patterns.ts";
import { BROWSER_MISSING_MESSAGE, CHROMIUM, type TestBrowser, type WatchedPage, launchBrowser, screenshot, watchedPage } from "./browser.ts";
import { cellPosition, createRoom as createRoomOn, openRoom as openRoomOn, waitReady } from "./room-page.ts";
import { type TestServer, startServer } from "./server.ts";

/** The read-only hooks web/room/test-hooks.ts puts on window. */
interface Hooks {
  generation: number;
  population: number;
  connected: boolean;
  owner: boolean;
  playerId: number;
  pending: number;
  running: boolean;
  view: { cx: number; cy: number; scale: number; width: number; height: number } | undefined;
  region: { x: number; y: number; width: number; height: number; scale: number; generation: number; alive: number } | undefined;
  cellToScreen(x: number, y: number): { x: number; y: number } | undefined;
  cellAt(x: number, y: number): boolean | undefined;
  lockstep: { active: boolean; steps: number; relabels: number; deltas: number; checksums: number; resyncs: number } | undefined;
}
declare global {
  interface Window {
    __edgelife: Hooks;
  }
}

const IN_CI = Boolean(process.env.CI);
if (!CHROMIUM && !IN_CI) console.warn(BROWSER_MISSING_MESSAGE);

/** #ffd166, the live-cell colour of styles.css. */
const CELL_RGB = [0xff, 0xd1, 0x66];
const GLIDER: Array<[number, number]> = [
  [1, 0],
  [2, 1],
  [0, 2],
  [1, 2],
  [2, 2],
];

describe.skipIf(!CHROMIUM && !IN_CI)("the web client in a real browser", () => {
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

  async function open(options: Parameters<typeof watchedPage>[1] = {}): Promise<WatchedPage> {
    const watched = await watchedPage(chromium.browser, options);
    pages.push(watched);
    return watched;
  }

  /** Every page of the test logged no console error (except those `allowed`) and opened no
   *  dialog; then closes them. */
  async function expectCleanPages(allowed?: RegExp): Promise<void> {
    for (const { errors, dialogs } of pages) {
      expect(errors.filter((e) => !allowed?.test(e))).toEqual([]);
      expect(dialogs).toEqual([]);
    }
    for (const { context } of pages.splice(0)) await context.close();
  }

  const createRoom = (body: Record<string, unknown>): Promise<CreatedRoom> => createRoomOn(server.url, body);

  /** Opens a room page; as its owner when `owner`. */
  const openRoom = (watched: WatchedPage, room: CreatedRoom, owner: boolean): Promise<Page> => openRoomOn(watched.page, server.url, room, owner);

  async function clickCell(page: Page, x: number, y: number): Promise<void> {
    const p = await cellPosition(page, x, y);
    await page.mouse.click(p.x, p.y);
  }

  /** The board's pixel colour inside a cell: a quarter cell up and left of its centre, clear of
   *  another player's cursor arrow, which points at the centre and extends down and right. */
  async function pixelAt(page: Page, x: number, y: number): Promise<number[]> {
    return page.evaluate(
      ([cx, cy]) => {
        const canvas = document.getElementById("board") as HTMLCanvasElement;
        const at = window.__edgelife.cellToScreen(cx, cy);
        const scale = window.__edgelife.view?.scale ?? 1;
        if (!at) return [];
        const ratio = canvas.width / canvas.clientWidth;
        const px = Math.floor((at.x - scale / 4) * ratio);
        const py = Math.floor((at.y - scale / 4) * ratio);
        const data = canvas.getContext("2d")?.getImageData(px, py, 1, 1).data;
        return data ? [data[0], data[1], data[2]] : [];
      },
      [x, y],
    );
  }

  async function waitForCells(page: Page, cells: Array<[number, number]>, alive: boolean): Promise<void> {
    await page.waitForFunction(
      ([list, want]) => list.every(([x, y]) => window.__edgelife.cellAt(x, y) === want),
      [cells, alive] as const,
    );
  }

  /** The hooks' data (not their functions, which do not cross into Node). */
  async function hooks(page: Page): Promise<Pick<Hooks, "generation" | "population" | "owner" | "pending" | "view" | "region">> {
    return page.evaluate(() => {
      const h = window.__edgelife;
      return { generation: h.generation, population: h.population, owner: h.owner, pending: h.pending, view: h.view, region: h.region };
    });
  }

  /** Resolves after the page has drawn its next two animation frames. */
  async function nextFrames(page: Page): Promise<void> {
    await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
  }

  /** Live cells of the page's region inside [x0, x1) × [y0, y1). */
  async function liveCells(page: Page, x0: number, y0: number, x1: number, y1: number): Promise<Array<[number, number]>> {
    return page.evaluate(
      ([ax, ay, bx, by]) => {
        const out: Array<[number, number]> = [];
        for (let y = ay; y < by; y++) for (let x = ax; x < bx; x++) if (window.__edgelife.cellAt(x, y)) out.push([x, y]);
        return out;
      },
      [x0, y0, x1, y1],
    );
  }

  function cellsOf(bitmap: Bitmap, dx: number, dy: number): Array<[number, number]> {
    const cells: Array<[number, number]> = [];
    for (let y = 0; y < bitmap.height; y++) for (let x = 0; x < bitmap.width; x++) if (getBit(bitmap, x, y)) cells.push([x + dx, y + dy]);
    return cells;
  }

  it("lists a new room in the lobby within seconds, and shows a hostile room name as text", async () => {
    const { page, dialogs } = await open();
    await page.goto(`${server.url}/`);
    await page.locator("#rooms-status", { hasText: "updated" }).waitFor();
    const name = "<img src=x onerror=alert(1)>";
    const created = Date.now();
    const room = await createRoom({ name, width: 64, height: 64 });
    const row = page.locator(`tr[data-room-id="${room.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(Date.now() - created).toBeLessThan(10_000);
    expect(await row.locator("td.name").textContent()).toBe(name);
    expect(await row.locator("td").nth(2).textContent()).toBe("B3/S23 (Life)");
    expect(await page.locator("img").count()).toBe(0);
    await screenshot(page, "lobby-desktop");

    await row.locator("a").click();
    await page.waitForURL(`**/r/${room.id}`);
    await waitReady(page);
    expect(await page.locator("#room-name").textContent()).toBe(name);
    expect(await page.title()).toBe(`${name} · edgelife`);
    expect(await page.locator("img").count()).toBe(0);

    // A second player with a hostile name: the first page lists it as text.
    const other = await open();
    await other.page.addInitScript(() => localStorage.setItem("edgelife:name", "<b onmouseover=alert(2)>Eve</b>"));
    await openRoom(other, room, false);
    await page.locator("#players li", { hasText: "<b onmouseover=alert(2)>Eve</b>" }).waitFor();
    expect(await page.locator("#players b").count()).toBe(0);
    expect(dialogs).toEqual([]);
    await expectCleanPages();
  });

  it("creates a room from the lobby form and keeps its creator as the owner", async () => {
    const { page } = await open();
    await page.goto(`${server.url}/`);
    await page.fill("#create-name", "Classroom");
    await page.selectOption("#create-size", "64");
    await page.selectOption("#create-rule-preset", { label: "HighLife (B36/S23)" });
    await page.check('input[name="topology"][value="plane"]');
    await page.uncheck("#create-running");
    await page.click("#create-submit");
    await page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
    await waitReady(page);
    expect((await hooks(page)).owner).toBe(true);
    expect(await page.locator("#owner-panel").isVisible()).toBe(true);
    expect(await page.locator("#room-meta").textContent()).toContain("B36/S23 (HighLife)");
    expect(await page.locator("#room-meta").textContent()).toContain("plane");
    // Reloading keeps the owner: the token is in localStorage.
    await page.reload();
    await waitReady(page);
    expect((await hooks(page)).owner).toBe(true);
    // Space plays and pauses.
    await page.focus("#board");
    await page.keyboard.press(" ");
    await page.waitForFunction(() => window.__edgelife.running && window.__edgelife.generation > 0);
    expect(await page.locator("#ctl-play").textContent()).toBe("Pause");
    await page.keyboard.press(" ");
    await page.waitForFunction(() => !window.__edgelife.running);
    expect(await page.locator("#ctl-play").textContent()).toBe("Play");
    await expectCleanPages();
  });

  it("takes the grid from a rule's Golly suffix typed in the create form (B3/S23:P100,50 is a 100×50 plane)", async () => {
    const { page } = await open();
    await page.goto(`${server.url}/`);
    await page.fill("#create-name", "Suffixed");
    await page.fill("#create-rule-string", "B3/S23:P100,50");
    expect(await page.locator("#create-width").inputValue()).toBe("100");
    expect(await page.locator("#create-height").inputValue()).toBe("50");
    expect(await page.locator('input[name="topology"][value="plane"]').isChecked()).toBe(true);
    expect(await page.locator("#create-rule-description").textContent()).toContain("100 × 50 plane");
    await page.click("#create-submit");
    await page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
    await waitReady(page);
    const id = new URL(page.url()).pathname.split("/").pop()!;
    const info = (await (await fetch(`${server.url}/api/rooms/${id}`)).json()) as { width: number; height: number; topology: string };
    expect(info).toMatchObject({ width: 100, height: 50, topology: "plane" });
    // The owner's rule field cannot resize the room: it says so instead of dropping the suffix.
    await page.fill("#ctl-rule", "B36/S23:T64,64");
    await page.click("#ctl-rule-set");
    await page.locator("#ctl-status", { hasText: "a room's grid cannot change" }).waitFor();
    // A density out of range is explained, not ignored.
    await page.fill("#ctl-density", "2");
    await page.click("#ctl-randomize");
    await page.locator("#ctl-status", { hasText: "from 0 to 1" }).waitFor();
    expect((await hooks(page)).population).toBe(0);
    await expectCleanPages();
  });

  it("shows cells drawn on one page on another, and both see them evolve", async () => {
    const room = await createRoom({ name: "Two players", width: 64, height: 64 });
    const a = await openRoom(await open(), room, true);
    const b = await openRoom(await open(), room, false);
    expect((await hooks(b)).owner).toBe(false);
    expect(await b.locator("#owner-panel").isVisible()).toBe(false);
    // A player who is not the owner pressing Space or "n" is told why nothing happens.
    await b.focus("#board");
    await b.keyboard.press(" ");
    await b.locator("#banner", { hasText: "Only the room's owner can start it" }).waitFor();
    await b.keyboard.press("n");
    await b.locator("#banner", { hasText: "Only the room's owner can step it" }).waitFor();
    expect(await b.evaluate(() => window.__edgelife.running)).toBe(false);

    const glider = GLIDER.map(([x, y]): [number, number] => [x + 10, y + 10]);
    for (const [x, y] of glider) {
      await clickCell(a, x, y);
      await nextFrames(a);
      // The drawing player sees the cell at once (pending or confirmed), before any round trip.
      expect(await pixelAt(a, x, y)).not.toEqual([0x0a, 0x0c, 0x10]);
    }
    await waitForCells(b, glider, true);
    // A's pointer leaves the board, so its cursor and name label on B no longer cover cells.
    await a.mouse.move(1, 1);
    for (const [x, y] of glider) await expect.poll(() => pixelAt(b, x, y)).toEqual(CELL_RGB);
    await screenshot(a, "room-drawn-a");
    await screenshot(b, "room-drawn-b");

    // Four generations later the glider has moved one cell down and right, on both pages.
    await a.focus("#board");
    for (let i = 1; i <= 4; i++) {
      await a.keyboard.press("n");
      await a.waitForFunction((g) => window.__edgelife.generation >= g, i);
    }
    const moved = glider.map(([x, y]): [number, number] => [x + 1, y + 1]);
    for (const page of [a, b]) {
      await page.waitForFunction(() => window.__edgelife.generation === 4);
      await waitForCells(page, moved, true);
      expect(await liveCells(page, 0, 0, 64, 64)).toHaveLength(5);
    }
    for (const [x, y] of moved) await expect.poll(() => pixelAt(b, x, y)).toEqual(CELL_RGB);
    await screenshot(b, "room-evolved-b");

    // Dragging draws every cell along the way; dragging in erase mode clears them again.
    const line = Array.from({ length: 16 }, (_, i): [number, number] => [30 + i, 40]);
    const drag = async (from: [number, number], to: [number, number]) => {
      const p = await cellPosition(a, ...from);
      const q = await cellPosition(a, ...to);
      await a.mouse.move(p.x, p.y);
      await a.mouse.down();
      await a.mouse.move(q.x, q.y, { steps: 3 }); // coarse samples: the gaps are filled in
      await a.mouse.up();
    };
    await drag(line[0], line[15]);
    await waitForCells(b, line, true);
    await a.click('.tool[data-mode="erase"]');
    await drag(line[15], line[0]);
    await waitForCells(b, line, false);
    await a.click('.tool[data-mode="draw"]');

    // The owner locks editing: the other player's drawing tools turn off.
    await a.check("#ctl-locked");
    await b.locator("#room-meta", { hasText: "editing locked" }).waitFor();
    expect(await b.locator('.tool[data-mode="draw"]').isDisabled()).toBe(true);
    expect(await b.locator('.tool[data-mode="erase"]').isDisabled()).toBe(true);
    await a.uncheck("#ctl-locked");
    await b.locator('.tool[data-mode="draw"]:not([disabled])').waitFor();
    await expectCleanPages();
  });

  it("pans and zooms with keys, wheel and drag, and asks the server for an overview when zoomed out", async () => {
    const room = await createRoom({ name: "Big world", width: 4096, height: 4096 });
    await fetch(`${server.url}/api/rooms/${room.id}/pattern?x=2048&y=2048`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: server.url },
      body: "x = 2, y = 2\n2o$2o!",
    });
    const page = await openRoom(await open(), room, false);
    const fitted = await hooks(page);
    // Fitted, a 4096² world is far below one pixel per cell: the region is a coarse overview.
    expect(fitted.view!.scale).toBeLessThan(0.25);
    await page.waitForFunction(() => (window.__edgelife.region?.scale ?? 0) > 1);

    await page.focus("#board");
    await page.keyboard.press("+");
    expect((await hooks(page)).view!.scale).toBeCloseTo(fitted.view!.scale * 1.5, 6);
    await page.keyboard.press("-");
    expect((await hooks(page)).view!.scale).toBeCloseTo(fitted.view!.scale, 6);

    // Wheel zoom keeps the cell under the pointer where it is.
    const box = (await page.locator("#board").boundingBox())!;
    const near = await cellPosition(page, 2048, 2048);
    const pointer = { x: Math.round(near.x), y: Math.round(near.y) };
    const cellUnder = (view: NonNullable<Awaited<ReturnType<typeof hooks>>["view"]>) => ({
      x: (pointer.x - box.x - view.width / 2) / view.scale + view.cx,
      y: (pointer.y - box.y - view.height / 2) / view.scale + view.cy,
    });
    const underBefore = cellUnder(fitted.view!);
    await page.mouse.move(pointer.x, pointer.y);
    for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -400);
    const zoomed = await hooks(page);
    expect(zoomed.view!.scale).toBeGreaterThan(8);
    const underAfter = cellUnder(zoomed.view!);
    expect(underAfter.x).toBeCloseTo(underBefore.x, 2);
    expect(underAfter.y).toBeCloseTo(underBefore.y, 2);
    // Zoomed in, the server sends every cell of a small region, and the block is drawn.
    await page.waitForFunction(() => window.__edgelife.region?.scale === 1 && window.__edgelife.region.width <= 1024);
    await waitForCells(page, [[2048, 2048], [2049, 2049]], true);
    expect(await pixelAt(page, 2048, 2048)).toEqual(CELL_RGB);
    await screenshot(page, "room-zoomed");

    // Dragging in move mode pans: the grid follows the pointer.
    await page.click('.tool[data-mode="move"]');
    const start = await hooks(page);
    await page.mouse.move(640, 400);
    await page.mouse.down();
    await page.mouse.move(540, 350, { steps: 5 });
    await page.mouse.up();
    const dragged = await hooks(page);
    expect(dragged.view!.cx - start.view!.cx).toBeCloseTo(100 / start.view!.scale, 3);
    expect(dragged.view!.cy - start.view!.cy).toBeCloseTo(50 / start.view!.scale, 3);

    // Arrow keys pan by an eighth of the view; "f" fits the grid again.
    await page.focus("#board");
    await page.keyboard.press("ArrowRight");
    expect((await hooks(page)).view!.cx).toBeGreaterThan(dragged.view!.cx);
    await page.keyboard.press("f");
    const refitted = (await hooks(page)).view!;
    expect(refitted.scale).toBeCloseTo((Math.min(refitted.width, refitted.height) / 4096) * 0.92, 6);
    expect([refitted.cx, refitted.cy]).toEqual([2048, 2048]);
    await page.waitForFunction(() => (window.__edgelife.region?.scale ?? 0) > 1);
    await expectCleanPages();
  });

  it("stamps a Gosper glider gun from the pattern library, and it fires gliders", async () => {
    const room = await createRoom({ name: "Gun range", width: 256, height: 256, topology: "plane" });
    const page = await openRoom(await open(), room, true);
    await page.click('[data-pattern="gosper-glider-gun"]');
    expect(await page.locator("#stamp-bar").isVisible()).toBe(true);
    const centre = await cellPosition(page, 60, 40);
    await page.mouse.move(centre.x, centre.y);
    await screenshot(page, "room-gun-ghost");
    await page.mouse.click(centre.x, centre.y);
    // The gun's 36×9 box is centred on the click: its top-left cell is (42, 36).
    const gun = cellsOf(patternBitmap("gosper-glider-gun"), 42, 36);
    await waitForCells(page, gun, true);
    await page.waitForFunction(() => window.__edgelife.pending === 0);
    expect(await liveCells(page, 0, 0, 256, 256)).toHaveLength(36);

    const stepTo = async (generation: number, by: number) => {
      await page.fill("#ctl-step-n", String(by));
      await page.click("#ctl-step-n-go");
      await page.waitForFunction((g) => window.__edgelife.region?.generation === g, generation);
    };
    await stepTo(60, 60);
    const at60 = (await liveCells(page, 0, 0, 256, 256)).length;
    await stepTo(120, 60);
    const at120 = (await liveCells(page, 0, 0, 256, 256)).length;
    // One new glider (5 cells) every 30 generations.
    expect(at120 - at60).toBe(10);
    // Gliders are flying away from the gun's box.
    const away = (await liveCells(page, 0, 0, 256, 256)).filter(([x, y]) => x >= 42 + 36 + 4 || y >= 36 + 9 + 4);
    expect(away.length).toBeGreaterThanOrEqual(5);
    await page.waitForFunction((n) => window.__edgelife.population === n && window.__edgelife.generation === 120, at120);
    // The page stepped the gun itself: 60 generations per STEP frame, its cells then exact.
    expect(await page.evaluate(() => window.__edgelife.lockstep)).toMatchObject({ active: true, steps: 2, resyncs: 0 });
    await screenshot(page, "room-gun-fired");
    await expectCleanPages();
  });

  it("pastes an RLE, rotates a stamp, and exports a selection that round-trips", async () => {
    const room = await createRoom({ name: "Paste and export", width: 128, height: 128 });
    const watched = await open({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await openRoom(watched, room, false);
    const rle = "#N Lopsided\nx = 7, y = 5, rule = B3/S23\nob2o2bo$3o$bo3bo$5b2o$o5bo!";
    const parsed = parsePattern(rle);
    if (!parsed.ok) throw new Error(parsed.error);
    const shape = parsed.value.bitmap;

    await page.locator("summary", { hasText: "Paste a pattern" }).click();
    await page.fill("#paste-text", rle);
    await page.click("#paste-use");
    expect(await page.locator("#stamp-name").textContent()).toBe("Lopsided");
    await clickCell(page, 40, 40); // centred: top-left at (37, 38)
    const placed = cellsOf(shape, 37, 38);
    await waitForCells(page, placed, true);
    await page.waitForFunction(() => window.__edgelife.pending === 0);

    // The same shape turned a quarter clockwise (r) and stamped elsewhere: 5×7, top-left (78, 77).
    await page.focus("#board");
    await page.keyboard.press("r");
    await clickCell(page, 80, 80);
    const turned = cellsOf(shape, 0, 0).map(([x, y]): [number, number] => [78 + (shape.height - 1 - y), 77 + x]);
    await waitForCells(page, turned, true);
    expect(await liveCells(page, 70, 70, 100, 100)).toHaveLength(turned.length);

    // Select exactly the first stamp's box and export it.
    await page.keyboard.press("s");
    const from = await cellPosition(page, 37, 38);
    const to = await cellPosition(page, 43, 42);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 4 });
    await page.mouse.up();
    expect(await page.locator("#select-size").textContent()).toBe("7×5 at (37, 38)");
    await page.click("#select-export");
    await page.waitForFunction(() => (document.getElementById("export-text") as HTMLTextAreaElement).value.includes("!"));
    const exported = await page.inputValue("#export-text");
    const back = parsePattern(exported);
    if (!back.ok) throw new Error(back.error);
    expect(back.value.bitmap.width).toBe(7);
    expect(back.value.bitmap.height).toBe(5);
    expect(cellsOf(back.value.bitmap, 0, 0)).toEqual(cellsOf(shape, 0, 0));

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-download")]);
    const path = await download.path();
    expect(readFileSync(path, "utf8")).toBe(exported);
    await page.click("#export-copy");
    await page.locator("#export-status", { hasText: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(exported);

    // The whole grid exports too, with both stamps where they were placed.
    await page.click("#export-grid");
    await page.waitForFunction(() => (document.getElementById("export-status") as HTMLElement).textContent === "Whole grid.");
    const whole = parsePattern(await page.inputValue("#export-text"));
    if (!whole.ok) throw new Error(whole.error);
    for (const [x, y] of [...placed, ...turned]) expect(getBit(whole.value.bitmap, x, y)).toBe(true);
    await screenshot(page, "room-export");
    await expectCleanPages();
  });

  it("says so when a room does not exist, without opening a socket", async () => {
    const { page } = await open();
    const sockets: string[] = [];
    page.on("websocket", (socket) => sockets.push(socket.url()));
    await page.goto(`${server.url}/r/AAAAAAAAAAAAAAAAAAAAAA`);
    await page.locator("#banner", { hasText: "does not exist" }).waitFor();
    expect(sockets).toEqual([]);
    expect(await page.locator("#room-name").textContent()).toBe("Room not found");
    expect(await page.locator("#conn").getAttribute("data-state")).toBe("closed");
    // The one console error is the browser reporting the 404 of the room lookup itself.
    await expectCleanPages(/Failed to load resource: the server responded with a status of 404/);
  });

  it("answers a mistyped room link with the app's own page, which leads back to the lobby", async () => {
    const { page } = await open();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(new URL(request.url()).pathname));
    const response = await page.goto(`${server.url}/r/doesnotexist123`);
    expect(response?.status()).toBe(404);
    await page.locator("#banner", { hasText: "not a room's" }).waitFor();
    expect(await page.locator("#room-name").textContent()).toBe("Room not found");
    expect(requests.filter((path) => path.startsWith("/api/"))).toEqual([]); // nothing asked of the server
    await screenshot(page, "mistyped-link");
    await page.locator("#banner a", { hasText: "Back to the lobby" }).click();
    await page.waitForURL(`${server.url}/`);
    await page.locator("#create-form").waitFor();
    await expectCleanPages(/Failed to load resource: the server responded with a status of 404/);
  });

  it("reconnects after the server restarts and resumes the room where it was", async () => {
    const room = await createRoom({ name: "Phoenix", width: 32, height: 32 });
    const page = await openRoom(await open(), room, true);
    const blinker: Array<[number, number]> = [
      [10, 11],
      [11, 11],
      [12, 11],
    ];
    for (const [x, y] of blinker) await clickCell(page, x, y);
    await waitForCells(page, blinker, true);
    await page.waitForFunction(() => window.__edgelife.pending === 0); // acknowledged, hence saved

    const restarted = server.restart();
    await page.waitForFunction(() => !window.__edgelife.connected, undefined, { timeout: 30_000 });
    await restarted;
    await page.waitForFunction(() => window.__edgelife.connected, undefined, { timeout: 60_000 });
    expect(await page.locator("#conn").textContent()).toBe("Live");
    await waitForCells(page, blinker, true);
    // Still the owner, still in control: one step turns the blinker upright.
    await page.focus("#board");
    await page.keyboard.press("n");
    await waitForCells(page, [[11, 10], [11, 11], [11, 12]], true);
    expect(await liveCells(page, 0, 0, 32, 32)).toHaveLength(3);
    // While the server was down the browser reported the failed connection attempts.
    await expectCleanPages(/WebSocket connection to .* failed|Failed to load resource: net::ERR_CONNECTION_REFUSED/);
  });

  it("comes back after the server refused its connection, and says so when refused again and again", async () => {
    const room = await createRoom({ name: "Refused", width: 32, height: 32 });
    const watched = await open();
    // Keep the page's sockets reachable, to make them misbehave the way a broken client would.
    await watched.page.addInitScript(() => {
      const Native = window.WebSocket;
      const opened: WebSocket[] = [];
      (window as unknown as { __sockets: WebSocket[] }).__sockets = opened;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          opened.push(this);
        }
      };
    });
    const page = await openRoom(watched, room, false);
    /** Sends text frames on the newest socket until the server closes it (1003 after 16). */
    const misbehave = () =>
      page.evaluate(() => {
        const sockets = (window as unknown as { __sockets: WebSocket[] }).__sockets;
        const socket = sockets[sockets.length - 1];
        for (let i = 0; i < 20; i++) socket.send("not a frame");
        return sockets.length;
      });
    const first = await page.evaluate(() => window.__edgelife.playerId);
    const socketsBefore = await misbehave();
    await page.waitForFunction(() => !window.__edgelife.connected);
    // A refusal is not the end: a fresh connection, a new player id, the cells as before.
    await page.waitForFunction((before) => window.__edgelife.connected && window.__edgelife.playerId !== before, first, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.length)).toBe(socketsBefore + 1);
    await clickCell(page, 5, 5);
    await waitForCells(page, [[5, 5]], true);
    // Refused twice more in a row: the page stops trying and says so, with a way to start afresh.
    for (let i = 0; i < 2; i++) {
      const id = await page.evaluate(() => window.__edgelife.playerId);
      await misbehave();
      await page.waitForFunction((before) => (window.__edgelife.connected && window.__edgelife.playerId !== before) || document.querySelector("#conn")?.getAttribute("data-state") === "closed", id, {
        timeout: 20_000,
      });
    }
    await page.locator("#banner", { hasText: "not reconnecting" }).waitFor();
    expect(await page.locator("#banner a").textContent()).toBe("Reload the page");
    expect(await page.locator("#conn").getAttribute("data-state")).toBe("closed");
    await screenshot(page, "refused");
    await expectCleanPages();
  });

  it("works on a phone: a tap draws, two fingers pinch-zoom without drawing", async () => {
    const room = await createRoom({ name: "Pocket", width: 48, height: 48 });
    const watched = await open({ width: 390, height: 844, mobile: true });
    const { page } = watched;
    await page.goto(`${server.url}/`);
    await page.locator("#rooms-status", { hasText: "updated" }).waitFor();
    await screenshot(page, "lobby-phone");
    await openRoom(watched, room, false);
    expect(await page.locator("#panel").evaluate((e) => e.classList.contains("collapsed"))).toBe(true);
    expect(await page.locator(".toolbar").isVisible()).toBe(true);

    const p = await cellPosition(page, 20, 20);
    await page.touchscreen.tap(p.x, p.y);
    await waitForCells(page, [[20, 20]], true);
    await page.waitForFunction(() => window.__edgelife.pending === 0);
    await screenshot(page, "room-phone");

    const before = (await hooks(page)).view!.scale;
    const box = (await page.locator("#board").boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const cdp = await page.context().newCDPSession(page);
    const touch = (type: "touchStart" | "touchMove" | "touchEnd", spread: number) =>
      cdp.send("Input.dispatchTouchEvent", {
        type,
        touchPoints: type === "touchEnd" ? [] : [
          { x: cx - spread, y: cy, id: 1 },
          { x: cx + spread, y: cy, id: 2 },
        ],
      });
    await touch("touchStart", 40);
    for (let spread = 50; spread <= 120; spread += 10) await touch("touchMove", spread);
    await touch("touchEnd", 0);
    await page.waitForFunction((s) => (window.__edgelife.view?.scale ?? 0) > s * 2, before);
    // The pinch drew nothing: the only live cell is the tapped one.
    await page.waitForFunction(() => window.__edgelife.pending === 0);
    expect(await liveCells(page, 0, 0, 48, 48)).toEqual([[20, 20]]);

    await page.click("#panel-toggle");
    expect(await page.locator("#panel").isVisible()).toBe(true);
    await screenshot(page, "room-phone-panel");
    await expectCleanPages();
  });
  it("predicts a running soup: a zoomed-in page steps its own cells and holds exactly the room's", async () => {
    const room = await createRoom({ name: "Lockstep", width: 256, height: 256 });
    const control = async (body: Record<string, unknown>) => {
      const response = await fetch(`${server.url}/api/rooms/${room.id}/control`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: server.url, authorization: `Bearer ${room.ownerToken}` },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { generation: number };
    };
    await control({ action: "configure", tickMs: 50 });
    await control({ action: "randomize", density: 0.4, seed: 7 });
    const page = await openRoom(await open(), room, false);
    await page.focus("#board");
    for (let i = 0; i < 4; i++) await page.keyboard.press("+");
    // Zoomed in, the page holds part of the grid at scale 1: a band on its sides each tick.
    await page.waitForFunction(() => {
      const r = window.__edgelife.region;
      return r !== undefined && r.scale === 1 && (r.width < 256 || r.height < 256);
    });
    await control({ action: "resume" });
    await page.waitForFunction(() => window.__edgelife.generation >= 40, undefined, { timeout: 30_000 });
    const { generation } = await control({ action: "pause" });
    await page.waitForFunction((g) => window.__edgelife.region?.generation === g, generation);
    const region = (await hooks(page)).region!;
    const response = await fetch(`${server.url}/api/rooms/${room.id}/pattern?x=${region.x}&y=${region.y}&w=${region.width}&h=${region.height}`);
    const exported = parsePattern(await response.text());
    if (!exported.ok) throw new Error(exported.error);
    expect(await liveCells(page, region.x, region.y, region.x + region.width, region.y + region.height)).toEqual(cellsOf(exported.value.bitmap, region.x, region.y));
    const lockstep = (await page.evaluate(() => window.__edgelife.lockstep))!;
    expect(lockstep).toMatchObject({ active: true, resyncs: 0 });
    expect(lockstep.steps).toBeGreaterThanOrEqual(20);
    expect(lockstep.checksums).toBeGreaterThan(0);
    await screenshot(page, "room-predicted");
    await expectCleanPages();
  });
});
