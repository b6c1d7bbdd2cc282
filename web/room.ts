/**
 * The room page at "/r/<id>": wires the socket (net.ts), the known cells (world.ts), the camera
 * (view.ts), drawing (render.ts), pointer input (input.ts) and the panels (ui.ts) together.
 *
 * Data path: KEYFRAME/DELTA bits → Region pixels (on arrival) → one drawImage per animation
 * frame. At scale 1 the page also runs the room's engine on its rectangle (lockstep prediction,
 * common/predict.ts): a STEP frame makes it step its own cells and correct the band at the
 * rectangle's edges, and the blocks that changed go to the Region. Edits go the other way at once: a stroke's cells are drawn as pending, sent in small
 * batches (SET_CELLS, each with its own seq), and dropped from the overlay when the server
 * ACKs them (the DELTA showing the truth comes first) or answers with an ERROR.
 */
import { type Bitmap } from "../common/bitmap.ts";
import {
  type ControlAction,
  type PresenceEntry,
  type RoomSettings,
  type ServerMessage,
  CloseCode,
  ErrorCode,
  MAX_CELLS_PER_EDIT,
  MAX_CLIENT_FRAME_BYTES,
  MAX_PLAYER_NAME,
  MAX_SCALE,
  MAX_VIEW_SIDE,
  TILE_BYTES,
  decodePayload,
  keyframeBytes,
  sanitizeName,
} from "../common/protocol.ts";
import { type LibraryPattern, PATTERNS } from "../common/patterns.ts";
import { LockstepView } from "../common/predict.ts";
import { parsePattern, writeRle } from "../common/rle.ts";
import { formatRule, parseRule } from "../common/rules.ts";
import { ApiError, exportPattern, getRoom, stampPattern } from "./api.ts";
import { byId, formatCount, formatSize, setText } from "./dom.ts";
import { PopulationGraph } from "./graph.ts";
import { BoardInput, type Mode } from "./input.ts";
import { fillSpeedPresets, nearestSpeedPreset, tickMsFor } from "./lobby.ts";
import { type ConnectionState, RoomSocket } from "./net.ts";
import { ownerToken, savePlayerName, savedPlayerName } from "./owner.ts";
import { type Cursor, type Ghost, Renderer, readPalette } from "./render.ts";
import { describeRule, fillRulePresets } from "./rule-editor.ts";
import { type Stamp, countLive, flipHorizontal, forEachLive, ghostCanvas, rotateClockwise } from "./stamp.ts";
import { Banner, ConnectionIndicator, PatternList, PlayerList, closedText, colourCss, copyText, download, fileNameFor } from "./ui.ts";
import { type CellRect, View, cellsOnLine, containsRect } from "./view.ts";
import { PendingEdits, Region, loadLifeModule, packColour } from "./world.ts";

/** Strokes are sent in batches at most this often (and at once when a batch is full): 20 frames
 *  a second stays under the server's per-socket edit rate (worker/limits.ts). */
const STROKE_FLUSH_MS = 50;
/** Cursor positions go out at most this often; the server throttles presence to ~10 Hz too. */
const CURSOR_MS = 100;
/** Viewport requests while panning or zooming go out at most this often. */
const VIEWPORT_MS = 120;
/** The requested viewport reaches this fraction of the visible size beyond each edge, so short
 *  pans need no new keyframe. */
const VIEWPORT_MARGIN = 0.25;
/** Stamps with more live cells than this are shown only by their ghost until confirmed. */
const MAX_PENDING_STAMP_CELLS = 50_000;
/** The known region's pixels (4 bytes each in the offscreen canvas): 32 MiB at most. */
const MAX_REGION_PIXELS = 8 * 1024 * 1024;
const ZOOM_STEP = 1.5;

interface Stroke {
  alive: boolean;
  seq: number;
  /** Cells not sent yet: x0, y0, x1, y1, … */
  unsent: number[];
  committed: boolean;
  seen: Set<number>;
  lastX: number;
  lastY: number;
}

interface Request {
  label: string;
  done: (ok: boolean, detail: string) => void;
}

export async function startRoom(id: string): Promise<void> {
  byId("room", HTMLDivElement).hidden = false;
  const banner = new Banner();
  // The engine for prediction loads beside the room's details (a few kilobytes, same origin).
  const module = loadLifeModule();
  try {
    const info = await getRoom(id);
    new RoomPage(id, banner, await module, info.width, info.height, info.name);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      setText(byId("room-name", HTMLHeadingElement), "Room not found");
      document.title = "Room not found · edgelife";
      const conn = byId("conn", HTMLSpanElement);
      setText(conn, "Room not found");
      conn.dataset.state = "closed";
      banner.show("This room does not exist or was deleted.", "error", undefined, ["Back to the lobby", "/"]);
      return;
    }
    // The HTTP side failed for another reason: the socket may still work and tells us the size.
    new RoomPage(id, banner, await module);
  }
}

class RoomPage {
  readonly #id: string;
  readonly #token: string | undefined;
  readonly #banner: Banner;
  readonly #canvas = byId("board", HTMLCanvasElement);
  readonly #stage = byId("stage", HTMLDivElement);
  readonly #palette = readPalette(document.documentElement);
  readonly #aliveColour = packColour(this.#palette.cell);
  readonly #ghostColour = packColour(this.#palette.pending);
  readonly #renderer = new Renderer(this.#canvas, this.#palette);
  readonly #graph = new PopulationGraph(byId("graph", HTMLCanvasElement));
  readonly #players = new Map<number, PresenceEntry>();
  readonly #playerList = new PlayerList();
  readonly #connection: ConnectionIndicator;
  readonly #requests = new Map<number, Request>();
  /** The page's own engine on its rectangle at scale 1; undefined when Wasm did not load. */
  readonly #lockstep: LockstepView | undefined;
  #socket: RoomSocket;
  #view: View | undefined;
  #pending: PendingEdits | undefined;
  #input: BoardInput | undefined;
  #region: Region | undefined;
  #settings: RoomSettings | undefined;
  #name: string;
  #playerId = -1;
  #colour = 0xffffff;
  #owner = false;
  #generation = 0;
  #population = 0;
  #generationsPerSecond = 0;
  #playerCount = 0;
  #lastGeneration: number | null = null;
  #framesReceived = 0;
  #seq = 0;
  #mode: Mode = "draw";
  #stroke: Stroke | undefined;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #stamp: (Stamp & { ghost: Ghost; libraryId: string | undefined }) | undefined;
  #selectionAnchor: { x: number; y: number } | undefined;
  #selection: CellRect | undefined;
  #requested: { rect: CellRect; scale: number } | undefined;
  #viewportSentAt = 0;
  #viewportTimer: ReturnType<typeof setTimeout> | undefined;
  #cursorSentAt = 0;
  #cursorTimer: ReturnType<typeof setTimeout> | undefined;
  #cursorCell: { x: number; y: number } | undefined;
  #drawScheduled = false;
  #fitted = false;
  #patternList: PatternList;
  #exportText = "";

  constructor(id: string, banner: Banner, module: WebAssembly.Module | null, width?: number, height?: number, name = "") {
    this.#id = id;
    this.#lockstep = module ? new LockstepView(module) : undefined;
    this.#token = ownerToken(id);
    this.#banner = banner;
    this.#name = name;
    if (width !== undefined && height !== undefined) this.#initGrid(width, height);
    this.#showName();
    this.#connection = new ConnectionIndicator(() => this.#socket.retryNow());
    this.#patternList = new PatternList(PATTERNS, (pattern) => this.#pickPattern(pattern));
    this.#bindToolbar();
    this.#bindPanel();
    this.#bindOwnerControls();
    this.#bindPasteAndExport();
    this.#bindKeyboard();
    new ResizeObserver(() => this.#resize()).observe(this.#stage);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.#socket.retryNow();
    });
    this.#socket = this.#openSocket();
    this.#exposeTestHooks();
  }

  // ---------------------------------------------------------------------------------------------
  // Connection and frames

  #openSocket(): RoomSocket {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return new RoomSocket(`${scheme}//${location.host}/api/rooms/${encodeURIComponent(this.#id)}/ws`, {
      hello: () => ({
        type: "hello",
        name: sanitizeName(savedPlayerName(), MAX_PLAYER_NAME),
        resumeGeneration: this.#lastGeneration,
        token: this.#token ?? null,
        predict: this.#lockstep !== undefined,
      }),
      message: (message) => this.#onMessage(message),
      state: (state) => this.#onConnection(state),
      shouldRetry: async (attempt) => {
        // A refused upgrade looks like any network failure (1006) to a browser; ask over HTTP
        // whether the room still exists before trying again.
        if (attempt < 1) return true;
        try {
          await getRoom(this.#id);
          return true;
        } catch (error) {
          return !(error instanceof ApiError && error.status === 404);
        }
      },
    });
  }

  #onConnection(state: ConnectionState): void {
    this.#connection.set(state);
    if (state.kind === "open") {
      this.#banner.hide();
    } else if (state.kind === "closed") {
      this.#banner.show(`${closedText(state.code)}${state.reason && state.code !== CloseCode.ROOM_NOT_FOUND ? ` (${state.reason})` : ""}.`, "error", undefined, [
        "Back to the lobby",
        "/",
      ]);
      this.#pending?.clear();
      this.#stroke = undefined;
      this.#failRequests("disconnected");
    } else if (state.kind === "waiting") {
      if (state.code === CloseCode.TRY_AGAIN) this.#banner.show("This room is full right now; joining again in a few seconds.", "info");
      // Edits that were not acknowledged died with the connection; the keyframe on reconnect
      // shows what the room really holds.
      this.#pending?.clear();
      this.#stroke = undefined;
      this.#failRequests("connection lost");
      this.#requestDraw();
    }
  }

  async #onMessage(message: ServerMessage): Promise<void> {
    switch (message.type) {
      case "welcome":
        this.#playerId = message.playerId;
        this.#colour = message.colour;
        this.#owner = message.owner;
        this.#framesReceived = 0;
        this.#requested = undefined;
        this.#players.clear();
        this.#applySettings(message.settings);
        this.#setGeneration(message.generation);
        this.#sendViewport(true);
        this.#renderPlayers();
        break;
      case "keyframe": {
        const raw = await decodePayload(message.codec, message.payload, keyframeBytes(message.width, message.height));
        this.#frameReceived();
        if (!raw) {
          this.#socket.send({ type: "resync" });
          return;
        }
        this.#region = new Region(message.scale, message.x, message.y, message.width, message.height, message.generation, raw, this.#aliveColour);
        await this.#lockstep?.keyframe(message, raw);
        this.#setGeneration(message.generation);
        this.#requestDraw();
        break;
      }
      case "delta": {
        if (this.#lockstep?.active && message.scale === 1) {
          this.#predicted(await this.#lockstep.delta(message), message.generation);
          break;
        }
        const region = this.#region;
        const usable = region !== undefined && region.scale === message.scale;
        const tiles = usable ? await Promise.all(message.tiles.map((t) => decodePayload(t.codec, t.payload, TILE_BYTES))) : [];
        this.#frameReceived();
        if (!usable || region !== this.#region) break; // scale changed in flight; a keyframe follows
        let broken = false;
        tiles.forEach((raw, i) => {
          if (raw) region.applyTile(message.tiles[i].tx, message.tiles[i].ty, raw);
          else broken = true;
        });
        if (broken) this.#socket.send({ type: "resync" });
        region.generation = message.generation;
        this.#setGeneration(message.generation);
        this.#requestDraw();
        break;
      }
      case "step":
        if (this.#lockstep) this.#predicted(await this.#lockstep.step(message), message.to);
        else this.#frameReceived(); // never sent to a page that did not ask; counted all the same
        break;
      case "presence":
        if (message.full) this.#players.clear();
        for (const id of message.left) this.#players.delete(id);
        for (const player of message.players) this.#players.set(player.id, player);
        this.#renderPlayers();
        this.#requestDraw();
        break;
      case "stats":
        this.#population = message.population;
        this.#generationsPerSecond = message.generationsPerSecond;
        this.#playerCount = message.players;
        if (this.#settings && this.#settings.running !== message.running) {
          this.#settings = { ...this.#settings, running: message.running };
          this.#showSettings();
        }
        this.#setGeneration(message.generation);
        this.#graph.add(message.generation, message.population);
        this.#showStats();
        break;
      case "settings":
        this.#applySettings(message.settings);
        break;
      case "ack": {
        this.#pending?.ack(message.seq);
        const request = this.#requests.get(message.seq);
        if (request) {
          this.#requests.delete(message.seq);
          request.done(true, `${request.label}: done at generation ${formatCount(message.generation)}`);
        }
        break;
      }
      case "error":
        this.#onError(message.code, message.seq, message.reason);
        break;
    }
  }

  #onError(code: number, seq: number, reason: string): void {
    if (seq !== 0) this.#pending?.drop(seq);
    const request = this.#requests.get(seq);
    if (request) {
      this.#requests.delete(seq);
      request.done(false, `${request.label}: ${reason}`);
    }
    const message =
      code === ErrorCode.RATE_LIMITED
        ? "Slow down: the room is refusing edits for a moment."
        : code === ErrorCode.LOCKED
          ? "The owner has locked editing."
          : code === ErrorCode.OUT_OF_BOUNDS
            ? "That does not fit inside the grid."
            : code === ErrorCode.BAD_PATTERN
              ? `The pattern was refused: ${reason}`
              : `The room refused a request: ${reason}`;
    if (!request || code === ErrorCode.RATE_LIMITED || code === ErrorCode.LOCKED) this.#banner.show(message, "error", 4000);
  }

  /** After a STEP or DELTA went into the page's engine: the changed blocks go to the Region. */
  #predicted(outcome: "applied" | "ignored" | "resync", generation: number): void {
    this.#frameReceived();
    if (outcome === "resync") this.#socket.send({ type: "resync" });
    const region = this.#region;
    if (outcome !== "applied" || !region) return;
    this.#lockstep?.drainChanges((x, y, bits) => region.applyBlock(x, y, bits));
    region.generation = generation;
    this.#setGeneration(generation);
    this.#requestDraw();
  }

  #frameReceived(): void {
    // Flow control (docs/protocol.md): report every KEYFRAME/DELTA/STEP once handled, so a client
    // that cannot keep up is paused by the server and later resynced with one keyframe.
    this.#framesReceived++;
    this.#socket.send({ type: "received", frames: this.#framesReceived });
  }

  #failRequests(reason: string): void {
    for (const request of this.#requests.values()) request.done(false, `${request.label}: ${reason}`);
    this.#requests.clear();
  }

  #nextSeq(): number {
    this.#seq = (this.#seq % 0xffff_fffe) + 1;
    return this.#seq;
  }

  // ---------------------------------------------------------------------------------------------
  // Settings, stats and names

  #initGrid(width: number, height: number): void {
    if (this.#view) return;
    const view = new View(width, height);
    this.#view = view;
    this.#pending = new PendingEdits(width);
    this.#input = new BoardInput(this.#canvas, view, {
      mode: () => this.#effectiveMode(),
      stamping: () => this.#stamp !== undefined,
      viewChanged: () => this.#viewChanged(),
      hover: (x, y, type) => this.#hover(x, y, type),
      leave: () => this.#sendCursor(undefined),
      strokeStart: (x, y, alive, tentative) => this.#strokeStart(x, y, alive, tentative),
      strokeTo: (x, y) => this.#strokeTo(x, y),
      strokeCommit: () => this.#strokeCommit(),
      strokeCancel: () => this.#strokeCancel(),
      strokeEnd: () => this.#strokeEnd(),
      selectStart: (x, y) => this.#selectStart(x, y),
      selectTo: (x, y) => this.#selectTo(x, y),
      selectEnd: () => this.#selectEnd(),
      stampAt: (x, y, place) => this.#stampAt(x, y, place),
    });
    this.#resize();
  }

  #applySettings(settings: RoomSettings): void {
    this.#lockstep?.settings(settings);
    this.#initGrid(settings.width, settings.height);
    this.#settings = settings;
    this.#name = settings.name;
    this.#showName();
    this.#showSettings();
  }

  #showName(): void {
    // textContent and document.title take the name as text: markup in a name stays characters.
    setText(byId("room-name", HTMLHeadingElement), this.#name || "Untitled room");
    document.title = `${this.#name || "Room"} · edgelife`;
  }

  #showSettings(): void {
    const s = this.#settings;
    if (!s) return;
    const tps = 1000 / s.tickMs;
    const speed = `${tps >= 10 ? Math.round(tps) : Number(tps.toFixed(1))} ticks/s${s.generationsPerTick > 1 ? ` × ${s.generationsPerTick}` : ""}`;
    const parts = [formatSize(s.width, s.height), describeRule(formatRule(s.rule)), s.topology, speed];
    if (!s.running) parts.push("paused");
    if (s.locked) parts.push("editing locked");
    if (s.private) parts.push("private");
    setText(byId("room-meta", HTMLSpanElement), parts.join(" · "));

    const ownerPanel = byId("owner-panel", HTMLDetailsElement);
    ownerPanel.hidden = !this.#owner;
    if (this.#owner) {
      setText(byId("ctl-play", HTMLButtonElement), s.running ? "Pause" : "Play");
      byId("ctl-step", HTMLButtonElement).disabled = false;
      byId("ctl-locked", HTMLInputElement).checked = s.locked;
      byId("ctl-private", HTMLInputElement).checked = s.private;
      const rule = formatRule(s.rule);
      const ruleInput = byId("ctl-rule", HTMLInputElement);
      if (document.activeElement !== ruleInput) ruleInput.value = rule;
      const preset = byId("ctl-rule-preset", HTMLSelectElement);
      preset.value = [...preset.options].some((o) => o.value === rule) ? rule : "custom";
      byId("ctl-speed", HTMLSelectElement).value = String(nearestSpeedPreset(s.tickMs));
      const gpt = byId("ctl-gpt", HTMLInputElement);
      if (document.activeElement !== gpt) gpt.value = String(s.generationsPerTick);
    }
    this.#updateToolAvailability();
  }

  #canEdit(): boolean {
    return this.#owner || !this.#settings?.locked;
  }

  #effectiveMode(): Mode {
    return this.#canEdit() || this.#mode === "select" ? this.#mode : "move";
  }

  #updateToolAvailability(): void {
    const editable = this.#canEdit();
    for (const button of document.querySelectorAll<HTMLButtonElement>(".tool[data-mode]")) {
      const mode = button.dataset.mode;
      button.disabled = !editable && (mode === "draw" || mode === "erase");
      button.setAttribute("aria-pressed", String(mode === this.#effectiveMode()));
    }
    this.#canvas.dataset.mode = this.#stamp ? "stamp" : this.#effectiveMode();
  }

  #setGeneration(generation: number): void {
    this.#generation = generation;
    this.#lastGeneration = generation;
    this.#showStats();
  }

  #showStats(): void {
    setText(byId("stat-generation", HTMLElement), formatCount(this.#generation));
    setText(byId("stat-population", HTMLElement), formatCount(this.#population));
    setText(byId("stat-rate", HTMLElement), this.#generationsPerSecond >= 100 ? formatCount(Math.round(this.#generationsPerSecond)) : this.#generationsPerSecond.toFixed(1));
    setText(byId("stat-players", HTMLElement), formatCount(this.#playerCount));
  }

  #renderPlayers(): void {
    // The server names players who gave no name ("player 3"); show ours as the others see it.
    const self = this.#players.get(this.#playerId);
    const name = self?.name ?? sanitizeName(savedPlayerName(), MAX_PLAYER_NAME);
    this.#playerList.render(this.#players.values(), this.#playerId, name, self?.colour ?? this.#colour);
  }

  // ---------------------------------------------------------------------------------------------
  // View, viewport requests and drawing

  #resize(): void {
    const view = this.#view;
    if (!view) return;
    const rect = this.#stage.getBoundingClientRect();
    view.resize(rect.width, rect.height);
    this.#renderer.resize(rect.width, rect.height, window.devicePixelRatio || 1);
    if (!this.#fitted && rect.width > 1 && rect.height > 1) {
      this.#fitted = true;
      view.fit();
    }
    this.#viewChanged();
  }

  #viewChanged(): void {
    this.#requestDraw();
    this.#sendViewport(false);
  }

  /** The scale to ask for: the finest power of two at which one scaled cell covers at least a
   *  device pixel, the rectangle stays within MAX_VIEW_SIDE scaled cells a side, and the region's
   *  pixels stay within MAX_REGION_PIXELS. */
  #desiredViewport(): { rect: CellRect; scale: number } | undefined {
    const view = this.#view;
    if (!view) return undefined;
    const rect = view.paddedCells(VIEWPORT_MARGIN);
    if (rect.w === 0 || rect.h === 0) return undefined;
    const devicePixelsPerCell = view.scale * (window.devicePixelRatio || 1);
    let scale = 1;
    while (
      scale < MAX_SCALE &&
      (scale * devicePixelsPerCell < 1 ||
        rect.w / scale > MAX_VIEW_SIDE ||
        rect.h / scale > MAX_VIEW_SIDE ||
        (rect.w / scale) * (rect.h / scale) > MAX_REGION_PIXELS)
    ) {
      scale *= 2;
    }
    return { rect, scale };
  }

  /** Sends VIEWPORT when the view left the requested rectangle, needs another scale, or now
   *  covers a much smaller area than requested; `force` after (re)connecting. */
  #sendViewport(force: boolean): void {
    const view = this.#view;
    const desired = this.#desiredViewport();
    if (!view || !desired || !this.#socket?.isOpen) return;
    const requested = this.#requested;
    const needed =
      force ||
      !requested ||
      requested.scale !== desired.scale ||
      !containsRect(requested.rect, view.visibleCells()) ||
      requested.rect.w * requested.rect.h > 6 * desired.rect.w * desired.rect.h;
    if (!needed) return;
    const wait = this.#viewportSentAt + VIEWPORT_MS - Date.now();
    if (!force && wait > 0) {
      this.#viewportTimer ??= setTimeout(() => {
        this.#viewportTimer = undefined;
        this.#sendViewport(false);
      }, wait);
      return;
    }
    const { rect, scale } = desired;
    if (this.#socket.send({ type: "viewport", x: rect.x, y: rect.y, width: rect.w, height: rect.h, scale })) {
      this.#requested = desired;
      this.#viewportSentAt = Date.now();
    }
  }

  #requestDraw(): void {
    if (this.#drawScheduled) return;
    this.#drawScheduled = true;
    requestAnimationFrame(() => {
      this.#drawScheduled = false;
      this.#draw();
    });
  }

  #draw(): void {
    const view = this.#view;
    const pending = this.#pending;
    if (!view || !pending) return;
    this.#region?.flush();
    const cursors: Cursor[] = [];
    for (const p of this.#players.values()) {
      if (p.id !== this.#playerId && p.x >= 0 && p.y >= 0) cursors.push({ id: p.id, name: p.name, colour: colourCss(p.colour), x: p.x, y: p.y });
    }
    this.#renderer.draw({ view, region: this.#region, pending, selection: this.#selection, ghost: this.#stamp?.ghost, cursors });
    const zoom = view.scale >= 1 ? `1 cell = ${Number(view.scale.toFixed(view.scale < 10 ? 1 : 0))} px` : `1 px = ${Number((1 / view.scale).toFixed(1))} cells`;
    setText(byId("zoom-level", HTMLSpanElement), zoom);
  }

  #zoomBy(factor: number): void {
    const view = this.#view;
    if (!view) return;
    view.zoomAt(view.width / 2, view.height / 2, factor);
    this.#viewChanged();
  }

  #fit(): void {
    this.#view?.fit();
    this.#viewChanged();
  }

  #panBy(fx: number, fy: number): void {
    const view = this.#view;
    if (!view) return;
    view.panBy(fx * view.width, fy * view.height);
    this.#viewChanged();
  }

  // ---------------------------------------------------------------------------------------------
  // Drawing and erasing

  #inGrid(x: number, y: number): boolean {
    const view = this.#view;
    return view !== undefined && x >= 0 && y >= 0 && x < view.gridWidth && y < view.gridHeight;
  }

  #strokeStart(x: number, y: number, alive: boolean, tentative: boolean): void {
    if (!this.#canEdit()) {
      this.#banner.show("The owner has locked editing.", "info", 2500);
      return;
    }
    this.#stroke = { alive, seq: this.#nextSeq(), unsent: [], committed: !tentative, seen: new Set(), lastX: x, lastY: y };
    this.#addStrokeCell(x, y);
    this.#scheduleFlush();
  }

  #strokeTo(x: number, y: number): void {
    const stroke = this.#stroke;
    if (!stroke) return;
    const line = cellsOnLine(stroke.lastX, stroke.lastY, x, y);
    for (let i = 1; i < line.length; i++) this.#addStrokeCell(line[i][0], line[i][1]);
    stroke.lastX = x;
    stroke.lastY = y;
    this.#scheduleFlush();
  }

  #addStrokeCell(x: number, y: number): void {
    const stroke = this.#stroke;
    const pending = this.#pending;
    if (!stroke || !pending || !this.#inGrid(x, y)) return;
    const key = y * pending.gridWidth + x;
    if (stroke.seen.has(key)) return;
    stroke.seen.add(key);
    pending.add(stroke.seq, x, y, stroke.alive);
    stroke.unsent.push(x, y);
    if (stroke.committed && stroke.unsent.length >= MAX_CELLS_PER_EDIT * 2) this.#flushStroke();
    this.#requestDraw();
  }

  #strokeCommit(): void {
    if (!this.#stroke) return;
    this.#stroke.committed = true;
    this.#flushStroke();
  }

  #strokeCancel(): void {
    const stroke = this.#stroke;
    if (!stroke) return;
    this.#pending?.drop(stroke.seq);
    this.#stroke = undefined;
    this.#requestDraw();
  }

  #strokeEnd(): void {
    this.#flushStroke();
    this.#stroke = undefined;
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flushStroke();
    }, STROKE_FLUSH_MS);
  }

  /** Sends the stroke's unsent cells, at most MAX_CELLS_PER_EDIT per frame, each with its seq. */
  #flushStroke(): void {
    const stroke = this.#stroke;
    if (!stroke || !stroke.committed || stroke.unsent.length === 0) return;
    while (stroke.unsent.length > 0) {
      const batch = stroke.unsent.splice(0, MAX_CELLS_PER_EDIT * 2);
      const seq = stroke.seq;
      if (!this.#socket.send({ type: "setCells", seq, alive: stroke.alive, cells: Uint16Array.from(batch) })) {
        this.#pending?.drop(seq);
        this.#banner.show("Not connected: that edit was not sent.", "error", 3000);
      }
      // Later cells of this stroke belong to a new batch. Cells still unsent (a batch was full)
      // move to it, so acknowledging this batch does not clear them from the overlay.
      stroke.seq = this.#nextSeq();
      for (let i = 0; i < stroke.unsent.length; i += 2) this.#pending?.add(stroke.seq, stroke.unsent[i], stroke.unsent[i + 1], stroke.alive);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Presence

  #hover(x: number, y: number, pointerType: string): void {
    if (this.#stamp && pointerType !== "touch") this.#moveGhost(x, y);
    this.#sendCursor(this.#inGrid(x, y) ? { x, y } : undefined);
  }

  #sendCursor(cell: { x: number; y: number } | undefined): void {
    this.#cursorCell = cell;
    const wait = this.#cursorSentAt + CURSOR_MS - Date.now();
    if (wait > 0) {
      this.#cursorTimer ??= setTimeout(() => {
        this.#cursorTimer = undefined;
        this.#sendCursor(this.#cursorCell);
      }, wait);
      return;
    }
    this.#cursorSentAt = Date.now();
    this.#socket.send({ type: "cursor", x: cell?.x ?? -1, y: cell?.y ?? -1 });
  }

  // ---------------------------------------------------------------------------------------------
  // Selection

  #selectStart(x: number, y: number): void {
    this.#selectionAnchor = { x, y };
    this.#selectTo(x, y);
  }

  #selectTo(x: number, y: number): void {
    const a = this.#selectionAnchor;
    const view = this.#view;
    if (!a || !view) return;
    const x0 = Math.max(0, Math.min(a.x, x));
    const y0 = Math.max(0, Math.min(a.y, y));
    const x1 = Math.min(view.gridWidth, Math.max(a.x, x) + 1);
    const y1 = Math.min(view.gridHeight, Math.max(a.y, y) + 1);
    this.#selection = x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : undefined;
    this.#showSelection();
    this.#requestDraw();
  }

  #selectEnd(): void {
    this.#selectionAnchor = undefined;
  }

  #clearSelection(): void {
    this.#selection = undefined;
    this.#showSelection();
    this.#requestDraw();
  }

  #showSelection(): void {
    const s = this.#selection;
    byId("select-bar", HTMLDivElement).hidden = !s || this.#stamp !== undefined;
    byId("export-selection", HTMLButtonElement).disabled = !s;
    setText(byId("select-size", HTMLSpanElement), s ? `${s.w}×${s.h} at (${s.x}, ${s.y})` : "");
  }

  // ---------------------------------------------------------------------------------------------
  // Stamps: library patterns and pasted text

  #pickPattern(pattern: LibraryPattern): void {
    const parsed = parsePattern(pattern.rle);
    if (!parsed.ok) return; // the library is tested; a broken entry is simply not stampable
    this.#setStamp({ name: pattern.name, bitmap: parsed.value.bitmap, rule: pattern.rule }, pattern.id);
  }

  #setStamp(stamp: Stamp | undefined, libraryId?: string): void {
    const view = this.#view;
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
          x: centreX - Math.floor(stamp.bitmap.width / 2),
          y: centreY - Math.floor(stamp.bitmap.height / 2),
          width: stamp.bitmap.width,
          height: stamp.bitmap.height,
          image: ghostCanvas(stamp.bitmap, this.#ghostColour),
        },
      };
      this.#patternList.select(libraryId);
      setText(byId("stamp-name", HTMLElement), stamp.name);
      setText(byId("stamp-size", HTMLSpanElement), `${stamp.bitmap.width}×${stamp.bitmap.height}, ${formatCount(countLive(stamp.bitmap))} cells`);
      const rule = stamp.rule ? parseRule(stamp.rule) : undefined;
      if (rule?.ok && this.#settings && formatRule(rule.value.rule) !== formatRule(this.#settings.rule)) {
        this.#banner.show(`${stamp.name} is made for ${describeRule(stamp.rule ?? "")}; this room runs ${describeRule(formatRule(this.#settings.rule))}.`, "info", 5000);
      }
    }
    byId("stamp-bar", HTMLDivElement).hidden = this.#stamp === undefined;
    this.#showSelection();
    this.#updateToolAvailability();
    this.#requestDraw();
  }

  #moveGhost(x: number, y: number): void {
    const stamp = this.#stamp;
    if (!stamp) return;
    stamp.ghost.x = x - Math.floor(stamp.bitmap.width / 2);
    stamp.ghost.y = y - Math.floor(stamp.bitmap.height / 2);
    this.#requestDraw();
  }

  #stampAt(x: number, y: number, place: boolean): void {
    this.#moveGhost(x, y);
    if (place) void this.#placeStamp();
  }

  #transformStamp(transform: (bitmap: Bitmap) => Bitmap): void {
    const stamp = this.#stamp;
    if (!stamp) return;
    // Still the same library pattern, only turned: its button stays marked.
    this.#setStamp({ name: stamp.name, bitmap: transform(stamp.bitmap), rule: stamp.rule }, stamp.libraryId);
  }

  /** Stamps at the ghost: over the socket when the RLE fits a frame, else over HTTP. */
  async #placeStamp(): Promise<void> {
    const stamp = this.#stamp;
    const settings = this.#settings;
    const pending = this.#pending;
    if (!stamp || !settings || !pending) return;
    if (!this.#canEdit()) {
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
    const text = writeRle(stamp.bitmap, { rule: settings.rule });
    const seq = this.#nextSeq();
    if (countLive(stamp.bitmap) <= MAX_PENDING_STAMP_CELLS) {
      forEachLive(stamp.bitmap, (cx, cy) => {
        const gx = (x + cx) % settings.width;
        const gy = (y + cy) % settings.height;
        pending.add(seq, gx, gy, true);
      });
    }
    this.#requestDraw();
    // 19 bytes of STAMP header + the text; UTF-8 of RLE is ASCII, so length is bytes.
    if (text.length + 19 <= MAX_CLIENT_FRAME_BYTES && this.#socket.send({ type: "stamp", seq, x, y, mode: "or", pattern: text })) return;
    try {
      await stampPattern(this.#id, x, y, text);
      pending.ack(seq);
    } catch (error) {
      pending.drop(seq);
      this.#banner.show(`The stamp was refused: ${error instanceof Error ? error.message : "network error"}.`, "error", 4000);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Toolbar, panel, owner controls, paste and export

  #setMode(mode: Mode): void {
    this.#mode = mode;
    if (this.#stamp) this.#setStamp(undefined);
    this.#updateToolAvailability();
  }

  #bindToolbar(): void {
    for (const button of document.querySelectorAll<HTMLButtonElement>(".tool[data-mode]")) {
      button.addEventListener("click", () => {
        const mode = button.dataset.mode;
        if (mode === "move" || mode === "draw" || mode === "erase" || mode === "select") this.#setMode(mode);
      });
    }
    byId("zoom-in", HTMLButtonElement).addEventListener("click", () => this.#zoomBy(ZOOM_STEP));
    byId("zoom-out", HTMLButtonElement).addEventListener("click", () => this.#zoomBy(1 / ZOOM_STEP));
    byId("zoom-fit", HTMLButtonElement).addEventListener("click", () => this.#fit());
    byId("stamp-rotate", HTMLButtonElement).addEventListener("click", () => this.#transformStamp(rotateClockwise));
    byId("stamp-flip", HTMLButtonElement).addEventListener("click", () => this.#transformStamp(flipHorizontal));
    byId("stamp-place", HTMLButtonElement).addEventListener("click", () => void this.#placeStamp());
    byId("stamp-cancel", HTMLButtonElement).addEventListener("click", () => this.#setStamp(undefined));
    byId("select-export", HTMLButtonElement).addEventListener("click", () => void this.#export(true));
    byId("select-clear", HTMLButtonElement).addEventListener("click", () => this.#clearSelection());
  }

  #bindPanel(): void {
    const panel = byId("panel", HTMLElement);
    const toggle = byId("panel-toggle", HTMLButtonElement);
    const set = (open: boolean) => {
      panel.classList.toggle("collapsed", !open);
      toggle.setAttribute("aria-expanded", String(open));
      // The stage changes size; the ResizeObserver redraws.
    };
    set(!matchMedia("(max-width: 720px)").matches);
    toggle.addEventListener("click", () => set(panel.classList.contains("collapsed")));
    this.#togglePanel = () => set(panel.classList.contains("collapsed"));

    const nameInput = byId("player-name", HTMLInputElement);
    nameInput.value = savedPlayerName();
    const saveName = () => {
      const name = sanitizeName(nameInput.value, MAX_PLAYER_NAME);
      nameInput.value = name;
      savePlayerName(name);
      // The name travels in HELLO: reconnect so the others see it.
      this.#socket.close();
      this.#socket = this.#openSocket();
    };
    byId("player-name-save", HTMLButtonElement).addEventListener("click", saveName);
    nameInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") saveName();
    });
  }

  #togglePanel: () => void = () => {};

  #control(action: ControlAction, label: string, button?: HTMLButtonElement): void {
    const status = byId("ctl-status", HTMLParagraphElement);
    const seq = this.#nextSeq();
    if (!this.#socket.send({ type: "control", seq, control: action })) {
      setText(status, `${label}: not connected`);
      return;
    }
    if (button) button.disabled = true;
    setText(status, `${label}…`);
    this.#requests.set(seq, {
      label,
      done: (ok, detail) => {
        if (button) button.disabled = false;
        setText(status, detail);
        status.classList.toggle("error", !ok);
      },
    });
  }

  #togglePlay(): void {
    if (!this.#owner || !this.#settings) return;
    this.#control({ action: this.#settings.running ? "pause" : "resume" }, this.#settings.running ? "Pause" : "Play", byId("ctl-play", HTMLButtonElement));
  }

  #step(generations: number, button?: HTMLButtonElement): void {
    if (!this.#owner || !this.#settings) return;
    // Stepping runs while paused; pause first so "n" works on a running room.
    if (this.#settings.running) this.#control({ action: "pause" }, "Pause");
    this.#control({ action: "step", generations }, `Step ${formatCount(generations)}`, button);
  }

  #bindOwnerControls(): void {
    const speed = byId("ctl-speed", HTMLSelectElement);
    fillSpeedPresets(speed, 10);
    const rulePreset = byId("ctl-rule-preset", HTMLSelectElement);
    fillRulePresets(rulePreset);
    const ruleInput = byId("ctl-rule", HTMLInputElement);
    rulePreset.addEventListener("change", () => {
      if (rulePreset.value !== "custom") ruleInput.value = rulePreset.value;
    });
    byId("ctl-play", HTMLButtonElement).addEventListener("click", () => this.#togglePlay());
    byId("ctl-step", HTMLButtonElement).addEventListener("click", (e) => this.#step(1, e.currentTarget as HTMLButtonElement));
    const stepN = byId("ctl-step-n", HTMLInputElement);
    const stepGo = byId("ctl-step-n-go", HTMLButtonElement);
    stepGo.addEventListener("click", () => {
      const n = Math.trunc(Number(stepN.value));
      if (n >= 1 && n <= 100_000) this.#step(n, stepGo);
      else setText(byId("ctl-status", HTMLParagraphElement), "Step: choose 1 to 100,000 generations");
    });
    const gpt = byId("ctl-gpt", HTMLInputElement);
    byId("ctl-speed-set", HTMLButtonElement).addEventListener("click", (e) => {
      const generationsPerTick = Math.trunc(Number(gpt.value));
      if (!(generationsPerTick >= 1 && generationsPerTick <= 1000)) {
        setText(byId("ctl-status", HTMLParagraphElement), "Speed: 1 to 1000 generations per tick");
        return;
      }
      this.#control({ action: "configure", tickMs: tickMsFor(Number(speed.value)), generationsPerTick }, "Speed", e.currentTarget as HTMLButtonElement);
    });
    byId("ctl-rule-set", HTMLButtonElement).addEventListener("click", (e) => {
      const parsed = parseRule(ruleInput.value);
      if (!parsed.ok) {
        setText(byId("ctl-status", HTMLParagraphElement), parsed.error);
        return;
      }
      this.#control({ action: "configure", rule: formatRule(parsed.value.rule) }, "Rule", e.currentTarget as HTMLButtonElement);
    });
    const density = byId("ctl-density", HTMLInputElement);
    byId("ctl-randomize", HTMLButtonElement).addEventListener("click", (e) => {
      const d = Number(density.value);
      if (!(d >= 0 && d <= 1)) return;
      const seed = crypto.getRandomValues(new Uint32Array(1))[0];
      this.#control({ action: "randomize", density: d, seed }, "Randomize", e.currentTarget as HTMLButtonElement);
    });
    // Clearing is not undoable: the button asks for a second click instead of a modal dialog.
    const clear = byId("ctl-clear", HTMLButtonElement);
    let armed: ReturnType<typeof setTimeout> | undefined;
    clear.addEventListener("click", () => {
      if (armed === undefined) {
        setText(clear, "Really clear?");
        armed = setTimeout(() => {
          armed = undefined;
          setText(clear, "Clear");
        }, 3000);
        return;
      }
      clearTimeout(armed);
      armed = undefined;
      setText(clear, "Clear");
      this.#control({ action: "clear" }, "Clear", clear);
    });
    const locked = byId("ctl-locked", HTMLInputElement);
    locked.addEventListener("change", () => this.#control({ action: "configure", locked: locked.checked }, locked.checked ? "Lock editing" : "Unlock editing"));
    const isPrivate = byId("ctl-private", HTMLInputElement);
    isPrivate.addEventListener("change", () => this.#control({ action: "configure", private: isPrivate.checked }, isPrivate.checked ? "Make private" : "Make public"));
  }

  #bindPasteAndExport(): void {
    const pasteText = byId("paste-text", HTMLTextAreaElement);
    const pasteError = byId("paste-error", HTMLParagraphElement);
    byId("paste-use", HTMLButtonElement).addEventListener("click", () => {
      const parsed = parsePattern(pasteText.value);
      if (!parsed.ok) {
        pasteError.hidden = false;
        setText(pasteError, parsed.error);
        return;
      }
      pasteError.hidden = true;
      const file = parsed.value;
      this.#setStamp({ name: file.name || "Pasted pattern", bitmap: file.bitmap, rule: file.rule ? formatRule(file.rule.rule) : undefined });
    });

    byId("export-grid", HTMLButtonElement).addEventListener("click", () => void this.#export(false));
    byId("export-selection", HTMLButtonElement).addEventListener("click", () => void this.#export(true));
    byId("export-download", HTMLButtonElement).addEventListener("click", () => {
      download(fileNameFor(this.#name, `-gen${this.#generation}.rle`), this.#exportText, "application/x-rle");
    });
    byId("export-copy", HTMLButtonElement).addEventListener("click", async () => {
      const ok = await copyText(this.#exportText, byId("export-text", HTMLTextAreaElement));
      setText(byId("export-status", HTMLParagraphElement), ok ? "Copied to the clipboard." : "Copy failed: select the text and copy it.");
    });
  }

  async #export(selectionOnly: boolean): Promise<void> {
    const status = byId("export-status", HTMLParagraphElement);
    const output = byId("export-text", HTMLTextAreaElement);
    const panel = byId("export-panel", HTMLDetailsElement);
    const selection = selectionOnly ? this.#selection : undefined;
    if (selectionOnly && !selection) return;
    panel.open = true;
    byId("panel", HTMLElement).classList.remove("collapsed");
    setText(status, "Exporting…");
    try {
      this.#exportText = await exportPattern(this.#id, selection);
      output.value = this.#exportText;
      setText(status, selection ? `Selection ${selection.w}×${selection.h} at (${selection.x}, ${selection.y}).` : "Whole grid.");
      byId("export-download", HTMLButtonElement).disabled = false;
      byId("export-copy", HTMLButtonElement).disabled = false;
    } catch (error) {
      setText(status, `Export failed: ${error instanceof Error ? error.message : "network error"}`);
    }
  }

  #bindKeyboard(): void {
    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target;
      if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
      if (target instanceof HTMLElement && target.isContentEditable) return;
      const handled = this.#key(e.key, e.shiftKey);
      if (handled) e.preventDefault();
    });
  }

  /** Keyboard shortcuts; returns whether the key was used. */
  #key(key: string, shift: boolean): boolean {
    const pan = shift ? 0.5 : 0.125;
    switch (key) {
      case " ":
        this.#togglePlay();
        return true;
      case "n":
        this.#step(1, byId("ctl-step", HTMLButtonElement));
        return true;
      case "+":
      case "=":
        this.#zoomBy(ZOOM_STEP);
        return true;
      case "-":
      case "_":
        this.#zoomBy(1 / ZOOM_STEP);
        return true;
      case "f":
        this.#fit();
        return true;
      case "ArrowLeft":
        this.#panBy(pan, 0);
        return true;
      case "ArrowRight":
        this.#panBy(-pan, 0);
        return true;
      case "ArrowUp":
        this.#panBy(0, pan);
        return true;
      case "ArrowDown":
        this.#panBy(0, -pan);
        return true;
      case "m":
        this.#setMode("move");
        return true;
      case "d":
        this.#setMode("draw");
        return true;
      case "e":
        this.#setMode("erase");
        return true;
      case "s":
        this.#setMode("select");
        return true;
      case "r":
        this.#transformStamp(rotateClockwise);
        return true;
      case "x":
        this.#transformStamp(flipHorizontal);
        return true;
      case "Enter":
        if (!this.#stamp) return false;
        void this.#placeStamp();
        return true;
      case "Escape":
        if (this.#stamp) this.#setStamp(undefined);
        else this.#clearSelection();
        return true;
      case "p":
        this.#togglePanel();
        return true;
      default:
        return false;
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Read-only test hooks for the browser tests (test/web/): the state they cannot read from the
   * pixels alone. Nothing here changes the room; the tests drive the page through its controls.
   */
  #exposeTestHooks(): void {
    const page = this;
    const hooks = {
      get generation() {
        return page.#generation;
      },
      get population() {
        return page.#population;
      },
      get connected() {
        return page.#connection.state.kind === "open" && page.#playerId >= 0;
      },
      get owner() {
        return page.#owner;
      },
      get playerId() {
        return page.#playerId;
      },
      get players() {
        return page.#playerCount;
      },
      get running() {
        return page.#settings?.running ?? false;
      },
      get pending() {
        return page.#pending?.size ?? 0;
      },
      get view() {
        const v = page.#view;
        return v ? { cx: v.cx, cy: v.cy, scale: v.scale, width: v.width, height: v.height } : undefined;
      },
      get region() {
        const r = page.#region;
        return r ? { x: r.x, y: r.y, width: r.width, height: r.height, scale: r.scale, generation: r.generation, alive: r.countAlive() } : undefined;
      },
      /** Where the centre of grid cell (x, y) is, in CSS pixels relative to the board canvas. */
      cellToScreen(x: number, y: number) {
        return page.#view?.cellToScreen(x + 0.5, y + 0.5);
      },
      /** Lockstep prediction: whether the page runs the engine on its region, and what it did. */
      get lockstep() {
        const l = page.#lockstep;
        return l ? { active: l.active, ...l.counts } : undefined;
      },
      /** The cell as the page knows it (region bits), or undefined outside the known region. */
      cellAt(x: number, y: number) {
        return page.#region?.cellAt(x, y);
      },
    };
    Object.defineProperty(window, "__edgelife", { value: Object.freeze(hooks), configurable: false, writable: false });
  }
}
