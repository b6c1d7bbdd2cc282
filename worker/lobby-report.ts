/**
 * When a room tells the lobby about itself. A join, a leave or a setting is reported within
 * LOBBY_REPORT_INTERVAL_MS; the generation and population of a ticking room move along at most
 * every LOBBY_REFRESH_INTERVAL_MS, on the room's own phase. While ticking, reports ride along with
 * ticks (see TickClock.arm); otherwise the room's alarm wakes it for a due report.
 */
import { LOBBY_REFRESH_INTERVAL_MS, LOBBY_REPORT_INTERVAL_MS } from "./limits.ts";
import { nextPhasePoint } from "./tick-clock.ts";

export class LobbyReport {
  readonly #publish: () => Promise<void>;
  #lastAt = 0;
  /** A report the lobby should have within a second (a join, a leave, a setting). */
  #due = false;
  /** A report that only moves the generation and population along (see LOBBY_REFRESH_INTERVAL_MS). */
  #refreshDue = false;
  /** When a ticking room next refreshes the lobby, on its own phase like snapshots: rooms that
   *  started together would otherwise all report in the same few milliseconds. */
  #refreshAt = 0;
  readonly #refreshPhase = Math.random() * LOBBY_REFRESH_INTERVAL_MS;
  /** The report in flight, so a request that changed what the lobby shows can wait for it. */
  #reporting: Promise<void> = Promise.resolve();

  /** `publish` sends the room's facts to the lobby. */
  constructor(publish: () => Promise<void>) {
    this.#publish = publish;
  }

  /** What the lobby shows changed (a join, a leave, a setting): report it within a second. */
  soon(now: number): void {
    this.#due = true;
    if (now - this.#lastAt >= LOBBY_REPORT_INTERVAL_MS) this.#report(now);
  }

  /** A tick moved the generation and population along. */
  refresh(): void {
    this.#refreshDue = true;
  }

  /** The next report must not wait for the interval (a room made private or public). */
  expedite(): void {
    this.#lastAt = 0;
  }

  /** A report was sent at `now` outside this schedule (the room's creation). */
  sentAt(now: number): void {
    this.#lastAt = now;
  }

  /** When the alarm of a room that is not ticking must fire for a due report; null when none is. */
  dueAt(): number | null {
    return this.#due || this.#refreshDue ? this.#lastAt + LOBBY_REPORT_INTERVAL_MS : null;
  }

  /**
   * In an alarm, after its tick: while ticking, reports ride along (a join, leave or setting
   * within a second, the moving generation and population at most every
   * LOBBY_REFRESH_INTERVAL_MS). Otherwise this alarm exists only because a report was due.
   */
  onAlarm(now: number, ticking: () => boolean): void {
    if (this.#due && now - this.#lastAt >= LOBBY_REPORT_INTERVAL_MS) this.#report(now);
    else if ((this.#due || this.#refreshDue) && (now >= this.#refreshAt || !ticking())) this.#report(now);
  }

  /** Settles when the report in flight has reached the lobby (or failed). */
  settled(): Promise<void> {
    return this.#reporting;
  }

  #report(now: number): void {
    this.#due = false;
    this.#refreshDue = false;
    this.#lastAt = now;
    this.#refreshAt = nextPhasePoint(now, this.#refreshPhase, LOBBY_REFRESH_INTERVAL_MS);
    this.#reporting = this.#publish().catch((e: unknown) => console.error("lobby report failed:", String(e)));
  }
}
