/**
 * Each player's undo and redo history. Before the room applies a player's edit it records what
 * the edit changes (undo-record.ts); UNDO gives those cells back their earlier state, at the
 * current generation, and REDO the edit's state again. A new edit ends the redo history.
 *
 * A step is what one UNDO takes back: one edit, or all the edits of a brush stroke (its frames
 * after the first say "continues", and join the first one's step). Steps that changed no cell
 * (a stroke over cells already alive) are passed over, so every UNDO that answers ACK changed
 * something.
 *
 * The history lives in the room's SQLite storage, keyed by the socket's player id, because the
 * object may hibernate between two frames of the same socket (after a few idle seconds, with the
 * socket still open) and lose everything it held in memory. It is deleted when the socket closes,
 * and records of sockets that closed unseen (a crash) are pruned when the room loads: a player
 * who reconnects is a new player with an empty history.
 *
 *   undo_record: id INTEGER (order, never reused) | player | stack ('undo' | 'redo') | step
 *                | cells (changed; 0 none, −1 too large to keep) | bytes | data (undo-record.ts)
 *
 * Both stacks are one list of steps, numbered in the order they began. Every redo step is
 * newer than every undo step (a new edit clears redo), so UNDO takes the newest undo step and
 * REDO the oldest redo step, and moving a step from one stack to the other only relabels it:
 *
 *          undo                         redo
 *   step:  12   15   16   [20]    |    [31]   33   40
 *                           ^ UNDO takes ^ REDO takes
 *
 * Bounds (worker/limits.ts): MAX_UNDO_STEPS steps per player, MAX_UNDO_PLAYER_BYTES per player,
 * MAX_UNDO_ROOM_BYTES per room; past each the oldest steps go. A step too large to keep
 * (MAX_UNDO_RECORD_BYTES, MAX_UNDO_AREA_BYTES, or a whole player's budget) stays as a marker, so
 * that its UNDO is refused with a reason rather than silently undoing the edit before it.
 */
import type { Engine } from "../common/engine.ts";
import { ErrorCode } from "../common/protocol/index.ts";
import type { Edit } from "./edit.ts";
import { MAX_UNDO_PLAYER_BYTES, MAX_UNDO_RECORD_BYTES, MAX_UNDO_ROOM_BYTES, MAX_UNDO_STEPS } from "./limits.ts";
import { fail, type Outcome } from "./outcome.ts";
import { TOO_LARGE, changedCells, decodeRecord, encodeRecord, recordEdit, replay, type ChangeRecord } from "./undo-record.ts";

export type HistoryStack = "undo" | "redo";

export class UndoHistory {
  readonly #sql: SqlStorage;
  #tableReady = false;
  /** Bytes of every record in the room, summed once per instance, then kept up to date. */
  #roomBytes: number | null = null;
  /** Players whose last frame was an edit the room accepted: only such an edit can be continued.
   *  Memory is enough: a stroke's frames come ~50 ms apart, the object hibernates after seconds. */
  readonly #chained = new Set<number>();

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /**
   * Whether `player`'s edit that `asks` to continue its previous one joins that edit's step: only
   * when the player's previous edit, UNDO or REDO frame was an edit the room accepted (cursor and
   * viewport frames between do not count). Call it for every edit, UNDO and REDO frame, before
   * anything else: it ends the chain, which accepted() starts again.
   */
  continues(player: number, asks: boolean): boolean {
    const joins = asks && this.#chained.has(player);
    this.#chained.delete(player);
    return joins;
  }

  /** `player`'s edit was accepted: its next edit may continue it. */
  accepted(player: number): void {
    this.#chained.add(player);
  }

  /**
   * Records what `edit` is about to change for `player` (0, an HTTP edit, keeps no history); call
   * it just before applying the edit. A failure to record never stops the edit: it is logged, and
   * that edit cannot be undone.
   */
  record(engine: Engine, player: number, edit: Edit, continues: boolean): void {
    if (player === 0) return;
    try {
      this.#ensure();
      const record = recordEdit(engine, edit);
      this.#remove("player = ? AND stack = 'redo'", player); // a new edit ends the redo history
      const joined = continues ? this.#newestUndoStep(player) : null;
      if (joined?.tooLarge) return; // the stroke can no longer be undone: nothing to add to it
      const step = this.#insert(player, joined?.step ?? null, record);
      this.#trim(player, step);
    } catch (e) {
      this.#roomBytes = null;
      console.error("undo history not kept:", String(e));
    }
  }

  /**
   * Undoes `player`'s newest step, or redoes the step it undid last, on `engine` (passing over
   * steps that changed nothing); the step moves to the other stack. Nothing changes when it fails.
   */
  apply(engine: Engine, player: number, stack: HistoryStack): Outcome<null> {
    try {
      this.#ensure();
      const order = stack === "undo" ? "DESC" : "ASC";
      const steps = this.#sql
        .exec<{ step: number; least: number; most: number }>(
          `SELECT step, MIN(cells) AS least, MAX(cells) AS most FROM undo_record WHERE player = ? AND stack = ? GROUP BY step ORDER BY step ${order}`,
          player,
          stack,
        )
        .toArray();
      const target = steps.find((s) => s.most !== 0);
      if (!target) return fail(409, ErrorCode.NOTHING_TO_UNDO, `nothing to ${stack}`);
      // The target and the empty steps passed over on the way to it.
      const reached = stack === "undo" ? "step >= ?" : "step <= ?";
      const records = target.least < 0 ? null : this.#records(player, target.step, order);
      if (records === null) {
        this.#remove(`player = ? AND stack = ? AND ${reached}`, player, stack, target.step);
        return target.least < 0 ? fail(413, ErrorCode.TOO_LARGE, "that edit was too large to undo") : fail(500, ErrorCode.INTERNAL, "that step could not be read");
      }
      // Storage first: if it fails, the grid has not changed either.
      this.#sql.exec(`UPDATE undo_record SET stack = ? WHERE player = ? AND stack = ? AND ${reached}`, stack === "undo" ? "redo" : "undo", player, stack, target.step);
      for (const record of records) replay(engine, record, stack === "undo" ? "before" : "after");
      return { ok: true, value: null };
    } catch (e) {
      this.#roomBytes = null;
      console.error("undo failed:", String(e));
      return fail(500, ErrorCode.INTERNAL, "internal error");
    }
  }

  /** Whether `player` has a step that changed something to undo (or redo). */
  has(player: number, stack: HistoryStack): boolean {
    this.#ensure();
    return this.#sql.exec("SELECT 1 FROM undo_record WHERE player = ? AND stack = ? AND cells != 0 LIMIT 1", player, stack).toArray().length > 0;
  }

  /** The player's socket closed: its history goes with it. */
  forget(player: number): void {
    this.#chained.delete(player);
    if (this.#tableReady || this.#exists()) this.#remove("player = ?", player);
  }

  /** On load: deletes the history of every player whose socket is gone (closed while the room was
   *  not there to see it, in a crash or an eviction). */
  prune(isOpen: (player: number) => boolean): void {
    // The first layout of this history (whole rectangles, one row per edit): its sockets all
    // closed at the deploy that brought this one.
    this.#sql.exec("DROP TABLE IF EXISTS undo_step");
    if (!this.#exists()) return;
    for (const { player } of this.#sql.exec<{ player: number }>("SELECT DISTINCT player FROM undo_record").toArray()) {
      if (!isOpen(player)) this.#remove("player = ?", player);
    }
  }

  /** The room's storage was deleted. */
  reset(): void {
    this.#tableReady = false;
    this.#roomBytes = null;
    this.#chained.clear();
  }

  /** The records of one step, decoded, in the order to replay them; null when one is damaged. */
  #records(player: number, step: number, order: "ASC" | "DESC"): ChangeRecord[] | null {
    const rows = this.#sql.exec<{ data: ArrayBuffer }>(`SELECT data FROM undo_record WHERE player = ? AND step = ? ORDER BY id ${order}`, player, step).toArray();
    const records: ChangeRecord[] = [];
    for (const row of rows) {
      const record = decodeRecord(new Uint8Array(row.data));
      if (!record) return null;
      records.push(record);
    }
    return records;
  }

  /** The player's newest undo step, and whether it is a marker of a step too large to keep. */
  #newestUndoStep(player: number): { step: number; tooLarge: boolean } | null {
    const row = this.#sql
      .exec<{ step: number; least: number }>(
        "SELECT step, MIN(cells) AS least FROM undo_record WHERE player = ? AND stack = 'undo' GROUP BY step ORDER BY step DESC LIMIT 1",
        player,
      )
      .toArray()[0];
    return row ? { step: row.step, tooLarge: row.least < 0 } : null;
  }

  /** Adds a record to `step` (null: a new step, numbered by this record's id); returns the step. */
  #insert(player: number, step: number | null, record: ChangeRecord): number {
    let data = encodeRecord(record);
    if (data.byteLength > MAX_UNDO_RECORD_BYTES) {
      record = TOO_LARGE;
      data = encodeRecord(record);
    }
    // A stroke with a part too large to keep cannot be undone at all: the marker replaces it.
    if (record.kind === "tooLarge" && step !== null) this.#remove("player = ? AND step = ?", player, step);
    // A new step's number is above every record's id, hence above every step so far (a step is
    // never above its own records' ids).
    const { numbered } = this.#sql
      .exec<{ numbered: number }>(
        "INSERT INTO undo_record (player, stack, step, cells, bytes, data) VALUES (?, 'undo', COALESCE(?, (SELECT COALESCE(MAX(id), 0) + 1 FROM undo_record)), ?, ?, ?) RETURNING step AS numbered",
        player,
        step,
        changedCells(record),
        data.byteLength,
        data,
      )
      .one();
    if (this.#roomBytes !== null) this.#roomBytes += data.byteLength;
    return numbered;
  }

  /** Drops the oldest steps past the bounds; `current` is the step just written to. */
  #trim(player: number, current: number): void {
    const kept = this.#sql
      .exec<{ steps: number; bytes: number }>("SELECT COUNT(DISTINCT step) AS steps, COALESCE(SUM(bytes), 0) AS bytes FROM undo_record WHERE player = ?", player)
      .one();
    if (kept.steps > MAX_UNDO_STEPS) {
      const cut = this.#sql
        .exec<{ step: number }>("SELECT DISTINCT step FROM undo_record WHERE player = ? ORDER BY step DESC LIMIT 1 OFFSET ?", player, MAX_UNDO_STEPS)
        .one();
      this.#remove("player = ? AND step <= ?", player, cut.step);
    }
    while (kept.bytes > MAX_UNDO_PLAYER_BYTES && this.#bytesOf("player = ?", player) > MAX_UNDO_PLAYER_BYTES) {
      const oldest = this.#sql.exec<{ step: number }>("SELECT MIN(step) AS step FROM undo_record WHERE player = ?", player).one().step;
      if (oldest !== current) {
        this.#remove("player = ? AND step = ?", player, oldest);
        continue;
      }
      // The step being written is larger than a player's whole budget: a marker stays instead.
      this.#insert(player, current, TOO_LARGE);
      break;
    }
    this.#roomBytes ??= this.#bytesOf("1");
    while (this.#roomBytes > MAX_UNDO_ROOM_BYTES) {
      const oldest = this.#sql.exec<{ player: number; step: number }>("SELECT player, step FROM undo_record ORDER BY id LIMIT 1").toArray()[0];
      if (!oldest) break;
      this.#remove("player = ? AND step = ?", oldest.player, oldest.step);
    }
  }

  #bytesOf(where: string, ...params: SqlStorageValue[]): number {
    return this.#sql.exec<{ n: number }>(`SELECT COALESCE(SUM(bytes), 0) AS n FROM undo_record WHERE ${where}`, ...params).one().n;
  }

  #remove(where: string, ...params: SqlStorageValue[]): void {
    for (const { bytes } of this.#sql.exec<{ bytes: number }>(`DELETE FROM undo_record WHERE ${where} RETURNING bytes`, ...params)) {
      if (this.#roomBytes !== null) this.#roomBytes -= bytes;
    }
  }

  #exists(): boolean {
    return this.#sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'undo_record'").toArray().length > 0;
  }

  #ensure(): void {
    if (this.#tableReady) return;
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS undo_record (id INTEGER PRIMARY KEY AUTOINCREMENT, player INTEGER NOT NULL, stack TEXT NOT NULL, step INTEGER NOT NULL, cells INTEGER NOT NULL, bytes INTEGER NOT NULL, data BLOB NOT NULL)",
    );
    this.#sql.exec("CREATE INDEX IF NOT EXISTS undo_record_step ON undo_record (player, stack, step)");
    this.#tableReady = true;
  }
}
