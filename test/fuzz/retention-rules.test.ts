// Bad retention rules files (fast-check, fixed seeds): valid files with one to three defects at
// known fields — wrong types, unknown keys (`__proto__`, `constructor` among them), bad durations,
// globs and regexes, `..` parents, missing fields, duplicate ids, a root rule without caps — written
// as YAML or JSON; and texts broken below the field level (syntax, tabs, duplicate keys, aliases).
//
// Every one must be refused with a RulesConfigError naming each problem by field and by line and
// column in the text, so an operator can fix it without reading code. Loading is pure (no rule of
// an invalid file runs, nothing is sent): what is asserted is the error.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RulesConfigError, type RulesIssue } from "../../lib/retention/errors.ts";
import { loadRules } from "../../lib/retention/load.ts";
import { brokenRulesText, defectiveRules } from "./retention-rules.ts";

/** The issues `loadRules` refuses `text` with (fails when it accepts it or throws anything else). */
function refusal(text: string): RulesIssue[] {
  let error: unknown;
  try {
    loadRules(text, "retention.yaml");
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new Error("the rules were accepted");
  if (!(error instanceof RulesConfigError)) {
    throw new Error(
      `expected a RulesConfigError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
  }
  expect(error.issues.length).toBeGreaterThan(0);
  expect(error.message).toContain("retention.yaml");
  return [...error.issues];
}

function expectLocatedInside(issue: RulesIssue, lines: readonly string[]): void {
  if (issue.line === undefined) return;
  expect(issue.line).toBeGreaterThanOrEqual(1);
  expect(issue.line).toBeLessThanOrEqual(lines.length);
  expect(issue.column ?? 0).toBeGreaterThanOrEqual(1);
}

describe("arbitrary retention rules files", () => {
  it("refuses every defective file, naming each defect by its field, line and column", () => {
    fc.assert(
      fc.property(defectiveRules, ({ text, defects }) => {
        const issues = refusal(text);
        const lines = text.split("\n");
        for (const issue of issues) {
          expect(issue.message.trim()).not.toBe("");
          // The text is well-formed: every problem can be placed in it.
          expect(issue.line, `${issue.path}: ${issue.message}`).toBeDefined();
          expectLocatedInside(issue, lines);
        }
        for (const defect of defects) {
          if (defect.alone && defects.length > 1) continue;
          const found = issues.find(
            (issue) =>
              issue.path === defect.path ||
              issue.path.startsWith(`${defect.path}.`) ||
              issue.path.startsWith(`${defect.path}[`),
          );
          expect(
            found,
            `${defect.what} at ${defect.path}: ${JSON.stringify(issues)}`,
          ).toBeDefined();
          // The line it names shows the field it names (its key, or the key above a block value).
          const key = lastKey(found?.path ?? "");
          if (found?.line !== undefined && key !== undefined && !defect.missing) {
            const near = [lines[found.line - 1], lines[found.line - 2]].join("\n");
            expect(near, `${found.path} at line ${found.line}`).toContain(key);
          }
        }
      }),
      { numRuns: 2_000, seed: 7_401 },
    );
  });

  it("refuses text broken below the fields (syntax, tabs, duplicate keys, garbage) with a RulesConfigError, never another error", () => {
    fc.assert(
      fc.property(brokenRulesText, ({ text }) => {
        let error: unknown;
        try {
          loadRules(text, "retention.yaml");
          return;
        } catch (caught) {
          error = caught;
        }
        expect(error, String(error)).toBeInstanceOf(RulesConfigError);
        const lines = text.split("\n");
        for (const issue of (error as RulesConfigError).issues) {
          expect(issue.message.trim()).not.toBe("");
          expectLocatedInside(issue, lines);
        }
      }),
      { numRuns: 2_000, seed: 7_402 },
    );
  });

  // YAML aliases, which the yaml package resolves only when the document is turned into values.
  it("refuses an alias bomb (a YAML resource-exhaustion attack) with a RulesConfigError that says where", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "v: 1",
      "rules: [*d]",
      "",
    ].join("\n");
    const issues = refusal(bomb);
    expect(issues[0]?.message).toMatch(/alias/i);
    expect(issues[0]?.line).toBeGreaterThanOrEqual(1);
  });

  it("refuses an alias to an anchor that does not exist with a RulesConfigError that says where", () => {
    const issues = refusal("v: 1\nrules: *nowhere\n");
    expect(issues[0]?.message).toMatch(/alias/i);
    expect(issues[0]).toMatchObject({ line: 2 });
  });
});

/** The last key of a field path when it is a name: `age` of `rules[0].age`, none of `rules[2]`. */
function lastKey(path: string): string | undefined {
  const quoted = /\["((?:[^"\\]|\\.)*)"\]$/.exec(path);
  if (quoted) return JSON.parse(`"${quoted[1]}"`) as string;
  return /(?:^|\.)([A-Za-z_$][\w$]*)$/.exec(path)?.[1];
}
