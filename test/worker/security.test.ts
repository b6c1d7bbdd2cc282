// What only the owner may do, and what nobody may learn: owner tokens (random, hashed, compared
// in constant time, never logged, never sent to anyone else), private rooms, names, and a
// socket's identity across a fresh instance of its room (as after hibernation).
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ErrorCode, MAX_PLAYER_NAME, encodeClientMessage, type ControlAction, type CreatedRoom } from "../../common/protocol/index.ts";
import { GameRoom } from "../../worker/room.ts";
import { hashToken, tokenMatches } from "../../worker/tokens.ts";
import { Player, alarmWithFailingStorage, api, bearer, createRoom, exportRle, postJson, roomStubOf, stamp } from "./helpers.ts";

/** The room's fields (minus lastActive and players) and its grid: what a refused request must leave alone. */
async function state(id: string): Promise<string> {
  const info = await (await api(`/api/rooms/${id}`)).json<Record<string, unknown>>();
  delete info.lastActive;
  delete info.players;
  return JSON.stringify(info) + (await exportRle(id));
}

function base64urlBytes(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Every value in a Durable Object's SQLite, as text (blobs as latin-1 so token bytes show up too). */
async function storageDump(stub: DurableObjectStub): Promise<string> {
  return runInDurableObject(stub, (_i, state) => {
    const sql = state.storage.sql;
    const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray();
    let out = "";
    for (const { name } of tables) {
      for (const row of sql.exec(`SELECT * FROM "${name}"`).toArray()) {
        for (const value of Object.values(row)) {
          out += value instanceof ArrayBuffer ? String.fromCharCode(...new Uint8Array(value).subarray(0, 65536)) : String(value);
          out += "\n";
        }
      }
    }
    return out;
  });
}

const ALL_ACTIONS: ControlAction[] = [
  { action: "resume" },
  { action: "pause" },
  { action: "step", generations: 5 },
  { action: "clear" },
  { action: "randomize", density: 0.5, seed: 1 },
  { action: "configure", rule: "B36/S23" },
  { action: "configure", tickMs: 500 },
  { action: "configure", private: true },
  { action: "configure", locked: false },
];

describe("owner tokens", () => {
  it("are 256 random bits, and room ids 128, different for every room", async () => {
    const rooms = await Promise.all(Array.from({ length: 24 }, () => createRoom()));
    const tokens = rooms.map((r) => r.ownerToken);
    const ids = rooms.map((r) => r.id);
    expect(new Set(tokens).size).toBe(rooms.length);
    expect(new Set(ids).size).toBe(rooms.length);
    for (const t of tokens) expect(base64urlBytes(t).length).toBe(32);
    for (const id of ids) expect(base64urlBytes(id).length).toBe(16);
    // Every bit position is set in some tokens and clear in others: no constant bytes.
    let ones = 0;
    for (const t of tokens) for (const b of base64urlBytes(t)) for (let k = 0; k < 8; k++) ones += (b >> k) & 1;
    expect(ones / (tokens.length * 256)).toBeGreaterThan(0.45);
    expect(ones / (tokens.length * 256)).toBeLessThan(0.55);
  });

  it("are stored only as a SHA-256 hash, in the room and nowhere in the lobby", async () => {
    const room = await createRoom();
    const owner = await Player.join(room.id, "owner", room.ownerToken);
    owner.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([1, 1]) });
    await owner.next("ack");
    const roomStorage = await storageDump(roomStubOf(room.id));
    const lobbyStorage = await storageDump(env.LOBBY.get(env.LOBBY.idFromName("lobby")));
    const hash = await hashToken(room.ownerToken);
    const tokenBytes = String.fromCharCode(...base64urlBytes(room.ownerToken));
    expect(roomStorage).toContain(hash);
    for (const dump of [roomStorage, lobbyStorage]) {
      expect(dump).not.toContain(room.ownerToken);
      expect(dump).not.toContain(tokenBytes);
    }
    expect(lobbyStorage).not.toContain(hash);
    owner.close();
  });

  it("match only themselves: other tokens, other rooms' tokens, near misses and garbage do not", async () => {
    const token = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
    const hash = await hashToken(token);
    expect(await tokenMatches(token, hash)).toBe(true);
    for (const guess of ["", "a", token.slice(0, -1), `${token}R`, token.replace("Q", "R"), token.toUpperCase(), " ".repeat(43), "\u0000".repeat(43)]) {
      expect(await tokenMatches(guess, hash), guess).toBe(false);
    }
    expect(await tokenMatches(token, "not a hash")).toBe(false);
  });

  it("are checked on every control path, HTTP and WebSocket; a refused request changes nothing", async () => {
    const room = await createRoom({ running: false });
    const other = await createRoom({ running: false });
    await stamp(room, "x = 3, y = 3\nbo$2bo$3o!", 5, 5);
    const before = await state(room.id);
    const wrong: Array<[Record<string, string>, number]> = [
      [{}, 401],
      [bearer(other.ownerToken), 403], // a real token, of another room
      [bearer(room.ownerToken.slice(0, -1)), 403],
      [bearer(`${room.ownerToken.slice(0, -1)}${room.ownerToken.endsWith("A") ? "B" : "A"}`), 403],
      [{ Authorization: room.ownerToken }, 403], // no scheme
      [{ Authorization: `Basic ${room.ownerToken}` }, 403],
      [{ Authorization: `Bearer ${room.ownerToken} ${room.ownerToken}` }, 403],
      [{ Authorization: `Bearer ${"A".repeat(65)}` }, 403],
    ];
    for (const [headers, status] of wrong) {
      for (const action of ALL_ACTIONS) expect((await postJson(`/api/rooms/${room.id}/control`, action, headers)).status, JSON.stringify([headers, action])).toBe(status);
      expect((await api(`/api/rooms/${room.id}`, { method: "DELETE", headers })).status).toBe(status);
    }
    // Locked editing: only the owner's token unlocks stamping.
    expect((await postJson(`/api/rooms/${room.id}/control`, { action: "configure", locked: true }, bearer(room.ownerToken))).status).toBe(200);
    const locked = await state(room.id);
    for (const [headers] of wrong) {
      expect((await api(`/api/rooms/${room.id}/pattern?x=20&y=20`, { method: "POST", body: "x = 1, y = 1\no!", headers })).status).toBe(403);
    }
    // Over WebSocket: a player, and a player who said HELLO with another room's token.
    const player = await Player.join(room.id, "player");
    const impostor = await Player.connect(room.id);
    impostor.send({ type: "hello", name: "impostor", resumeGeneration: null, token: other.ownerToken });
    expect(await impostor.next("error")).toMatchObject({ code: ErrorCode.NOT_OWNER });
    expect(await impostor.next("welcome")).toMatchObject({ owner: false });
    let seq = 1;
    for (const p of [player, impostor]) {
      for (const action of ALL_ACTIONS.slice(0, 6)) {
        p.send({ type: "control", seq, control: action });
        expect(await p.next("error", (m) => m.seq === seq)).toMatchObject({ code: ErrorCode.NOT_OWNER });
        seq++;
      }
      p.send({ type: "setCells", seq, alive: true, cells: new Uint16Array([30, 30]) });
      expect(await p.next("error", (m) => m.seq === seq)).toMatchObject({ code: ErrorCode.LOCKED });
      seq++;
      p.send({ type: "stamp", seq, x: 30, y: 30, mode: "or", pattern: "x = 1, y = 1\no!" });
      expect(await p.next("error", (m) => m.seq === seq)).toMatchObject({ code: ErrorCode.LOCKED });
      seq++;
    }
    expect(await state(room.id)).toBe(locked);
    expect(locked.replace('"locked":true', '"locked":false')).toBe(before);
    player.close();
    impostor.close();
  });

  it("are never logged and never sent to another player, whatever the owner does", async () => {
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      });
    }
    const room = await createRoom({ running: false, tickMs: 10_000 });
    const hash = await hashToken(room.ownerToken);
    const player = await Player.join(room.id, "player");
    const owner = await Player.join(room.id, "owner", room.ownerToken);
    // Everything the owner can do, over both paths, including refused requests.
    let seq = 1;
    for (const action of ALL_ACTIONS) {
      owner.send({ type: "control", seq, control: action });
      await owner.next("ack", (m) => m.seq === seq);
      seq++;
      expect((await postJson(`/api/rooms/${room.id}/control`, action, bearer(room.ownerToken))).status).toBe(200);
    }
    owner.send({ type: "control", seq, control: { action: "configure", rule: "B9/S9" } }); // refused: not a rule
    await owner.next("error", (m) => m.seq === seq);
    await postJson(`/api/rooms/${room.id}/control`, { action: "explode" }, bearer(room.ownerToken));
    await api(`/api/rooms/${room.id}/pattern?x=1&y=1`, { method: "POST", body: "x = 1, y = 1\no!", headers: bearer(room.ownerToken) });
    // A second socket of the owner's, and a failing tick: the error path logs.
    const again = await Player.join(room.id, "owner again", room.ownerToken);
    // Ticks 10 s apart save on every tick, so the tick below writes — and fails.
    await postJson(`/api/rooms/${room.id}/control`, { action: "configure", tickMs: 10_000 }, bearer(room.ownerToken));
    await postJson(`/api/rooms/${room.id}/control`, { action: "resume" }, bearer(room.ownerToken));
    await alarmWithFailingStorage(room.id);
    await runDurableObjectAlarm(roomStubOf(room.id));
    expect((await api(`/api/rooms/${room.id}`, { method: "DELETE", headers: bearer(room.ownerToken) })).status).toBe(204);
    await player.closed;
    vi.restoreAllMocks();

    // The capture works (the failed tick was logged), and no line holds the token or its hash.
    expect(lines.some((line) => line.includes("alarm failed"))).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(room.ownerToken);
      expect(line).not.toContain(hash);
    }
    // No frame to the other player (nor to the owner) carries the token, its bytes or its hash.
    const needles = [new TextEncoder().encode(room.ownerToken), base64urlBytes(room.ownerToken), new TextEncoder().encode(hash)];
    expect(player.raw.length).toBeGreaterThan(20);
    for (const frame of [...player.raw, ...owner.raw, ...again.raw]) for (const needle of needles) expect(contains(frame, needle)).toBe(false);
    // Nor does any HTTP answer after the creation.
    for (const path of ["/api/rooms", `/api/rooms/${room.id}`]) expect(await (await api(path)).text()).not.toContain(room.ownerToken);
  });

  afterEach(() => vi.restoreAllMocks());
});

describe("private rooms", () => {
  it("are never listed, however busy, and answer like public rooms to a wrong token", async () => {
    const hidden = await createRoom({ name: "hidden", private: true, running: true, tickMs: 50 });
    const visible = await createRoom({ name: "visible", running: true, tickMs: 50 });
    const players = await Promise.all([Player.join(hidden.id, "a"), Player.join(hidden.id, "b"), Player.join(visible.id, "c")]);
    // Let both rooms tick and report to the lobby.
    for (const id of [hidden.id, visible.id]) await runDurableObjectAlarm(roomStubOf(id));
    const listed = async () => (await (await api("/api/rooms")).json<{ rooms: Array<{ id: string }> }>()).rooms.map((r) => r.id);
    expect(await listed()).toContain(visible.id);
    expect(await listed()).not.toContain(hidden.id);
    expect(JSON.stringify(await (await api("/api/rooms")).json())).not.toContain("hidden");
    // Making the public room private takes it off the list at once; making it public again brings it back.
    expect((await postJson(`/api/rooms/${visible.id}/control`, { action: "configure", private: true }, bearer(visible.ownerToken))).status).toBe(200);
    expect(await listed()).not.toContain(visible.id);
    // Wrong tokens get the same answers for private and public rooms.
    for (const room of [hidden, visible] as CreatedRoom[]) {
      expect((await postJson(`/api/rooms/${room.id}/control`, { action: "pause" }, bearer("A".repeat(43)))).status).toBe(403);
    }
    for (const p of players) p.close();
  });
});

describe("names", () => {
  it("players' names reach others stripped of control and format characters and cut to MAX_PLAYER_NAME", async () => {
    const room = await createRoom({ running: false });
    const watcher = await Player.join(room.id, "watcher");
    const cases: Array<[string, string]> = [
      ["\u202Eevil\u202C name", "evil name"],
      ["a\u0000b\u0007c\u001b[2Jd", "abc[2Jd"],
      ["\u200B\u200D\u2066x\u2069\uFEFF", "x"],
      ["<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>".slice(0, MAX_PLAYER_NAME)],
      ["y".repeat(100), "y".repeat(MAX_PLAYER_NAME)],
    ];
    for (const [raw, shown] of cases) {
      const p = await Player.join(room.id, raw);
      const seen = await watcher.next("presence", (m) => m.players.some((e) => e.name === shown));
      expect(seen.players.find((e) => e.name === shown)!.name).toBe(shown);
      p.close();
    }
    // A name of nothing but hidden characters becomes the default.
    const blank = await Player.connect(room.id);
    blank.send({ type: "hello", name: "\u202E\u200B\u0000", resumeGeneration: null, token: null });
    const welcome = await blank.next("welcome");
    // A friendly two-word name ("Amber Heron"), never "player 1480966508".
    const listed = await watcher.next("presence", (m) => m.players.some((e) => e.id === welcome.playerId));
    expect(listed.players.find((e) => e.id === welcome.playerId)!.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    blank.close();
    watcher.close();
  });

  it("room names are cleaned the same way when a room is created", async () => {
    const response = await postJson("/api/rooms", { name: "\u202Egnp.exe\u0000 \n\t room", width: 8, height: 8, rule: "B3/S23", topology: "torus" });
    expect(await response.json()).toMatchObject({ name: "gnp.exe room" });
  });
});

describe("a socket's identity outlives its room's instance", () => {
  it("a fresh instance (as after hibernation) knows each socket's player, name, colour and owner rights", async () => {
    const room = await createRoom({ running: false });
    const owner = await Player.join(room.id, "Olga", room.ownerToken);
    const player = await Player.join(room.id, "Pat");
    const watcher = await Player.join(room.id, "Wes");
    player.send({ type: "cursor", x: 3, y: 4 });
    const before = (await watcher.next("presence", (m) => m.players.some((e) => e.name === "Pat" && e.x === 3))).players.find((e) => e.name === "Pat")!;
    const ownerId = (await owner.next("presence", (m) => m.full)).players.find((e) => e.name === "Olga")!.id;
    watcher.drain();
    // From here on two instances exist at once (the old one stays in memory in this test), and
    // frames from the fresh one would look like lies to the old one: the clients stop
    // acknowledging on their own.
    for (const p of [owner, player, watcher]) p.autoAck = false;

    // A new GameRoom over the same storage and sockets knows nothing in memory: everything it
    // needs comes from the sockets' attachments.
    const stub = roomStubOf(room.id);
    const send = (name: string, message: Parameters<typeof encodeClientMessage>[0]) =>
      runInDurableObject(stub, async (_instance, state) => {
        const fresh = new GameRoom(state, env);
        const ws = state.getWebSockets().find((s) => (s.deserializeAttachment() as { name: string }).name === name)!;
        await fresh.webSocketMessage(ws, encodeClientMessage(message).buffer as ArrayBuffer);
        // Presence goes out on a timer; flush it by waiting past its interval.
        await new Promise((resolve) => setTimeout(resolve, 150));
      });

    await send("Pat", { type: "cursor", x: 9, y: 8 });
    const after = (await watcher.next("presence", (m) => m.players.some((e) => e.name === "Pat" && e.x === 9))).players.find((e) => e.name === "Pat")!;
    expect(after).toEqual({ ...before, x: 9, y: 8 });

    await send("Pat", { type: "control", seq: 5, control: { action: "clear" } });
    expect(await player.next("error", (m) => m.seq === 5)).toMatchObject({ code: ErrorCode.NOT_OWNER });

    await send("Olga", { type: "control", seq: 6, control: { action: "randomize", density: 0.5, seed: 3 } });
    expect(await owner.next("ack", (m) => m.seq === 6)).toBeTruthy();
    // (The instance that answers HTTP here is the old one, still in memory; the fresh one speaks
    // to the sockets.)
    expect(await watcher.next("stats", (m) => m.population > 1000)).toBeTruthy();

    // The owner's acknowledgement counts are re-based rather than taken for lies.
    await send("Olga", { type: "received", frames: owner.frames });
    await send("Olga", { type: "cursor", x: 1, y: 1 });
    const olga = (await watcher.next("presence", (m) => m.players.some((e) => e.id === ownerId && e.x === 1))).players.find((e) => e.id === ownerId)!;
    expect(olga.name).toBe("Olga");
    expect(owner.inbox.filter((m) => m.type === "error")).toEqual([]);
    for (const p of [owner, player, watcher]) p.close();
  });
});
