import { describe, expect, it } from "vitest";
import { RulesConfigError, type RulesIssue } from "../../../lib/retention/errors.ts";
import { parseRules } from "../../../lib/retention/load.ts";
import { DEFAULT_CAPS } from "../../../lib/retention/rules.ts";
import { DAY, rule, ruleInput } from "./factories.ts";

function issuesOf(value: unknown): RulesIssue[] {
  try {
    parseRules(value, "test");
  } catch (error) {
    if (error instanceof RulesConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("expected a RulesConfigError");
}

/** The issues of a file whose rules[1] is `ruleInput(overrides)` (rules[0] is valid). */
function secondRuleIssues(overrides: Record<string, unknown>): RulesIssue[] {
  return issuesOf({
    v: 1,
    rules: [ruleInput({ id: "first" }), ruleInput({ id: "second", ...overrides })],
  });
}

describe("a retention rule", () => {
  it("gets the documented defaults", () => {
    const parsed = rule();
    expect(parsed).toMatchObject({
      id: "events-yearly",
      libraryId: "smh1",
      spaces: ["-"],
      parent: ["events"],
      match: { type: "dir", exclude: [] },
      age: { field: "creationTime", maxAge: { text: "365d", ms: 365 * DAY } },
      permanent: false,
      caps: DEFAULT_CAPS,
      enabled: true,
      dryRun: false,
    });
    expect(parsed.match.include).toBeUndefined();
  });

  it("normalises its parent to segments", () => {
    expect(rule({ parent: "//events//2024/" }).parent).toEqual(["events", "2024"]);
  });

  it('takes "/" as the space root, with both caps written', () => {
    const root = rule({ parent: "/", caps: { maxDeletesPerRun: 10, maxFractionPerRun: 0.1 } });
    expect(root.parent).toEqual([]);
  });

  it("fills in the cap a rule leaves out", () => {
    expect(rule({ caps: { maxDeletesPerRun: 7 } }).caps).toEqual({
      maxDeletesPerRun: 7,
      maxFractionPerRun: 0.5,
    });
  });

  it('accepts every space of the library as "*"', () => {
    expect(rule({ spaces: "*" }).spaces).toBe("*");
  });

  it("accepts modificationTime as its age field", () => {
    expect(rule({ age: { field: "modificationTime", maxAge: "12h" } }).age.field).toBe(
      "modificationTime",
    );
  });

  it.each([
    ["a bad maxAge", { age: { maxAge: "soon" } }, "rules[1].age.maxAge", "not a duration"],
    ["a bare number as maxAge", { age: { maxAge: 365 } }, "rules[1].age.maxAge", "write 365d"],
    ["a zero maxAge", { age: { maxAge: "0d" } }, "rules[1].age.maxAge", "shorter than 1h"],
    ["months", { age: { maxAge: "6M" } }, "rules[1].age.maxAge", "no fixed length"],
    ["a missing maxAge", { age: {} }, "rules[1].age.maxAge", ""],
    [
      "an unknown age field",
      { age: { field: "accessTime", maxAge: "1d" } },
      "rules[1].age.field",
      "",
    ],
    ["a missing age", { age: undefined }, "rules[1].age", ""],
    ["an empty parent", { parent: "" }, "rules[1].parent", 'write "/"'],
    ["a parent with ..", { parent: "events/../x" }, "rules[1].parent", "dot-segment"],
    ["a blank parent", { parent: "  " }, "rules[1].parent", "edge-whitespace"],
    ["a parent ending in a space", { parent: "events " }, "rules[1].parent", "edge-whitespace"],
    ["a parent around the root", { parent: " / " }, "rules[1].parent", "edge-whitespace"],
    ["an invisible parent", { parent: "events\u200b" }, "rules[1].parent", "invisible-character"],
    ["an encoded parent", { parent: "%2e%2e/x" }, "rules[1].parent", "encoded-dot-segment"],
    ["a file type", { match: { type: "file" } }, "rules[1].match.type", 'only "dir"'],
    ["any type", { match: { type: "any" } }, "rules[1].match.type", 'only "dir"'],
    [
      "an empty include list",
      { match: { include: [] } },
      "rules[1].match.include",
      "matches nothing",
    ],
    [
      "a bad glob",
      { match: { include: ["ok-*", "a/b"] } },
      "rules[1].match.include[1]",
      "invalid glob",
    ],
    [
      "a catastrophic regex",
      { match: { exclude: [{ regex: "(a+)+$" }] } },
      "rules[1].match.exclude[0]",
      "too ambiguous",
    ],
    [
      "an invalid regex",
      { match: { exclude: [{ regex: "[" }] } },
      "rules[1].match.exclude[0]",
      "not a valid regex",
    ],
    ["a string for permanent", { permanent: "false" }, "rules[1].permanent", "JSON boolean"],
    ["a number for dryRun", { dryRun: 0 }, "rules[1].dryRun", "JSON boolean"],
    ["maxDeletesPerRun 0", { caps: { maxDeletesPerRun: 0 } }, "rules[1].caps.maxDeletesPerRun", ""],
    [
      "maxDeletesPerRun over 1000",
      { caps: { maxDeletesPerRun: 1001 } },
      "rules[1].caps.maxDeletesPerRun",
      "",
    ],
    [
      "a fractional maxDeletesPerRun",
      { caps: { maxDeletesPerRun: 1.5 } },
      "rules[1].caps.maxDeletesPerRun",
      "",
    ],
    [
      "maxFractionPerRun 0",
      { caps: { maxFractionPerRun: 0 } },
      "rules[1].caps.maxFractionPerRun",
      "",
    ],
    [
      "maxFractionPerRun over 1",
      { caps: { maxFractionPerRun: 1.01 } },
      "rules[1].caps.maxFractionPerRun",
      "",
    ],
    [
      "maxFractionPerRun with 5 decimals",
      { caps: { maxFractionPerRun: 0.33333 } },
      "rules[1].caps.maxFractionPerRun",
      "4 decimals",
    ],
    ["an invalid library ID", { libraryId: "smh 1" }, "rules[1].libraryId", ""],
    ["no spaces", { spaces: [] }, "rules[1].spaces", ""],
    ["a space listed twice", { spaces: ["-", "s1", "-"] }, "rules[1].spaces[2]", "duplicate space"],
    ["an invalid rule ID", { id: "has space" }, "rules[1].id", ""],
    [
      "a control character in the description",
      { description: "a\u0007b" },
      "rules[1].description",
      "control",
    ],
  ])("with %s is refused, naming the field's path", (_label, overrides, path, message) => {
    const issues = secondRuleIssues(overrides);
    expect(issues.map((issue) => issue.path)).toContain(path);
    expect(issues.find((issue) => issue.path === path)?.message).toContain(message);
  });

  it("on the space root without explicit caps is refused at rules[i].caps", () => {
    expect(secondRuleIssues({ parent: "/" })).toEqual([
      {
        path: "rules[1].caps",
        message:
          "a rule on the space root must set maxDeletesPerRun and maxFractionPerRun explicitly",
      },
    ]);
    expect(secondRuleIssues({ parent: "/", caps: { maxDeletesPerRun: 5 } })[0]?.message).toContain(
      "must set maxFractionPerRun explicitly",
    );
  });

  it("with a misspelt key is refused, naming the key", () => {
    const issues = secondRuleIssues({ permanant: true, match: { includes: ["x"] } });
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      "rules[1].match.includes",
      "rules[1].permanant",
    ]);
    expect(issues[0]?.message).toContain("unknown field");
  });
});

describe("a rules file", () => {
  it("needs v: 1", () => {
    expect(issuesOf({ rules: [] })[0]).toMatchObject({
      path: "v",
      message: expect.stringContaining('missing "v"'),
    });
    expect(issuesOf({ v: 2, rules: [] })[0]?.message).toContain("unsupported rules file version 2");
  });

  it("with no rules is valid and runs nothing", () => {
    expect(parseRules({ v: 1, rules: [] }, "test").rules).toEqual([]);
  });

  it("refuses two rules with one id, naming the second", () => {
    const issues = issuesOf({
      v: 1,
      rules: [ruleInput({ id: "a" }), ruleInput({ id: "b" }), ruleInput({ id: "a" })],
    });
    expect(issues).toEqual([
      { path: "rules[2].id", message: 'duplicate rule id "a" (first at rules[0])' },
    ]);
  });

  it("names its source and every problem in the error message", () => {
    let message = "";
    try {
      parseRules(
        { v: 1, rules: [ruleInput({ age: { maxAge: "x" }, dryRun: "no" })] },
        "RULES_FILE r.yaml",
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("invalid retention rules (RULES_FILE r.yaml)");
    expect(message).toContain("rules[0].age.maxAge:");
    expect(message).toContain("rules[0].dryRun:");
  });

  it("quotes a key that is not an identifier in a path", () => {
    expect(secondRuleIssues({ "max age": 1 })[0]?.path).toBe('rules[1]["max age"]');
  });
});
