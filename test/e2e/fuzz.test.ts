// Frame fuzzing through real sockets against the real server (wrangler dev → workerd): more than
// 100,000 random, truncated, oversized, wrong-version and bit-flipped frames made from valid
// frames of every client type, plus text frames. Every bad frame gets its error code or its
// close code; players who behave keep receiving every tick of a running room; and a paused
// room's grid ends exactly as the edits the room acknowledged made it — rejected frames change
// nothing.
import { expect, it } from "vitest";
import { bitmapsEqual } from "../../common/bitmap.ts";
import { CloseCode, ErrorCode, MAX_CLIENT_FRAME_BYTES, encodeClientMessage, type ClientMessage, type ServerMessage } from "../../common/protocol/index.ts";
import { parsePattern } from "../../common/formats/index.ts";
import { LIFE } from "../../common/rules.ts";
import { createEngine } from "../../common/wasm-node.ts";
import { MAX_BAD_FRAMES, MAX_STAMP_CELLS } from "../../worker/limits.ts";
import { Prng, RawSocket, hostileText, localDecode, mutate, validMessage, withSeq } from "./attack.ts";
import { useDevServer } from "./server.ts";

const SIZE = 64;
const GARBAGE_SESSIONS = 3500; // × (MAX_BAD_FRAMES + 1) frames, no HELLO
const MUTANT_SESSIONS_PAUSED = 150; // × ~120 frames after HELLO, one at a time (the model's order)
const MUTANT_SESSIONS_RUNNING = 200;
const FRAMES_PER_MUTANT = 120;
const OVERSIZED_SESSIONS = 40;
const CONCURRENCY = 12;

const dev = useDevServer();

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${dev.server.url}${path}`, { method: "POST", body, headers });
}

async function createRoom(body: Record<string, unknown>): Promise<{ id: string; ownerToken: string }> {
  const response = await post("/api/rooms", JSON.stringify({ name: "fuzz", width: SIZE, height: SIZE, rule: "B3/S23", topology: "torus", ...body }));
  expect(response.status).toBe(201);
  return response.json() as Promise<{ id: string; ownerToken: string }>;
}

async function exportGrid(id: string): Promise<{ generation: number; bitmap: ReturnType<typeof toBitmap> }> {
  const text = await (await fetch(`${dev.server.url}/api/rooms/${id}/pattern`)).text();
  const generation = Number(/#C generation (\d+)/.exec(text)?.[1]);
  return { generation, bitmap: toBitmap(text) };
}

function toBitmap(rle: string) {
  const parsed = parsePattern(rle);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.bitmap;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

type Expect =
  | { kind: "error0"; code: number } // an ERROR with seq 0 and this code
  | { kind: "answer"; seq: number; message: ClientMessage } // an ACK or an ERROR with this seq
  | { kind: "keyframe" }
  | { kind: "hello" } // WELCOME + KEYFRAME
  | { kind: "none" };

it("more than 100,000 hostile frames: each refused with its code, ticks never stall, rejected frames change nothing", async () => {
  const started = Date.now();
  const engine = await createEngine({ width: SIZE, height: SIZE, topology: "torus", rule: LIFE });

  // Room R runs (blinkers: every tick changes something), locked, with two players who behave.
  const running = await createRoom({ running: false, tickMs: 50 });
  const ownerHeaders = { Authorization: `Bearer ${running.ownerToken}` };
  for (const [x, y] of [[5, 5], [40, 20], [20, 50]]) expect((await post(`/api/rooms/${running.id}/pattern?x=${x}&y=${y}`, "x = 3, y = 1\n3o!")).status).toBe(200);
  expect((await post(`/api/rooms/${running.id}/control`, JSON.stringify({ action: "configure", locked: true }), ownerHeaders)).status).toBe(200);
  const runningStart = await exportGrid(running.id);
  expect((await post(`/api/rooms/${running.id}/control`, JSON.stringify({ action: "resume" }), ownerHeaders)).status).toBe(200);
  const watchers = await Promise.all(["Ada", "Bob"].map(async (name) => {
    const s = await RawSocket.open(dev.server.url, running.id);
    await s.hello(name);
    return s;
  }));

  // Room P is paused and open to edits; `engine` models it: the edits the room acknowledged, nothing else.
  const paused = await createRoom({ running: false });
  expect((await post(`/api/rooms/${paused.id}/pattern?x=10&y=10`, "x = 3, y = 3\nbo$2bo$3o!")).status).toBe(200);
  expect((await post(`/api/rooms/${paused.id}/pattern?x=30&y=30`, "x = 2, y = 2\n2o$2o!")).status).toBe(200);
  engine.loadBitmap((await exportGrid(paused.id)).bitmap);
  const fingerprintBefore = engine.sha256();

  // Each session draws from its own seeded generator, so a failure replays whatever the scheduling.
  const SEED = 0x5eed_f022;
  const prngFor = (kind: number, i: number) => new Prng((SEED ^ (kind << 24)) + i * 7919);
  let framesSent = 0;
  let acknowledged = 0;
  const rooms = [running.id, paused.id];

  // Sessions without HELLO: MAX_BAD_FRAMES frames each answered by its ERROR, then the next closes with 1003.
  const garbage = Array.from({ length: GARBAGE_SESSIONS }, (_, i) => async () => {
    const prng = prngFor(1, i);
    const frames: Array<{ data: Uint8Array | string; code: number }> = [];
    while (frames.length < MAX_BAD_FRAMES + 1) {
      if (prng.chance(0.08)) {
        frames.push({ data: hostileText(prng), code: ErrorCode.BAD_FRAME });
        continue;
      }
      const valid = encodeClientMessage(validMessage(prng, SIZE, SIZE));
      const frame = prng.chance(0.1) ? valid : mutate(prng, valid).frame;
      const decoded = localDecode(frame);
      if (decoded.ok && decoded.message.type === "hello") continue; // that would join
      frames.push({ data: frame, code: decoded.ok ? ErrorCode.NOT_READY : decoded.code });
    }
    const s = await RawSocket.open(dev.server.url, rooms[i % 2]);
    for (const f of frames) s.send(f.data);
    framesSent += frames.length;
    const closed = await s.closedWithin();
    expect(closed.code, `garbage session ${i} ${dev.server.reloaded()}`).toBe(CloseCode.UNSUPPORTED);
    expect(s.messages.map((m) => (m.type === "error" && m.seq === 0 ? m.code : m.type)), `garbage session ${i}`).toEqual(
      frames.slice(0, MAX_BAD_FRAMES).map((f) => f.code),
    );
  });

  /** A player that says HELLO, then sends ~FRAMES_PER_MUTANT hostile and valid frames of every type. */
  const mutant = (roomId: string, isPaused: boolean, i: number) => async () => {
    const prng = prngFor(isPaused ? 2 : 3, i);
    let nextSeq = i * 1000 + 1;
    const budget = { bad: MAX_BAD_FRAMES - 1, edits: 40, controls: isPaused ? 8 : 0, views: 20 };
    if (!isPaused) budget.edits = 24; // in the locked room every edit is a policy strike
    const items: Array<{ data: Uint8Array | string; expect: Expect }> = [];
    while (items.length < FRAMES_PER_MUTANT) {
      if (budget.bad > 0 && prng.chance(0.04)) {
        budget.bad--;
        items.push({ data: hostileText(prng), expect: { kind: "error0", code: ErrorCode.BAD_FRAME } });
        continue;
      }
      const valid = encodeClientMessage(validMessage(prng, SIZE, SIZE));
      let frame = prng.chance(0.25) ? valid : mutate(prng, valid).frame;
      let decoded = localDecode(frame);
      if (!decoded.ok) {
        if (budget.bad === 0) continue;
        budget.bad--;
        items.push({ data: frame, expect: { kind: "error0", code: decoded.code } });
        continue;
      }
      const m = decoded.message;
      switch (m.type) {
        case "hello":
          // A wrong token is answered while the room checks it; the token tests cover that.
          if (m.token !== null || budget.views === 0) continue;
          budget.views--;
          items.push({ data: frame, expect: { kind: "hello" } });
          break;
        case "viewport":
        case "resync":
          if (budget.views === 0) continue;
          budget.views--;
          items.push({ data: frame, expect: { kind: "keyframe" } });
          break;
        case "setCells":
        case "stamp":
        case "control": {
          if (m.type === "control" ? budget.controls === 0 : budget.edits === 0) continue;
          if (m.type === "control") budget.controls--;
          else budget.edits--;
          const seq = nextSeq++;
          frame = withSeq(frame, seq);
          decoded = localDecode(frame);
          if (!decoded.ok) throw new Error("a frame stopped decoding when its seq was set");
          items.push({ data: frame, expect: { kind: "answer", seq, message: decoded.message } });
          break;
        }
        case "received":
          // Only lies are sent: a count no socket of this test can have reached.
          if (m.frames <= 10_000 || budget.bad === 0) continue;
          budget.bad--;
          items.push({ data: frame, expect: { kind: "error0", code: ErrorCode.BAD_FRAME } });
          break;
        case "cursor":
          items.push({ data: frame, expect: { kind: "none" } });
          break;
      }
    }
    // The last frame is refused with its seq: once its answer is in, so is every earlier one.
    const sentinel = nextSeq++;
    const last: ClientMessage = { type: "setCells", seq: sentinel, alive: true, cells: new Uint16Array([SIZE, 0]) };
    items.push({ data: encodeClientMessage(last), expect: { kind: "answer", seq: sentinel, message: last } });

    {
      const s = await RawSocket.open(dev.server.url, roomId);
      await s.hello(`mutant ${i}`);
      framesSent++;
      const from = s.messages.findIndex((m) => m.type === "keyframe") + 1;
      for (const item of items) s.send(item.data);
      framesSent += items.length;
      await s.until(() => s.messages.some((m) => (m.type === "error" || m.type === "ack") && m.seq === sentinel), `the answer to seq ${sentinel}`);
      const after = s.messages.slice(from);
      const label = `mutant session ${i} in the ${isPaused ? "paused" : "running"} room`;

      // Frames that could not be decoded (and lies) get ERRORs with seq 0, in order, with their codes.
      const errors0 = after.filter((m) => m.type === "error" && m.seq === 0).map((m) => (m as { code: number }).code);
      expect(errors0, label).toEqual(items.flatMap((it) => (it.expect.kind === "error0" ? [it.expect.code] : [])));
      const count = (type: ServerMessage["type"]) => after.filter((m) => m.type === type).length;
      const hellos = items.filter((it) => it.expect.kind === "hello").length;
      expect(count("welcome"), label).toBe(hellos);
      expect(count("keyframe"), label).toBe(hellos + items.filter((it) => it.expect.kind === "keyframe").length);
      expect(after.filter((m) => m.type === "error" && m.code === ErrorCode.INTERNAL), label).toEqual([]);

      // Every request with a seq gets exactly one answer; what the paused room acknowledged, the model applies.
      for (const item of items) {
        if (item.expect.kind !== "answer") continue;
        const { seq, message } = item.expect;
        const answers = after.filter((m) => (m.type === "ack" || m.type === "error") && m.seq === seq);
        expect(answers.length, `${label}: answers to seq ${seq}`).toBe(1);
        const answer = answers[0];
        if (message.type === "control") {
          expect(answer, label).toMatchObject({ type: "error", code: ErrorCode.NOT_OWNER });
        } else if (!isPaused) {
          expect(answer, label).toMatchObject({ type: "error", code: ErrorCode.LOCKED });
        } else if (message.type === "setCells") {
          const inside = Array.from(message.cells).every((v) => v < SIZE);
          expect(answer.type, `${label}: SET_CELLS ${Array.from(message.cells)}`).toBe(inside ? "ack" : "error");
          if (!inside) expect(answer).toMatchObject({ code: ErrorCode.OUT_OF_BOUNDS });
          else engine.setCells(message.cells, message.alive);
        } else if (message.type === "stamp") {
          const parsed = parsePattern(message.pattern, { maxWidth: SIZE, maxHeight: SIZE, maxCells: MAX_STAMP_CELLS });
          expect(answer.type, `${label}: STAMP ${JSON.stringify(message.pattern)}`).toBe(parsed.ok ? "ack" : "error");
          if (!parsed.ok) {
            expect(answer, label).toMatchObject({ code: parsed.limit === "cells" ? ErrorCode.TOO_LARGE : parsed.limit ? ErrorCode.OUT_OF_BOUNDS : ErrorCode.BAD_PATTERN });
          } else {
            engine.stamp(parsed.value.bitmap, mod(message.x, SIZE), mod(message.y, SIZE), message.mode);
          }
        }
        if (answer.type === "ack") acknowledged++;
      }
      expect(s.isClosed, label).toBe(false);
      s.close();
    }
  };

  // Frames above MAX_CLIENT_FRAME_BYTES, binary or text, are refused with 1009 before anything reads them.
  const oversized = Array.from({ length: OVERSIZED_SESSIONS }, (_, i) => async () => {
    const prng = prngFor(4, i);
    const size = MAX_CLIENT_FRAME_BYTES + 1 + prng.int(0, i < 4 ? 1 << 20 : 4096);
    const binary = new Uint8Array(size).fill(0x6f);
    binary.set(encodeClientMessage({ type: "stamp", seq: 1, x: 0, y: 0, mode: "or", pattern: "x = 1, y = 1\n" }));
    const data = i % 3 === 0 ? "o".repeat(size) : binary;
    const s = await RawSocket.open(dev.server.url, rooms[i % 2]);
    if (i % 2 === 0) await s.hello(`big ${i}`);
    s.send(data);
    framesSent++;
    expect((await s.closedWithin()).code).toBe(CloseCode.TOO_BIG);
    expect(s.errors()).toEqual([]);
  });

  // The largest frame that is read: a 64 KiB stamp whose pattern is far larger than the grid.
  const atTheLimit = async () => {
    const s = await RawSocket.open(dev.server.url, paused.id);
    await s.hello("at the limit");
    const head = encodeClientMessage({ type: "stamp", seq: 77, x: 0, y: 0, mode: "or", pattern: "x = 1, y = 1\n" });
    const frame = new Uint8Array(MAX_CLIENT_FRAME_BYTES).fill(0x6f); // "ooo…": one row 65,000 cells wide
    frame.set(head);
    s.send(frame);
    framesSent++;
    await s.until(() => s.messages.some((m) => m.type === "error" && m.seq === 77), "the answer to the 64 KiB stamp");
    expect(s.errors().find((m) => m.seq === 77)).toMatchObject({ code: ErrorCode.OUT_OF_BOUNDS });
    s.close();
  };

  const pausedMutants = Array.from({ length: MUTANT_SESSIONS_PAUSED }, (_, i) => mutant(paused.id, true, i));
  const runningMutants = Array.from({ length: MUTANT_SESSIONS_RUNNING }, (_, i) => mutant(running.id, false, i));
  // The paused room's sessions run one after another, so the model applies edits in the room's order.
  const inOrder = (async () => {
    await atTheLimit();
    for (const session of pausedMutants) await session();
  })();
  const order = new Prng(SEED);
  const shuffled = [...garbage, ...runningMutants, ...oversized].sort(() => order.next() - 0.5);
  await Promise.all([pool(shuffled, CONCURRENCY), inOrder]);
  const fuzzMs = Date.now() - started;

  expect(framesSent).toBeGreaterThanOrEqual(100_000);

  // The players who behaved were never dropped, and saw every generation: each DELTA follows the
  // previous frame's generation by one tick (generationsPerTick = 1), or a KEYFRAME restarts the count.
  for (const w of watchers) {
    expect(w.isClosed, `${w.problems.join("; ")} ${dev.server.reloaded()}`).toBe(false);
    expect(w.problems).toEqual([]);
    let last = -1;
    let ticks = 0;
    for (const m of w.messages) {
      if (m.type === "keyframe") last = m.generation;
      else if (m.type === "delta") {
        expect(m.generation, "a generation was skipped").toBe(last + 1);
        last = m.generation;
        ticks++;
      }
    }
    // At 20 ticks/s for the whole run; a generous floor for a loaded machine.
    expect(ticks).toBeGreaterThan(fuzzMs / 50 / 4);
  }

  // The running room only ever ticked: its grid is its blinkers at the phase of its generation.
  const runningEnd = await exportGrid(running.id);
  const blinkers = await createEngine({ width: SIZE, height: SIZE, topology: "torus", rule: LIFE });
  blinkers.loadBitmap(runningStart.bitmap);
  blinkers.step(runningEnd.generation - runningStart.generation);
  expect(bitmapsEqual(blinkers.toBitmap(), runningEnd.bitmap)).toBe(true);
  const runningInfo = await (await fetch(`${dev.server.url}/api/rooms/${running.id}`)).json();
  expect(runningInfo).toMatchObject({ running: true, locked: true, rule: "B3/S23", private: false, tickMs: 50, generationsPerTick: 1 });

  // The paused room holds exactly what was acknowledged: its fingerprint is the model's.
  const pausedEnd = await exportGrid(paused.id);
  const server_ = await createEngine({ width: SIZE, height: SIZE, topology: "torus", rule: LIFE });
  server_.loadBitmap(pausedEnd.bitmap);
  expect(pausedEnd.generation).toBe(0);
  expect(acknowledged).toBeGreaterThan(100); // the fuzzer reached the accepting paths too
  expect(server_.sha256()).toBe(engine.sha256());
  expect(fingerprintBefore).not.toBe(engine.sha256());
  const pausedInfo = await (await fetch(`${dev.server.url}/api/rooms/${paused.id}`)).json();
  expect(pausedInfo).toMatchObject({ running: false, locked: false, rule: "B3/S23", private: false, generation: 0, tickMs: 100 });

  // Nothing failed inside the room.
  expect(dev.server.log()).not.toMatch(/message failed|alarm failed|Uncaught/);
  for (const w of watchers) w.close();
}, 240_000);
