// Lockstep prediction against the real room in workerd: clients that run the engine on their view
// (common/lockstep/client.ts) hold exactly the room's cells after ticks, edits, stamps, clear,
// randomize, a rule change, longer ticks, pause and step, viewport changes — checked against the
// room's own export (GET /api/rooms/:id/pattern) at the same generation. Clients that do not ask
// for it get DELTA frames exactly as before.
import { SELF, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import LIFE_SIMD from "../../build/life-simd.wasm";
import { type Bitmap, getBit } from "../../common/bitmap.ts";
import { CHECKSUM_EVERY_STEPS } from "../../common/lockstep/broadcast.ts";
import { LockstepView } from "../../common/lockstep/client.ts";
import { PATTERNS_BY_ID } from "../../common/patterns.ts";
import { type CreatedRoom, type ServerMessage, decodePayload, decodeServerFrame, encodeClientMessage, keyframeBytes, type ClientMessage } from "../../common/protocol/index.ts";
import { parsePattern } from "../../common/formats/index.ts";
import type { GameRoom } from "../../worker/room.ts";
import { Signal } from "../signal.ts";
import { BASE, Player, api, control, createRoom, freshAddress, roomStubOf, stamp } from "./helpers.ts";

type Of<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** A client that predicts, as the web page does: every frame handled in order, RECEIVED after each
 *  KEYFRAME, DELTA and STEP, RESYNC when its view is lost. */
class Predictor {
  readonly ws: WebSocket;
  readonly view = new LockstepView(LIFE_SIMD);
  readonly inbox: ServerMessage[] = [];
  readonly steps: Of<"step">[] = [];
  deltas = 0;
  frames = 0;
  #chain: Promise<void> = Promise.resolve();
  readonly #arrived = new Signal();

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.binaryType = "arraybuffer";
    ws.accept();
    ws.addEventListener("message", (event) => {
      if (!(event.data instanceof ArrayBuffer)) throw new Error("server sent a text frame");
      const decoded = decodeServerFrame(event.data);
      if (!decoded.ok) throw new Error(`server sent an undecodable frame: ${decoded.error.reason}`);
      const m = decoded.value;
      this.#chain = this.#chain.then(() => this.#handle(m));
    });
  }

  static async join(id: string, name: string, token: string | null = null): Promise<Predictor> {
    const response = await SELF.fetch(`${BASE}/api/rooms/${id}/ws`, { headers: { Upgrade: "websocket", "CF-Connecting-IP": freshAddress() } });
    if (response.status !== 101 || !response.webSocket) throw new Error(`upgrade failed: ${response.status}`);
    const p = new Predictor(response.webSocket);
    p.send({ type: "hello", name, resumeGeneration: null, token, predict: true });
    await p.next("keyframe");
    return p;
  }

  async #handle(m: ServerMessage): Promise<void> {
    let outcome: string = "applied";
    switch (m.type) {
      case "welcome":
      case "settings":
        this.view.settings(m.settings);
        break;
      case "keyframe": {
        const raw = await decodePayload(m.codec, m.payload, keyframeBytes(m.width, m.height, m.scale));
        if (!raw) throw new Error("keyframe does not decode");
        await this.view.keyframe(m, raw);
        break;
      }
      case "step":
        this.steps.push(m);
        outcome = await this.view.step(m);
        break;
      case "delta":
        this.deltas++;
        outcome = await this.view.delta(m);
        break;
    }
    if (m.type === "keyframe" || m.type === "step" || m.type === "delta") this.send({ type: "received", frames: ++this.frames });
    if (outcome === "resync") this.send({ type: "resync" });
    this.inbox.push(m);
    this.#arrived.wake();
  }

  send(m: ClientMessage): void {
    this.ws.send(encodeClientMessage(m));
  }

  async #waitFor(ready: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    await this.#arrived.until(ready, timeoutMs, () => `never: ${what} (view at generation ${this.view.generation}; inbox ${this.inbox.map((m) => m.type).join(", ")})`);
  }

  /** Takes the first handled message of `type` (matching `where`) from the inbox, waiting for it. */
  async next<T extends ServerMessage["type"]>(type: T, where: (m: Of<T>) => boolean = () => true): Promise<Of<T>> {
    let index = -1;
    await this.#waitFor(() => (index = this.inbox.findIndex((m) => m.type === type && where(m as Of<T>))) >= 0, `a ${type}`);
    return this.inbox.splice(index, 1)[0] as Of<T>;
  }

  /** Waits until the view has reached `generation`. */
  async reach(generation: number): Promise<void> {
    await this.#waitFor(() => this.view.generation >= generation, `view at generation ${generation}`);
  }

  /** Asks for another view and waits for its keyframe. */
  async look(x: number, y: number, width: number, height: number, scale = 1): Promise<void> {
    this.send({ type: "viewport", x, y, width, height, scale });
    await this.next("keyframe", (m) => m.scale === scale && m.x === Math.floor(x / scale / 64) * 64);
  }

  close(): void {
    try {
      this.ws.close(1000, "done");
    } catch {
      // already closed
    }
  }
}

/** The room's whole grid and its generation, from its own export. */
async function roomGrid(id: string): Promise<{ generation: number; bitmap: Bitmap }> {
  const response = await api(`/api/rooms/${id}/pattern`);
  const text = await response.text();
  const parsed = parsePattern(text);
  if (!parsed.ok) throw new Error(parsed.error);
  const generation = Number(/#C generation (\d+)/.exec(text)?.[1]);
  return { generation, bitmap: parsed.value.bitmap };
}

/** Waits until `count` edits wait for the next tick (a socket's frame and an HTTP request reach
 *  the room on their own schedule). */
async function pendingEdits(id: string, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const n = await runInDurableObject(roomStubOf(id), (instance: GameRoom) => instance.pendingEditCount());
    if (n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never ${count} pending edits`);
}

async function roomGeneration(id: string): Promise<number> {
  return (await (await api(`/api/rooms/${id}`)).json<{ generation: number }>()).generation;
}

/**
 * Every predictor's view equals the room's cells. The room may tick on its own (an alarm due "now"
 * after an idle spell), so this waits until the views and the export agree on the generation.
 */
async function expectInSync(room: CreatedRoom, players: readonly Predictor[], what: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const generation = await roomGeneration(room.id);
    for (const p of players) await p.reach(generation);
    const grid = await roomGrid(room.id);
    if (attempt < 5 && players.some((p) => p.view.generation !== grid.generation)) continue;
    for (const p of players) {
      const rect = p.view.rect!;
      const bits = p.view.bitmap()!;
      const wrong: string[] = [];
      for (let y = 0; y < rect.height; y++) {
        for (let x = 0; x < rect.width; x++) {
          if (getBit(bits, x, y) !== (rect.x + x < grid.bitmap.width && rect.y + y < grid.bitmap.height && getBit(grid.bitmap, rect.x + x, rect.y + y))) wrong.push(`${rect.x + x},${rect.y + y}`);
        }
      }
      expect(wrong.slice(0, 10), `${what}: view ${rect.width}×${rect.height} at (${rect.x}, ${rect.y}), generation ${grid.generation}`).toEqual([]);
      expect(p.view.generation).toBe(grid.generation);
    }
    return;
  }
}

const GLIDER = PATTERNS_BY_ID.get("glider")!.rle;
const R_PENTOMINO = PATTERNS_BY_ID.get("r-pentomino")!.rle;

describe("lockstep prediction in a running room", () => {
  it("whole, partial and ragged-edge views on a torus follow ticks, edits, rule and speed changes, pause, step, clear and randomize", async () => {
    const room = await createRoom({ width: 200, height: 150, topology: "torus", running: false, tickMs: 10_000 });
    const stub = roomStubOf(room.id);
    await control(room, { action: "randomize", density: 0.35, seed: 11 });
    const owner = await Predictor.join(room.id, "owner", room.ownerToken); // the whole grid: no band
    const middle = await Predictor.join(room.id, "middle");
    const corner = await Predictor.join(room.id, "corner");
    await middle.look(64, 64, 128, 64); // tiles 1..2 × 1: a band on every side
    await corner.look(130, 130, 70, 20); // the ragged corner: 72×22 cells
    expect(corner.view.rect).toEqual({ x: 128, y: 128, width: 72, height: 22 });
    const all = [owner, middle, corner];
    await expectInSync(room, all, "joined");

    await control(room, { action: "resume" });
    for (let i = 0; i < 6; i++) await runDurableObjectAlarm(stub);
    await expectInSync(room, all, "6 ticks of 1 generation");

    // Edits wait for the tick boundary and arrive as the tiles they touched, before the step.
    middle.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([70, 70, 71, 70, 72, 70, 199, 149, 0, 0]) });
    const stamped = stamp(room, R_PENTOMINO, 190, 60); // wraps across the right edge
    await pendingEdits(room.id, 2);
    await runDurableObjectAlarm(stub);
    await stamped;
    await middle.next("ack", (m) => m.seq === 1);
    await runDurableObjectAlarm(stub);
    await expectInSync(room, all, "edits and a wrapping stamp at tick boundaries");

    for (const generationsPerTick of [3, 8, 40, 70]) {
      await control(room, { action: "configure", generationsPerTick });
      for (let i = 0; i < 3; i++) await runDurableObjectAlarm(stub);
      await expectInSync(room, all, `${generationsPerTick} generations per tick`);
    }
    // 70 generations is past MAX_PREDICT_STEPS: those ticks came as DELTA frames, and still matched.
    expect(owner.deltas).toBeGreaterThan(0);

    await control(room, { action: "configure", generationsPerTick: 2, rule: "B36/S23" });
    for (let i = 0; i < 4; i++) await runDurableObjectAlarm(stub);
    await expectInSync(room, all, "HighLife");

    await control(room, { action: "pause" });
    owner.send({ type: "setCells", seq: 2, alive: true, cells: new Uint16Array([100, 100, 101, 100, 102, 100]) });
    await owner.next("ack", (m) => m.seq === 2);
    for (const generations of [1, 5, 64, 100]) {
      owner.send({ type: "control", seq: 10 + generations, control: { action: "step", generations } });
      await owner.next("ack", (m) => m.seq === 10 + generations);
      await expectInSync(room, all, `paused, step ${generations}`);
    }

    await control(room, { action: "clear" });
    await expectInSync(room, all, "cleared");
    await stamp(room, GLIDER, 60, 60);
    await control(room, { action: "randomize", density: 0.5, seed: 3 });
    await expectInSync(room, all, "randomized");

    // Another view, then an overview (not predicted), then scale 1 again.
    await middle.look(0, 0, 64, 150);
    await middle.look(0, 0, 200, 150, 2);
    expect(middle.view.active).toBe(false);
    await middle.look(128, 0, 72, 64);
    await control(room, { action: "resume" });
    for (let i = 0; i < CHECKSUM_EVERY_STEPS + 2; i++) await runDurableObjectAlarm(stub);
    await expectInSync(room, all, "after viewport changes and more ticks");

    for (const p of all) {
      expect(p.view.counts.resyncs, "no view was ever lost").toBe(0);
      expect(p.view.counts.checksums, "checksums were checked").toBeGreaterThan(0);
      expect(p.view.counts.steps).toBeGreaterThan(10);
    }
    // The whole-grid view never needs a band: its STEP frames are a header, plus edited tiles.
    expect(owner.steps.every((m) => m.sides === 0 && m.band.length === 0)).toBe(true);
    expect(middle.steps.some((m) => m.sides === 15 && m.band.length > 0)).toBe(true);
    for (const p of all) p.close();
  });

  it("on a plane, views on the grid's edges need bands only on their inner sides", async () => {
    const room = await createRoom({ width: 256, height: 192, topology: "plane", running: false, tickMs: 10_000 });
    const stub = roomStubOf(room.id);
    await control(room, { action: "randomize", density: 0.4, seed: 5 });
    const left = await Predictor.join(room.id, "left");
    const inner = await Predictor.join(room.id, "inner");
    await left.look(0, 0, 64, 192); // left edge, full height: only the right side has a band
    await inner.look(64, 64, 128, 64);
    await control(room, { action: "resume" });
    for (let i = 0; i < 10; i++) await runDurableObjectAlarm(stub);
    await expectInSync(room, [left, inner], "plane, 10 ticks");
    expect(left.steps.filter((m) => m.steps > 0).every((m) => m.sides === 2)).toBe(true);
    expect(inner.steps.filter((m) => m.steps > 0).every((m) => m.sides === 15)).toBe(true);
    left.close();
    inner.close();
  });

  it("a still grid sends no frame; the next STEP starts from the generation the client holds", async () => {
    const room = await createRoom({ width: 64, height: 64, running: false, tickMs: 10_000 });
    const stub = roomStubOf(room.id);
    await stamp(room, PATTERNS_BY_ID.get("block")!.rle, 10, 10);
    const ada = await Predictor.join(room.id, "ada");
    await control(room, { action: "resume" });
    await ada.next("stats", (m) => m.still); // the first tick changed nothing: the room stopped
    const held = ada.view.generation;
    expect(await roomGeneration(room.id)).toBeGreaterThan(held);
    expect(ada.steps).toEqual([]);
    ada.send({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array([40, 40, 41, 40, 42, 40]) }); // a blinker
    await runDurableObjectAlarm(stub);
    await ada.next("ack", (m) => m.seq === 1);
    const step = ada.steps[0];
    expect(step.from).toBe(held);
    expect(step.to - step.steps).toBeGreaterThan(held);
    await expectInSync(room, [ada], "after the still spell");
    ada.close();
  });

  it("a client that does not ask for prediction gets DELTA frames, never STEP", async () => {
    const room = await createRoom({ width: 128, height: 128, running: false, tickMs: 10_000 });
    await control(room, { action: "randomize", density: 0.4, seed: 2 });
    const plain = await Player.join(room.id, "plain");
    const predictor = await Predictor.join(room.id, "predictor");
    await control(room, { action: "resume" });
    for (let i = 0; i < 3; i++) await runDurableObjectAlarm(roomStubOf(room.id));
    const generation = await roomGeneration(room.id);
    await plain.until(generation);
    await expectInSync(room, [predictor], "predictor beside a plain client");
    expect(plain.inbox.some((m) => m.type === "delta")).toBe(true);
    expect(plain.inbox.some((m) => m.type === "step")).toBe(false);
    const grid = await roomGrid(room.id);
    expect(plain.mirror.generation).toBe(grid.generation);
    const live: string[] = [];
    for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) if (getBit(grid.bitmap, x, y)) live.push(`${x},${y}`);
    expect(plain.mirror.cells()).toEqual(live.sort());
    plain.close();
    predictor.close();
  });
});
