import { describe, expect, it } from "vitest";
import { MAX_SIDE } from "../../common/grid.ts";
import {
  LIFE,
  NAMED_RULES,
  type Rule,
  type RuleSpec,
  formatRule,
  formatRuleSpec,
  formatRuleWithBounds,
  isLife,
  parseRule,
  ruleName,
} from "../../common/rules.ts";

/** Masks from digit lists, written out independently of the parser. */
function rule(birth: number[], survive: number[]): Rule {
  return { birth: birth.reduce((m, n) => m | (1 << n), 0), survive: survive.reduce((m, n) => m | (1 << n), 0) };
}

function parsed(text: string): RuleSpec {
  const result = parseRule(text);
  if (!result.ok) throw new Error(`expected "${text}" to parse: ${result.error}`);
  return result.value;
}

function rejection(text: string): string {
  const result = parseRule(text);
  if (result.ok) throw new Error(`expected "${text}" to be rejected, got ${formatRuleSpec(result.value)}`);
  return result.error;
}

describe("parseRule accepts every documented spelling", () => {
  const life = rule([3], [2, 3]);
  it.each(["B3/S23", "b3s23", "B3S23", "b3/s23", "  B3/S23\t", "S23/B3", "s23b3", "23/3", "B3/S32", "Life", "LIFE", "life", "Conway's Life"])(
    "%j is Life",
    (text) => {
      expect(parsed(text).rule).toEqual(life);
      expect(parsed(text).name).toBe("Life");
      expect(parsed(text).bounds).toBeUndefined();
    },
  );

  it("reads the classic survival/birth form with either side empty", () => {
    expect(parsed("/3").rule).toEqual(rule([3], []));
    expect(parsed("23/").rule).toEqual(rule([], [2, 3]));
    expect(parsed("/").rule).toEqual(rule([], []));
    expect(parsed("012345678/3").rule).toEqual(rule([3], [0, 1, 2, 3, 4, 5, 6, 7, 8]));
  });

  it("reads empty birth or survival sets in B/S form", () => {
    expect(parsed("B/S").rule).toEqual(rule([], []));
    expect(parsed("B2/S").rule).toEqual(rule([2], []));
    expect(parsed("b/s23").rule).toEqual(rule([], [2, 3]));
    expect(parsed("BS").rule).toEqual(rule([], []));
  });

  it("takes digits in any order", () => {
    expect(parsed("B8763/S87643").rule).toEqual(rule([3, 6, 7, 8], [3, 4, 6, 7, 8]));
    expect(formatRule(parsed("B63/S32").rule)).toBe("B36/S23");
  });

  // The table the web client shows, checked against the rule strings LifeWiki gives for each name.
  it.each([
    ["Life", "B3/S23"],
    ["HighLife", "B36/S23"],
    ["Seeds", "B2/S"],
    ["Day & Night", "B3678/S34678"],
    ["DayAndNight", "B3678/S34678"],
    ["day and night", "B3678/S34678"],
    ["Life without death", "B3/S012345678"],
    ["LifeWithoutDeath", "B3/S012345678"],
    ["Replicator", "B1357/S1357"],
    ["Morley", "B368/S245"],
    ["Move", "B368/S245"],
    ["Diamoeba", "B35678/S5678"],
    ["2x2", "B36/S125"],
    ["Maze", "B3/S12345"],
    ["Mazectric", "B3/S1234"],
    ["Anneal", "B4678/S35678"],
    ["Coral", "B3/S45678"],
    ["34 Life", "B34/S34"],
    ["Long Life", "B345/S5"],
    ["Gnarl", "B1/S1"],
    ["Fredkin", "B1357/S02468"],
    ["Live Free or Die", "B2/S0"],
    ["DotLife", "B3/S023"],
    ["DryLife", "B37/S23"],
    ["Pedestrian Life", "B38/S23"],
    ["Stains", "B3678/S235678"],
    ["Coagulations", "B378/S235678"],
    ["Amoeba", "B357/S1358"],
    ["Assimilation", "B345/S4567"],
    ["Walled Cities", "B45678/S2345"],
    ["Serviettes", "B234/S"],
  ])("the name %j means %s", (name, canonical) => {
    expect(formatRule(parsed(name).rule)).toBe(canonical);
    expect(formatRule(parsed(name.toUpperCase()).rule)).toBe(canonical);
    expect(formatRule(parsed(`  ${name.toLowerCase()} `).rule)).toBe(canonical);
  });

  it("names a rule whatever spelling was parsed", () => {
    expect(parsed("B36/S23").name).toBe("HighLife");
    expect(parsed("34678/3678").name).toBe("Day & Night");
    expect(parsed("B2/S").name).toBe("Seeds");
    expect(parsed("B1/S12").name).toBeUndefined();
  });
});

describe("parseRule reads Golly's bounded-grid suffix", () => {
  it.each([
    ["B3/S23:T64,64", "torus", 64, 64],
    ["b3s23:P16,16", "plane", 16, 16],
    ["B3/S23:t30,20", "torus", 30, 20],
    ["B3/S23:p30,20", "plane", 30, 20],
    ["B3/S23:T64", "torus", 64, 64],
    ["B3/S23:P7", "plane", 7, 7],
    [`B3/S23:T${MAX_SIDE},1`, "torus", MAX_SIDE, 1],
    ["B3/S23:T1,1", "torus", 1, 1],
    ["HighLife:T100,50", "torus", 100, 50],
    ["23/3:P0016,08", "plane", 16, 8],
  ] as const)("%j is a %s of %i×%i", (text, topology, width, height) => {
    expect(parsed(text).bounds).toEqual({ topology, width, height });
  });

  it("keeps the rule part of a suffixed string", () => {
    expect(parsed("B36/S23:T10,10").rule).toEqual(rule([3, 6], [2, 3]));
    expect(parsed("B36/S23:T10,10").name).toBe("HighLife");
  });
});

describe("parseRule explains what is wrong and where", () => {
  it("names a digit 9 and its position", () => {
    expect(rejection("B3/S29")).toBe('rule "B3/S29": digit 9 at position 6 is not a neighbour count (0-8)');
    expect(rejection("B39/S23")).toMatch(/digit 9 at position 3/);
    expect(rejection("239/3")).toMatch(/digit 9 at position 3/);
    expect(rejection("  B3/S29  ")).toMatch(/^rule "B3\/S29": digit 9 at position 6/);
  });

  it("refuses a digit repeated within one part", () => {
    expect(rejection("B33/S23")).toMatch(/digit 3 at position 3 is repeated in the B part/);
    expect(rejection("B3/S232")).toMatch(/digit 2 at position 7 is repeated in the S part/);
  });

  it("refuses non-totalistic (Hensel) rules by name", () => {
    for (const text of ["B2a/S12", "B3/S23-a", "B2-ak/S12", "B3/S2ci3"]) expect(rejection(text)).toMatch(/non-totalistic.*not supported/);
    expect(rejection("B2a/S12")).toMatch(/"a" at position 3/);
  });

  it("refuses other neighbourhoods and multi-state families", () => {
    expect(rejection("B2/S34H")).toMatch(/hexagonal.*position 7.*not supported/);
    expect(rejection("B2/S34V")).toMatch(/von Neumann.*position 7.*not supported/);
    expect(rejection("B2/S/3")).toMatch(/Generations.*not supported/);
    expect(rejection("23/3/2")).toMatch(/position 5.*Generations/);
    expect(rejection("B3/S23/")).toMatch(/position 7/);
  });

  it("refuses unknown names and malformed strings", () => {
    expect(rejection("")).toMatch(/empty/);
    expect(rejection("   ")).toMatch(/empty/);
    expect(rejection("LifeHistory")).toMatch(/not a known rule name.*position 1/);
    // Names that start with B or S are names, not non-totalistic rules.
    for (const name of ["Byl1", "Banks-I", "StarWars", "Sierpinski"]) expect(rejection(name), name).toMatch(/not a known rule name.*rule tables/);
    expect(rejection("23")).toMatch(/need a slash/);
    expect(rejection("B3")).toMatch(/missing the S \(survival\) part/);
    expect(rejection("S23")).toMatch(/missing the B \(birth\) part/);
    expect(rejection("B3/")).toMatch(/missing the S part/);
    expect(rejection("B3/B3")).toMatch(/second B part at position 4/);
    expect(rejection("B3 /S23")).toMatch(/unexpected character " " at position 3/);
    expect(rejection("B3/S23x")).toMatch(/position 7/);
    expect(rejection("R1,C0,M1,S34..58,B34..45,NM")).toMatch(/^rule "R1,C0,M1,S34..58,B34..45,NM": /);
  });

  it("refuses grid suffixes the engine cannot run, saying they are not supported", () => {
    expect(rejection("B3/S23:K64*,64")).toMatch(/Klein bottle.*position 8.*not supported/);
    expect(rejection("B3/S23:C64,64")).toMatch(/cross-surface.*not supported/);
    expect(rejection("B3/S23:S64")).toMatch(/sphere.*not supported/);
    expect(rejection("B3/S23:T64+1,64")).toMatch(/shifted edges \("\+" at position 11\) are not supported/);
    expect(rejection("B3/S23:T64,64-2")).toMatch(/shifted edges \("-" at position 14\) are not supported/);
    expect(rejection("B3/S23:T64*,64")).toMatch(/twisted edges.*not supported/);
    expect(rejection("B3/S23:T0,64")).toMatch(/infinite grid width.*position 9.*not supported/);
    expect(rejection("B3/S23:P64,0")).toMatch(/infinite grid height.*position 12.*not supported/);
  });

  it("refuses grid sizes outside 1-16384 and malformed suffixes", () => {
    expect(rejection(`B3/S23:T${MAX_SIDE + 1},64`)).toMatch(new RegExp(`grid width ${MAX_SIDE + 1} at position 9 is out of range \\(1-${MAX_SIDE}\\)`));
    expect(rejection("B3/S23:T64,99999999999999999999")).toMatch(/grid height 99999999999999999999 at position 12 is out of range/);
    expect(rejection("B3/S23:")).toMatch(/empty grid suffix/);
    expect(rejection("B3/S23:T")).toMatch(/missing the grid width at position 9/);
    expect(rejection("B3/S23:T,5")).toMatch(/expected the grid width at position 9/);
    expect(rejection("B3/S23:T10,")).toMatch(/missing the grid height at position 12/);
    expect(rejection("B3/S23:T10;10")).toMatch(/unexpected ";" at position 11/);
    expect(rejection("B3/S23:T10,10,10")).toMatch(/position 14/);
    expect(rejection("B3/S23:X10,10")).toMatch(/unknown grid topology "X" at position 8/);
  });
});

describe("formatting", () => {
  it("writes the canonical B…/S… form with digits ascending", () => {
    expect(formatRule(LIFE)).toBe("B3/S23");
    expect(formatRule(rule([2], []))).toBe("B2/S");
    expect(formatRule(rule([], []))).toBe("B/S");
    expect(formatRule(rule([8, 0, 4], [8, 1]))).toBe("B048/S18");
    expect(formatRule(rule([0, 1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 2, 3, 4, 5, 6, 7, 8]))).toBe("B012345678/S012345678");
  });

  it("writes the grid suffix", () => {
    expect(formatRuleWithBounds(LIFE, "torus", 64, 64)).toBe("B3/S23:T64,64");
    expect(formatRuleWithBounds(LIFE, "plane", 16, 16)).toBe("B3/S23:P16,16");
    expect(formatRuleSpec({ rule: LIFE, bounds: { topology: "plane", width: 3, height: 5 } })).toBe("B3/S23:P3,5");
    expect(formatRuleSpec({ rule: LIFE })).toBe("B3/S23");
  });

  it("round-trips all 2^18 rules through the canonical, lowercase and survival/birth spellings", () => {
    let failures = 0;
    for (let birth = 0; birth < 512; birth++) {
      for (let survive = 0; survive < 512; survive++) {
        const text = formatRule({ birth, survive });
        const [b, s] = text.slice(1).split("/S");
        for (const spelling of [text, text.toLowerCase().replace("/", ""), `${s}/${b}`]) {
          const result = parseRule(spelling);
          if (!result.ok || result.value.rule.birth !== birth || result.value.rule.survive !== survive) failures++;
        }
      }
    }
    expect(failures).toBe(0);
  });

  it("round-trips bounds at the edges of the size range", () => {
    for (const topology of ["torus", "plane"] as const) {
      for (const [width, height] of [[1, 1], [1, MAX_SIDE], [MAX_SIDE, 1], [MAX_SIDE, MAX_SIDE], [333, 77]]) {
        const text = formatRuleWithBounds(rule([3, 6], [2, 3]), topology, width, height);
        expect(parsed(text).bounds).toEqual({ topology, width, height });
        expect(formatRuleSpec(parsed(text))).toBe(text);
      }
    }
  });
});

describe("the named-rule table", () => {
  it("has unique names and rules, one-line descriptions, and names the rule it holds", () => {
    const names = new Set<string>();
    const rules = new Set<string>();
    for (const entry of NAMED_RULES) {
      expect(names.has(entry.name.toLowerCase()), entry.name).toBe(false);
      names.add(entry.name.toLowerCase());
      expect(rules.has(formatRule(entry.rule)), entry.name).toBe(false);
      rules.add(formatRule(entry.rule));
      expect(entry.description.length).toBeGreaterThan(10);
      expect(entry.description).not.toMatch(/\n/);
      expect(ruleName(entry.rule)).toBe(entry.name);
      expect(parsed(entry.name).rule).toEqual(entry.rule);
      for (const alias of entry.aliases) expect(parsed(alias).rule, alias).toEqual(entry.rule);
    }
    expect(NAMED_RULES.length).toBeGreaterThanOrEqual(13);
  });

  it("knows Life as Life and nothing as an unnamed rule", () => {
    expect(ruleName(LIFE)).toBe("Life");
    expect(ruleName(rule([1], [2]))).toBeUndefined();
    expect(isLife(LIFE)).toBe(true);
    expect(isLife(parsed("b3s23").rule)).toBe(true);
    expect(isLife(parsed("HighLife").rule)).toBe(false);
  });
});
