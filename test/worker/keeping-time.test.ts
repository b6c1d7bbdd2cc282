// A running room nobody watches runs no alarms, yet keeps time: when it is next observed it
// catches up to the generation its clock says, at once, within a budget; the lobby shows the
// same figure before anyone looks. The clock is moved back in storage (meta 'clock') and the
// object reset, which is what hours of real absence look like to the room.
import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomInfo } from "../../common/protocol/index.ts";
import { catchUpBudget } from "../../worker/room-clock.ts";
import { api, control, createRoom, exportRle, roomStubOf, stamp } from "./helpers.ts";

/** Ticks long enough that the test's own real time never adds one by chance. */
const TICK_MS = 10_000;
const GLIDER = "x = 3, y = 3, rule = B3/S23\nbo$2bo$3o!";
const BLOCK = "x = 2, y = 2, rule = B3/S23\n2o$2o!";

async function info(id: string): Promise<RoomInfo> {
  return (await api(`/api/rooms/${id}`)).json();
}

/** Moves the room's idle clock `ms` into the past, then drops the object from memory. */
async function awayFor(id: string, ms: number): Promise<void> {
  await runInDurableObject(roomStubOf(id), (_i, state) => {
    const row = state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'clock'").one();
    const clock = JSON.parse(row.value) as { stopped: { at: number; generation: number } | null };
    expect(clock.stopped, "a running room with no viewers keeps an idle clock").not.toBeNull();
    clock.stopped!.at -= ms;
    state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'clock'", JSON.stringify(clock));
  });
  await abortAllDurableObjects();
}

/** A paused room with `rle` at (x, y), then resumed with nobody watching. */
async function unwatchedRunningRoom(rle: string, x: number, y: number, size: { width: number; height: number } = { width: 64, height: 64 }) {
  const room = await createRoom({ running: false, tickMs: TICK_MS, ...size });
  expect((await stamp(room, rle, x, y)).status).toBe(200);
  expect((await control(room, { action: "resume" })).status).toBe(200);
  return room;
}

describe("a running room nobody watches", () => {
  it("runs no alarm for ticks, and its info says since when it has been idle", async () => {
    const room = await unwatchedRunningRoom(GLIDER, 10, 10);
    const now = await info(room.id);
    expect(now).toMatchObject({ running: true, generation: 0 });
    expect(now.idleSince).toBeTypeOf("number");
    expect(await runInDurableObject(roomStubOf(room.id), (instance) => instance.nextTickDue())).toBeNull();
  });

  it("catches up when next read: a glider back home on a 64×64 torus after 256 generations of absence", async () => {
    const room = await unwatchedRunningRoom(GLIDER, 10, 10);
    const before = await exportRle(room.id);
    await awayFor(room.id, 256 * TICK_MS + 50); // 256 ticks, and a little
    const after = await info(room.id);
    expect(after).toMatchObject({ generation: 256, population: 5, slowed: null });
    expect((await exportRle(room.id)).replace(/generation \d+/, "")).toBe(before.replace(/generation \d+/, ""));
    // Caught up means saved: a reset does not lose the generations it stepped.
    await abortAllDurableObjects();
    expect((await info(room.id)).generation).toBe(256);
  });

  it("jumps a still grid to any generation at once", async () => {
    const room = await unwatchedRunningRoom(BLOCK, 5, 5);
    await awayFor(room.id, 1_000_000 * TICK_MS); // a million ticks: far past any stepping budget
    expect(await info(room.id)).toMatchObject({ generation: 1_000_000, population: 4, slowed: null });
  });

  it("goes only as far as its budget on a big busy grid, and says how far behind it fell", async () => {
    const room = await createRoom({ running: false, tickMs: TICK_MS, width: 4096, height: 4096 });
    expect((await control(room, { action: "randomize", density: 0.5, seed: 7 })).status).toBe(200);
    expect((await control(room, { action: "resume" })).status).toBe(200);
    const budget = catchUpBudget(4096 * 4096);
    await awayFor(room.id, (budget + 500) * TICK_MS + 50);
    const after = await info(room.id);
    expect(after.generation).toBe(budget);
    expect(after.slowed).toMatchObject({ generations: 500 });
    // Its clock starts again from there: no second debt for the same absence, only the few ticks
    // of real time since (the catch-up itself took a while).
    const again = await info(room.id);
    expect(again.generation).toBeGreaterThanOrEqual(budget);
    expect(again.generation).toBeLessThan(budget + 5);
    expect(again.slowed).toMatchObject({ generations: 500 });
  });

  it("is shown in the lobby where its clock says, before anyone opens it", async () => {
    const room = await unwatchedRunningRoom(GLIDER, 10, 10);
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the resume's report reaches the lobby
    const lobby = env.LOBBY.get(env.LOBBY.idFromName("lobby"));
    const idleSince = await runInDurableObject(lobby, (_i, state) => {
      const row = state.storage.sql.exec<{ info: string }>("SELECT info FROM room WHERE id = ?", room.id).one();
      const reported = JSON.parse(row.info) as RoomInfo;
      expect(reported.idleSince).toBeTypeOf("number");
      reported.idleSince! -= 40 * TICK_MS; // 40 more ticks of absence than really passed
      state.storage.sql.exec("UPDATE room SET info = ? WHERE id = ?", JSON.stringify(reported), room.id);
      return reported.idleSince!;
    });
    const from = Date.now();
    const listed = ((await (await api("/api/rooms")).json()) as { rooms: RoomInfo[] }).rooms.find((r) => r.id === room.id);
    const to = Date.now();
    expect(listed?.generation).toBeGreaterThanOrEqual(Math.floor((from - idleSince) / TICK_MS));
    expect(listed?.generation).toBeLessThanOrEqual(Math.floor((to - idleSince) / TICK_MS));
    expect(listed?.generation).toBeGreaterThanOrEqual(40);
  });

  it("does not keep time while paused", async () => {
    const room = await unwatchedRunningRoom(GLIDER, 10, 10);
    expect((await control(room, { action: "pause" })).status).toBe(200);
    await abortAllDurableObjects();
    expect(await info(room.id)).toMatchObject({ running: false, generation: 0, idleSince: null });
  });
});
