// A room whose object really hibernated (no event for longer than the runtime waits before it
// evicts an idle object with open hibernatable sockets) and wakes under a player's stroke: the
// player's edits, its acknowledgements of the woken object's frames and those frames cross on
// the wire in every order. A well-behaved client must never be counted as sending bad frames.
import { describe, expect, it } from "vitest";
import type { CreatedRoom } from "../../common/protocol/index.ts";
import { WsPlayer } from "./client.ts";
import { useDevServer } from "./server.ts";

const dev = useDevServer();

/** How long a paused room's sockets sit silent before the stroke: workerd hibernates an idle
 *  object with only hibernatable sockets after about 10 s. */
const IDLE_MS = 16_000;

async function createPausedRoom(): Promise<CreatedRoom> {
  const response = await fetch(`${dev.server.url}/api/rooms`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "hibernation", width: 256, height: 256, rule: "B3/S23", topology: "torus", running: false }),
  });
  expect(response.status, dev.server.log()).toBe(201);
  return response.json() as Promise<CreatedRoom>;
}

describe("a player drawing in a room whose object hibernated", () => {
  it("gets every cell of a 60-cell stroke acknowledged and stays connected", async () => {
    const room = await createPausedRoom();
    const player = await WsPlayer.join(dev.server.url, room.id, "phone");
    let closed: { code: number; reason: string } | null = null;
    player.ws.on("close", (code, reason) => (closed = { code, reason: reason.toString() }));
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    player.inbox.length = 0;

    // A finger stroke: one cell per frame, sent without waiting for anything. A phone's radio,
    // waking, delivers what the page sent meanwhile in one burst.
    const cells = Array.from({ length: 60 }, (_, i) => [10 + i, 20 + (i % 7)] as const);
    for (const [i, [x, y]] of cells.entries()) player.send({ type: "setCells", seq: i + 1, alive: true, cells: new Uint16Array([x, y]) });
    for (let seq = 1; seq <= cells.length; seq++) await player.next("ack", (m) => m.seq === seq);
    await new Promise((resolve) => setTimeout(resolve, 500)); // any late refusal or close arrives
    expect(closed).toBeNull();
    expect(player.inbox.filter((m) => m.type === "error")).toEqual([]);
    const info = (await (await fetch(`${dev.server.url}/api/rooms/${room.id}`)).json()) as { population: number };
    expect(info.population).toBe(cells.length);
    await player.close();
  });
});
