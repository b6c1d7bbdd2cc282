/**
 * What a player does with a selection: copy and cut it as RLE through the system clipboard (so
 * patterns move between this app, Golly and LifeViewer), delete it, fill it at random, turn or
 * mirror it, move it (drag it, or lift it with Move and place it like a stamp), paste a pattern
 * from the clipboard as a stamp, and identify what the cells do.
 *
 * The cells come from the room's own export of the rectangle (exact at every zoom, not only
 * where the page holds cells), and every change goes back as an ordinary STAMP edit, so it obeys
 * the lock and the grid's bounds like any stroke, other players see it, the player can undo it,
 * and in a running room it applies at the next tick boundary — to the cells read a moment earlier.
 *
 *   delete    "replace" with an empty bitmap of the selection's size
 *   fill      "replace" with a random bitmap at the density in the bar
 *   flip      read, mirror left to right, "replace"
 *   turn      read, turn a quarter clockwise; clear the old rectangle, then "replace" the turned
 *             one: the same centre, sides swapped, slid inside the grid (selection-ops.ts). Two
 *             edits when the sides differ, so the old corners do not linger.
 *   move      clear the old rectangle, then "or" the cells where they were dropped (stamping.ts):
 *             two edits sent together, applied at the same tick boundary
 *   copy/cut  the export's RLE onto the clipboard (clipboard.ts); cut then deletes
 */
import { type Bitmap, createBitmap } from "../../common/bitmap.ts";
import { parsePattern } from "../../common/formats/index.ts";
import { exportPattern } from "../api.ts";
import { byId, setText } from "../dom.ts";
import type { Ghost } from "../render.ts";
import { randomBitmap, sameRect, turnedRect } from "../selection-ops.ts";
import { flipHorizontal, ghostCanvas, rotateClockwise } from "../stamp.ts";
import type { CellRect } from "../view.ts";
import type { Banner } from "./banner.ts";
import { PageClipboard, isFormField } from "./clipboard.ts";
import { identifyCells } from "./identify.ts";
import type { Selection } from "./selection.ts";
import type { RoomSession } from "./session.ts";
import type { Stamping } from "./stamping.ts";

type Say = (text: string) => void;

/** A drag of the selection: its cells (being read), where they are now, their ghost once read. */
interface Lift {
  cells: Promise<Bitmap | null>;
  at: CellRect;
  ghost: Ghost | undefined;
}

export interface SelectionActionsOptions {
  session: RoomSession;
  selection: Selection;
  stamping: Stamping;
  banner: Banner;
  /** The engine's module (null where Wasm did not load): Identify runs on it. */
  module: WebAssembly.Module | null;
  /** The dragged cells' ghost colour, a packed RGBA word (palette.ts). */
  ghostColour: number;
  /** The board must be drawn again (the dragged ghost moved). */
  changed(): void;
}

export class SelectionActions {
  readonly #o: SelectionActionsOptions;
  readonly #clipboard: PageClipboard;
  /** Actions run one after another, so one's read never sees half of another's writes. */
  #queue: Promise<void> = Promise.resolve();
  #lift: Lift | undefined;

  constructor(options: SelectionActionsOptions) {
    this.#o = options;
    this.#clipboard = new PageClipboard((text) => this.#hold(text));
    const on = (id: string, action: () => Promise<unknown>) => byId(id, HTMLButtonElement).addEventListener("click", () => this.#run(action));
    on("select-copy", () => this.copy());
    on("select-cut", () => this.cut());
    on("select-delete", () => this.delete());
    on("select-move", () => this.move());
    on("select-rotate", () => this.turn());
    on("select-flip", () => this.flip());
    on("select-fill", () => this.fill());
    on("select-identify", () => this.identify(true));
    on("identify-grid", () => this.identify(false));
    on("paste-clipboard", async () => this.#hold(await this.#clipboard.read()));
    this.#bindCopyKeys();
  }

  /** The dragged cells' ghost, while the selection is dragged. */
  get ghost(): Ghost | undefined {
    return this.#lift?.ghost;
  }

  /** Runs `action` after the actions before it (keys.ts runs Delete through here). */
  run(action: (actions: SelectionActions) => Promise<unknown>): void {
    this.#run(() => action(this));
  }

  /** Copies the selection's RLE; resolves whether there was something to copy. */
  async copy(): Promise<boolean> {
    const rect = this.#o.selection.rect;
    if (!rect) return false;
    const text = await this.#export(rect, this.#say);
    if (text === null) return false;
    const system = await this.#clipboard.write(text);
    this.#say(system ? `Copied ${rect.w}×${rect.h} as RLE.` : `The browser refused the clipboard: copy the RLE from the box.`);
    return true;
  }

  async cut(): Promise<void> {
    if (this.#o.selection.rect && this.#editable() && (await this.copy())) await this.delete();
  }

  async delete(): Promise<void> {
    const rect = this.#o.selection.rect;
    if (!rect || !this.#editable()) return;
    if (await this.#o.stamping.write(createBitmap(rect.w, rect.h), rect.x, rect.y, "replace")) this.#say("Cleared.");
  }

  async fill(): Promise<void> {
    const rect = this.#o.selection.rect;
    if (!rect || !this.#editable()) return;
    const density = Number(byId("select-density", HTMLInputElement).value);
    if (!(density > 0 && density <= 1)) return this.#say("Fill: the density is the share of live cells, above 0 and at most 1.");
    if (await this.#o.stamping.write(randomBitmap(rect.w, rect.h, density), rect.x, rect.y, "replace")) this.#say(`Filled at density ${density}.`);
  }

  /** A quarter turn clockwise about the selection's centre (see the top, and turnedRect). */
  async turn(): Promise<void> {
    const rect = this.#o.selection.rect;
    const settings = this.#o.session.settings;
    if (!rect || !settings || !this.#editable()) return;
    const to = turnedRect(rect, settings);
    if (!to) return this.#say(`Turn: a ${rect.h}×${rect.w} selection does not fit this ${settings.width}×${settings.height} grid.`);
    const cells = await this.#read(rect, this.#say);
    if (!cells) return;
    const { stamping } = this.#o;
    if (!sameRect(rect, to) && !(await stamping.write(createBitmap(rect.w, rect.h), rect.x, rect.y, "replace"))) return;
    if (!(await stamping.write(rotateClockwise(cells), to.x, to.y, "replace"))) return;
    this.#o.selection.set(to);
    this.#say("Turned a quarter clockwise.");
  }

  async flip(): Promise<void> {
    const rect = this.#o.selection.rect;
    if (!rect || !this.#editable()) return;
    const cells = await this.#read(rect, this.#say);
    if (cells && (await this.#o.stamping.write(flipHorizontal(cells), rect.x, rect.y, "replace"))) this.#say("Flipped left to right.");
  }

  /** Lifts the cells as a stamp whose ghost starts where they are; placing it moves them there
   *  (and only then: putting the stamp away leaves them where they were). */
  async move(): Promise<void> {
    const rect = this.#o.selection.rect;
    if (!rect || !this.#editable()) return;
    const cells = await this.#read(rect, this.#say);
    if (!cells) return;
    this.#o.selection.clear();
    this.#o.stamping.set({ name: "Moved cells", bitmap: cells }, undefined, rect);
    this.#o.banner.show("Moving: point where the cells go and click, or tap there and press Place.", "info", 3000);
  }

  /** Says what the selection (or the whole grid) does: still life, oscillator, spaceship… */
  async identify(selectionOnly: boolean): Promise<void> {
    const settings = this.#o.session.settings;
    const rect = selectionOnly ? this.#o.selection.rect : undefined;
    if (!settings || (selectionOnly && !rect)) return;
    const say: Say = selectionOnly ? this.#say : (text) => setText(byId("export-status", HTMLParagraphElement), text);
    say("Identifying…");
    const cells = await this.#read(rect, say);
    if (!cells) return;
    const result = await identifyCells(cells, settings.rule, this.#o.module);
    say(result.ok ? `Identify: ${result.line}.` : `Identify: ${result.error}`);
  }

  // --- Dragging the selection (Selection's handlers) -----------------------------------------

  /** A drag inside the selection moves it when the player may edit (else it selects anew). */
  lift(rect: CellRect): boolean {
    if (!this.#o.session.canEdit()) return false;
    const lift: Lift = { cells: this.#read(rect, this.#say), at: rect, ghost: undefined };
    this.#lift = lift;
    void lift.cells.then((cells) => {
      if (!cells || this.#lift !== lift) return;
      lift.ghost = { x: lift.at.x, y: lift.at.y, width: cells.width, height: cells.height, image: ghostCanvas(cells, this.#o.ghostColour) };
      this.#o.changed();
    });
    return true;
  }

  drag(rect: CellRect): void {
    const lift = this.#lift;
    if (!lift) return;
    lift.at = rect;
    if (lift.ghost) Object.assign(lift.ghost, { x: rect.x, y: rect.y });
  }

  /** The drag ended over `to` (undefined: called off): the cells move there. */
  drop(from: CellRect, to: CellRect | undefined): void {
    const lift = this.#lift;
    this.#lift = undefined;
    this.#o.changed();
    if (!lift || !to || sameRect(from, to)) return;
    this.#run(async () => {
      const cells = await lift.cells;
      const moved = cells !== null && (await this.#o.stamping.move(from, cells, to.x, to.y));
      // Cells that could not be read or written stayed where they were, and so does the selection.
      if (moved) this.#say(`Moved to (${to.x}, ${to.y}).`);
      else this.#o.selection.set(from);
    });
  }

  // --- Internals -----------------------------------------------------------------------------

  /** Holds pasted text (this app's RLE, Golly's, LifeViewer's; .cells; Life 1.06) as a stamp. */
  #hold(text: string): void {
    if (!text.trim()) return this.#o.banner.show("The clipboard holds no pattern.", "info", 3000);
    const error = this.#o.stamping.hold(text, "Pasted pattern");
    if (error) this.#o.banner.show(`The clipboard holds no pattern this page reads: ${error}`.slice(0, 200), "error", 5000);
  }

  /** The RLE of `rect` (the whole grid when undefined) as the room has it now; null after
   *  saying why it could not be had. */
  async #export(rect: CellRect | undefined, say: Say): Promise<string | null> {
    try {
      return await exportPattern(this.#o.session.id, rect && { x: rect.x, y: rect.y, w: rect.w, h: rect.h });
    } catch (error) {
      say(`The room's cells could not be read: ${error instanceof Error ? error.message : "network error"}.`);
      return null;
    }
  }

  async #read(rect: CellRect | undefined, say: Say): Promise<Bitmap | null> {
    const text = await this.#export(rect, say);
    if (text === null) return null;
    const parsed = parsePattern(text);
    if (parsed.ok) return parsed.value.bitmap;
    say(`The room's cells could not be read: ${parsed.error}`);
    return null;
  }

  #editable(): boolean {
    if (this.#o.session.canEdit()) return true;
    this.#o.banner.show("The owner has locked editing.", "info", 2500);
    return false;
  }

  #run(action: () => Promise<unknown>): void {
    this.#queue = this.#queue.then(action).then(
      () => undefined,
      (error: unknown) => this.#say(`That did not work: ${error instanceof Error ? error.message : "unknown error"}.`),
    );
  }

  readonly #say: Say = (text) => setText(byId("select-status", HTMLSpanElement), text);

  /**
   * Ctrl/Cmd+C and Ctrl/Cmd+X copy and cut the selection (keys.ts leaves keys with Ctrl or Meta
   * to the browser, so they are caught here, as undo.ts catches Ctrl+Z). Text the player selected
   * on the page, or keys in a form field, keep the browser's copy; Ctrl+V is the paste event's
   * (clipboard.ts).
   */
  #bindCopyKeys(): void {
    document.addEventListener("keydown", (e) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || isFormField(e.target)) return;
      const key = e.key.toLowerCase();
      if ((key !== "c" && key !== "x") || !this.#o.selection.rect) return;
      if (window.getSelection()?.isCollapsed === false) return;
      e.preventDefault();
      this.#run(() => (key === "c" ? this.copy() : this.cut()));
    });
  }
}
