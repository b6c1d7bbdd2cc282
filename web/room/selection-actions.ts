/**
 * What a player does with a selection: copy and cut it as RLE through the system clipboard (so
 * patterns move between this app, Golly and LifeViewer), delete it, fill it at random, turn or
 * mirror it, lift it to place elsewhere, paste a pattern from the clipboard as a stamp, and
 * identify what the cells do.
 *
 * The cells come from the room's own export of the rectangle (exact at every zoom, not only
 * where the page holds cells), and every change goes back as an ordinary STAMP edit in "replace"
 * mode, so it obeys the lock and the grid's bounds like any stroke, other players see it, and
 * in a running room it applies at the next tick boundary — the cells read a moment earlier.
 */
import { type Bitmap, createBitmap } from "../../common/bitmap.ts";
import { Engine } from "../../common/engine.ts";
import { parsePattern } from "../../common/formats/index.ts";
import { identify } from "../../common/identify.ts";
import { exportPattern } from "../api.ts";
import { byId, setText } from "../dom.ts";
import { randomBitmap, turnedRect } from "../selection-ops.ts";
import { flipHorizontal, rotateClockwise } from "../stamp.ts";
import type { CellRect } from "../view.ts";
import type { Banner } from "./banner.ts";
import type { Selection } from "./selection.ts";
import type { RoomSession } from "./session.ts";
import type { Stamping } from "./stamping.ts";

export class SelectionActions {
  readonly #session: RoomSession;
  readonly #selection: Selection;
  readonly #stamping: Stamping;
  readonly #banner: Banner;
  readonly #module: WebAssembly.Module | null;
  /** What this page copied last, for when the system clipboard cannot be read. */
  #clipboard = "";
  /** An action in progress: one at a time, so reads and writes do not interleave. */
  #busy = false;

  constructor(session: RoomSession, selection: Selection, stamping: Stamping, banner: Banner, module: WebAssembly.Module | null) {
    this.#session = session;
    this.#selection = selection;
    this.#stamping = stamping;
    this.#banner = banner;
    this.#module = module;
    const on = (id: string, action: () => Promise<void>) => byId(id, HTMLButtonElement).addEventListener("click", () => void this.#run(action));
    on("select-copy", () => this.copy());
    on("select-cut", () => this.cut());
    on("select-delete", () => this.delete());
    on("select-move", () => this.move());
    on("select-rotate", () => this.turn());
    on("select-flip", () => this.flip());
    on("select-fill", () => this.fill());
    on("select-identify", () => this.identify(true));
    on("identify-grid", () => this.identify(false));
    on("paste-clipboard", () => this.paste());
    document.addEventListener("keydown", (e) => this.#key(e));
  }

  async copy(): Promise<void> {
    const rect = this.#selection.rect;
    if (!rect) return;
    const text = await exportPattern(this.#session.id, { x: rect.x, y: rect.y, w: rect.w, h: rect.h });
    this.#clipboard = text;
    const copied = await navigator.clipboard.writeText(text).then(
      () => true,
      () => false,
    );
    this.#say(copied ? `Copied ${rect.w}×${rect.h} as RLE.` : `Copied ${rect.w}×${rect.h} for this page (the browser refused the system clipboard).`);
  }

  async cut(): Promise<void> {
    if (!this.#editable()) return;
    await this.copy();
    await this.delete();
  }

  async delete(): Promise<void> {
    const rect = this.#selection.rect;
    if (!rect || !this.#editable()) return;
    if (await this.#stamping.write(createBitmap(rect.w, rect.h), rect.x, rect.y, "replace")) this.#say("Cleared.");
  }

  async fill(): Promise<void> {
    const rect = this.#selection.rect;
    if (!rect || !this.#editable()) return;
    const density = Number(byId("select-density", HTMLInputElement).value);
    if (!(density > 0 && density <= 1)) return this.#say("Fill: the density is the share of live cells, above 0 and at most 1.");
    if (await this.#stamping.write(randomBitmap(rect.w, rect.h, density), rect.x, rect.y, "replace")) this.#say(`Filled at ${density}.`);
  }

  /** A quarter turn clockwise about the selection's centre (see turnedRect). */
  async turn(): Promise<void> {
    const rect = this.#selection.rect;
    const settings = this.#session.settings;
    if (!rect || !settings || !this.#editable()) return;
    const to = turnedRect(rect, settings);
    if (!to) return this.#say("Turn: the turned selection would not fit the grid.");
    const cells = await this.#read(rect);
    if (!cells) return;
    if (!(await this.#stamping.write(createBitmap(rect.w, rect.h), rect.x, rect.y, "replace"))) return;
    if (await this.#stamping.write(rotateClockwise(cells), to.x, to.y, "replace")) this.#selection.set(to);
  }

  async flip(): Promise<void> {
    const rect = this.#selection.rect;
    if (!rect || !this.#editable()) return;
    const cells = await this.#read(rect);
    if (cells) await this.#stamping.write(flipHorizontal(cells), rect.x, rect.y, "replace");
  }

  /** Lifts the cells: they are cleared and held as a stamp where they were, to place anywhere. */
  async move(): Promise<void> {
    const rect = this.#selection.rect;
    if (!rect || !this.#editable()) return;
    const cells = await this.#read(rect);
    if (!cells || !(await this.#stamping.write(createBitmap(rect.w, rect.h), rect.x, rect.y, "replace"))) return;
    this.#selection.clear();
    this.#stamping.set({ name: "Moved cells", bitmap: cells }, undefined, { x: rect.x, y: rect.y });
    this.#banner.show("Moving: point where the cells go, then click (or Enter).", "info", 3000);
  }

  /** Holds the clipboard's pattern (this app's, Golly's, LifeViewer's RLE) as a stamp. */
  async paste(): Promise<void> {
    const text = await navigator.clipboard.readText().then(
      (read) => read || this.#clipboard,
      () => this.#clipboard,
    );
    if (!text) return this.#banner.show("The clipboard holds no pattern.", "info", 3000);
    const error = this.#stamping.hold(text, "Pasted pattern");
    if (error) this.#banner.show(`Not a pattern: ${error}`.slice(0, 200), "error", 5000);
  }

  /** Says what the selection (or the whole grid) does: still life, oscillator, spaceship… */
  async identify(selectionOnly: boolean): Promise<void> {
    const settings = this.#session.settings;
    const module = this.#module;
    const rect = selectionOnly ? this.#selection.rect : undefined;
    if (!settings || (selectionOnly && !rect)) return;
    const say = (text: string) => (selectionOnly ? this.#say(text) : setText(byId("export-status", HTMLParagraphElement), text));
    if (!module) return say("Identify needs WebAssembly, which this browser did not load.");
    say("Identifying…");
    const cells = await this.#read(rect);
    if (!cells) return;
    const result = await identify(cells, settings.rule, { createEngine: (options) => Engine.create(module, options) });
    if (!result.ok) return say(`Identify: ${result.error}`);
    const found = result.value;
    const population = "population" in found ? `, population ${found.population.min === found.population.max ? found.population.min : `${found.population.min}–${found.population.max}`}` : "";
    say(`${found.summary}${population}.`);
  }

  /** The cells of `rect` (the whole grid when undefined), as the room has them now. */
  async #read(rect: CellRect | undefined): Promise<Bitmap | null> {
    try {
      const parsed = parsePattern(await exportPattern(this.#session.id, rect && { x: rect.x, y: rect.y, w: rect.w, h: rect.h }));
      if (parsed.ok) return parsed.value.bitmap;
      this.#say(`The room's cells could not be read: ${parsed.error}`);
    } catch (error) {
      this.#say(`The room's cells could not be read: ${error instanceof Error ? error.message : "network error"}`);
    }
    return null;
  }

  #editable(): boolean {
    if (this.#session.canEdit()) return true;
    this.#banner.show("The owner has locked editing.", "info", 2500);
    return false;
  }

  async #run(action: () => Promise<void>): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await action();
    } catch (error) {
      this.#say(`That did not work: ${error instanceof Error ? error.message : "network error"}`);
    } finally {
      this.#busy = false;
    }
  }

  #say(text: string): void {
    setText(byId("select-status", HTMLSpanElement), text);
  }

  /** Ctrl/Cmd+C, X, V and Delete, outside text fields (where they keep their usual meaning). */
  #key(e: KeyboardEvent): void {
    const target = e.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
    if (target instanceof HTMLElement && target.isContentEditable) return;
    const command = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    let action: (() => Promise<void>) | undefined;
    if (command && !e.altKey && !e.shiftKey) {
      if (key === "c" && this.#selection.rect) action = () => this.copy();
      else if (key === "x" && this.#selection.rect) action = () => this.cut();
      else if (key === "v") action = () => this.paste();
    } else if (!command && !e.altKey && (e.key === "Delete" || e.key === "Backspace") && this.#selection.rect) {
      action = () => this.delete();
    }
    if (!action) return;
    e.preventDefault();
    void this.#run(action);
  }
}
