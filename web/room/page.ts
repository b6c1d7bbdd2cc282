/**
 * The room page at "/r/<id>": a shell that makes the page's parts and wires them together.
 *
 *   frame-sync.ts   KEYFRAME/DELTA/STEP → the known region (and the page's own engine at scale 1)
 *   viewport.ts     the camera's moves → which rectangle to ask for (VIEWPORT)
 *   board.ts        one drawing per animation frame, on demand
 *   strokes.ts      drawing and erasing → pending cells, SET_CELLS batches
 *   stamping.ts     library and pasted patterns → ghost preview → STAMP
 *   selection.ts    the selected rectangle;  pattern-export.ts  RLE out of the room
 *   selection-actions.ts  copy, cut, delete, fill, turn, flip, move, paste, Identify
 *   presence.ts     the other players and their cursors, this player's cursor and name
 *   owner-panel.ts  the owner's controls (CONTROL);  requests.ts  seqs and their answers
 *   connection.ts   the socket, HELLO, the status pill;  status.ts  the header and stats
 *   tools.ts, keys.ts, side-panel.ts   toolbar, keyboard, panel toggle
 *   session.ts      what the server told the page;  test-hooks.ts  what browser tests read
 *
 * Data path: KEYFRAME/DELTA bits → region pixels (on arrival) → one drawImage per animation
 * frame. Edits go the other way at once: drawn as pending, sent with a seq, and dropped from the
 * overlay when the room ACKs them (the frame showing the truth comes first) or refuses them.
 */
import { type ClientMessage, type RoomSettings, type ServerMessage, ErrorCode, isRoomId } from "../../common/protocol/index.ts";
import { ApiError, getRoom } from "../api.ts";
import { ownerToken } from "../browser-storage.ts";
import { byId, formatCount, setText } from "../dom.ts";
import { BoardInput } from "../input.ts";
import { packColour, readPalette } from "../palette.ts";
import { PendingEdits } from "../pending-edits.ts";
import type { Scene } from "../render.ts";
import { loadLifeModule } from "../wasm-browser.ts";
import { Banner } from "./banner.ts";
import { Board } from "./board.ts";
import { RoomConnection } from "./connection.ts";
import { FrameSync } from "./frame-sync.ts";
import { bindKeys } from "./keys.ts";
import { OwnerPanel } from "./owner-panel.ts";
import { PatternExport } from "./pattern-export.ts";
import { Presence } from "./presence.ts";
import { Requests, refusalText } from "./requests.ts";
import { Selection } from "./selection.ts";
import { SelectionActions } from "./selection-actions.ts";
import { StrokeFrames, UndoControls } from "./undo.ts";
import { RoomSession } from "./session.ts";
import { SidePanel } from "./side-panel.ts";
import { Stamping } from "./stamping.ts";
import { RoomStatus } from "./status.ts";
import { Strokes } from "./strokes.ts";
import { exposeTestHooks } from "./test-hooks.ts";
import { Tools } from "./tools.ts";
import { Viewport } from "./viewport.ts";

/** How recent a fallen-behind catch-up must be for the page to mention it. */
const SLOWED_NOTICE_MS = 60_000;

export async function startRoom(id: string): Promise<void> {
  byId("room", HTMLDivElement).hidden = false;
  const banner = new Banner();
  // A link that cannot be a room (mistyped, cut short) is not worth a request.
  if (!isRoomId(id)) return showRoomNotFound(banner, "This link is not a room's: room links look like /r/ followed by 22 letters, digits, - or _.");
  // The engine for prediction loads beside the room's details (a few kilobytes, same origin).
  const module = loadLifeModule();
  try {
    const info = await getRoom(id);
    new RoomPage(id, banner, await module, info.width, info.height, info.name);
    // A room nobody watched caught up as the page asked for it; say so when it fell behind.
    if (info.slowed && Date.now() - info.slowed.at < SLOWED_NOTICE_MS) {
      banner.show(
        `While nobody watched, this room fell ${formatCount(info.slowed.generations)} generations behind its clock: catching up is limited to about half a second of work, so it slowed down.`,
        "info",
        8000,
      );
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return showRoomNotFound(banner, "This room does not exist or was deleted.");
    // The HTTP side failed for another reason: the socket may still work and tells us the size.
    new RoomPage(id, banner, await module);
  }
}

/** The room view of a room that is not there: says so, and leads back to the lobby. */
function showRoomNotFound(banner: Banner, why: string): void {
  // Nothing to draw, stamp or watch: only the message and the way back stay.
  byId("room", HTMLDivElement).classList.add("missing");
  setText(byId("room-name", HTMLHeadingElement), "Room not found");
  document.title = "Room not found · edgelife";
  const conn = byId("conn", HTMLSpanElement);
  setText(conn, "Room not found");
  conn.dataset.state = "closed";
  banner.show(why, "error", undefined, ["Back to the lobby", "/"]);
}

class RoomPage {
  readonly #canvas = byId("board", HTMLCanvasElement);
  readonly #banner: Banner;
  readonly #session: RoomSession;
  readonly #requests = new Requests();
  readonly #status = new RoomStatus();
  readonly #board: Board;
  readonly #connection: RoomConnection;
  readonly #frames: FrameSync;
  readonly #viewport: Viewport;
  readonly #strokes: Strokes;
  readonly #strokeFrames: StrokeFrames;
  readonly #presence: Presence;
  readonly #selection: Selection;
  readonly #selectionActions: SelectionActions;
  readonly #stamping: Stamping;
  readonly #tools: Tools;
  readonly #ownerPanel: OwnerPanel;
  /** The player's unconfirmed edits; made with the camera, once the grid's size is known. */
  #pending: PendingEdits | undefined;

  constructor(id: string, banner: Banner, module: WebAssembly.Module | null, width?: number, height?: number, name = "") {
    const palette = readPalette(document.documentElement);
    const requestDraw = () => this.#board.requestDraw();
    const send = (message: ClientMessage) => this.#connection.send(message);
    const pending = () => this.#pending;
    this.#banner = banner;
    this.#session = new RoomSession(id, ownerToken(id), name);
    this.#board = new Board(this.#canvas, palette, () => this.#scene());
    this.#frames = new FrameSync(module, packColour(palette.cell), {
      send,
      generation: (generation) => this.#status.setGeneration(generation),
      changed: requestDraw,
    });
    this.#connection = new RoomConnection(this.#session, this.#frames.predicts, banner, {
      resumeGeneration: () => this.#status.lastGeneration,
      message: (message) => this.#onMessage(message),
      lost: (forGood) => this.#lost(forGood),
    });
    this.#viewport = new Viewport(byId("stage", HTMLDivElement), this.#board, this.#connection);
    const inGrid = (x: number, y: number) => this.#viewport.inGrid(x, y);
    const view = () => this.#viewport.view;
    const nextSeq = () => this.#requests.next();
    // A stroke's frames after its first continue it, so one undo takes the whole stroke back.
    this.#strokeFrames = new StrokeFrames(send);
    this.#strokes = new Strokes(banner, { pending, inGrid, canEdit: () => this.#session.canEdit(), nextSeq, send: this.#strokeFrames.send, changed: requestDraw });
    this.#selection = new Selection({
      view,
      stamping: () => this.#stamping.active,
      lift: (rect) => this.#selectionActions.lift(rect),
      drag: (rect) => this.#selectionActions.drag(rect),
      drop: (from, to) => this.#selectionActions.drop(from, to),
      changed: requestDraw,
    });

    // The first fit measures the stage before the name, the pattern list and the panel's state
    // change the layout around it; the parts below write to the page, so they come after it.
    if (width !== undefined && height !== undefined) this.#initGrid(width, height);
    this.#status.showName(this.#session.name);
    this.#stamping = new Stamping(this.#session, banner, packColour(palette.pending), {
      view,
      pending,
      nextSeq,
      send,
      stampChanged: () => {
        this.#selection.show();
        this.#tools.update();
      },
      landed: (rect) => this.#selection.set(rect),
      changed: requestDraw,
    });
    this.#tools = new Tools(this.#canvas, this.#session, { stamping: () => this.#stamping.active, dropStamp: () => this.#stamping.set(undefined) });
    const sidePanel = new SidePanel();
    this.#presence = new Presence(this.#session, { send, reconnect: () => this.#connection.reconnect() });
    this.#ownerPanel = new OwnerPanel(this.#session, this.#requests, send, (message) => this.#banner.show(message, "info", 3000));
    new PatternExport(this.#session, {
      selection: () => this.#selection.rect,
      generation: () => this.#status.generation,
      openPanel: () => sidePanel.open(),
    });
    this.#selectionActions = new SelectionActions({
      session: this.#session,
      selection: this.#selection,
      stamping: this.#stamping,
      banner,
      module,
      ghostColour: packColour(palette.pending),
      changed: requestDraw,
    });
    new UndoControls(this.#session, this.#requests, banner, send);
    bindKeys({ ownerPanel: this.#ownerPanel, viewport: this.#viewport, tools: this.#tools, stamping: this.#stamping, selection: this.#selection, selectionActions: this.#selectionActions, sidePanel });
    this.#viewport.observeStage();
    this.#connection.open();
    exposeTestHooks({ session: this.#session, status: this.#status, connection: this.#connection, frames: this.#frames, viewport: this.#viewport, pending });
  }

  /** The camera, the overlay and pointer input, once the grid's size is known. */
  #initGrid(width: number, height: number): void {
    if (this.#viewport.view) return;
    const view = this.#viewport.create(width, height);
    this.#pending = new PendingEdits(width);
    new BoardInput(this.#canvas, view, {
      mode: () => this.#tools.effectiveMode(),
      stamping: () => this.#stamping.active,
      viewChanged: () => this.#viewport.changed(),
      hover: (x, y, pointerType) => {
        if (this.#stamping.active && pointerType !== "touch") this.#stamping.moveGhost(x, y);
        this.#presence.sendCursor(this.#viewport.inGrid(x, y) ? { x, y } : undefined);
      },
      leave: () => this.#presence.sendCursor(undefined),
      strokeStart: (x, y, alive, tentative) => {
        this.#strokeFrames.begin();
        this.#strokes.start(x, y, alive, tentative);
      },
      strokeTo: (x, y) => this.#strokes.to(x, y),
      strokeCommit: () => this.#strokes.commit(),
      strokeCancel: () => this.#strokes.cancel(),
      strokeEnd: () => this.#strokes.end(),
      selectStart: (x, y) => this.#selection.start(x, y),
      selectTo: (x, y) => this.#selection.to(x, y),
      selectEnd: () => this.#selection.end(),
      stampAt: (x, y, place) => this.#stamping.at(x, y, place),
    });
    this.#viewport.resize();
  }

  async #onMessage(message: ServerMessage): Promise<void> {
    switch (message.type) {
      case "welcome":
        this.#session.playerId = message.playerId;
        this.#session.colour = message.colour;
        this.#session.owner = message.owner;
        this.#frames.welcome();
        this.#viewport.forgetRequest();
        this.#presence.clear();
        this.#applySettings(message.settings);
        this.#status.setGeneration(message.generation);
        this.#viewport.sendViewport(true);
        this.#presence.render();
        break;
      case "keyframe":
        await this.#frames.keyframe(message);
        break;
      case "delta":
        await this.#frames.delta(message);
        break;
      case "step":
        await this.#frames.step(message);
        break;
      case "presence":
        this.#presence.update(message);
        this.#board.requestDraw();
        break;
      case "stats": {
        const settings = this.#session.settings;
        if (settings && settings.running !== message.running) {
          this.#session.settings = { ...settings, running: message.running };
          this.#showSettings();
        }
        this.#status.stats(message);
        this.#showFirstHint(message.population === 0);
        break;
      }
      case "settings":
        this.#applySettings(message.settings);
        break;
      case "ack":
        this.#pending?.ack(message.seq);
        this.#requests.acknowledged(message.seq, message.generation);
        break;
      case "error": {
        const { code, seq, reason } = message;
        if (seq !== 0) this.#pending?.drop(seq);
        // An owner's request says how it ended in the owner panel; the banner tells of refused
        // edits, and of the refusals that hold for every request (rate limit, lock).
        const tracked = this.#requests.refused(seq, reason);
        if (!tracked || code === ErrorCode.RATE_LIMITED || code === ErrorCode.LOCKED) this.#banner.show(refusalText(code, reason), "error", 4000);
        break;
      }
    }
  }

  /** The connection dropped: unacknowledged edits and requests died with it. */
  #lost(forGood: boolean): void {
    this.#pending?.clear();
    this.#strokes.abandon();
    this.#requests.failAll(forGood ? "disconnected" : "connection lost");
    if (!forGood) this.#board.requestDraw();
  }

  /** An empty room is not a black square: one line says what to do first. */
  #showFirstHint(empty: boolean): void {
    const hint = byId("first-hint", HTMLParagraphElement);
    hint.hidden = !empty;
    if (!empty) return;
    const run = this.#session.owner ? "then press Space (or Play) to run it" : "the owner runs it";
    setText(hint, this.#session.canEdit() ? `Empty so far: click or drag to draw cells, or pick a pattern under Patterns; ${run}.` : `Empty so far, and the owner has locked editing; ${run}.`);
  }

  #applySettings(settings: RoomSettings): void {
    this.#frames.settings(settings);
    this.#initGrid(settings.width, settings.height);
    this.#session.settings = settings;
    this.#session.name = settings.name;
    this.#status.showName(settings.name);
    this.#showSettings();
  }

  #showSettings(): void {
    const settings = this.#session.settings;
    if (!settings) return;
    this.#status.showSettings(settings);
    this.#ownerPanel.show(settings);
    this.#tools.update();
  }

  #scene(): Scene | undefined {
    const view = this.#viewport.view;
    const pending = this.#pending;
    if (!view || !pending) return undefined;
    return {
      view,
      region: this.#frames.region,
      pending,
      selection: this.#selection.rect,
      ghost: this.#stamping.ghost ?? this.#selectionActions.ghost,
      cursors: this.#presence.cursors(),
    };
  }
}
