/**
 * Sequence numbers, and the owner's requests waiting for their answer. Every edit, stamp and
 * control the page sends carries a seq, and the room answers each with an ACK or an ERROR for
 * that seq. An edit's answer clears its overlay (pending-edits.ts); a control's answer is a
 * line in the owner panel, which is what a tracked request's `done` writes.
 */
import { ErrorCode } from "../../common/protocol/index.ts";
import { formatCount } from "../dom.ts";

interface Request {
  label: string;
  done: (ok: boolean, detail: string) => void;
}

export class Requests {
  readonly #waiting = new Map<number, Request>();
  #seq = 0;

  /** The next seq: 1 … 2³² − 2, then 1 again. */
  next(): number {
    this.#seq = (this.#seq % 0xffff_fffe) + 1;
    return this.#seq;
  }

  /** Waits for the answer to `seq`, labelled `label` in what `done` is told. */
  track(seq: number, label: string, done: Request["done"]): void {
    this.#waiting.set(seq, { label, done });
  }

  /** ACK for `seq`. */
  acknowledged(seq: number, generation: number): void {
    const request = this.#waiting.get(seq);
    if (!request) return;
    this.#waiting.delete(seq);
    request.done(true, `${request.label}: done at generation ${formatCount(generation)}`);
  }

  /** ERROR for `seq`; returns whether it answered a tracked request. */
  refused(seq: number, reason: string): boolean {
    const request = this.#waiting.get(seq);
    if (!request) return false;
    this.#waiting.delete(seq);
    request.done(false, `${request.label}: ${reason}`);
    return true;
  }

  /** No answer will come (the connection dropped). */
  failAll(reason: string): void {
    for (const request of this.#waiting.values()) request.done(false, `${request.label}: ${reason}`);
    this.#waiting.clear();
  }
}

/** What the banner says when the room refuses a request. */
export function refusalText(code: number, reason: string): string {
  return code === ErrorCode.RATE_LIMITED
    ? "Slow down: the room is refusing edits for a moment."
    : code === ErrorCode.LOCKED
      ? "The owner has locked editing."
      : code === ErrorCode.OUT_OF_BOUNDS
        ? "That does not fit inside the grid."
        : code === ErrorCode.BAD_PATTERN
          ? `The pattern was refused: ${reason}`
          : `The room refused a request: ${reason}`;
}
