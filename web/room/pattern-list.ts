/**
 * The pattern library in the panel, as a filterable list of buttons; picking one starts
 * stamping it (stamping.ts), and the pattern being stamped stays marked.
 */
import type { LibraryPattern } from "../../common/patterns.ts";
import { byId, h } from "../dom.ts";

const KIND_LABEL: Record<LibraryPattern["kind"], string> = {
  still: "still life",
  oscillator: "oscillator",
  spaceship: "spaceship",
  gun: "gun",
  methuselah: "methuselah",
  replicator: "replicator",
};

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
