// Undo and redo of a player's own edits, over the protocol and in the real runtime: what a
// player's undo restores, what it leaves alone, and how long the history lasts.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { GameRoom } from "../../worker/room.ts";
import { EDITS_PER_SECOND, MAX_UNDO_STEPS } from "../../worker/limits.ts";
import { Player, control, createRoom, exportRle, roomStubOf } from "./helpers.ts";
import { parsePattern } from "../../common/formats/index.ts";
import { getBit } from "../../common/bitmap.ts";
import { encodeClientMessage } from "../../common/protocol/index.ts";
import { env } from "cloudflare:test";

/** The room's live cells, as "x,y" strings, from its RLE export. */
async function liveCells(id: string): Promise<string[]> {
  const parsed = parsePattern(await exportRle(id));
  if (!parsed.ok) throw new Error(parsed.error);
  const { bitmap } = parsed.value;
  const out: string[] = [];
  for (let y = 0; y < bitmap.height; y++) for (let x = 0; x < bitmap.width; x++) if (getBit(bitmap, x, y)) out.push(`${x},${y}`);
  return out;
}

let seq = 0;
async function act(player: Player, message: { type: "undo" | "redo" } | { type: "setCells"; alive: boolean; cells: number[] } | { type: "stamp"; x: number; y: number; pattern: string }) {
  const s = ++seq;
  if (message.type === "setCells") player.send({ type: "setCells", seq: s, alive: message.alive, cells: new Uint16Array(message.cells) });
  else if (message.type === "stamp") player.send({ type: "stamp", seq: s, x: message.x, y: message.y, mode: "or", pattern: message.pattern });
  else player.send({ type: message.type, seq: s });
  // The answer is an ACK or an ERROR with this seq, whichever comes.
  const deadline = Date.now() + 8000;
  for (;;) {
    const i = player.inbox.findIndex((m) => (m.type === "ack" || m.type === "error") && m.seq === s);
    if (i >= 0) {
      const [m] = player.inbox.splice(i, 1);
      return m.type === "ack" ? "ack" : m.type === "error" ? m.reason : "?";
    }
    if (Date.now() > deadline) return "no answer";
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("undo and redo", () => {
  it("undoes only the player's own last edit; another player's cells elsewhere stay", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    const bob = await Player.join(room.id, "Bob");
    expect(await act(ada, { type: "setCells", alive: true, cells: [1, 1, 2, 1] })).toBe("ack");
    expect(await act(bob, { type: "setCells", alive: true, cells: [20, 20] })).toBe("ack");
    expect(await act(ada, { type: "setCells", alive: true, cells: [3, 1] })).toBe("ack");
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["1,1", "2,1", "20,20"]);
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["20,20"]);
    expect(await act(ada, { type: "undo" })).toBe("nothing to undo");
    expect(await act(ada, { type: "redo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["1,1", "2,1", "20,20"]);
    // Bob sees Ada's undo and redo as ordinary changes.
    await bob.next("delta", () => bob.mirror.get(1, 1) && bob.mirror.get(2, 1));
    // A new edit ends the redo history.
    expect(await act(ada, { type: "setCells", alive: true, cells: [5, 5] })).toBe("ack");
    expect(await act(ada, { type: "redo" })).toBe("nothing to redo");
    ada.close();
    bob.close();
  });

  it("restores what a stamp overwrote, even where another player drew inside it before", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    const bob = await Player.join(room.id, "Bob");
    expect(await act(bob, { type: "setCells", alive: true, cells: [11, 11] })).toBe("ack");
    expect(await act(ada, { type: "stamp", x: 10, y: 10, pattern: "x = 3, y = 3\n3o$3o$3o!" })).toBe("ack");
    expect((await liveCells(room.id)).length).toBe(9);
    expect(await act(ada, { type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(["11,11"]);
    ada.close();
    bob.close();
  });

  it(`keeps ${MAX_UNDO_STEPS} steps (at least 100): a player can undo a hundred strokes`, async () => {
    const room = await createRoom({ running: false, width: 256, height: 256 });
    const ada = await Player.join(room.id, "Ada");
    // Paced within the per-socket edit allowance (EDITS_PER_SECOND), as a person would be.
    const paced = async (message: Parameters<typeof act>[1]) => {
      const answer = await act(ada, message);
      await new Promise((resolve) => setTimeout(resolve, 1000 / EDITS_PER_SECOND));
      return answer;
    };
    for (let i = 0; i < 110; i++) expect(await paced({ type: "setCells", alive: true, cells: [i, 7] })).toBe("ack");
    for (let i = 0; i < 100; i++) expect(await paced({ type: "undo" })).toBe("ack");
    expect(await liveCells(room.id)).toEqual(Array.from({ length: 10 }, (_, i) => `${i},7`));
    ada.close();
  });

  it("in a running room, applies at the next tick boundary: the edited cells as they were before the edit", async () => {
    const room = await createRoom({ running: true, width: 32, height: 32, tickMs: 10_000 });
    const ada = await Player.join(room.id, "Ada");
    const stub = roomStubOf(room.id);
    // A block (a still life) drawn by Ada; a tick applies it.
    const drawn = act(ada, { type: "setCells", alive: true, cells: [4, 4, 5, 4, 4, 5, 5, 5] });
    await runDurableObjectAlarm(stub);
    expect(await drawn).toBe("ack");
    const undone = act(ada, { type: "undo" });
    await runDurableObjectAlarm(stub);
    expect(await undone).toBe("ack");
    expect(await liveCells(room.id)).toEqual([]);
    ada.close();
  });

  it("refuses undo in a room locked by its owner, and survives a fresh instance of the room (as after hibernation)", async () => {
    const room = await createRoom({ running: false, width: 32, height: 32 });
    const ada = await Player.join(room.id, "Ada");
    expect(await act(ada, { type: "setCells", alive: true, cells: [8, 8] })).toBe("ack");
    // A new instance over the same storage knows nothing in memory.
    await runInDurableObject(roomStubOf(room.id), async (_instance, state) => {
      const fresh = new GameRoom(state, env);
      const socket = state.getWebSockets()[0];
      await fresh.webSocketMessage(socket, encodeClientMessage({ type: "undo", seq: 999 }).buffer as ArrayBuffer);
    });
    // The fresh instance found the step in storage (else: "nothing to undo") and moved it to redo.
    await ada.next("ack", (m) => m.seq === 999);
    const stacks = await runInDurableObject(roomStubOf(room.id), (_i, state) => state.storage.sql.exec<{ stack: string }>("SELECT stack FROM undo_step").toArray().map((r) => r.stack));
    expect(stacks).toEqual(["redo"]);
    expect((await control(room, { action: "configure", locked: true })).status).toBe(200);
    expect(await act(ada, { type: "redo" })).toBe("editing is locked by the owner");
    ada.close();
  });
});
