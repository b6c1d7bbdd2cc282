/**
 * What the browser tests do with a room page: create a room over HTTP, open its page (as its
 * owner or a player), wait until it is live, and find a cell on screen. The page exposes
 * read-only hooks on window.__edgelife (web/room/test-hooks.ts) for what pixels cannot say.
 */
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { CreatedRoom } from "../../common/protocol/index.ts";

/** Creates a paused torus room over HTTP (the lobby form has its own test). */
export async function createRoom(serverUrl: string, body: Record<string, unknown>): Promise<CreatedRoom> {
  const response = await fetch(`${serverUrl}/api/rooms`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: serverUrl },
    body: JSON.stringify({ rule: "B3/S23", topology: "torus", running: false, ...body }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedRoom;
}

/** Opens a room page; as its owner when `owner` (the token is put where the lobby keeps it). */
export async function openRoom(page: Page, serverUrl: string, room: CreatedRoom, owner: boolean): Promise<Page> {
  if (owner) {
    await page.addInitScript(([id, token]) => localStorage.setItem(`edgelife:owner:${id}`, token), [room.id, room.ownerToken]);
  }
  await page.goto(`${serverUrl}/r/${room.id}`);
  await waitReady(page);
  return page;
}

export async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const hooks = (window as unknown as { __edgelife?: { connected: boolean; region: unknown } }).__edgelife;
    return hooks?.connected === true && hooks.region !== undefined;
  });
}

/** Screen position (page coordinates) of the centre of grid cell (x, y). */
export async function cellPosition(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = await page.locator("#board").boundingBox();
  const at = await page.evaluate(
    ([cx, cy]) => (window as unknown as { __edgelife: { cellToScreen(x: number, y: number): { x: number; y: number } | undefined } }).__edgelife.cellToScreen(cx, cy),
    [x, y],
  );
  if (!box || !at) throw new Error("the board is not on screen");
  return { x: box.x + at.x, y: box.y + at.y };
}
