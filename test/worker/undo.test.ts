// Undo and redo of a player's own edits, over the protocol and in the real runtime: what a
// player's undo gives back, what it leaves alone, how it goes in a running room, and how long the
// history lasts (steps, bytes, fresh instances, the socket's close).
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getBit } from "../../common/bitmap.ts";
import { parsePattern } from "../../common/formats/index.ts";
import { ErrorCode, encodeClientMessage, type ClientMessage } from "../../common/protocol/index.ts";
import { EDITS_PER_SECOND, EDIT_BURST, MAX_UNDO_PLAYER_BYTES, MAX_UNDO_STEPS } from "../../worker/limits.ts";
import { GameRoom } from "../../worker/room.ts";
import { Player, api, control, createRoom, exportRle, roomStubOf } from "./helpers.ts";

type Answer = "ack" | { code: number; reason: string };
type Request =
  | { type: "undo" | "redo" }
  | { type: "cells"; cells: number[]; alive?: boolean; continues?: boolean }
  | { type: "stamp"; x: number; y: number; pattern: string; mode?: "or" | "replace" };

let seq = 0;

/** Sends one request; `answer` waits for its ACK or ERROR. */
function send(player: Player, request: Request): number {
  const s = ++seq;
  const message: ClientMessage =
    request.type === "cells"
      ? { type: "setCells", seq: s, alive: request.alive ?? true, cells: new Uint16Array(request.cells), ...(request.continues ? { continues: true } : {}) }
      : request.type === "stamp"
        ? { type: "stamp", seq: s, x: request.x, y: request.y, mode: request.mode ?? "or", pattern: request.pattern }
        : { type: request.type, seq: s };
  player.send(message);
  return s;
}

/** The generation each acknowledged seq took effect at. */
const ackedAt = new Map<number, number>();

async function answer(player: Player, s: number, timeoutMs = 8000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const i = player.inbox.findIndex((m) => (m.type === "ack" || m.type === "error") && m.seq === s);
    if (i >= 0) {
      const [m] = player.inbox.splice(i, 1);
      if (m.type === "ack") ackedAt.set(s, m.generation);
      return m.type === "error" ? { code: m.code, reason: m.reason } : "ack";
    }
    if (Date.now() > deadline) throw new Error(`no answer to seq ${s}`);
    await sleep(2);
  }
}

const act = (player: Player, request: Request): Promise<Answer> => answer(player, send(player, request));
const nothingTo = (what: "undo" | "redo"): Answer => ({ code: ErrorCode.NOTHING_TO_UNDO, reason: `nothing to ${what}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The room's live cells, as "x,y" row by row, from its RLE export (HTTP, not the socket): the
 *  whole grid, or the w×h cells from the top-left corner. */
async function liveCells(id: string, corner?: { w: number; h: number }): Promise<string[]> {
  const response = await api(`/api/rooms/${id}/pattern${corner ? `?x=0&y=0&w=${corner.w}&h=${corner.h}` : ""}`);
  expect(response.status).toBe(200);
  const parsed = parsePattern(await response.text());
  if (!parsed.ok) throw new Error(parsed.error);
  const { bitmap } = parsed.value;
  const out: string[] = [];
  for (let y = 0; y < bitmap.height; y++) for (let x = 0; x < bitmap.width; x++) if (getBit(bitmap, x, y)) out.push(`${x},${y}`);
  return out;
}

/** Edits the room holds for its next tick boundary. */
const pendingEdits = (id: string) => runInDurableObject(roomStubOf(id), (instance: GameRoom) => instance.pendingEditCount());

/**
 * The answers to requests sent to a running room, after the tick that applies them. A room that
 * was not ticking (its grid was still) ticks at once when an edit arrives; one that was ticking
 * keeps its cadence (10 s in these tests), so the test runs that tick itself.
 */
async function answersAfterTick(id: string, player: Player, seqs: number[]): Promise<Answer[]> {
  const answered = () => seqs.every((s) => player.inbox.some((m) => (m.type === "ack" || m.type === "error") && m.seq === s));
  const deadline = Date.now() + 1000;
  while (!answered() && Date.now() < deadline) await sleep(5);
  if (!answered()) await runDurableObjectAlarm(roomStubOf(id));
  const answers: Answer[] = [];
  for (const s of seqs) answers.push(await answer(player, s));
  return answers;
}

/** Waits until the player's copy of the grid satisfies `holds` (from keyframes and deltas alike). */
async function untilMirror(player: Player, holds: () => boolean): Promise<void> {
  await expect.poll(holds, { timeout: 5000, interval: 5 }).toBe(true);
}

/** The undo records kept in the room's storage, oldest first. */
async function storedRecords(id: string): Promise<{ player: number; stack: string; bytes: number }[]> {
  return runInDurableObject(roomStubOf(id), (_instance, state) => {
    const sql = state.storage.sql;
    if (sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'undo_record'").toArray().length === 0) return [];
    return sql.exec<{ player: number; stack: string; bytes: number }>("SELECT player, stack, bytes FROM undo_record ORDER BY id").toArray();
  });
}

/** Sends many requests as a person would: bursts within the socket's edit allowance, each after a
 *  pause for it to refill. Every answer, in order. */
async function paced(player: Player, requests: Request[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  // Two thirds of the burst, after the time the whole burst takes to refill: clear of the limit
  // even when the room's clock and the test's disagree by a few hundred milliseconds.
  const burst = Math.floor((EDIT_BURST * 2) / 3);
  for (let i = 0; i < requests.length; i += burst) {
    await sleep((EDIT_BURST / EDITS_PER_SECOND) * 1000);
    const sent = requests.slice(i, i + burst).map((r) => send(player, r));
    for (const s of sent) answers.push(await answer(player, s));
  }
  return answers;
}

const GLIDER = "x = 3, y = 3\nbo$2bo$3o!"; // live: (1,0) (2,1) (0,2) (1,2) (2,2)

describe("undo and redo in a paused room", () => {
  it("a player's undo takes back only its own newest edit; another player's cells drawn between stay", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    const bob = await Player.join(room.id, "Bob");
    expect(await act(ada, { type: "cells", cells: [1, 1, 2, 1] })).toBe("ack");
    expect(await act(bob, { type: "cells", cells: [20, 20] })).toBe("ack");
    expect(await act(ada, { type: "cells", cells: [3, 1] })).toBe("ack");
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["1,1", "2,1", "20,20"]);
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["20,20"]);
    // Bob sees Ada's undo as an ordinary change of his view.
    await bob.next("delta", () => !bob.mirror.get(1, 1) && !bob.mirror.get(2, 1) && bob.mirror.get(20, 20));
    expect(await act(ada, { type: "undo" })).toEqual(nothingTo("undo"));
    // Bob's history is his own: Ada's undos did not reach his cell, his undo does.
    expect(await act(bob, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual([]);
    ada.close();
    bob.close();
  });

  it("redo gives the undone edits back, the last undone first, and a new edit ends the redo history", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    const bob = await Player.join(room.id, "Bob");
    expect(await act(ada, { type: "cells", cells: [1, 1] })).toBe("ack");
    expect(await act(ada, { type: "cells", cells: [2, 2] })).toBe("ack");
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual([]);
    expect(await act(ada, { type: "redo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["1,1"]);
    await bob.next("delta", () => bob.mirror.get(1, 1));
    expect(await act(ada, { type: "cells", cells: [5, 5] })).toBe("ack");
    expect(await act(ada, { type: "redo" })).toEqual(nothingTo("redo"));
    expect(await liveCells(room.id)).toEqual(["1,1", "5,5"]);
    ada.close();
    bob.close();
  });

  it("is exact: a soup under a replacing stamp and two strokes comes back bit for bit, and redo brings the edits back bit for bit", async () => {
    const room = await createRoom({ running: false, width: 64, height: 64 });
    expect((await control(room, { action: "randomize", density: 0.5, seed: 11 })).status).toBe(200);
    const soup = await exportRle(room.id);
    const ada = await Player.join(room.id, "Ada");
    expect(await act(ada, { type: "stamp", x: 10, y: 10, pattern: "x = 8, y = 8\n3o$bo$2o!", mode: "replace" })).toBe("ack");
    expect(await act(ada, { type: "cells", alive: false, cells: [30, 30, 31, 30, 32, 30, 33, 31] })).toBe("ack");
    expect(await act(ada, { type: "cells", cells: [40, 40, 41, 41, 42, 42] })).toBe("ack");
    const edited = await exportRle(room.id);
    expect(edited).not.toBe(soup);
    for (let i = 0; i < 3; i++) expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await exportRle(room.id)).toBe(soup);
    for (let i = 0; i < 3; i++) expect(await act(ada, { type: "redo" })).toBe("ack");
    expect(await exportRle(room.id)).toBe(edited);
    ada.close();
  });

  it("is exact across a torus's edges: a stamp that wraps past the corner comes off bit for bit", async () => {
    const room = await createRoom({ running: false, width: 40, height: 24, topology: "torus" });
    expect((await control(room, { action: "randomize", density: 0.4, seed: 5 })).status).toBe(200);
    const soup = await exportRle(room.id);
    const ada = await Player.join(room.id, "Ada");
    // 12×6 from (35, 21): it covers columns 35…39 and 0…6, rows 21…23 and 0…2.
    expect(await act(ada, { type: "stamp", x: 35, y: 21, pattern: "x = 12, y = 6\n12o$o10bo$3o3b3o$$bobobobobobo$12o!", mode: "replace" })).toBe("ack");
    expect(await exportRle(room.id)).not.toBe(soup);
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await exportRle(room.id)).toBe(soup);
    ada.close();
  });

  it("undoing an 'or' stamp clears only the cells it brought to life: cells another player drew in its rectangle, before or after, stay", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    const bob = await Player.join(room.id, "Bob");
    // Bob's cell under a live cell of the glider, drawn before: the stamp did not change it.
    expect(await act(bob, { type: "cells", cells: [11, 10] })).toBe("ack");
    expect(await act(ada, { type: "stamp", x: 10, y: 10, pattern: GLIDER })).toBe("ack");
    // Bob's cell on a dead cell of the glider's rectangle, drawn after.
    expect(await act(bob, { type: "cells", cells: [10, 10] })).toBe("ack");
    expect((await liveCells(room.id)).length).toBe(6);
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["10,10", "11,10"]);
    ada.close();
    bob.close();
  });

  it("one undo takes back a whole stroke sent as several frames that continue each other, and no more", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    expect(await act(ada, { type: "cells", cells: [1, 1] })).toBe("ack");
    // One stroke in three frames.
    expect(await act(ada, { type: "cells", cells: [5, 5, 6, 5] })).toBe("ack");
    expect(await act(ada, { type: "cells", cells: [7, 5], continues: true })).toBe("ack");
    expect(await act(ada, { type: "cells", cells: [8, 5, 9, 5], continues: true })).toBe("ack");
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["1,1"]);
    expect(await act(ada, { type: "redo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["1,1", "5,5", "6,5", "7,5", "8,5", "9,5"]);
    ada.close();
  });

  it("a frame that says it continues starts a step of its own after a refused edit or an undo", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32, topology: "plane" });
    const ada = await Player.join(room.id, "Ada");
    expect(await act(ada, { type: "cells", cells: [1, 1] })).toBe("ack");
    // Refused (off the grid): the next frame cannot join the edit before it.
    expect(await act(ada, { type: "cells", cells: [99, 1] })).toMatchObject({ code: ErrorCode.OUT_OF_BOUNDS });
    expect(await act(ada, { type: "cells", cells: [2, 2], continues: true })).toBe("ack");
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["1,1"]);
    // After that undo, a continuing frame does not join the step before it either.
    expect(await act(ada, { type: "cells", cells: [3, 3], continues: true })).toBe("ack");
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["1,1"]);
    ada.close();
  });

  it("passes over edits that changed nothing: every undo changes something", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    expect(await act(ada, { type: "cells", cells: [4, 4] })).toBe("ack");
    expect(await act(ada, { type: "cells", cells: [4, 4] })).toBe("ack"); // already alive
    expect(await act(ada, { type: "cells", alive: false, cells: [9, 9] })).toBe("ack"); // already dead
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual([]);
    expect(await act(ada, { type: "undo" })).toEqual(nothingTo("undo"));
    ada.close();
  });

  it(`keeps ${MAX_UNDO_STEPS} steps (at least 100) and drops the oldest past them`, { timeout: 60_000 }, async () => {
    expect(MAX_UNDO_STEPS).toBeGreaterThanOrEqual(100);
    const room = await createRoom({ running: false, width: 256, height: 256 });
    const ada = await Player.join(room.id, "Ada");
    const drawn = await paced(ada, Array.from({ length: MAX_UNDO_STEPS + 2 }, (_, i) => ({ type: "cells" as const, cells: [i, 7] })));
    expect(drawn.every((a) => a === "ack")).toBe(true);
    const undone = await paced(ada, Array.from({ length: MAX_UNDO_STEPS + 1 }, () => ({ type: "undo" as const })));
    // Every undo but the last is acknowledged; the last finds nothing left.
    expect(undone.flatMap((a, i) => (a === "ack" ? [] : [[i, a]]))).toEqual([[MAX_UNDO_STEPS, nothingTo("undo")]]);
    // The two oldest edits were past the history's depth: they stay.
    expect(await liveCells(room.id)).toEqual(["0,7", "1,7"]);
    ada.close();
  });

  it("refuses a player's undo in a room the owner locked, and not the owner's", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const owner = await Player.join(room.id, "Olga", room.ownerToken);
    const ada = await Player.join(room.id, "Ada");
    expect(await act(ada, { type: "cells", cells: [8, 8] })).toBe("ack");
    expect(await act(owner, { type: "cells", cells: [9, 9] })).toBe("ack");
    expect((await control(room, { action: "configure", locked: true })).status).toBe(200);
    expect(await act(ada, { type: "undo" })).toEqual({ code: ErrorCode.LOCKED, reason: "editing is locked by the owner" });
    expect(await act(owner, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["8,8"]);
    owner.close();
    ada.close();
  });
});

describe("undo in a running room", () => {
  it("applies at the next tick boundary and gives the edited cells their state from before the edit, at the current generation", async () => {
    const room = await createRoom({ running: true, width: 32, height: 32, tickMs: 10_000 });
    const ada = await Player.join(room.id, "Ada");
    const bob = await Player.join(room.id, "Bob");
    // Ada draws a horizontal blinker, Bob a block (a still life) elsewhere. A tick applies both and
    // steps once: the blinker turns vertical, (11,9) (11,10) (11,11).
    const block = send(bob, { type: "cells", cells: [20, 20, 21, 20, 20, 21, 21, 21] });
    const drawn = send(ada, { type: "cells", cells: [10, 10, 11, 10, 12, 10] });
    expect(await answersAfterTick(room.id, bob, [block])).toEqual(["ack"]);
    expect(await answersAfterTick(room.id, ada, [drawn])).toEqual(["ack"]);
    expect(await liveCells(room.id)).toEqual(["11,9", "11,10", "11,11", "20,20", "21,20", "20,21", "21,21"]);
    // Ada's undo waits for the tick boundary; the owner's pause applies it there, with no step.
    const undone = send(ada, { type: "undo" });
    await expect.poll(() => pendingEdits(room.id)).toBe(1);
    expect(await liveCells(room.id)).toHaveLength(7);
    expect((await control(room, { action: "pause" })).status).toBe(200);
    expect(await answer(ada, undone)).toBe("ack");
    // The cells Ada's edit brought to life are dead again; the two the game grew beside them, and
    // Bob's block, are as they were.
    expect(await liveCells(room.id)).toEqual(["11,9", "11,11", "20,20", "21,20", "20,21", "21,21"]);
    ada.close();
    bob.close();
  });

  it("an undo sent before the tick that applies its edit takes the edit back at that same boundary", async () => {
    const room = await createRoom({ running: true, width: 32, height: 32, tickMs: 10_000 });
    const ada = await Player.join(room.id, "Ada");
    const bob = await Player.join(room.id, "Bob");
    // Bob's blinker keeps the room ticking, on its 10 s cadence.
    expect(await answersAfterTick(room.id, bob, [send(bob, { type: "cells", cells: [20, 20, 21, 20, 22, 20] })])).toEqual(["ack"]);
    const block = send(ada, { type: "cells", cells: [4, 4, 5, 4, 4, 5, 5, 5] });
    const undone = send(ada, { type: "undo" });
    expect(await answersAfterTick(room.id, ada, [block, undone])).toEqual(["ack", "ack"]);
    expect(ackedAt.get(undone)).toBe(ackedAt.get(block));
    expect(await liveCells(room.id)).toEqual(["20,20", "21,20", "22,20"]);
    // Of two undos queued behind one edit, the second finds nothing left when its boundary comes.
    const again = send(ada, { type: "cells", cells: [8, 8, 9, 8, 8, 9, 9, 9] });
    const first = send(ada, { type: "undo" });
    const second = send(ada, { type: "undo" });
    expect(await answersAfterTick(room.id, ada, [again, first, second])).toEqual(["ack", "ack", nothingTo("undo")]);
    expect(await liveCells(room.id)).toEqual(["21,19", "21,20", "21,21"]);
    ada.close();
    bob.close();
  });
});

describe("how long a player's history lasts", () => {
  it("survives fresh instances of the room over the same storage (as after hibernation)", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    expect(await act(ada, { type: "cells", cells: [8, 8] })).toBe("ack");
    expect(await act(ada, { type: "cells", cells: [9, 9] })).toBe("ack");
    // Two instances exist at once from here on (the old one stays in memory in this test): Ada
    // stops acknowledging frames, which the old one would take for lies.
    ada.autoAck = false;
    const inFreshInstance = (message: ClientMessage) =>
      runInDurableObject(roomStubOf(room.id), async (_instance, state) => {
        const fresh = new GameRoom(state, env);
        await fresh.webSocketMessage(state.getWebSockets()[0], encodeClientMessage(message).buffer as ArrayBuffer);
      });
    // Each new instance knows nothing in memory: the steps come from storage.
    await inFreshInstance({ type: "undo", seq: 901 });
    await ada.next("ack", (m) => m.seq === 901);
    await untilMirror(ada, () => !ada.mirror.get(9, 9) && ada.mirror.get(8, 8));
    await inFreshInstance({ type: "undo", seq: 902 });
    await ada.next("ack", (m) => m.seq === 902);
    await untilMirror(ada, () => !ada.mirror.get(8, 8));
    await inFreshInstance({ type: "redo", seq: 903 });
    await ada.next("ack", (m) => m.seq === 903);
    await untilMirror(ada, () => ada.mirror.get(8, 8) && !ada.mirror.get(9, 9));
    expect((await storedRecords(room.id)).map((r) => r.stack)).toEqual(["undo", "redo"]);
    ada.close();
  });

  it("ends when the socket closes: a player who reconnects has nothing to undo", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    expect(await act(ada, { type: "cells", cells: [8, 8] })).toBe("ack");
    expect(await storedRecords(room.id)).toHaveLength(1);
    ada.close();
    await ada.closed;
    await expect.poll(() => storedRecords(room.id)).toEqual([]);
    const again = await Player.join(room.id, "Ada");
    expect(await act(again, { type: "undo" })).toEqual(nothingTo("undo"));
    expect(await liveCells(room.id)).toEqual(["8,8"]);
    again.close();
  });

  it("is deleted when the room loads for sockets that closed while it was not there to see it (a crash)", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    expect(await act(ada, { type: "cells", cells: [8, 8] })).toBe("ack");
    const players = await runInDurableObject(roomStubOf(room.id), async (_instance, state) => {
      // A copy of Ada's record for a player with no socket, as a crash leaves one behind.
      state.storage.sql.exec("INSERT INTO undo_record (player, stack, step, cells, bytes, data) SELECT 4242, stack, step, cells, bytes, data FROM undo_record");
      await new GameRoom(state, env).info("10.9.9.9");
      return state.storage.sql.exec<{ player: number }>("SELECT player FROM undo_record").toArray().map((r) => r.player);
    });
    expect(players).toHaveLength(1);
    expect(players[0]).not.toBe(4242);
    ada.close();
  });

  it(`keeps at most MAX_UNDO_PLAYER_BYTES (${MAX_UNDO_PLAYER_BYTES / 2 ** 20} MiB) of a player's records, dropping the oldest steps`, { timeout: 60_000 }, async () => {
    const room = await createRoom({ running: false, width: 2048, height: 2048 });
    const ada = await Player.join(room.id, "Ada");
    // Each step clears a fresh soup of 2048² cells: the half MiB of cells it killed, which RUNS
    // cannot compress.
    const stamps = 20;
    let lastSoup = "";
    for (let i = 0; i < stamps; i++) {
      expect((await control(room, { action: "randomize", density: 0.5, seed: i + 1 })).status).toBe(200);
      if (i === stamps - 1) lastSoup = await exportRle(room.id);
      expect(await act(ada, { type: "stamp", x: 0, y: 0, pattern: "x = 2048, y = 2048\n!", mode: "replace" })).toBe("ack");
    }
    const records = await storedRecords(room.id);
    expect(records.reduce((n, r) => n + r.bytes, 0)).toBeLessThanOrEqual(MAX_UNDO_PLAYER_BYTES);
    expect(records.length).toBeLessThan(stamps);
    expect(records.length).toBeGreaterThan(1);
    // The newest step is whole: its undo gives back the soup it cleared, exactly.
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await exportRle(room.id)).toBe(lastSoup);
    ada.close();
  });

  it("refuses to undo an edit too large to record, with a reason, and the next undo goes on to the edit before it", async () => {
    const room = await createRoom({ running: false, width: 4160, height: 4160 });
    const ada = await Player.join(room.id, "Ada");
    expect(await act(ada, { type: "cells", cells: [840, 7] })).toBe("ack");
    // A rectangle of 4097² cells is past MAX_UNDO_AREA_BYTES: applied, not recorded.
    expect(await act(ada, { type: "stamp", x: 0, y: 100, pattern: "x = 4097, y = 4097\no!" })).toBe("ack");
    expect(await act(ada, { type: "undo" })).toEqual({ code: ErrorCode.TOO_LARGE, reason: "that edit was too large to undo" });
    expect(await act(ada, { type: "undo" })).toBe("ack");
    // (A grid this large is exported a corner at a time.)
    expect(await liveCells(room.id, { w: 1024, h: 1024 })).toEqual(["0,100"]);
    ada.close();
  });
});
