/**
 * Edits waiting for their tick, and who to answer once the snapshot that holds them is saved.
 *
 * A player's edit, end to end (room.ts unless named):
 *
 *   webSocketMessage → #onMessage → #edit     rights (a locked room), the socket's and the
 *                                             address's allowances
 *   edit.ts prepareCells / prepareStamp       checked against the grid into an Edit
 *   #submit                                   paused: applied and saved at once, ACK now;
 *                                             running: EditQueue.add, for the next tick boundary
 *   #tick   EditQueue.applyForTick            applied at the boundary, before the step (each
 *                                             player's edit recorded for its undo: undo.ts)
 *           #snapshot                         the grid that holds them is saved
 *           EditQueue.acknowledge             ACK to the sender's sockets (or the HTTP answer)
 *
 * An HTTP stamp takes the same path from #submit on (origin player 0), and waits on answer().
 * A player's UNDO and REDO take it too (#undoOrRedo), resolved against the history when applied.
 */
import { ErrorCode, type ServerMessage } from "../common/protocol/index.ts";
import { editBytes, type QueuedEdit } from "./edit.ts";
import { ALARM_RETRY_MS, MAX_PENDING_EDITS, MAX_PENDING_EDIT_BYTES } from "./limits.ts";
import { fail, roomNotFound, type Outcome } from "./outcome.ts";

/** Who to answer once an edit is applied: a socket's player and seq, or an HTTP request. */
export interface EditOrigin {
  player: number; // 0 for HTTP
  seq: number;
}

/** An edit applied to the grid and not yet answered, by its queue id (`undo`: an UNDO or REDO). */
export type AppliedEdit = EditOrigin & { id: number; undo: boolean };

/** What an HTTP stamp answers. */
export interface StampResult {
  generation: number;
  population: number;
}

export class EditQueue {
  /**
   * Edits waiting for the next tick boundary, in arrival order. Memory is enough: an edit is
   * acknowledged only after the tick that applies it is saved, so an edit lost with the instance
   * was never acknowledged, and its sender may send it again. Writing each one to storage would
   * cost a commit per edit — what lets a flood of accepted edits slow everyone's ticks.
   */
  #queue: Array<EditOrigin & { id: number; edit: QueuedEdit }> = [];
  #bytes = 0;
  #ids = 0;
  /** Held while edits wait: a pending timer keeps the instance from hibernating under them. */
  #keepAwake: ReturnType<typeof setTimeout> | null = null;
  /** Edits applied by the tick in progress and not yet acknowledged. */
  #inFlight: AppliedEdit[] = [];
  /** Resolvers of HTTP stamps waiting for the next tick, by queue id. */
  readonly #waiters = new Map<number, (result: Outcome<StampResult>) => void>();
  readonly #tell: (player: number, message: ServerMessage) => void;
  readonly #tickMs: () => number;

  /** `tell` sends a message to every socket of a player; `tickMs` is the room's tick interval. */
  constructor(tell: (player: number, message: ServerMessage) => void, tickMs: () => number) {
    this.#tell = tell;
    this.#tickMs = tickMs;
  }

  /** Edits waiting for the next tick boundary. */
  get length(): number {
    return this.#queue.length;
  }

  /** Queues an edit for the next tick boundary: its queue id, or a refusal when the queue is full. */
  add(edit: QueuedEdit, origin: EditOrigin): Outcome<number> {
    const bytes = editBytes(edit);
    if (this.#queue.length >= MAX_PENDING_EDITS || this.#bytes + bytes > MAX_PENDING_EDIT_BYTES) {
      return fail(429, ErrorCode.RATE_LIMITED, "too many edits waiting for the next tick");
    }
    const id = ++this.#ids;
    this.#queue.push({ id, player: origin.player, seq: origin.seq, edit });
    this.#bytes += bytes;
    this.#holdAwake();
    return { ok: true, value: id };
  }

  /** The answer to the HTTP edit queued as `id`, once the tick that applies it is saved. */
  answer(id: number): Promise<Outcome<StampResult>> {
    return new Promise<Outcome<StampResult>>((resolve) => this.#waiters.set(id, resolve));
  }

  /** Whether an edit of `player`'s waits for the next tick boundary. */
  holds(player: number): boolean {
    return this.#queue.some((queued) => queued.player === player);
  }

  /** Applies queued edits in arrival order through `apply` (the room's: it records undo history);
   *  returns who to answer with an ACK. An edit `apply` refuses (an undo with nothing left to
   *  undo) changed nothing, and its sender hears why at once. */
  applyAll(apply: (edit: QueuedEdit, player: number) => Outcome<null>): AppliedEdit[] {
    if (this.#queue.length === 0) return [];
    const applied: AppliedEdit[] = [];
    for (const { id, player, seq, edit } of this.#queue) {
      const done = apply(edit, player);
      if (done.ok) {
        applied.push({ id, player, seq, undo: edit.kind === "undo" });
      } else if (player === 0) {
        this.#waiters.get(id)?.(done);
        this.#waiters.delete(id);
      } else {
        this.#tell(player, { type: "error", code: done.code, seq, reason: done.error });
      }
    }
    this.#queue = [];
    this.#bytes = 0;
    if (this.#keepAwake) clearTimeout(this.#keepAwake);
    this.#keepAwake = null;
    return applied;
  }

  /** applyAll for a tick: the edits stay in flight until acknowledged, so that a tick that fails
   *  before saving them can tell their senders (refuseInFlight). */
  applyForTick(apply: (edit: QueuedEdit, player: number) => Outcome<null>): AppliedEdit[] {
    const applied = this.applyAll(apply);
    this.#inFlight = applied;
    return applied;
  }

  /** Answers applied edits; call only after the snapshot that holds them. */
  acknowledge(applied: readonly AppliedEdit[], generation: number, result: () => StampResult): void {
    for (const { id, player, seq } of applied) {
      if (player === 0) {
        const resolve = this.#waiters.get(id);
        this.#waiters.delete(id);
        resolve?.({ ok: true, value: result() });
        continue;
      }
      this.#tell(player, { type: "ack", seq, generation });
    }
    this.#inFlight = [];
  }

  /** The tick failed before saving: the edits it applied are not acknowledged, and their senders
   *  hear so and may send them again (setting cells and stamping are idempotent; an undo is not,
   *  and its sender hears so). */
  refuseInFlight(): void {
    for (const { id, player, seq, undo } of this.#inFlight) {
      if (player === 0) this.#waiters.get(id)?.(fail(500, ErrorCode.INTERNAL, "internal error"));
      else this.#tell(player, { type: "error", code: ErrorCode.INTERNAL, seq, reason: undo ? "not saved; look before undoing again" : "not saved; send again" });
      this.#waiters.delete(id);
    }
    this.#inFlight = [];
  }

  /** The room is gone: every waiting request hears so, and nothing stays queued. */
  abandon(): void {
    for (const resolve of this.#waiters.values()) resolve(roomNotFound());
    this.#waiters.clear();
    this.#queue = [];
    this.#bytes = 0;
    if (this.#keepAwake) clearTimeout(this.#keepAwake);
    this.#keepAwake = null;
  }

  /** Keeps a timer pending while edits wait (renewed until the tick that applies them). */
  #holdAwake(): void {
    if (this.#keepAwake || this.#queue.length === 0) return;
    this.#keepAwake = setTimeout(
      () => {
        this.#keepAwake = null;
        this.#holdAwake();
      },
      this.#tickMs() + ALARM_RETRY_MS * 5,
    );
  }
}
