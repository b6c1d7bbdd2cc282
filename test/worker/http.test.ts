// The HTTP API through the real Worker and Durable Objects: every success shape and every error
// path answers with the documented status and a short JSON reason, and refused requests change
// nothing.
import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PATTERNS_BY_ID } from "../../common/patterns.ts";
import { ROOM_EXPIRY_MS } from "../../worker/limits.ts";
import { api, bearer, control, createRoom, exportRle, postJson, roomStubOf, stamp } from "./helpers.ts";

const GLIDER = PATTERNS_BY_ID.get("glider")!.rle;
const R_PENTOMINO = PATTERNS_BY_ID.get("r-pentomino")!.rle;
const UNKNOWN_ID = "AAAAAAAAAAAAAAAAAAAAAA";

async function expectError(response: Response, status: number, reason?: RegExp): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  const body: { error: string } = await response.json();
  expect(typeof body.error).toBe("string");
  expect(body.error.length).toBeLessThan(140);
  expect(body.error).not.toMatch(/\n\s+at /); // never a stack
  if (reason) expect(body.error).toMatch(reason);
}

describe("creating rooms", () => {
  it("answers 201 with the room's fields, its page URL and a one-time owner token", async () => {
    const response = await postJson("/api/rooms", { name: "  Classroom\u0007 ", width: 64, height: 48, rule: "highlife", topology: "plane" });
    expect(response.status).toBe(201);
    const room = await response.json<Record<string, unknown>>();
    expect(room).toMatchObject({
      name: "Classroom",
      width: 64,
      height: 48,
      rule: "B36/S23",
      topology: "plane",
      tickMs: 100,
      generationsPerTick: 1,
      running: true,
      private: false,
      locked: false,
      generation: 0,
      population: 0,
      players: 0,
    });
    expect(room.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(room.url).toBe(`/r/${room.id}`);
    expect(room.ownerToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Shown once: reading the room again never includes it.
    const again = await (await api(`/api/rooms/${room.id}`)).json<Record<string, unknown>>();
    expect(again.ownerToken).toBeUndefined();
    expect(JSON.stringify(again)).not.toContain(room.ownerToken as string);
  });

  it("stores only a hash of the owner token", async () => {
    const room = await createRoom();
    const stored = await runInDurableObject(roomStubOf(room.id), (_instance, state) =>
      state.storage.sql.exec<{ value: string }>("SELECT value FROM meta").toArray().map((r) => r.value).join("\n"),
    );
    expect(stored).not.toContain(room.ownerToken);
    expect(stored).toMatch(/"ownerHash":"[0-9a-f]{64}"/);
  });

  it("refuses malformed bodies with 400 and a reason", async () => {
    const bad: Array<[unknown, RegExp]> = [
      [[], /object/],
      [{ width: 64, height: 64, rule: "B3/S23", topology: "torus" }, /name/],
      [{ name: "", width: 64, height: 64, rule: "B3/S23", topology: "torus" }, /name/],
      [{ name: "x".repeat(65), width: 64, height: 64, rule: "B3/S23", topology: "torus" }, /name/],
      [{ name: "a", width: 0, height: 64, rule: "B3/S23", topology: "torus" }, /width/],
      [{ name: "a", width: 16385, height: 64, rule: "B3/S23", topology: "torus" }, /width/],
      [{ name: "a", width: 1e300, height: 64, rule: "B3/S23", topology: "torus" }, /width/],
      [{ name: "a", width: 64.5, height: 64, rule: "B3/S23", topology: "torus" }, /width/],
      [{ name: "a", width: "64", height: 64, rule: "B3/S23", topology: "torus" }, /width/],
      [{ name: "a", width: 64, height: 64, rule: "B3/S23", topology: "sphere" }, /topology/],
      [{ name: "a", width: 64, height: 64, rule: "B9/S23", topology: "torus" }, /rule/],
      [{ name: "a", width: 64, height: 64, rule: 23, topology: "torus" }, /rule/],
      [{ name: "a", width: 64, height: 64, rule: "B3/S23:T32,32", topology: "torus" }, /bounds/],
      [{ name: "a", width: 64, height: 64, rule: "B3/S23", topology: "torus", tickMs: 5 }, /tickMs/],
      [{ name: "a", width: 64, height: 64, rule: "B3/S23", topology: "torus", generationsPerTick: 1001 }, /generationsPerTick/],
      [{ name: "a", width: 16384, height: 16384, rule: "B3/S23", topology: "torus", generationsPerTick: 100 }, /generations per tick/],
      [{ name: "a", width: 64, height: 64, rule: "B3/S23", topology: "torus", running: "yes" }, /running/],
      [{ name: "a", width: 64, height: 64, rule: "B3/S23", topology: "torus", private: 1 }, /private/],
    ];
    for (const [body, reason] of bad) await expectError(await postJson("/api/rooms", body), 400, reason);
    await expectError(await api("/api/rooms", { method: "POST", body: "{not json" }), 400, /JSON/);
    await expectError(await api("/api/rooms", { method: "POST", body: new Uint8Array([0xff, 0xfe]) }), 400, /UTF-8/);
  });

  it("refuses a body above the limit before reading it (413)", async () => {
    const huge = JSON.stringify({ name: "a", pad: "x".repeat(20_000), width: 64, height: 64, rule: "B3/S23", topology: "torus" });
    await expectError(await api("/api/rooms", { method: "POST", body: huge }), 413);
  });

  it("rate-limits room creation per client address (429) but not other addresses", async () => {
    const body = JSON.stringify({ name: "flood", width: 8, height: 8, rule: "B3/S23", topology: "torus" });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await api("/api/rooms", { method: "POST", body, address: "192.0.2.77" })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect((await api("/api/rooms", { method: "POST", body, address: "192.0.2.78" })).status).toBe(201);
  });
});

describe("listing and reading rooms", () => {
  it("lists public rooms and never private ones", async () => {
    const open = await createRoom({ name: "open room" });
    const hidden = await createRoom({ name: "hidden room", private: true });
    const { rooms } = await (await api("/api/rooms")).json<{ rooms: Array<Record<string, unknown>> }>();
    const ids = rooms.map((r) => r.id);
    expect(ids).toContain(open.id);
    expect(ids).not.toContain(hidden.id);
    expect(rooms.find((r) => r.id === open.id)).toMatchObject({ name: "open room", width: 64, rule: "B3/S23", url: `/r/${open.id}` });
    for (const r of rooms) expect(r.ownerToken).toBeUndefined();
    // A private room is still reachable by its unguessable id.
    expect((await api(`/api/rooms/${hidden.id}`)).status).toBe(200);
  });

  it("a room made private disappears from the list once it reports", async () => {
    const room = await createRoom({ name: "going private" });
    // The control request answers after the room's report reached the lobby.
    expect((await control(room, { action: "configure", private: true })).status).toBe(200);
    const { rooms } = await (await api("/api/rooms")).json<{ rooms: Array<{ id: string }> }>();
    expect(rooms.map((r) => r.id)).not.toContain(room.id);
  });

  it("answers 404 for malformed ids without touching any object, and for unknown ones", async () => {
    for (const path of ["/api/rooms/short", "/api/rooms/AAAAAAAAAAAAAAAAAAAAA%2F", "/api/rooms/AAAAAAAAAAAAAAAAAAAA.A", `/api/rooms/${"A".repeat(23)}/pattern`]) {
      await expectError(await api(path), 404);
    }
    await expectError(await api(`/api/rooms/${UNKNOWN_ID}`), 404, /room not found/);
    await expectError(await api(`/api/rooms/${UNKNOWN_ID}/pattern`), 404, /room not found/);
    await expectError(await stamp({ id: UNKNOWN_ID } as never, GLIDER, 0, 0), 404, /room not found/);
    // Probing an unknown id leaves no storage behind.
    const tables = await runInDurableObject(roomStubOf(UNKNOWN_ID), (_i, state) => state.storage.sql.exec("SELECT name FROM sqlite_master").toArray().length);
    expect(tables).toBe(0);
  });

  it("answers 404 for unknown API paths and 405 with Allow for wrong methods", async () => {
    await expectError(await api("/api/nothing"), 404);
    const response = await api("/api/rooms", { method: "PUT" });
    await expectError(response, 405);
    expect(response.headers.get("Allow")).toBe("GET, POST");
    const room = await createRoom();
    expect((await api(`/api/rooms/${room.id}/control`)).headers.get("Allow")).toBe("POST");
  });

  it("sends no CORS headers", async () => {
    const response = await api("/api/rooms", { headers: { Origin: "https://elsewhere.example" } });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("patterns over HTTP", () => {
  it("the R-pentomino on a paused 1024×1024 torus has 116 cells at generation 1103", async () => {
    const room = await createRoom({ width: 1024, height: 1024, running: false });
    const stamped = await stamp(room, R_PENTOMINO, 500, 500);
    expect(stamped.status).toBe(200);
    expect(await stamped.json()).toEqual({ generation: 0, population: 5 });
    const stepped = await control(room, { action: "step", generations: 1103 });
    expect(stepped.status).toBe(200);
    expect(await stepped.json()).toMatchObject({ generation: 1103, population: 116 });
  });

  it("exports the grid as RLE with Golly's bounded-grid suffix and the generation", async () => {
    const room = await createRoom({ name: "export", width: 32, height: 16, running: false, topology: "plane" });
    await stamp(room, GLIDER, 1, 2);
    const text = await exportRle(room.id);
    expect(text).toContain("#N export");
    expect(text).toContain("#C generation 0");
    expect(text).toContain("x = 32, y = 16, rule = B3/S23:P32,16");
    expect(text).toMatch(/\n2\$2bo\$3bo\$b3o!/);
    const rect = await (await api(`/api/rooms/${room.id}/pattern?x=1&y=2&w=3&h=3`)).text();
    expect(rect).toContain("x = 3, y = 3, rule = B3/S23\n");
    expect(rect).toContain("bo$2bo$3o!");
  });

  it("refuses bad stamp and export requests with 400/413 and changes nothing", async () => {
    const room = await createRoom({ width: 16, height: 16, running: false, topology: "plane" });
    await stamp(room, GLIDER, 0, 0);
    const before = await exportRle(room.id);
    await expectError(await api(`/api/rooms/${room.id}/pattern?y=1`, { method: "POST", body: GLIDER }), 400, /x and y/);
    await expectError(await api(`/api/rooms/${room.id}/pattern?x=1.5&y=1`, { method: "POST", body: GLIDER }), 400, /x and y/);
    await expectError(await api(`/api/rooms/${room.id}/pattern?x=99999999999&y=1`, { method: "POST", body: GLIDER }), 400, /x and y/);
    await expectError(await stamp(room, GLIDER, 1, 1, "&mode=xor"), 400, /mode/);
    await expectError(await stamp(room, "this is not a pattern", 1, 1), 400, /not a pattern/);
    await expectError(await stamp(room, GLIDER, 14, 14), 400, /does not fit/);
    await expectError(await stamp(room, GLIDER, -1, 0), 400, /does not fit/);
    await expectError(await api(`/api/rooms/${room.id}/pattern?x=0&y=0`, { method: "POST", body: "o".repeat(1024 * 1024 + 1) }), 413);
    await expectError(await api(`/api/rooms/${room.id}/pattern?x=0&y=0&w=4`), 400, /x, y, w, h/);
    await expectError(await api(`/api/rooms/${room.id}/pattern?x=10&y=10&w=10&h=10`), 400, /within/);
    await expectError(await api(`/api/rooms/${room.id}/pattern?x=0&y=0&w=0&h=1`), 400);
    expect(await exportRle(room.id)).toBe(before);
  });

  it("refuses exports above MAX_EXPORT_CELLS unless a rectangle is asked for", async () => {
    const room = await createRoom({ width: 8192, height: 4096, running: false });
    await expectError(await api(`/api/rooms/${room.id}/pattern`), 400, /rectangle/);
    expect((await api(`/api/rooms/${room.id}/pattern?x=0&y=0&w=64&h=64`)).status).toBe(200);
  });

  it("wraps a stamp across the edges of a torus", async () => {
    const room = await createRoom({ width: 16, height: 16, running: false });
    expect((await stamp(room, "x = 2, y = 2\n2o$2o!", 15, -1)).status).toBe(200);
    const rle = await (await api(`/api/rooms/${room.id}/pattern?x=0&y=0&w=16&h=16`)).text();
    expect(rle).toMatch(/\no14bo15\$o14bo!/);
  });

  it("replace mode clears the cells under the pattern's dead cells", async () => {
    const room = await createRoom({ width: 8, height: 8, running: false });
    await stamp(room, "x = 3, y = 3\n3o$3o$3o!", 0, 0);
    const response = await stamp(room, "x = 3, y = 3\nbo!", 0, 0, "&mode=replace");
    expect(await response.json()).toEqual({ generation: 0, population: 1 });
  });

  it("a locked room refuses stamps from players (403) but not from its owner", async () => {
    const room = await createRoom({ running: false });
    await control(room, { action: "configure", locked: true });
    await expectError(await stamp(room, GLIDER, 0, 0), 403, /locked/);
    const owner = await api(`/api/rooms/${room.id}/pattern?x=0&y=0`, { method: "POST", body: GLIDER, headers: bearer(room.ownerToken) });
    expect(owner.status).toBe(200);
  });

  it("a stamp on a running room waits for the next tick boundary and answers once applied", async () => {
    const room = await createRoom({ running: true, tickMs: 50 });
    const response = await stamp(room, "x = 2, y = 2\n2o$2o!", 3, 3); // a block: still, so population stays 4
    expect(response.status).toBe(200);
    const result = await response.json<{ generation: number; population: number }>();
    expect(result.population).toBe(4);
    expect(result.generation).toBeGreaterThanOrEqual(1);
  });
});

describe("owner control", () => {
  it("needs the owner token: 401 without, 403 when wrong or malformed", async () => {
    const room = await createRoom();
    await expectError(await postJson(`/api/rooms/${room.id}/control`, { action: "pause" }), 401, /token/);
    await expectError(await postJson(`/api/rooms/${room.id}/control`, { action: "pause" }, bearer("A".repeat(43))), 403, /wrong/);
    await expectError(await postJson(`/api/rooms/${room.id}/control`, { action: "pause" }, { Authorization: "Bearer not/a/token" }), 403);
    await expectError(await postJson(`/api/rooms/${room.id}/control`, { action: "pause" }, { Authorization: `Basic ${room.ownerToken}` }), 403);
    expect(await (await api(`/api/rooms/${room.id}`)).json()).toMatchObject({ running: true });
  });

  it("refuses unknown actions and bad values with 400, and stepping while running with 409", async () => {
    const room = await createRoom({ width: 2048, height: 1024 });
    await expectError(await control(room, { action: "explode" }), 400, /unknown action/);
    await expectError(await control(room, { action: "configure", tickMs: 1 }), 400, /tickMs/);
    await expectError(await control(room, { action: "configure", rule: "B3/S9" }), 400, /invalid rule/);
    await expectError(await control(room, { action: "step", generations: 5 }), 409, /pause/);
    await control(room, { action: "pause" });
    await expectError(await control(room, { action: "step", generations: 100_000 }), 400, /at most 8192/);
    await expectError(await control(room, { action: "configure", generationsPerTick: 1000, rule: "B36/S23" }), 400, /at most 512/);
    // Nothing of the refused configure was applied, not even its valid rule.
    expect(await (await api(`/api/rooms/${room.id}`)).json()).toMatchObject({ rule: "B3/S23", generationsPerTick: 1 });
  });

  it("pause, resume, configure, clear and randomize answer with the room's fields", async () => {
    const room = await createRoom({ width: 128, height: 128 });
    expect(await (await control(room, { action: "pause" })).json()).toMatchObject({ running: false });
    const configured = await (await control(room, { action: "configure", rule: "B36/S23", tickMs: 250, generationsPerTick: 3, locked: true })).json();
    expect(configured).toMatchObject({ rule: "B36/S23", tickMs: 250, generationsPerTick: 3, locked: true });
    const randomized = await (await control(room, { action: "randomize", density: 0.5, seed: 7 })).json<{ population: number }>();
    expect(randomized.population).toBeGreaterThan(128 * 128 * 0.45);
    expect(randomized.population).toBeLessThan(128 * 128 * 0.55);
    const again = await (await control(room, { action: "randomize", density: 0.5, seed: 7 })).json<{ population: number }>();
    expect(again.population).toBe(randomized.population);
    expect(await (await control(room, { action: "clear" })).json()).toMatchObject({ population: 0 });
    expect(await (await control(room, { action: "resume" })).json()).toMatchObject({ running: true });
  });
});

describe("deleting rooms", () => {
  it("needs the token, then removes the room, its storage and its lobby entry", async () => {
    const room = await createRoom();
    await expectError(await api(`/api/rooms/${room.id}`, { method: "DELETE" }), 401);
    await expectError(await api(`/api/rooms/${room.id}`, { method: "DELETE", headers: bearer("B".repeat(43)) }), 403);
    const deleted = await api(`/api/rooms/${room.id}`, { method: "DELETE", headers: bearer(room.ownerToken) });
    expect(deleted.status).toBe(204);
    await expectError(await api(`/api/rooms/${room.id}`), 404);
    const { rooms } = await (await api("/api/rooms")).json<{ rooms: Array<{ id: string }> }>();
    expect(rooms.map((r) => r.id)).not.toContain(room.id);
    const tables = await runInDurableObject(roomStubOf(room.id), (_i, state) => state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().length);
    expect(tables).toBe(0);
  });
});

describe("expiry", () => {
  it("the lobby's sweep deletes rooms nobody has been in for ROOM_EXPIRY_MS, and only those", async () => {
    const fresh = await createRoom();
    const stale = await createRoom();
    const old = Date.now() - ROOM_EXPIRY_MS - 60_000;
    await runInDurableObject(roomStubOf(stale.id), (_i, state) => {
      state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'lastActive'", String(old));
    });
    const lobby = () => env.LOBBY.get(env.LOBBY.idFromName("lobby"));
    await runInDurableObject(lobby(), (_i, state) => {
      state.storage.sql.exec("UPDATE room SET last_active = ? WHERE id = ?", old, stale.id);
    });
    await abortAllDurableObjects(); // the room reloads its (aged) record
    expect(await runDurableObjectAlarm(lobby())).toBe(true);
    await expectError(await api(`/api/rooms/${stale.id}`), 404);
    expect((await api(`/api/rooms/${fresh.id}`)).status).toBe(200);
  });
});

describe("socket upgrades", () => {
  it("refuses plain GETs (426), foreign origins (403) and unknown rooms (close 4404)", async () => {
    const room = await createRoom();
    await expectError(await api(`/api/rooms/${room.id}/ws`), 426);
    await expectError(await api(`/api/rooms/${room.id}/ws`, { headers: { Upgrade: "websocket", Origin: "https://evil.example" } }), 403, /origin/);
    const same = await api(`/api/rooms/${room.id}/ws`, { headers: { Upgrade: "websocket", Origin: "http://rooms.test" } });
    expect(same.status).toBe(101);
    same.webSocket!.accept();
    same.webSocket!.close(1000);
    const unknown = await api(`/api/rooms/${UNKNOWN_ID}/ws`, { headers: { Upgrade: "websocket" } });
    expect(unknown.status).toBe(101);
    const ws = unknown.webSocket!;
    const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
    ws.accept();
    expect(await closed).toBe(4404);
  });
});

describe("room pages and assets", () => {
  it("serves the client page for /r/<id>, and for a malformed id the same page with status 404", async () => {
    const room = await createRoom();
    const page = await api(`/r/${room.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toMatch(/text\/html/);
    const html = await page.text();
    const mistyped = await api("/r/doesnotexist123");
    expect(mistyped.status).toBe(404);
    expect(mistyped.headers.get("Content-Type")).toMatch(/text\/html/);
    // The app's own page (which says the room does not exist), not a bare "room not found".
    expect(await mistyped.text()).toBe(html);
  });
});

describe("per-address request limits", () => {
  it("answers 429 once one address floods one room", async () => {
    const room = await createRoom();
    const statuses = await Promise.all(Array.from({ length: 60 }, () => api(`/api/rooms/${room.id}`, { address: "198.51.100.9" }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(40);
    expect((await api(`/api/rooms/${room.id}`, { address: "198.51.100.10" })).status).toBe(200);
  });
});
