/**
 * Choosing a rule: a preset list with a one-line description of each, birth and survival
 * checkboxes for 0–8 neighbours, and the rule string, all kept in step. Used by the create
 * form in the lobby and by the owner controls in a room.
 */
import { type Rule, type RuleBounds, NAMED_RULES, formatRule, parseRule, ruleName, rulesEqual } from "../common/rules.ts";
import { h, setText } from "./dom.ts";

const CUSTOM = "custom";

/** The headline rules first, then the rest of the named rules. */
const FEATURED = ["Life", "HighLife", "Seeds", "Day & Night", "Life without Death", "Replicator", "Morley", "Diamoeba", "Maze", "Anneal", "2x2", "Coral"];

function presetOrder() {
  const featured = FEATURED.map((name) => NAMED_RULES.find((r) => r.name === name)).filter((r) => r !== undefined);
  return [...featured, ...NAMED_RULES.filter((r) => !FEATURED.includes(r.name))];
}

/** Fills a <select> with the named rules (value = canonical rule string) and "Custom". */
export function fillRulePresets(select: HTMLSelectElement): void {
  select.replaceChildren();
  for (const entry of presetOrder()) {
    select.append(h("option", { value: formatRule(entry.rule) }, `${entry.name} (${formatRule(entry.rule)})`));
  }
  select.append(h("option", { value: CUSTOM }, "Custom…"));
}

/** "B36/S23 (HighLife)" or just "B2/S123" for a rule without a common name. */
export function describeRule(text: string): string {
  const parsed = parseRule(text);
  if (!parsed.ok) return text;
  const canonical = formatRule(parsed.value.rule);
  const name = ruleName(parsed.value.rule);
  return name ? `${canonical} (${name})` : canonical;
}

export class RuleEditor {
  readonly #preset: HTMLSelectElement;
  readonly #description: HTMLElement;
  readonly #birth: HTMLInputElement[] = [];
  readonly #survive: HTMLInputElement[] = [];
  readonly #text: HTMLInputElement;
  #rule: Rule | undefined;
  #bounds: RuleBounds | undefined;
  #onChange: () => void = () => {};

  /** Builds the checkboxes and the rule string input inside `fieldset`. */
  constructor(preset: HTMLSelectElement, description: HTMLElement, fieldset: HTMLElement, idPrefix: string) {
    this.#preset = preset;
    this.#description = description;
    fillRulePresets(preset);
    const row = (title: string, boxes: HTMLInputElement[], part: string) => {
      const container = h("div", { class: "bits", role: "group", "aria-label": title }, h("span", { class: "bits-title", "aria-hidden": "true" }, title));
      for (let n = 0; n <= 8; n++) {
        const box = h("input", { type: "checkbox", id: `${idPrefix}-${part}${n}`, "aria-label": `${title}: ${n} neighbour${n === 1 ? "" : "s"}` });
        box.addEventListener("change", () => this.#fromBoxes());
        boxes.push(box);
        container.append(h("label", { class: "bit", for: box.id }, String(n), box));
      }
      return container;
    };
    this.#text = h("input", { type: "text", id: `${idPrefix}-string`, spellcheck: "false", autocomplete: "off", "aria-describedby": description.id });
    fieldset.append(
      row("Birth", this.#birth, "b"),
      row("Survival", this.#survive, "s"),
      h("div", { class: "row rule-string-row" }, h("label", { for: this.#text.id }, "Rule string"), this.#text),
    );
    preset.addEventListener("change", () => {
      if (preset.value !== CUSTOM) this.set(preset.value);
      else this.#describe();
    });
    this.#text.addEventListener("input", () => this.#fromText());
    this.set("B3/S23");
  }

  onChange(listener: () => void): void {
    this.#onChange = listener;
  }

  /** The chosen rule as a canonical string, or undefined while the text does not parse. */
  value(): string | undefined {
    return this.#rule ? formatRule(this.#rule) : undefined;
  }

  /** The grid suffix (`:T…`/`:P…`) typed with the rule, if any: the form takes its size from it. */
  bounds(): RuleBounds | undefined {
    return this.#bounds;
  }

  set(text: string): void {
    const parsed = parseRule(text);
    if (!parsed.ok) return;
    this.#rule = parsed.value.rule;
    this.#bounds = undefined;
    this.#text.value = formatRule(this.#rule);
    this.#syncBoxes();
    this.#syncPreset();
    this.#describe();
  }

  #fromBoxes(): void {
    let birth = 0;
    let survive = 0;
    for (let n = 0; n <= 8; n++) {
      if (this.#birth[n].checked) birth |= 1 << n;
      if (this.#survive[n].checked) survive |= 1 << n;
    }
    this.#rule = { birth, survive };
    this.#bounds = undefined;
    this.#text.value = formatRule(this.#rule);
    this.#text.removeAttribute("aria-invalid");
    this.#syncPreset();
    this.#describe();
  }

  #fromText(): void {
    const parsed = parseRule(this.#text.value);
    if (!parsed.ok) {
      this.#rule = undefined;
      this.#text.setAttribute("aria-invalid", "true");
      setText(this.#description, parsed.error);
      this.#description.classList.add("error");
      this.#onChange();
      return;
    }
    this.#text.removeAttribute("aria-invalid");
    this.#rule = parsed.value.rule;
    this.#bounds = parsed.value.bounds;
    this.#syncBoxes();
    this.#syncPreset();
    this.#describe();
  }

  #syncBoxes(): void {
    if (!this.#rule) return;
    for (let n = 0; n <= 8; n++) {
      this.#birth[n].checked = (this.#rule.birth & (1 << n)) !== 0;
      this.#survive[n].checked = (this.#rule.survive & (1 << n)) !== 0;
    }
  }

  #syncPreset(): void {
    const rule = this.#rule;
    const named = rule && NAMED_RULES.find((entry) => rulesEqual(entry.rule, rule));
    this.#preset.value = named ? formatRule(named.rule) : CUSTOM;
  }

  #describe(): void {
    this.#description.classList.remove("error");
    const rule = this.#rule;
    const named = rule && NAMED_RULES.find((entry) => rulesEqual(entry.rule, rule));
    const about = named ? named.description : rule ? `Custom rule ${formatRule(rule)}: born with ${digits(rule.birth)} neighbours, survives with ${digits(rule.survive)}.` : "";
    const b = this.#bounds;
    setText(this.#description, b ? `${about} The suffix asks for a ${b.width} × ${b.height} ${b.topology === "torus" ? "torus" : "plane"}.` : about);
    this.#onChange();
  }
}

function digits(mask: number): string {
  const list: number[] = [];
  for (let n = 0; n <= 8; n++) if (mask & (1 << n)) list.push(n);
  return list.length === 0 ? "none" : list.join(", ");
}
