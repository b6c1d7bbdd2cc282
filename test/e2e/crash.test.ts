// kill -9 of the whole server (wrangler dev and workerd) at random moments — while 4096² rooms
// tick, while they write snapshots (one of them saves on every tick), and the instant an edit is
// acknowledged — and what comes back: every room at a snapshot it really reached, its grid the
// one an independent replay with the Node engine computes for that generation, no acknowledged
// edit lost, and a paused room unchanged to the byte.
import { expect, it } from "vitest";
import { bitmapsEqual } from "../../common/bitmap.ts";
import type { CreatedRoom, CreateRoomRequest } from "../../common/protocol/index.ts";
import { parsePattern, writeRle } from "../../common/formats/index.ts";
import { LIFE } from "../../common/rules.ts";
import { createEngine } from "../../common/wasm-node.ts";
import { SNAPSHOT_INTERVAL_MS } from "../../worker/limits.ts";
import { Prng, RawSocket, freshAddress } from "./attack.ts";
import { useDevServer } from "./server.ts";

const SIDE = 4096;
const ITERATIONS = 6;
const DENSE = { density: 0.35, seed: 20_260_426 };
const SOUP_AT = 64; // the edited room's soup: a random 768² patch at (64, 64)…
const BLOCKS_AT = 2560; // …and the blocks players add, far from it (still lifes: they never change)

const dev = useDevServer();

const address = freshAddress();

async function createRoom(body: Partial<CreateRoomRequest>): Promise<CreatedRoom> {
  const response = await fetch(`${dev.server.url}/api/rooms`, {
    method: "POST",
    headers: { "CF-Connecting-IP": address },
    body: JSON.stringify({ name: "crash", width: SIDE, height: SIDE, rule: "B3/S23", topology: "torus", running: false, tickMs: 50, ...body }),
  });
  expect(response.status, dev.server.log().slice(-2000)).toBe(201);
  return response.json() as Promise<CreatedRoom>;
}

async function control(room: CreatedRoom, body: unknown): Promise<void> {
  const response = await fetch(`${dev.server.url}/api/rooms/${room.id}/control`, { method: "POST", headers: { Authorization: `Bearer ${room.ownerToken}` }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

async function exported(id: string): Promise<{ text: string; generation: number; bitmap: ReturnType<typeof bitmapOf> }> {
  const response = await fetch(`${dev.server.url}/api/rooms/${id}/pattern`);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, generation: Number(/#C generation (\d+)/.exec(text)?.[1]), bitmap: bitmapOf(text) };
}

function bitmapOf(rle: string) {
  const parsed = parsePattern(rle);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value.bitmap;
}

/** Where block k goes: a grid of 2×2 blocks 8 cells apart. */
function block(k: number): number[] {
  const x = BLOCKS_AT + (k % 64) * 8;
  const y = BLOCKS_AT + Math.floor(k / 64) * 8;
  return [x, y, x + 1, y, x, y + 1, x + 1, y + 1];
}

it("rooms killed mid-tick, mid-snapshot and right after an acknowledged edit come back consistent, losing no acknowledged edit", async () => {
  const prng = new Prng(0xc4a5);

  // A dense 4096² soup, no edits: its grid is a pure function of seed and generation.
  const dense = await createRoom({ name: "dense" });
  await control(dense, { action: "randomize", ...DENSE });
  await control(dense, { action: "resume" });
  const denseReplay = await createEngine({ width: SIDE, height: SIDE, topology: "torus", rule: LIFE });
  denseReplay.randomize(DENSE.density, DENSE.seed);

  // A 4096² room with a soup patch where a player adds a block every tick: every tick applies an
  // edit, and so saves a snapshot (both chunks dirty) before acknowledging it.
  const edited = await createRoom({ name: "edited" });
  const soup = prng.bitmap(768, 768, 0.35);
  const stamped = await fetch(`${dev.server.url}/api/rooms/${edited.id}/pattern?x=${SOUP_AT}&y=${SOUP_AT}`, { method: "POST", body: writeRle(soup) });
  expect(stamped.status).toBe(200);
  await control(edited, { action: "resume" });
  const soupReplay = await createEngine({ width: SIDE, height: SIDE, topology: "torus", rule: LIFE });
  soupReplay.stamp(soup, SOUP_AT, SOUP_AT);
  const expected = await createEngine({ width: SIDE, height: SIDE, topology: "torus", rule: LIFE });

  // A paused room: nothing may change it, least of all a crash.
  const paused = await createRoom({ name: "paused", width: 512, height: 512 });
  await control(paused, { action: "randomize", density: 0.4, seed: 5 });
  await control(paused, { action: "step", generations: 21 });
  const pausedText = (await exported(paused.id)).text;

  const acked: number[] = []; // blocks whose edits were acknowledged
  let lastAckGeneration = 0;
  let lastDense = 0;
  const kinds = new Set<string>();
  let lossBoundChecked = false;

  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    // Players come (back): a watcher keeps the dense room ticking, an editor adds blocks one at a time.
    const watcher = await RawSocket.open(dev.server.url, dense.id);
    await watcher.hello("watcher");
    watcher.send({ type: "viewport", x: 0, y: 0, width: 64, height: 64, scale: 1 });
    const editor = await RawSocket.open(dev.server.url, edited.id);
    await editor.hello("editor");

    const kind = (["random", "after-ack", "random"] as const)[iteration % 3];
    kinds.add(kind);
    let outstanding: number | null = null;
    let killed: Promise<void> | null = null;
    let killedAt = 0;
    const kill = () => {
      killedAt = performance.now();
      killed ??= dev.server.kill9();
    };
    const runFor = prng.int(800, 4000);
    const started = performance.now();
    const edits = (async () => {
      for (let seq = 1; killed === null; seq++) {
        const k = acked.length + (outstanding === null ? 0 : 1);
        outstanding = k;
        editor.send({ type: "setCells", seq, alive: true, cells: new Uint16Array(block(k)) });
        try {
          await editor.until(() => editor.messages.some((m) => m.type === "ack" && m.seq === seq), `ack ${seq}`, 30_000);
        } catch {
          return; // the server died with this edit outstanding
        }
        const ack = editor.messages.find((m) => m.type === "ack" && m.seq === seq)!;
        acked.push(k);
        outstanding = null;
        lastAckGeneration = Math.max(lastAckGeneration, (ack as { generation: number }).generation);
        // Right after an acknowledged edit: nothing may stand between the answer and the crash.
        if (kind === "after-ack" && performance.now() - started > runFor) return kill();
      }
    })();
    if (kind === "random") {
      await new Promise((r) => setTimeout(r, runFor));
      kill();
    }
    await edits;
    await killed;
    // What the watcher saw a snapshot interval (and a second for a slow tick) before the crash
    // must have been saved.
    const denseSeen = watcher.messages.flatMap((m, i) => ((m.type === "delta" || m.type === "keyframe") && watcher.arrivals[i] < killedAt - SNAPSHOT_INTERVAL_MS - 1000 ? [m.generation] : []));
    lossBoundChecked ||= denseSeen.length > 0;
    await dev.restart();
    const label = `iteration ${iteration} (${kind} kill after ${runFor} ms)`;

    // The dense room: back at a generation it reached, no older than its snapshot interval, with
    // exactly the cells the replay has at that generation.
    const d = await exported(dense.id);
    expect(d.generation, label).toBeGreaterThanOrEqual(lastDense);
    expect(d.generation, label).toBeGreaterThanOrEqual(Math.max(0, ...denseSeen));
    denseReplay.step(d.generation - denseReplay.generation);
    expect(bitmapsEqual(d.bitmap, denseReplay.toBitmap()), `${label}: the dense room's cells at generation ${d.generation}`).toBe(true);
    lastDense = d.generation;

    // The edited room: every acknowledged block is there; the one in flight at the crash may be.
    const e = await exported(edited.id);
    expect(e.generation, label).toBeGreaterThanOrEqual(lastAckGeneration);
    soupReplay.step(e.generation - soupReplay.generation);
    const matches = (blocks: number[]) => {
      expected.loadBitmap(soupReplay.toBitmap());
      for (const k of blocks) expected.setCells(block(k), true);
      return bitmapsEqual(e.bitmap, expected.toBitmap());
    };
    if (!matches(acked)) {
      expect(outstanding, `${label}: the edited room matches no replay`).not.toBeNull();
      expect(matches([...acked, outstanding!]), `${label}: the edited room's cells at generation ${e.generation}`).toBe(true);
      acked.push(outstanding!); // saved before the crash, its acknowledgement lost with it
    }

    expect((await exported(paused.id)).text, label).toBe(pausedText);
  }
  expect([...kinds].sort()).toEqual(["after-ack", "random"]);
  expect(lossBoundChecked).toBe(true);
  expect(lastDense).toBeGreaterThan(0);
  expect(acked.length).toBeGreaterThan(ITERATIONS);
}, 240_000);
