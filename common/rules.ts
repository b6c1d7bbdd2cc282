/**
 * Rule strings ⇄ birth/survive masks.
 *
 * Accepted spellings (all case-insensitive, surrounding whitespace ignored):
 *
 *   B3/S23  b3s23  B3S23  b3/s23     birth digits after B, survival digits after S
 *   S23/B3                           the same parts in the other order
 *   23/3  /3  23/  /                 the classic survival/birth form (no letters)
 *   B/S                              empty sets are allowed
 *   Life, HighLife, "Day & Night"…   the names in NAMED_RULES (spaces, "&"/"and", "-" ignored)
 *
 * followed optionally by Golly's bounded-grid suffix, restricted to the two grids we run:
 *
 *   :T<w>,<h>  torus        :P<w>,<h>  bounded plane        :T<n> / :P<n>  means n,n (as Golly)
 *
 * Decisions (each documented because another reader could reasonably choose otherwise):
 * - Digits may come in any order (a part is a set), but a digit repeated within one part is an
 *   error: "B33/S23" is more likely a typo than a deliberate spelling, and we would rather say so.
 * - Only digits 0-8 are neighbour counts; 9 is reported with its position.
 * - Golly's other grids (Klein bottle K, cross-surface C, sphere S), shifted or twisted edges
 *   (`:T64+1,64`, `:K64*,64`) and infinite sides (`:T0,64`) are refused with "not supported":
 *   the engine only has a finite torus and a finite plane.
 * - Non-totalistic (Hensel, e.g. B2a/S12), von Neumann (…V), hexagonal (…H) and Generations
 *   (B2/S/3) rules are refused with a message naming the family.
 *
 * Positions in error messages are 1-based and count characters of the trimmed rule text, which
 * the message quotes, so a reader can count along.
 */
import { MAX_SIDE } from "./grid.ts";

/**
 * A Life-like (outer-totalistic Moore) rule: bit n of `birth` is set when a dead cell with n
 * live neighbours is born; bit n of `survive` when a live cell with n live neighbours stays
 * alive. n is 0..8, so each mask is 9 bits and there are 2^18 rules.
 */
export interface Rule {
  readonly birth: number;
  readonly survive: number;
}

export type Topology = "torus" | "plane";

export const LIFE: Rule = { birth: 1 << 3, survive: (1 << 2) | (1 << 3) };

/** The outcome of parsing untrusted text: a value, or an error message meant for a person. */
export type ParseResult<T> = { ok: true; value: T } | ParseFailure;
export type ParseFailure = { ok: false; error: string };

export interface RuleBounds {
  topology: Topology;
  width: number;
  height: number;
}

export interface RuleSpec {
  rule: Rule;
  /** The rule's common name when it has one (see NAMED_RULES), whatever spelling was parsed. */
  name?: string;
  /** Present when the text carried a `:T<w>,<h>` / `:P<w>,<h>` suffix. */
  bounds?: RuleBounds;
}

export interface NamedRule {
  readonly name: string;
  readonly rule: Rule;
  /** One line for people choosing a rule. */
  readonly description: string;
  /** Other names the parser accepts for the same rule. */
  readonly aliases: readonly string[];
}

/** Rule string → masks for the table below; throws because a bad entry is a programming error. */
function masks(text: string): Rule {
  const parsed = parseRuleBody(text, text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/**
 * Well-known Life-like rules, by the names LifeWiki and Golly use. The first entry with a given
 * rule is its canonical name (ruleName); later entries only add spellings.
 */
export const NAMED_RULES: readonly NamedRule[] = [
  { name: "Life", rule: masks("B3/S23"), aliases: ["Conway's Life", "Game of Life", "Conway"], description: "Conway's Game of Life: gliders, guns and long-lived chaos" },
  { name: "HighLife", rule: masks("B36/S23"), aliases: [], description: "HighLife: Life plus birth on 6; home of the replicator" },
  { name: "Seeds", rule: masks("B2/S"), aliases: [], description: "Seeds: every live cell dies; explosive" },
  { name: "Day & Night", rule: masks("B3678/S34678"), aliases: ["DayAndNight", "Day and Night"], description: "Day & Night: live and dead cells behave symmetrically" },
  { name: "Life without Death", rule: masks("B3/S012345678"), aliases: ["LifeWithoutDeath", "Flakes", "Inkspot"], description: "Life without Death: cells never die; ladders and frozen growth" },
  { name: "Replicator", rule: masks("B1357/S1357"), aliases: [], description: "Replicator: every pattern copies itself over and over" },
  { name: "Fredkin", rule: masks("B1357/S02468"), aliases: [], description: "Fredkin: parity rule; every pattern replicates" },
  { name: "Morley", rule: masks("B368/S245"), aliases: ["Move"], description: "Morley (Move): many small spaceships and puffers" },
  { name: "Diamoeba", rule: masks("B35678/S5678"), aliases: [], description: "Diamoeba: large diamond-shaped blobs that slowly grow or shrink" },
  { name: "2x2", rule: masks("B36/S125"), aliases: [], description: "2x2: patterns built from 2×2 blocks; many oscillators" },
  { name: "Maze", rule: masks("B3/S12345"), aliases: [], description: "Maze: grows into maze-like corridors" },
  { name: "Mazectric", rule: masks("B3/S1234"), aliases: [], description: "Mazectric: mazes with longer, straighter corridors" },
  { name: "Anneal", rule: masks("B4678/S35678"), aliases: [], description: "Anneal: regions of live and dead cells smooth their borders" },
  { name: "Coral", rule: masks("B3/S45678"), aliases: [], description: "Coral: slow coral-like growth" },
  { name: "34 Life", rule: masks("B34/S34"), aliases: ["34Life"], description: "34 Life: births and survival on 3 or 4; small spaceships" },
  { name: "Long Life", rule: masks("B345/S5"), aliases: ["LongLife"], description: "Long Life: small seeds live for a very long time" },
  { name: "Gnarl", rule: masks("B1/S1"), aliases: [], description: "Gnarl: a single cell explodes into gnarled, chaotic growth" },
  { name: "Live Free or Die", rule: masks("B2/S0"), aliases: [], description: "Live Free or Die: only isolated cells survive" },
  { name: "DotLife", rule: masks("B3/S023"), aliases: [], description: "DotLife: Life where isolated cells also survive" },
  { name: "DryLife", rule: masks("B37/S23"), aliases: [], description: "DryLife: Life plus birth on 7" },
  { name: "Pedestrian Life", rule: masks("B38/S23"), aliases: [], description: "Pedestrian Life: Life plus birth on 8" },
  { name: "Stains", rule: masks("B3678/S235678"), aliases: [], description: "Stains: patterns grow into stable stains" },
  { name: "Coagulations", rule: masks("B378/S235678"), aliases: [], description: "Coagulations: expanding blobs that leave coagulated debris" },
  { name: "Amoeba", rule: masks("B357/S1358"), aliases: [], description: "Amoeba: chaotic amoeba-like regions" },
  { name: "Assimilation", rule: masks("B345/S4567"), aliases: [], description: "Assimilation: diamond-shaped growth that absorbs neighbours" },
  { name: "Walled Cities", rule: masks("B45678/S2345"), aliases: [], description: "Walled Cities: patterns build walled regions with activity inside" },
  { name: "Serviettes", rule: masks("B234/S"), aliases: [], description: "Serviettes: like Seeds with more births; lacy explosions" },
  { name: "Majority", rule: masks("B5678/S45678"), aliases: ["Vote"], description: "Majority (Vote): each cell takes its neighbourhood's majority" },
];

/** Lower-case, "&" → "and", spaces, hyphens, underscores and apostrophes dropped. */
function normaliseName(text: string): string {
  return text.toLowerCase().replaceAll("&", "and").replace(/[\s\-_'’]+/g, "");
}

const RULES_BY_NAME: ReadonlyMap<string, Rule> = (() => {
  const map = new Map<string, Rule>();
  for (const entry of NAMED_RULES) {
    for (const name of [entry.name, ...entry.aliases]) map.set(normaliseName(name), entry.rule);
  }
  return map;
})();

export function rulesEqual(a: Rule, b: Rule): boolean {
  return a.birth === b.birth && a.survive === b.survive;
}

export function isLife(rule: Rule): boolean {
  return rulesEqual(rule, LIFE);
}

/** The common name of a rule (e.g. "HighLife" for B36/S23), or undefined. */
export function ruleName(rule: Rule): string | undefined {
  return NAMED_RULES.find((entry) => rulesEqual(entry.rule, rule))?.name;
}

function maskDigits(mask: number): string {
  let digits = "";
  for (let n = 0; n <= 8; n++) if (mask & (1 << n)) digits += String(n);
  return digits;
}

/** Canonical form: `B…/S…`, digits ascending, e.g. `B3/S23`, `B2/S`, `B/S`. */
export function formatRule(rule: Rule): string {
  return `B${maskDigits(rule.birth)}/S${maskDigits(rule.survive)}`;
}

/** Canonical form with Golly's bounded-grid suffix, e.g. `B3/S23:T64,64`, `B3/S23:P16,16`. */
export function formatRuleWithBounds(rule: Rule, topology: Topology, width: number, height: number): string {
  return `${formatRule(rule)}:${topology === "torus" ? "T" : "P"}${width},${height}`;
}

/** The inverse of parseRule: canonical rule text with the suffix when the spec has bounds. */
export function formatRuleSpec(spec: RuleSpec): string {
  const { rule, bounds } = spec;
  return bounds ? formatRuleWithBounds(rule, bounds.topology, bounds.width, bounds.height) : formatRule(rule);
}

/** Parse a rule string (see the top of this file for what is accepted). Never throws. */
export function parseRule(text: string): ParseResult<RuleSpec> {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: "rule is empty; expected e.g. B3/S23 or a name such as Life" };
  const colon = trimmed.indexOf(":");
  const body = colon < 0 ? trimmed : trimmed.slice(0, colon);

  let rule = RULES_BY_NAME.get(normaliseName(body));
  if (rule === undefined) {
    const parsed = parseRuleBody(body, trimmed);
    if (!parsed.ok) return parsed;
    rule = parsed.value;
  }
  const spec: RuleSpec = { rule };
  const name = ruleName(rule);
  if (name !== undefined) spec.name = name;
  if (colon >= 0) {
    const bounds = parseBounds(trimmed, colon);
    if (!bounds.ok) return bounds;
    spec.bounds = bounds.value;
  }
  return { ok: true, value: spec };
}

const HENSEL_LETTERS = "cekainyqjrtwz-";

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

/**
 * The rule part before any ":" suffix. `quoted` is the whole trimmed text; `body` is its prefix,
 * so indices into body are indices into quoted.
 */
function parseRuleBody(body: string, quoted: string): ParseResult<Rule> {
  const fail = (message: string): ParseFailure => ({ ok: false, error: `rule "${quoted}": ${message}` });
  const at = (i: number) => `position ${i + 1}`;

  /** Reads digits from i into a mask; stops at the first non-digit. */
  const readDigits = (start: number, part: "B" | "S"): ParseResult<{ mask: number; end: number }> => {
    let mask = 0;
    let i = start;
    for (; i < body.length && isDigit(body[i]); i++) {
      const n = body.charCodeAt(i) - 48;
      if (n > 8) return fail(`digit ${n} at ${at(i)} is not a neighbour count (0-8)`);
      if (mask & (1 << n)) return fail(`digit ${n} at ${at(i)} is repeated in the ${part} part`);
      mask |= 1 << n;
    }
    return { ok: true, value: { mask, end: i } };
  };

  /** Whether body[i] follows a neighbour count, perhaps through other Hensel letters ("3-cn"). */
  const followsCount = (i: number): boolean => {
    let j = i - 1;
    while (j >= 0 && HENSEL_LETTERS.includes(body[j])) j--;
    return j >= 0 && isDigit(body[j]);
  };

  const notAName = (): ParseFailure =>
    fail(`not a known rule name, and not B3/S23-style ("${body[0]}" at ${at(0)}); names include Life, HighLife, Seeds, Day & Night (rule tables such as WireWorld are not supported)`);

  /** Explains a character that cannot follow a run of digits. */
  const unexpected = (i: number): ParseFailure => {
    const c = body[i];
    if (c === "/") return fail(`unexpected "/" at ${at(i)}; Generations (multi-state) rules such as B2/S/3 are not supported`);
    if (HENSEL_LETTERS.includes(c) && followsCount(i)) {
      return fail(`"${c}" at ${at(i)} is a non-totalistic (Hensel) neighbourhood letter; non-totalistic rules are not supported, only B/S digits 0-8`);
    }
    // A letter straight after B or S is no neighbourhood letter: the text is a name that
    // happens to start with B or S, such as the rule tables Byl1 or Banks-I.
    if (/[A-Za-z]/.test(c) && i > 0 && "BbSs".includes(body[i - 1])) return notAName();
    if (c === "H" || c === "h") return fail(`hexagonal-neighbourhood rules ("H" at ${at(i)}) are not supported`);
    if (c === "V" || c === "v") return fail(`von Neumann-neighbourhood rules ("V" at ${at(i)}) are not supported`);
    return fail(`unexpected character "${c}" at ${at(i)}; expected B3/S23-style digits`);
  };

  if (!/[A-Za-z]/.test(body)) {
    // Classic survival/birth form, e.g. "23/3".
    const slash = body.indexOf("/");
    if (slash < 0) {
      if (body.length > 0 && [...body].every(isDigit)) {
        return fail("digits without B/S letters need a slash: write survival/birth such as 23/3, or B3/S23");
      }
      for (let i = 0; i < body.length; i++) if (!isDigit(body[i])) return unexpected(i);
      return fail("expected B3/S23-style rule");
    }
    const survive = readDigits(0, "S");
    if (!survive.ok) return survive;
    if (survive.value.end !== slash) return unexpected(survive.value.end);
    const birth = readDigits(slash + 1, "B");
    if (!birth.ok) return birth;
    if (birth.value.end !== body.length) return unexpected(birth.value.end);
    return { ok: true, value: { birth: birth.value.mask, survive: survive.value.mask } };
  }

  // Lettered form: one B part and one S part in either order, optionally separated by "/".
  let birth: number | undefined;
  let survive: number | undefined;
  let i = 0;
  while (i < body.length) {
    const letter = body[i].toUpperCase();
    if (letter !== "B" && letter !== "S") {
      if (i === 0) return notAName();
      return unexpected(i);
    }
    if ((letter === "B" ? birth : survive) !== undefined) return fail(`second ${letter} part at ${at(i)}`);
    const digits = readDigits(i + 1, letter);
    if (!digits.ok) return digits;
    if (letter === "B") birth = digits.value.mask;
    else survive = digits.value.mask;
    i = digits.value.end;
    if (i >= body.length) break;
    if (body[i] === "/") {
      if (birth !== undefined && survive !== undefined) return unexpected(i);
      i++;
      if (i >= body.length) return fail(`missing the ${letter === "B" ? "S" : "B"} part after "/" at ${at(i - 1)}`);
      continue;
    }
    const next = body[i].toUpperCase();
    if (next !== "B" && next !== "S") return unexpected(i);
  }
  if (birth === undefined) return fail(`missing the B (birth) part; write e.g. B3/S${maskDigits(survive ?? 0)}`);
  if (survive === undefined) return fail(`missing the S (survival) part; write e.g. B${maskDigits(birth)}/S23 or B${maskDigits(birth)}/S for none`);
  return { ok: true, value: { birth, survive } };
}

/** Golly's grid suffix starting at text[colon] === ":". */
function parseBounds(text: string, colon: number): ParseResult<RuleBounds> {
  const fail = (message: string): ParseFailure => ({ ok: false, error: `rule "${text}": ${message}` });
  const at = (i: number) => `position ${i + 1}`;
  let i = colon + 1;
  if (i >= text.length) return fail(`empty grid suffix after ":" at ${at(colon)}; expected :T<width>,<height> (torus) or :P<width>,<height> (plane)`);
  const letter = text[i].toUpperCase();
  let topology: Topology;
  if (letter === "T") topology = "torus";
  else if (letter === "P") topology = "plane";
  else if (letter === "K" || letter === "C" || letter === "S") {
    const kind = { K: "Klein bottle", C: "cross-surface", S: "sphere" }[letter];
    return fail(`${kind} grids (:${letter} at ${at(i)}) are not supported; use :T<width>,<height> (torus) or :P<width>,<height> (plane)`);
  } else {
    return fail(`unknown grid topology "${text[i]}" at ${at(i)}; expected T (torus) or P (plane)`);
  }
  i++;

  const readSide = (what: "width" | "height"): ParseResult<number> => {
    const start = i;
    let value = 0;
    while (i < text.length && isDigit(text[i])) {
      // Saturate instead of growing without bound: anything above MAX_SIDE is an error anyway.
      value = Math.min(value * 10 + text.charCodeAt(i) - 48, MAX_SIDE + 1);
      i++;
    }
    if (i === start) {
      return i < text.length
        ? { ok: false, error: `rule "${text}": expected the grid ${what} at ${at(i)}, found "${text[i]}"` }
        : { ok: false, error: `rule "${text}": missing the grid ${what} at ${at(i)}` };
    }
    if (value === 0) return { ok: false, error: `rule "${text}": an infinite grid ${what} (0 at ${at(start)}) is not supported; sides are 1-${MAX_SIDE}` };
    if (value > MAX_SIDE) return { ok: false, error: `rule "${text}": grid ${what} ${text.slice(start, i)} at ${at(start)} is out of range (1-${MAX_SIDE})` };
    if (i < text.length && text[i] === "*") return { ok: false, error: `rule "${text}": twisted edges ("*" at ${at(i)}) are not supported` };
    if (i < text.length && (text[i] === "+" || text[i] === "-")) {
      return { ok: false, error: `rule "${text}": shifted edges ("${text[i]}" at ${at(i)}) are not supported` };
    }
    return { ok: true, value };
  };

  const width = readSide("width");
  if (!width.ok) return width;
  let height = width.value; // Golly reads ":T100" as ":T100,100".
  if (i < text.length) {
    if (text[i] !== ",") return fail(`unexpected "${text[i]}" at ${at(i)} after the grid width; expected ","`);
    i++;
    const parsed = readSide("height");
    if (!parsed.ok) return parsed;
    height = parsed.value;
    if (i < text.length) return fail(`unexpected "${text[i]}" at ${at(i)} after the grid height`);
  }
  return { ok: true, value: { topology, width: width.value, height } };
}
