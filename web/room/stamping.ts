/**
 * Stamping: a pattern held under the pointer as a ghost preview — picked from the library or
 * pasted as text (RLE, .cells, Life 1.06), turned and flipped — and placed where the ghost is.
 * A placed stamp is drawn as pending like a stroke and sent as one STAMP frame, or over HTTP
 * when its RLE does not fit a frame.
 *
 * A stamp may hold cells lifted from the grid (the selection's Move): its ghost starts where they
 * were, and placing it clears that rectangle as the cells land elsewhere, once; then the stamp is
 * put away and the landed cells are selected. Until it is placed nothing has changed, so putting
 * it away (Done, Esc) leaves the cells where they were.
 */
import { type Bitmap, createBitmap } from "../../common/bitmap.ts";
import { type ClientMessage, MAX_CLIENT_FRAME_BYTES, STAMP_HEADER_BYTES } from "../../common/protocol/index.ts";
import { type LibraryPattern, PATTERNS } from "../../common/patterns.ts";
import { parsePattern, writeRle } from "../../common/formats/index.ts";
import { formatRule, parseRule } from "../../common/rules.ts";
import { stampPattern } from "../api.ts";
import { byId, formatCount, setText } from "../dom.ts";
import type { PendingEdits } from "../pending-edits.ts";
import type { Ghost } from "../render.ts";
import { describeRule } from "../rule-editor.ts";
import { type Stamp, countLive, flipHorizontal, forEachLive, ghostCanvas, rotateClockwise, stampCell } from "../stamp.ts";
import type { CellRect, View } from "../view.ts";
import type { Banner } from "./banner.ts";
import { PatternList } from "./pattern-list.ts";
import type { RoomSession } from "./session.ts";

/** Stamps with more live cells than this (or, replacing, more cells) are shown only by their
 *  ghost until confirmed: the overlay is a map entry per cell. */
const MAX_PENDING_STAMP_CELLS = 50_000;

export interface StampingHandlers {
  view(): View | undefined;
  pending(): PendingEdits | undefined;
  nextSeq(): number;
  send(message: ClientMessage): boolean;
  /** A stamp was picked up, turned or put away (the toolbar and the selection bar follow). */
  stampChanged(): void;
  /** Lifted cells landed in `rect` (inside the grid, or wrapped across a torus's edge). */
  landed(rect: CellRect): void;
  changed(): void;
}

export class Stamping {
  readonly #session: RoomSession;
  readonly #banner: Banner;
  readonly #ghostColour: number;
  readonly #handlers: StampingHandlers;
  readonly #patternList: PatternList;
  #stamp: (Stamp & { ghost: Ghost; libraryId: string | undefined; lifted: CellRect | undefined }) | undefined;

  /** `ghostColour`: the ghost's live cells, a packed RGBA word (palette.ts). */
  constructor(session: RoomSession, banner: Banner, ghostColour: number, handlers: StampingHandlers) {
    this.#session = session;
    this.#banner = banner;
    this.#ghostColour = ghostColour;
    this.#handlers = handlers;
    this.#patternList = new PatternList(PATTERNS, (pattern) => this.#pick(pattern));
    byId("stamp-rotate", HTMLButtonElement).addEventListener("click", () => this.transform(rotateClockwise));
    byId("stamp-flip", HTMLButtonElement).addEventListener("click", () => this.transform(flipHorizontal));
    byId("stamp-place", HTMLButtonElement).addEventListener("click", () => void this.place());
    byId("stamp-cancel", HTMLButtonElement).addEventListener("click", () => this.set(undefined));
    this.#bindPaste();
  }

  /** Whether a stamp is held. */
  get active(): boolean {
    return this.#stamp !== undefined;
  }

  get ghost(): Ghost | undefined {
    return this.#stamp?.ghost;
  }

  /** Holds `stamp` (undefined: puts the stamp away); `libraryId` marks its library button;
   *  `lifted`: the stamp is these cells of the grid, moved when placed (see the top). */
  set(stamp: Stamp | undefined, libraryId?: string, lifted?: CellRect): void {
    const view = this.#handlers.view();
    if (!stamp || !view) {
      this.#stamp = undefined;
      this.#patternList.select(undefined);
    } else {
      const previous = this.#stamp?.ghost;
      const centreX = previous ? previous.x + Math.floor(previous.width / 2) : Math.floor(view.cx);
      const centreY = previous ? previous.y + Math.floor(previous.height / 2) : Math.floor(view.cy);
      // Lifted cells first show where they are; turned, they stay about the same centre.
      const at = lifted && !previous ? lifted : undefined;
      this.#stamp = {
        ...stamp,
        libraryId,
        lifted,
        ghost: {
          x: at ? at.x : centreX - Math.floor(stamp.bitmap.width / 2),
          y: at ? at.y : centreY - Math.floor(stamp.bitmap.height / 2),
          width: stamp.bitmap.width,
          height: stamp.bitmap.height,
          image: ghostCanvas(stamp.bitmap, this.#ghostColour),
        },
      };
      this.#patternList.select(libraryId);
      setText(byId("stamp-name", HTMLElement), stamp.name);
      setText(byId("stamp-size", HTMLSpanElement), `${stamp.bitmap.width}×${stamp.bitmap.height}, ${formatCount(countLive(stamp.bitmap))} cells`);
      const rule = stamp.rule ? parseRule(stamp.rule) : undefined;
      const settings = this.#session.settings;
      if (rule?.ok && settings && formatRule(rule.value.rule) !== formatRule(settings.rule)) {
        this.#banner.show(`${stamp.name} is made for ${describeRule(stamp.rule ?? "")}; this room runs ${describeRule(formatRule(settings.rule))}.`, "info", 5000);
      }
    }
    byId("stamp-bar", HTMLDivElement).hidden = this.#stamp === undefined;
    this.#handlers.stampChanged();
    this.#handlers.changed();
  }

  /** Centres the ghost on cell (x, y). */
  moveGhost(x: number, y: number): void {
    const stamp = this.#stamp;
    if (!stamp) return;
    stamp.ghost.x = x - Math.floor(stamp.bitmap.width / 2);
    stamp.ghost.y = y - Math.floor(stamp.bitmap.height / 2);
    this.#handlers.changed();
  }

  /** A tap or click on the board while stamping (input.ts decides whether it places). */
  at(x: number, y: number, place: boolean): void {
    this.moveGhost(x, y);
    if (place) void this.place();
  }

  transform(transform: (bitmap: Bitmap) => Bitmap): void {
    const stamp = this.#stamp;
    if (!stamp) return;
    // Still the same library pattern (or the same lifted cells), only turned: its button stays marked.
    this.set({ name: stamp.name, bitmap: transform(stamp.bitmap), rule: stamp.rule }, stamp.libraryId, stamp.lifted);
  }

  /** Stamps at the ghost: over the socket when the RLE fits a frame, else over HTTP. */
  async place(): Promise<void> {
    const stamp = this.#stamp;
    const settings = this.#session.settings;
    const pending = this.#handlers.pending();
    if (!stamp || !settings || !pending) return;
    if (!this.#session.canEdit()) {
      this.#banner.show("The owner has locked editing.", "info", 2500);
      return;
    }
    const { width, height } = stamp.bitmap;
    let { x, y } = stamp.ghost;
    if (settings.topology === "plane") {
      if (width > settings.width || height > settings.height) {
        this.#banner.show("This pattern is larger than the grid.", "error", 4000);
        return;
      }
      // On a plane the pattern must fit: slide it inside instead of refusing.
      x = Math.max(0, Math.min(settings.width - width, x));
      y = Math.max(0, Math.min(settings.height - height, y));
    } else {
      x = ((x % settings.width) + settings.width) % settings.width;
      y = ((y % settings.height) + settings.height) % settings.height;
    }
    if (!stamp.lifted) {
      await this.write(stamp.bitmap, x, y, "or");
      return;
    }
    this.set(undefined);
    if (await this.move(stamp.lifted, stamp.bitmap, x, y)) this.#handlers.landed({ x, y, w: width, h: height });
  }

  /**
   * Moves cells: clears `from`, then adds `bitmap`'s live cells at (x, y). Two edits, sent one
   * after the other on the same socket, so the room applies both at the same tick boundary and no
   * frame shows the cells twice or nowhere. Resolves whether both were sent.
   */
  async move(from: CellRect, bitmap: Bitmap, x: number, y: number): Promise<boolean> {
    return (await this.write(createBitmap(from.w, from.h), from.x, from.y, "replace")) && (await this.write(bitmap, x, y, "or"));
  }

  /**
   * Writes `bitmap` into the grid with its top-left cell at (x, y), wrapped on a torus: "or" adds
   * its live cells, "replace" sets the whole rectangle to it (the selection's clear, fill, turn
   * and move). Drawn as pending like a stroke; one STAMP frame, or HTTP when the RLE does not fit
   * a frame. Resolves false when the room refused it (the banner says why).
   */
  async write(bitmap: Bitmap, x: number, y: number, mode: "or" | "replace"): Promise<boolean> {
    const settings = this.#session.settings;
    const pending = this.#handlers.pending();
    if (!settings || !pending) return false;
    const text = writeRle(bitmap, { rule: settings.rule });
    const seq = this.#handlers.nextSeq();
    const { width, height } = bitmap;
    if (mode === "replace" && width * height <= MAX_PENDING_STAMP_CELLS) {
      // Every cell of the rectangle takes the bitmap's state: a cleared area shows cleared at once.
      for (let cy = 0; cy < height; cy++) {
        for (let cx = 0; cx < width; cx++) pending.add(seq, (x + cx) % settings.width, (y + cy) % settings.height, stampCell(bitmap, cx, cy));
      }
    } else if (mode === "or" && countLive(bitmap) <= MAX_PENDING_STAMP_CELLS) {
      forEachLive(bitmap, (cx, cy) => pending.add(seq, (x + cx) % settings.width, (y + cy) % settings.height, true));
    }
    this.#handlers.changed();
    // The STAMP frame is its header and the text; UTF-8 of RLE is ASCII, so length is bytes.
    const fitsFrame = text.length + STAMP_HEADER_BYTES <= MAX_CLIENT_FRAME_BYTES;
    if (fitsFrame && this.#handlers.send({ type: "stamp", seq, x, y, mode, pattern: text })) return true;
    try {
      await stampPattern(this.#session.id, x, y, text, mode);
      pending.ack(seq);
      return true;
    } catch (error) {
      pending.drop(seq);
      this.#banner.show(`The stamp was refused: ${error instanceof Error ? error.message : "network error"}.`, "error", 4000);
      return false;
    }
  }

  #pick(pattern: LibraryPattern): void {
    const parsed = parsePattern(pattern.rle);
    if (!parsed.ok) return; // the library is tested; a broken entry is simply not stampable
    this.set({ name: pattern.name, bitmap: parsed.value.bitmap, rule: pattern.rule }, pattern.id);
  }

  /** Holds pattern text (RLE from this app, Golly or LifeViewer; .cells; Life 1.06) as the
   *  stamp; the reader's error when it is not a pattern. */
  hold(text: string, name = "Pasted pattern"): string | null {
    const parsed = parsePattern(text);
    if (!parsed.ok) return parsed.error;
    const file = parsed.value;
    this.set({ name: file.name || name, bitmap: file.bitmap, rule: file.rule ? formatRule(file.rule.rule) : undefined });
    return null;
  }

  #bindPaste(): void {
    const pasteText = byId("paste-text", HTMLTextAreaElement);
    const pasteError = byId("paste-error", HTMLParagraphElement);
    byId("paste-use", HTMLButtonElement).addEventListener("click", () => {
      const error = this.hold(pasteText.value);
      pasteError.hidden = error === null;
      if (error !== null) setText(pasteError, error);
    });
  }
}
