import { describe, expect, it } from "vitest";
import { RulesConfigError, type RulesIssue } from "../../../lib/retention/errors.ts";
import { loadRules } from "../../../lib/retention/load.ts";

function issuesOf(text: string): RulesIssue[] {
  try {
    loadRules(text, "retention.yaml");
  } catch (error) {
    if (error instanceof RulesConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("expected a RulesConfigError");
}

const valid = `v: 1
rules:
  - id: events-yearly
    libraryId: smh1
    spaces: ["-"]
    parent: events
    match:
      include: ["20??-*", { regex: "^archive-\\\\d+$" }]
      exclude: [{ glob: "*-keep", ignoreCase: true }]
    age: { field: creationTime, maxAge: 365d }
    caps: { maxDeletesPerRun: 50, maxFractionPerRun: 0.25 }
`;

describe("loading a rules file", () => {
  it("reads YAML", () => {
    const [rule] = loadRules(valid, "retention.yaml").rules;
    expect(rule?.match.include?.map((pattern) => pattern.source)).toEqual([
      "20??-*",
      "^archive-\\d+$",
    ]);
    expect(rule?.match.include?.[1]?.test("archive-12")).toBe(true);
    expect(rule?.caps).toEqual({ maxDeletesPerRun: 50, maxFractionPerRun: 0.25 });
  });

  it("reads JSON", () => {
    const json = JSON.stringify({
      v: 1,
      rules: [{ id: "r", libraryId: "smh1", spaces: "*", parent: "tmp", age: { maxAge: "12h" } }],
    });
    expect(loadRules(json, "rules.json").rules[0]?.age.maxAge.ms).toBe(12 * 3_600_000);
  });

  it("gives the line and column of a bad value", () => {
    const text = valid.replace("maxAge: 365d", "maxAge: 6M");
    expect(issuesOf(text)).toEqual([
      {
        path: "rules[0].age.maxAge",
        message: expect.stringContaining("months and years have no fixed length"),
        line: 10,
        column: 41,
      },
    ]);
  });

  it("gives the line of an unknown key, pointing at the key", () => {
    const text = valid.replace("    parent: events\n", "    parent: events\n    permanant: true\n");
    expect(issuesOf(text)).toEqual([
      {
        path: "rules[0].permanant",
        message: expect.stringContaining("unknown field"),
        line: 7,
        column: 5,
      },
    ]);
  });

  it("points a missing field at the object that lacks it", () => {
    const text = valid.replace("    libraryId: smh1\n", "");
    expect(issuesOf(text)).toEqual([
      { path: "rules[0].libraryId", message: expect.any(String), line: 3, column: 5 },
    ]);
  });

  it("gives the line of a bad pattern inside a flow sequence", () => {
    const text = valid.replace('"20??-*"', '"20/??"');
    expect(issuesOf(text)[0]).toMatchObject({
      path: "rules[0].match.include[0]",
      line: 8,
      column: 17,
    });
  });

  it("gives the line of a duplicate rule id", () => {
    const second = valid.split("\n").slice(2).join("\n");
    expect(issuesOf(`${valid}${second}`)).toEqual([
      {
        path: "rules[1].id",
        message: expect.stringContaining("duplicate rule id"),
        line: 12,
        column: 9,
      },
    ]);
  });

  it("reports a YAML syntax error with its line, not a field", () => {
    const [issue] = issuesOf("v: 1\nrules: [\n  {id: x\n");
    expect(issue?.path).toBe("");
    expect(issue?.message).toContain("not valid YAML or JSON");
    expect(issue?.line).toBeGreaterThan(0);
  });

  it("refuses a key written twice", () => {
    const [issue] = issuesOf(
      valid.replace("    parent: events\n", "    parent: events\n    parent: /\n"),
    );
    expect(issue).toMatchObject({ path: "", line: 7 });
    expect(issue?.message).toContain("unique");
  });

  it("reads YAML 1.2, where yes is a string, not a boolean", () => {
    const [issue] = issuesOf(
      valid.replace("    parent: events\n", "    parent: events\n    dryRun: yes\n"),
    );
    expect(issue).toMatchObject({ path: "rules[0].dryRun", line: 7 });
  });

  it("refuses an empty document", () => {
    expect(issuesOf("")[0]).toMatchObject({ path: "" });
  });

  it("refuses text over 1 MiB without parsing it", () => {
    expect(issuesOf(`# ${"x".repeat(1024 * 1024)}`)[0]?.message).toContain("at most");
  });
});
