/**
 * The page's clipboard: pattern text (RLE) to and from the system clipboard, so patterns move
 * between this app, Golly and LifeViewer, and a copy of what the page copied last, for when the
 * system clipboard is out of reach.
 *
 * - Writing uses navigator.clipboard.writeText. A browser may refuse it (no permission, the page
 *   not focused, an insecure origin); then the text is shown, selected, in a box over the board,
 *   for the player to copy by hand — a copy is never silently lost.
 * - Ctrl+V (Cmd+V) is read from the browser's own paste event rather than from readText: the
 *   event carries the text without a permission prompt, in every browser. So nothing takes that
 *   keydown (keys.ts leaves keys with Ctrl or Meta alone), or the event would never come.
 * - The "Paste from clipboard" button has no paste event, so it asks readText, which may prompt
 *   or be refused; then the page's own copy is used.
 * In a form field the keys keep their usual meaning: pasting into the RLE box pastes text.
 */
import { byId } from "../dom.ts";

export class PageClipboard {
  /** What this page copied last. */
  #text = "";

  /** `paste` receives the text of every paste outside form fields (the page's own copy when
   *  the system clipboard held no text). */
  constructor(paste: (text: string) => void) {
    document.addEventListener("paste", (e) => {
      if (isFormField(e.target)) return;
      e.preventDefault();
      paste(e.clipboardData?.getData("text/plain") || this.#text);
    });
    byId("clipboard-done", HTMLButtonElement).addEventListener("click", () => this.#hideBox());
  }

  /** Copies `text`; resolves whether the system clipboard took it (if not, the box shows it). */
  async write(text: string): Promise<boolean> {
    this.#text = text;
    try {
      await navigator.clipboard.writeText(text);
      this.#hideBox();
      return true;
    } catch {
      const area = byId("clipboard-text", HTMLTextAreaElement);
      area.value = text;
      byId("clipboard-box", HTMLDivElement).hidden = false;
      area.focus();
      area.select();
      return false;
    }
  }

  /** The system clipboard's text, or the page's own copy where it cannot be read or is empty. */
  async read(): Promise<string> {
    try {
      return (await navigator.clipboard.readText()) || this.#text;
    } catch {
      return this.#text;
    }
  }

  #hideBox(): void {
    byId("clipboard-box", HTMLDivElement).hidden = true;
  }
}

/** Whether keys and clipboard events aimed at `target` belong to a form field. */
export function isFormField(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLElement && target.isContentEditable;
}
