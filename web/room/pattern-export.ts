/**
 * The export panel: the whole grid or the selection as RLE text (fetched over HTTP), shown in
 * the panel, downloaded as a file named after the room and generation, or copied.
 */
import { exportPattern } from "../api.ts";
import { byId, h, setText } from "../dom.ts";
import type { CellRect } from "../view.ts";
import type { RoomSession } from "./session.ts";

export interface ExportHandlers {
  selection(): CellRect | undefined;
  generation(): number;
  /** The export shows its result in the side panel. */
  openPanel(): void;
}

export class PatternExport {
  readonly #session: RoomSession;
  readonly #handlers: ExportHandlers;
  #text = "";

  constructor(session: RoomSession, handlers: ExportHandlers) {
    this.#session = session;
    this.#handlers = handlers;
    byId("select-export", HTMLButtonElement).addEventListener("click", () => void this.#export(true));
    byId("export-grid", HTMLButtonElement).addEventListener("click", () => void this.#export(false));
    byId("export-selection", HTMLButtonElement).addEventListener("click", () => void this.#export(true));
    byId("export-download", HTMLButtonElement).addEventListener("click", () => {
      download(fileNameFor(this.#session.name, `-gen${this.#handlers.generation()}.rle`), this.#text, "application/x-rle");
    });
    byId("export-copy", HTMLButtonElement).addEventListener("click", async () => {
      const ok = await copyText(this.#text, byId("export-text", HTMLTextAreaElement));
      setText(byId("export-status", HTMLParagraphElement), ok ? "Copied to the clipboard." : "Copy failed: select the text and copy it.");
    });
  }

  async #export(selectionOnly: boolean): Promise<void> {
    const status = byId("export-status", HTMLParagraphElement);
    const output = byId("export-text", HTMLTextAreaElement);
    const panel = byId("export-panel", HTMLDetailsElement);
    const selection = selectionOnly ? this.#handlers.selection() : undefined;
    if (selectionOnly && !selection) return;
    panel.open = true;
    this.#handlers.openPanel();
    setText(status, "Exporting…");
    try {
      this.#text = await exportPattern(this.#session.id, selection);
      output.value = this.#text;
      setText(status, selection ? `Selection ${selection.w}×${selection.h} at (${selection.x}, ${selection.y}).` : "Whole grid.");
      byId("export-download", HTMLButtonElement).disabled = false;
      byId("export-copy", HTMLButtonElement).disabled = false;
    } catch (error) {
      setText(status, `Export failed: ${error instanceof Error ? error.message : "network error"}`);
    }
  }
}

/** Saves text as a file through a temporary object URL. */
function download(filename: string, text: string, type = "text/plain"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copies text; falls back to selecting a textarea where the async clipboard is refused. */
async function copyText(text: string, fallback: HTMLTextAreaElement): Promise<boolean> {
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
