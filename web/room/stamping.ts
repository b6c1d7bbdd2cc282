/**
 * Stamping: a pattern held under the pointer as a ghost preview — picked from the library or
 * pasted as text (RLE, .cells, Life 1.06), turned and flipped — and placed where the ghost is.
 * A placed stamp is drawn as pending like a stroke and sent as one STAMP frame, or over HTTP
 * when its RLE does not fit a frame.
 */
import { type Bitmap } from "../../common/bitmap.ts";
import { type ClientMessage, MAX_CLIENT_FRAME_BYTES, STAMP_HEADER_BYTES } from "../../common/protocol/index.ts";
import { type LibraryPattern, PATTERNS } from "../../common/patterns.ts";
import { parsePattern, writeRle } from "../../common/formats/index.ts";
import { formatRule, parseRule } from "../../common/rules.ts";
import { stampPattern } from "../api.ts";
import { byId, formatCount, setText } from "../dom.ts";
import type { PendingEdits } from "../pending-edits.ts";
import type { Ghost } from "../render.ts";
import { describeRule } from "../rule-editor.ts";
import { type Stamp, countLive, flipHorizontal, forEachLive, ghostCanvas, rotateClockwise } from "../stamp.ts";
import type { View } from "../view.ts";
import type { Banner } from "./banner.ts";
import { PatternList } from "./pattern-list.ts";
import type { RoomSession } from "./session.ts";

/** Stamps with more live cells than this are shown only by their ghost until confirmed. */
const MAX_PENDING_STAMP_CELLS = 50_000;

export interface StampingHandlers {
  view(): View | undefined;
  pending(): PendingEdits | undefined;
  nextSeq(): number;
  send(message: ClientMessage): boolean;
  /** A stamp was picked up, turned or put away (the toolbar and the selection bar follow). */
  stampChanged(): void;
  changed(): void;
}

export class Stamping {
  readonly #session: RoomSession;
  readonly #banner: Banner;
  readonly #ghostColour: number;
  readonly #handlers: StampingHandlers;
  readonly #patternList: PatternList;
  #stamp: (Stamp & { ghost: Ghost; libraryId: string | undefined }) | undefined;

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

  /** Holds `stamp` (undefined: puts the stamp away); `libraryId` marks its library button; `at`
   *  puts the ghost's top-left there (a lifted selection stays where it was). */
  set(stamp: Stamp | undefined, libraryId?: string, at?: { x: number; y: number }): void {
    const view = this.#handlers.view();
    if (!stamp || !view) {
      this.#stamp = undefined;
      this.#patternList.select(undefined);
    } else {
      const previous = this.#stamp?.ghost;
      const centreX = previous ? previous.x + Math.floor(previous.width / 2) : Math.floor(view.cx);
      const centreY = previous ? previous.y + Math.floor(previous.height / 2) : Math.floor(view.cy);
      this.#stamp = {
        ...stamp,
        libraryId,
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
    // Still the same library pattern, only turned: its button stays marked.
    this.set({ name: stamp.name, bitmap: transform(stamp.bitmap), rule: stamp.rule }, stamp.libraryId);
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
    await this.write(stamp.bitmap, x, y, "or");
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
    if (countLive(bitmap) <= MAX_PENDING_STAMP_CELLS) {
      forEachLive(bitmap, (cx, cy) => {
        const gx = (x + cx) % settings.width;
        const gy = (y + cy) % settings.height;
        pending.add(seq, gx, gy, true);
      });
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
