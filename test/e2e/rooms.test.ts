// End to end against the real server (scripts/dev.mjs → wrangler dev → workerd), with real `ws`
// sockets from Node and a kill -9 of the whole server in the middle.
import { describe, expect, it } from "vitest";
import { PATTERNS_BY_ID } from "../../common/patterns.ts";
import type { CreatedRoom, CreateRoomRequest } from "../../common/protocol/index.ts";
import { ReferenceGrid } from "../../common/reference.ts";
import { LIFE } from "../../common/rules.ts";
import { WsPlayer } from "./client.ts";
import { useDevServer } from "./server.ts";

const R_PENTOMINO = PATTERNS_BY_ID.get("r-pentomino")!.rle;
const GLIDER_CELLS = [1, 0, 2, 1, 0, 2, 1, 2, 2, 2];

const dev = useDevServer();

async function createRoom(body: Partial<CreateRoomRequest>): Promise<CreatedRoom> {
  const response = await fetch(`${dev.server.url}/api/rooms`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "e2e", width: 64, height: 64, rule: "B3/S23", topology: "torus", ...body }),
  });
  expect(response.status, dev.server.log()).toBe(201);
  return response.json() as Promise<CreatedRoom>;
}

async function control(room: CreatedRoom, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${dev.server.url}/api/rooms/${room.id}/control`, {
    method: "POST",
    headers: { Authorization: `Bearer ${room.ownerToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json() as Promise<Record<string, unknown>>;
}

async function info(id: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${dev.server.url}/api/rooms/${id}`);
  expect(response.status).toBe(200);
  return response.json() as Promise<Record<string, unknown>>;
}

async function exportRle(id: string): Promise<string> {
  return (await fetch(`${dev.server.url}/api/rooms/${id}/pattern`)).text();
}

describe("a room with several players", () => {
  it("a glider drawn by one player appears and moves for the others", async () => {
    const room = await createRoom({ width: 64, height: 64, tickMs: 50 });
    const [ada, bob, cyd] = await Promise.all(["Ada", "Bob", "Cyd"].map((name) => WsPlayer.join(dev.server.url, room.id, name)));
    const cells = GLIDER_CELLS.map((v) => v + 30);
    ada.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array(cells) });
    const ack = await ada.next("ack", (m) => m.seq === 1);
    for (const viewer of [bob, cyd]) {
      await viewer.until(ack.generation + 12);
      // Whatever generation this player's view is at, it shows the glider exactly as Life says.
      const expected = new ReferenceGrid(64, 64, "torus", LIFE);
      for (let i = 0; i < cells.length; i += 2) expected.set(cells[i], cells[i + 1], true);
      expected.step(viewer.mirror.generation - ack.generation);
      const live: string[] = [];
      for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) if (expected.get(x, y)) live.push(`${x},${y}`);
      expect(viewer.mirror.cells()).toEqual(live.sort());
      expect(viewer.mirror.cells()).toHaveLength(5);
      expect(viewer.mirror.cells()).not.toEqual(cells.reduce<string[]>((acc, v, i) => (i % 2 ? acc : [...acc, `${v},${cells[i + 1]}`]), []).sort());
    }
    await Promise.all([ada, bob, cyd].map((p) => p.close()));
  }, 60_000);
});

describe("the HTTP API", () => {
  it("the R-pentomino stamped on a paused 1024×1024 torus reaches 116 cells at generation 1103", async () => {
    const room = await createRoom({ width: 1024, height: 1024, running: false });
    const stamped = await fetch(`${dev.server.url}/api/rooms/${room.id}/pattern?x=510&y=510`, { method: "POST", body: R_PENTOMINO });
    expect(stamped.status).toBe(200);
    expect(await stamped.json()).toEqual({ generation: 0, population: 5 });
    expect(await control(room, { action: "step", generations: 1103 })).toMatchObject({ generation: 1103, population: 116 });
    expect(await info(room.id)).toMatchObject({ generation: 1103, population: 116 });
  }, 60_000);
});

describe("crashes", () => {
  it("rooms survive kill -9 of the server with their generation, grid and acknowledged edits", async () => {
    const paused = await createRoom({ width: 256, height: 256, running: false, name: "survivor" });
    await control(paused, { action: "randomize", density: 0.35, seed: 2026 });
    await control(paused, { action: "step", generations: 50 });
    const before = await exportRle(paused.id);

    const running = await createRoom({ width: 64, height: 64, tickMs: 100 });
    const ada = await WsPlayer.join(dev.server.url, running.id, "Ada");
    ada.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([10, 10, 11, 10, 10, 11, 11, 11]) }); // a block
    await ada.next("ack", (m) => m.seq === 1);

    await dev.server.kill9();
    await dev.restart();

    expect(await info(paused.id)).toMatchObject({ generation: 50, name: "survivor", running: false });
    expect(await exportRle(paused.id)).toBe(before);
    const after = await info(running.id);
    expect(after).toMatchObject({ population: 4, running: true });
    expect(await exportRle(running.id)).toMatch(/\n10\$10b2o\$10b2o!/);
  }, 120_000);
});
