/**
 * The room page's DOM pieces that only display things: connection status, stats, the player
 * list, the pattern library list, toasts, and file download / clipboard helpers. Every name
 * or reason from the network goes in as text.
 */
import { type PresenceEntry, CloseCode } from "../common/protocol.ts";
import type { LibraryPattern } from "../common/patterns.ts";
import type { ConnectionState } from "./net.ts";
import { byId, h, replaceChildren, setText } from "./dom.ts";

export function colourCss(colour: number): string {
  return `#${(colour & 0xffffff).toString(16).padStart(6, "0")}`;
}

/** The status pill's text and state attribute; `now` is for the retry countdown. */
export function describeConnection(state: ConnectionState, now: number): { text: string; kind: string } {
  switch (state.kind) {
    case "connecting":
      return { text: state.attempt === 0 ? "Connecting…" : "Reconnecting…", kind: "connecting" };
    case "open":
      return { text: "Live", kind: "open" };
    case "waiting": {
      const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
      const why = state.code === CloseCode.TRY_AGAIN ? "Room full" : "Offline";
      return { text: `${why} · retry in ${seconds}s`, kind: "reconnecting" };
    }
    case "closed":
      return { text: closedText(state.code), kind: "closed" };
  }
}

/** A sentence for the banner shown after a terminal close. */
export function closedText(code: number): string {
  switch (code) {
    case CloseCode.ROOM_NOT_FOUND:
      return "Room not found";
    case CloseCode.POLICY:
      return "Disconnected: too many refused requests";
    case CloseCode.UNSUPPORTED:
      return "Disconnected: the server could not read this client's messages";
    case CloseCode.TOO_BIG:
      return "Disconnected: a message was too large";
    default:
      return "Disconnected";
  }
}

export class ConnectionIndicator {
  readonly #element = byId("conn", HTMLSpanElement);
  #state: ConnectionState = { kind: "connecting", attempt: 0 };
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(onRetry: () => void) {
    this.#element.addEventListener("click", () => {
      if (this.#state.kind === "waiting") onRetry();
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  set(state: ConnectionState): void {
    this.#state = state;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (state.kind === "waiting") this.#timer = setInterval(() => this.#render(), 1000);
    this.#render();
  }

  #render(): void {
    const { text, kind } = describeConnection(this.#state, Date.now());
    setText(this.#element, text);
    this.#element.dataset.state = kind;
    this.#element.title = this.#state.kind === "waiting" ? "Click to retry now" : "";
  }
}

/** A message over the board: errors (room not found, locked) and short notices. */
export class Banner {
  readonly #element = byId("banner", HTMLDivElement);
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Shows `message`; with `ms` it hides itself again. Links are given as [text, href]. */
  show(message: string, kind: "error" | "info", ms?: number, link?: [string, string]): void {
    clearTimeout(this.#timer);
    replaceChildren(this.#element, message, link ? " " : null, link ? h("a", { href: link[1] }, link[0]) : null);
    this.#element.dataset.kind = kind;
    this.#element.hidden = false;
    if (ms !== undefined) this.#timer = setTimeout(() => this.hide(), ms);
  }

  hide(): void {
    clearTimeout(this.#timer);
    this.#element.hidden = true;
  }
}

export class PlayerList {
  readonly #list = byId("players", HTMLUListElement);
  #signature = "";

  render(players: Iterable<PresenceEntry>, selfId: number, selfName: string, selfColour: number): void {
    const entries = [...players].filter((p) => p.id !== selfId).sort((a, b) => a.id - b.id);
    const signature = JSON.stringify([selfId, selfName, selfColour, entries.map((p) => [p.id, p.name, p.colour])]);
    if (signature === this.#signature) return;
    this.#signature = signature;
    const item = (name: string, colour: number, you: boolean) =>
      h(
        "li",
        {},
        swatch(colour),
        h("span", { class: "player-name" }, name || "anonymous"),
        you ? h("span", { class: "you" }, "(you)") : null,
      );
    replaceChildren(this.#list, item(selfName, selfColour, true), ...entries.map((p) => item(p.name, p.colour, false)));
  }
}

function swatch(colour: number): HTMLSpanElement {
  const element = h("span", { class: "swatch", "aria-hidden": "true" });
  element.style.background = colourCss(colour);
  return element;
}

const KIND_LABEL: Record<LibraryPattern["kind"], string> = {
  still: "still life",
  oscillator: "oscillator",
  spaceship: "spaceship",
  gun: "gun",
  methuselah: "methuselah",
  replicator: "replicator",
};

/** The pattern library as a filterable list of buttons. */
export class PatternList {
  readonly #list = byId("pattern-list", HTMLUListElement);
  readonly #buttons = new Map<string, HTMLButtonElement>();

  constructor(patterns: readonly LibraryPattern[], onPick: (pattern: LibraryPattern) => void) {
    for (const pattern of patterns) {
      const button = h(
        "button",
        { type: "button", "data-pattern": pattern.id, "aria-pressed": "false" },
        h("span", { class: "pattern-name" }, pattern.name, h("span", { class: "pattern-kind" }, KIND_LABEL[pattern.kind])),
        h("span", { class: "pattern-description" }, pattern.rule ? `${pattern.description} (rule ${pattern.rule})` : pattern.description),
      );
      button.addEventListener("click", () => onPick(pattern));
      this.#buttons.set(pattern.id, button);
      this.#list.append(h("li", {}, button));
    }
    const filter = byId("pattern-filter", HTMLInputElement);
    filter.addEventListener("input", () => {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      for (const pattern of patterns) {
        const text = `${pattern.name} ${pattern.kind} ${KIND_LABEL[pattern.kind]} ${pattern.description}`.toLowerCase();
        const item = this.#buttons.get(pattern.id)?.parentElement;
        if (item) item.hidden = !words.every((w) => text.includes(w));
      }
    });
  }

  /** Marks the pattern being stamped (or none). */
  select(id: string | undefined): void {
    for (const [key, button] of this.#buttons) button.setAttribute("aria-pressed", String(key === id));
  }
}

/** Saves text as a file through a temporary object URL. */
export function download(filename: string, text: string, type = "text/plain"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copies text; falls back to selecting a textarea where the async clipboard is refused. */
export async function copyText(text: string, fallback: HTMLTextAreaElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    fallback.focus();
    fallback.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  }
}

/** A file name from a room name: letters, digits and dashes only. */
export function fileNameFor(roomName: string, suffix: string): string {
  const base = roomName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "edgelife";
  return `${base}${suffix}`;
}
