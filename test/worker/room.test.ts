// GameRoom over real sockets in workerd: players, alarm ticks, idling, owner rights, bad frames,
// flow control and hibernation-safe state.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PATTERNS_BY_ID } from "../../common/patterns.ts";
import { CloseCode, ErrorCode, MAX_UNACKED_FRAMES, encodeClientMessage } from "../../common/protocol/index.ts";
import { ReferenceGrid } from "../../common/reference.ts";
import { LIFE } from "../../common/rules.ts";
import { connectionCap } from "../../worker/limits.ts";
import { GameRoom } from "../../worker/room.ts";
import { Player, alarmWithFailingStorage, api, control, createRoom, exportRle, roomStubOf, stamp } from "./helpers.ts";

const GLIDER_CELLS = [1, 0, 2, 1, 0, 2, 1, 2, 2, 2]; // x, y pairs: the glider heading down-right
const BLINKER = PATTERNS_BY_ID.get("blinker")!.rle;
const BLOCK = PATTERNS_BY_ID.get("block")!.rle;

/** Live cells of a reference grid as the sorted "x,y" strings GridMirror.cells() gives. */
function referenceCells(grid: ReferenceGrid): string[] {
  const out: string[] = [];
  for (let y = 0; y < grid.height; y++) for (let x = 0; x < grid.width; x++) if (grid.get(x, y)) out.push(`${x},${y}`);
  return out.sort();
}

async function roomInfo(id: string): Promise<{ generation: number; population: number; players: number; running: boolean }> {
  return (await api(`/api/rooms/${id}`)).json();
}

/** Polls the room until `check` holds: for effects the runtime offers no hook for (a socket's
 *  close reaching the object). Bounded, so a broken room fails the test instead of hanging it. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never: ${what}`);
}

async function openSockets(id: string): Promise<number> {
  return runInDurableObject(roomStubOf(id), (_i, state) => state.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length);
}

async function alarmAt(id: string): Promise<number | null> {
  return runInDurableObject(roomStubOf(id), (_i, state) => state.storage.getAlarm());
}

describe("players in one room", () => {
  it("a glider drawn by one player appears for another and moves one cell diagonally every 4 generations", async () => {
    const room = await createRoom({ width: 64, height: 64, tickMs: 10_000 });
    const stub = roomStubOf(room.id);
    const ada = await Player.join(room.id, "Ada");
    const bob = await Player.join(room.id, "Bob");

    const cells = new Uint16Array(GLIDER_CELLS.map((v) => v + 20));
    ada.send({ type: "setCells", seq: 1, alive: true, cells });
    // The edit waits for the next tick boundary; the acknowledgement says at which generation it applied.
    const ack = await ada.next("ack", (m) => m.seq === 1);

    for (let i = 0; i < 8; i++) await runDurableObjectAlarm(stub);
    const { generation } = await roomInfo(room.id);
    expect(generation).toBeGreaterThanOrEqual(ack.generation + 8);
    await bob.until(generation);

    const expected = new ReferenceGrid(64, 64, "torus", LIFE);
    for (let i = 0; i < cells.length; i += 2) expected.set(cells[i], cells[i + 1], true);
    expected.step(generation - ack.generation);
    expect(bob.mirror.cells()).toEqual(referenceCells(expected));
    expect(ada.mirror.cells()).toEqual(referenceCells(expected));
    // After a multiple of 4 generations the glider is its own shape, moved (+1, +1) each period.
    const shifted = (generation - ack.generation) / 4;
    if (Number.isInteger(shifted)) {
      expect(bob.mirror.cells()).toEqual(
        Array.from({ length: 5 }, (_, k) => `${cells[2 * k] + shifted},${cells[2 * k + 1] + shifted}`).sort(),
      );
    }
    ada.close();
    bob.close();
  });

  it("sends presence: names and cursors of others, and who left", async () => {
    const room = await createRoom({ running: false });
    const ada = await Player.join(room.id, "Ada");
    const bob = await Player.join(room.id, "Bob");
    ada.send({ type: "cursor", x: 5, y: 6 });
    const seen = await bob.next("presence", (m) => m.players.some((p) => p.name === "Ada" && p.x === 5 && p.y === 6));
    const adaId = seen.players.find((p) => p.name === "Ada")!.id;
    ada.close();
    await bob.next("presence", (m) => m.left.includes(adaId));
    bob.close();
  });

  it("stats report generation, population, players and whether the grid is still", async () => {
    const room = await createRoom({ running: false });
    await stamp(room, BLOCK, 3, 3);
    const ada = await Player.join(room.id);
    expect(await ada.next("stats")).toMatchObject({ generation: 0, population: 4, players: 1, running: false });
    ada.close();
  });

  it("a viewport at scale 4 gets a coarse keyframe: one density level per 4×4 block", async () => {
    const room = await createRoom({ width: 256, height: 256, running: false });
    await stamp(room, BLOCK, 9, 9); // covers cells 9..10, i.e. blocks (2, 2)
    const ada = await Player.join(room.id);
    ada.send({ type: "viewport", x: 0, y: 0, width: 256, height: 256, scale: 4 });
    const frame = await ada.next("keyframe", (m) => m.scale === 4);
    expect(frame).toMatchObject({ x: 0, y: 0, width: 64, height: 64 });
    expect(ada.mirror.cells()).toEqual(["2,2"]);
    ada.close();
  });

  it("shares a tick's delta between players who see the same tiles, and sends nothing to one looking elsewhere", async () => {
    const room = await createRoom({ width: 256, height: 256, running: false });
    const owner = await Player.join(room.id, "owner", room.ownerToken);
    const near = await Player.join(room.id);
    const far = await Player.join(room.id);
    for (const p of [owner, near]) p.send({ type: "viewport", x: 0, y: 0, width: 64, height: 64, scale: 1 });
    far.send({ type: "viewport", x: 128, y: 128, width: 64, height: 64, scale: 1 });
    for (const p of [owner, near, far]) await p.next("keyframe", (m) => m.width === 64);
    owner.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([10, 10, 11, 10, 12, 10]) });
    await owner.next("ack");
    const a = await owner.next("delta");
    const b = await near.next("delta");
    expect(a).toEqual(b);
    expect(a.tiles.map((t) => [t.tx, t.ty])).toEqual([[0, 0]]);
    owner.send({ type: "control", seq: 2, control: { action: "step", generations: 1 } });
    await owner.next("ack", (m) => m.seq === 2);
    await near.next("delta", (m) => m.generation === 1);
    far.send({ type: "resync" }); // a frame after the step: anything for `far` would be before its answer
    await far.next("keyframe", (m) => m.generation === 1);
    expect(far.inbox.filter((m) => m.type === "delta")).toEqual([]);
    for (const p of [owner, near, far]) p.close();
  });
});

describe("ticks on alarms", () => {
  it("a running room with nobody in it has no alarm; one tick applies a waiting edit; then it idles", async () => {
    const room = await createRoom({ running: true, tickMs: 10_000 });
    expect(await alarmAt(room.id)).toBeNull();
    const response = await stamp(room, BLINKER, 10, 10);
    expect(await response.json()).toMatchObject({ population: 3, generation: 1 });
    // At most a pending lobby report remains; after it, no alarm and no more generations.
    await runDurableObjectAlarm(roomStubOf(room.id));
    expect(await alarmAt(room.id)).toBeNull();
    expect(await runDurableObjectAlarm(roomStubOf(room.id))).toBe(false);
    expect((await roomInfo(room.id)).generation).toBe(1);
  });

  it("a room resumes when a player joins and stops ticking when the last one leaves", async () => {
    const room = await createRoom({ running: false, tickMs: 10_000 });
    await stamp(room, BLINKER, 10, 10);
    await control(room, { action: "resume" });
    const stub = roomStubOf(room.id);
    expect((await roomInfo(room.id)).generation).toBe(0); // running, but nobody watches
    const ada = await Player.join(room.id);
    await ada.until(1); // the first tick comes at once
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await ada.until(2);
    const before = (await roomInfo(room.id)).generation;
    ada.close();
    await eventually(async () => (await openSockets(room.id)) === 0, "the socket closed");
    for (let i = 0; i < 3 && (await runDurableObjectAlarm(stub)); i++); // at most a report is left
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect(await alarmAt(room.id)).toBeNull();
    expect((await roomInfo(room.id)).generation).toBe(before);
  });

  it("a grid that stopped changing stops ticking, and an edit wakes it", async () => {
    const room = await createRoom({ running: true, tickMs: 10_000 });
    const stub = roomStubOf(room.id);
    const ada = await Player.join(room.id);
    ada.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([1, 1, 2, 1, 1, 2, 2, 2]) }); // a block
    await ada.next("ack");
    // Run what is due until the room has nothing left to do: a still life ends the ticks.
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(stub)); i++);
    expect(await alarmAt(room.id)).toBeNull();
    const settled = await roomInfo(room.id);
    expect(await ada.next("stats", (m) => m.still && m.population === 4)).toMatchObject({ generation: settled.generation });
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect((await roomInfo(room.id)).generation).toBe(settled.generation);
    ada.send({ type: "setCells", seq: 2, alive: true, cells: new Uint16Array([30, 30, 31, 30, 32, 30]) }); // a blinker
    await ada.next("ack", (m) => m.seq === 2);
    expect(await alarmAt(room.id)).not.toBeNull();
    ada.close();
  });

  it("pausing applies the edits that were waiting for the next tick, in order, and acknowledges them", async () => {
    const room = await createRoom({ running: false, tickMs: 10_000 });
    await stamp(room, BLINKER, 10, 10);
    await control(room, { action: "resume" });
    const ada = await Player.join(room.id);
    await ada.until(1); // the first tick; the next one is 10 s away
    // One at a time: the pool's test sockets do not always deliver a burst of frames in order
    // (real sockets do; test/e2e/fuzz.test.ts checks the order of 100,000 answers).
    const queued = (n: number) => eventually(async () => runInDurableObject(roomStubOf(room.id), (instance: GameRoom) => instance.pendingEditCount() === n), `${n} edits queued`);
    ada.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([40, 40, 41, 40]) });
    await queued(1);
    ada.send({ type: "setCells", seq: 2, alive: false, cells: new Uint16Array([41, 40]) });
    await queued(2);
    const paused = await (await control(room, { action: "pause" })).json<{ population: number; generation: number }>();
    expect(paused).toMatchObject({ population: 4, generation: 1 }); // the blinker and cell (40, 40)
    expect(await ada.next("ack", (m) => m.seq === 1)).toMatchObject({ generation: 1 });
    expect(await ada.next("ack", (m) => m.seq === 2)).toMatchObject({ generation: 1 });
    ada.close();
  });

  it("ticks keep their cadence: a late tick brings the next one closer; one an interval late starts afresh", async () => {
    const tickMs = 1000;
    const room = await createRoom({ running: false, tickMs });
    await stamp(room, BLINKER, 10, 10);
    await control(room, { action: "resume" });
    const stub = roomStubOf(room.id);
    const nextTickDue = () => runInDurableObject(stub, (instance: GameRoom) => instance.nextTickDue());
    const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - Date.now())));
    /** Holds the alarm back (it is real: it would fire on time by itself), then delivers it late. */
    const tickLateAt = async (at: number) => {
      await runInDurableObject(stub, (_i, state) => state.storage.deleteAlarm());
      await sleepUntil(at);
      const before = (await roomInfo(room.id)).generation;
      await runInDurableObject(stub, (instance: GameRoom) => instance.alarm());
      expect((await roomInfo(room.id)).generation).toBe(before + 1);
    };
    const ada = await Player.join(room.id);
    await ada.until(1); // the first tick comes at once
    const first = await nextTickDue();
    expect(first).not.toBeNull();
    // A quarter of an interval late: the tick after it is still due one interval after this one was.
    await tickLateAt(first! + tickMs / 4);
    const second = await nextTickDue();
    expect(second).toBe(first! + tickMs);
    expect(await alarmAt(room.id)).toBe(second);
    // More than a whole interval late: no burst to make up for it, a fresh cadence from now.
    const ranAt = second! + tickMs + 100;
    await tickLateAt(ranAt);
    const third = await nextTickDue();
    expect(third).toBeGreaterThanOrEqual(ranAt + tickMs);
    expect(await alarmAt(room.id)).toBe(third);
    ada.close();
  });

  it("an alarm retried after a failed tick does not step the grid a second time", async () => {
    const room = await createRoom({ running: false, tickMs: 10_000 });
    await stamp(room, BLINKER, 10, 10);
    await control(room, { action: "resume" });
    const stub = roomStubOf(room.id);
    const ada = await Player.join(room.id);
    await ada.until(1); // the first tick comes at once; the next one is 10 s away
    const start = (await roomInfo(room.id)).generation;
    // The tick steps, then its snapshot write fails: the handler must not leave a wedged room.
    await alarmWithFailingStorage(room.id);
    expect((await roomInfo(room.id)).generation).toBe(start + 1);
    expect(await alarmAt(room.id)).not.toBeNull(); // retried shortly
    await runDurableObjectAlarm(stub); // the retry: the tick for `start` already happened
    expect((await roomInfo(room.id)).generation).toBe(start + 1);
    await runDurableObjectAlarm(stub); // and then ticks go on
    expect((await roomInfo(room.id)).generation).toBe(start + 2);
    ada.close();
  });
});

describe("connection cap", () => {
  // vitest.config.ts lowers the cap with ROOM_CONNECTION_CAP so this runs in seconds, not minutes.
  const cap = connectionCap(env.ROOM_CONNECTION_CAP);

  it("refuses sockets beyond the room's cap with close 1013 and takes them again after one leaves", async () => {
    expect(cap).toBeLessThanOrEqual(64);
    const room = await createRoom({ running: false });
    const sockets: Player[] = [];
    for (let i = 0; i < cap; i++) sockets.push(await Player.connect(room.id));
    const extra = await Player.connect(room.id);
    expect(await extra.closed).toEqual({ code: CloseCode.TRY_AGAIN, reason: "room full" });
    sockets.pop()!.close();
    await eventually(async () => (await openSockets(room.id)) < cap, "a socket closed");
    const again = await Player.join(room.id);
    expect(again.mirror.generation).toBe(0);
    for (const p of [...sockets, again]) p.close();
  });
});

describe("owner rights over sockets", () => {
  it("only a socket that said HELLO with the owner token may control the room", async () => {
    const room = await createRoom({ running: true });
    const player = await Player.join(room.id);
    player.send({ type: "control", seq: 7, control: { action: "pause" } });
    expect(await player.next("error", (m) => m.seq === 7)).toMatchObject({ code: ErrorCode.NOT_OWNER });

    const pretender = await Player.connect(room.id);
    pretender.send({ type: "hello", name: "pretender", resumeGeneration: null, token: "A".repeat(43) });
    expect(await pretender.next("error")).toMatchObject({ code: ErrorCode.NOT_OWNER });
    expect(await pretender.next("welcome")).toMatchObject({ owner: false });
    expect((await roomInfo(room.id)).running).toBe(true);

    const owner = await Player.join(room.id, "owner", room.ownerToken);
    owner.send({ type: "control", seq: 8, control: { action: "pause" } });
    await owner.next("ack", (m) => m.seq === 8);
    expect(await player.next("settings")).toMatchObject({ settings: { running: false } });
    expect((await roomInfo(room.id)).running).toBe(false);
    for (const p of [player, pretender, owner]) p.close();
  });

  it("a locked room refuses players' edits and accepts the owner's", async () => {
    const room = await createRoom({ running: false });
    await control(room, { action: "configure", locked: true });
    const player = await Player.join(room.id);
    const owner = await Player.join(room.id, "owner", room.ownerToken);
    player.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([1, 1]) });
    expect(await player.next("error", (m) => m.seq === 1)).toMatchObject({ code: ErrorCode.LOCKED });
    owner.send({ type: "setCells", seq: 2, alive: true, cells: new Uint16Array([1, 1]) });
    await owner.next("ack", (m) => m.seq === 2);
    expect((await roomInfo(room.id)).population).toBe(1);
    player.close();
    owner.close();
  });
});

describe("untrusted frames", () => {
  it("each bad frame gets its error code and changes nothing", async () => {
    const room = await createRoom({ running: false, width: 64, height: 64 });
    await stamp(room, BLINKER, 5, 5);
    const before = await exportRle(room.id);
    const early = await Player.connect(room.id);
    early.send({ type: "cursor", x: 1, y: 1 });
    expect(await early.next("error")).toMatchObject({ code: ErrorCode.NOT_READY });
    early.close();

    const p = await Player.join(room.id);
    const cases: Array<[Uint8Array | string, number]> = [
      ["hello", ErrorCode.BAD_FRAME],
      [new Uint8Array([2, 0x47]), ErrorCode.BAD_VERSION],
      [new Uint8Array([1, 0x7f]), ErrorCode.UNKNOWN_TYPE],
      [new Uint8Array([1, 0x43, 1, 0, 0, 0, 1, 2, 0, 1, 0]), ErrorCode.BAD_FRAME],
      [encodeClientMessage({ type: "setCells", seq: 3, alive: true, cells: new Uint16Array([64, 0]) }), ErrorCode.OUT_OF_BOUNDS],
      [encodeClientMessage({ type: "stamp", seq: 4, x: 0, y: 0, mode: "or", pattern: "not a pattern" }), ErrorCode.BAD_PATTERN],
      [encodeClientMessage({ type: "control", seq: 5, control: { action: "clear" } }), ErrorCode.NOT_OWNER],
    ];
    for (const [frame, code] of cases) {
      p.send(frame);
      expect(await p.next("error"), String(frame)).toMatchObject({ code });
    }
    expect(await exportRle(room.id)).toBe(before);
    p.close();
  });

  it("closes with 1009 on a frame above the size cap, 1003 after repeated garbage, 1008 after repeated refusals", async () => {
    const room = await createRoom({ running: false });
    const big = await Player.join(room.id);
    big.send(new Uint8Array(64 * 1024 + 1));
    expect((await big.closed).code).toBe(CloseCode.TOO_BIG);

    const noisy = await Player.join(room.id);
    for (let i = 0; i < 20; i++) noisy.send(new Uint8Array([9, 9, 9]));
    expect((await noisy.closed).code).toBe(CloseCode.UNSUPPORTED);

    const pushy = await Player.join(room.id);
    for (let i = 0; i < 40; i++) pushy.send({ type: "control", seq: i + 1, control: { action: "pause" } });
    expect((await pushy.closed).code).toBe(CloseCode.POLICY);
    expect((await roomInfo(room.id)).running).toBe(false);
  });

  it("rate-limits edits per socket and says so", async () => {
    const room = await createRoom({ running: false });
    const p = await Player.join(room.id);
    for (let i = 1; i <= 200; i++) p.send({ type: "setCells", seq: i, alive: true, cells: new Uint16Array([i % 64, 0]) });
    const limited = await p.next("error", (m) => m.code === ErrorCode.RATE_LIMITED);
    expect(limited.reason).toMatch(/slow down/);
    // The burst passes (counted, not by seq: the pool's test sockets may reorder a burst).
    await p.closed; // …and after MAX_POLICY_STRIKES refusals the socket is closed
    expect(p.inbox.filter((m) => m.type === "ack").length + 1).toBeGreaterThanOrEqual(60);
    expect(p.inbox.filter((m) => m.type === "ack").length).toBeLessThanOrEqual(80); // the bucket refills at 30/s meanwhile
    p.close();
  });
});

describe("slow clients", () => {
  it("a client that stops acknowledging frames gets no more deltas, then one keyframe once it catches up", async () => {
    const room = await createRoom({ running: false, width: 64, height: 64, tickMs: 16 });
    await stamp(room, BLINKER, 10, 10);
    const owner = await Player.join(room.id, "owner", room.ownerToken);
    const slow = await Player.join(room.id);
    slow.autoAck = false;
    await control(room, { action: "resume" });
    await owner.until(MAX_UNACKED_FRAMES + 20, 10_000);
    await control(room, { action: "pause" });
    const last = (await roomInfo(room.id)).generation;
    await owner.until(last);
    // A keyframe request from a socket that is behind is deferred, not queued: RESYNC brings
    // nothing. The refused edit after it is answered in order, so every frame the room meant for
    // `slow` has arrived once its error has.
    slow.send({ type: "resync" });
    slow.send({ type: "setCells", seq: 9, alive: true, cells: new Uint16Array([64, 0]) });
    await slow.next("error", (m) => m.seq === 9);
    // The join keyframe (acknowledged), then deltas until more than MAX_UNACKED_FRAMES are open.
    expect(slow.frames).toBeLessThanOrEqual(1 + MAX_UNACKED_FRAMES + 1);
    expect(slow.inbox.filter((m) => m.type === "delta").length).toBeLessThanOrEqual(MAX_UNACKED_FRAMES + 1);
    expect(slow.inbox.filter((m) => m.type === "keyframe" && m.generation > 0)).toEqual([]);
    // Catching up (acknowledging what it has) brings one fresh keyframe.
    slow.drain();
    slow.send({ type: "received", frames: slow.frames });
    expect(await slow.next("keyframe")).toMatchObject({ generation: last });
    owner.close();
    slow.close();
  });
});

describe("hibernation", () => {
  it("a socket's player, name, viewport and cursor live in its attachment and serve a fresh instance", async () => {
    const room = await createRoom({ running: false, width: 128, height: 128 });
    const ada = await Player.join(room.id, "Ada");
    ada.send({ type: "viewport", x: 0, y: 0, width: 128, height: 128, scale: 2 });
    await ada.next("keyframe", (m) => m.scale === 2);
    const bob = await Player.join(room.id, "Bob");
    ada.send({ type: "cursor", x: 7, y: 9 });
    await bob.next("presence", (m) => !m.full && m.players.some((p) => p.name === "Ada" && p.x === 7));

    const stub = roomStubOf(room.id);
    const attachments = await runInDurableObject(stub, (_i, state) => state.getWebSockets().map((ws) => ws.deserializeAttachment()));
    expect(attachments).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "Ada", hello: true, view: { x: 0, y: 0, width: 128, height: 128, scale: 2 }, cursor: [7, 9] })]),
    );

    // A new instance over the same state knows nothing in memory, like one woken from hibernation.
    await runInDurableObject(stub, async (_instance, state) => {
      const fresh = new GameRoom(state, env);
      const adaSocket = state.getWebSockets().find((ws) => (ws.deserializeAttachment() as { name: string }).name === "Ada")!;
      await fresh.webSocketMessage(adaSocket, encodeClientMessage({ type: "resync" }).buffer as ArrayBuffer);
    });
    expect(await ada.next("keyframe")).toMatchObject({ scale: 2, width: 64, height: 64 });
    ada.close();
    bob.close();
  });
});

describe("snapshots", () => {
  it("a room comes back after its object is reset with the same generation, grid and settings", async () => {
    const { abortAllDurableObjects } = await import("cloudflare:test");
    const room = await createRoom({ name: "durable", running: false, width: 256, height: 256 });
    await control(room, { action: "randomize", density: 0.3, seed: 1 });
    await control(room, { action: "step", generations: 37 });
    await control(room, { action: "configure", rule: "B36/S23", locked: true });
    const before = await exportRle(room.id);
    await abortAllDurableObjects();
    const after = await roomInfo(room.id);
    expect(after).toMatchObject({ generation: 37, running: false, locked: true, rule: "B36/S23" });
    expect(await exportRle(room.id)).toBe(before);
  });

  it("an acknowledged edit on a running room survives a reset", async () => {
    const { abortAllDurableObjects } = await import("cloudflare:test");
    const room = await createRoom({ running: true, tickMs: 10_000 });
    const ada = await Player.join(room.id);
    ada.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([1, 1, 2, 1, 1, 2, 2, 2]) });
    const ack = await ada.next("ack");
    await abortAllDurableObjects();
    const info = await roomInfo(room.id);
    expect(info.population).toBe(4);
    expect(info.generation).toBeGreaterThanOrEqual(ack.generation);
  });

  it("a damaged chunk is detected and the previous good snapshot is used", async () => {
    const { abortAllDurableObjects } = await import("cloudflare:test");
    const room = await createRoom({ running: false, width: 256, height: 256 });
    await control(room, { action: "randomize", density: 0.4, seed: 9 });
    const older = await exportRle(room.id);
    await control(room, { action: "step", generations: 10 });
    const stub = roomStubOf(room.id);
    await runInDurableObject(stub, (_i, state) => {
      const current = state.storage.sql.exec<{ slot: number }>("SELECT slot FROM snapshot_current").one().slot;
      const row = state.storage.sql.exec<{ data: ArrayBuffer }>("SELECT data FROM snapshot_chunk WHERE slot = ? AND idx = 0", current).one();
      const damaged = new Uint8Array(row.data);
      damaged[damaged.length >> 1] ^= 0x10;
      state.storage.sql.exec("UPDATE snapshot_chunk SET data = ? WHERE slot = ? AND idx = 0", damaged, current);
    });
    await abortAllDurableObjects();
    expect((await roomInfo(room.id)).generation).toBe(0);
    expect(await exportRle(room.id)).toBe(older);
  });

  it("when no snapshot verifies, the room comes back empty rather than with garbage", async () => {
    const { abortAllDurableObjects } = await import("cloudflare:test");
    const room = await createRoom({ running: false, width: 64, height: 64 });
    await control(room, { action: "randomize", density: 0.5, seed: 3 });
    await runInDurableObject(roomStubOf(room.id), (_i, state) => {
      state.storage.sql.exec("UPDATE snapshot_chunk SET crc = crc + 1");
    });
    await abortAllDurableObjects();
    expect(await roomInfo(room.id)).toMatchObject({ generation: 0, population: 0 });
  });

  it("a running room saves at least every SNAPSHOT_INTERVAL_MS: with ticks that far apart, every tick", async () => {
    const room = await createRoom({ running: false, tickMs: 10_000 });
    await stamp(room, BLINKER, 10, 10);
    await control(room, { action: "resume" });
    const stub = roomStubOf(room.id);
    const ada = await Player.join(room.id);
    for (let i = 0; i < 3; i++) {
      await runDurableObjectAlarm(stub);
      const { generation } = await roomInfo(room.id);
      const saved = await runInDurableObject(stub, (_i, state) =>
        state.storage.sql.exec<{ generation: number }>("SELECT s.generation FROM snapshot_slot s JOIN snapshot_current c ON s.slot = c.slot").one().generation,
      );
      expect(saved).toBe(generation);
    }
    ada.close();
  });
});
