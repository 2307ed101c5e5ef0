import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RulesConfigError } from "../../../lib/retention/errors.ts";
import { checkRulesAgainstPolicy, loadRulesFromEnv } from "../../../lib/retention/rules-source.ts";
import { policy } from "./factories.ts";

const VALID = `v: 1
rules:
  - id: events-yearly
    libraryId: smh1
    spaces: ["-"]
    parent: events
    age: { maxAge: 365d }
`;

// Every directory a test made, removed when the file's tests are done.
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function rulesFile(text: string, name = "retention-rules.yml"): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "smh-rules-"));
  made.push(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return { dir, path };
}

function issuesOf(action: () => unknown): { path: string; line?: number }[] {
  try {
    action();
  } catch (error) {
    if (error instanceof RulesConfigError) {
      return error.issues.map(({ path, line }) => (line === undefined ? { path } : { path, line }));
    }
    throw error;
  }
  throw new Error("no RulesConfigError was thrown");
}

describe("the retention rules a function starts with", () => {
  it("come from RETENTION_RULES_FILE, a relative path read from the function's task root", () => {
    const { dir } = rulesFile(VALID);
    const loaded = loadRulesFromEnv({
      RETENTION_RULES_FILE: "retention-rules.yml",
      LAMBDA_TASK_ROOT: dir,
    });
    expect(loaded.rules.rules.map((rule) => rule.id)).toEqual(["events-yearly"]);
    expect(loaded.source).toBe(join(dir, "retention-rules.yml"));
  });

  it("or from RETENTION_RULES, the same text inline", () => {
    const loaded = loadRulesFromEnv({ RETENTION_RULES: VALID, RETENTION_RULES_FILE: "  " });
    expect(loaded).toMatchObject({ source: "RETENTION_RULES" });
  });

  it("must be named by exactly one of the two variables", () => {
    expect(() => loadRulesFromEnv({})).toThrow(/no retention rules: set RETENTION_RULES_FILE/);
    const { path } = rulesFile(VALID);
    expect(() => loadRulesFromEnv({ RETENTION_RULES: VALID, RETENTION_RULES_FILE: path })).toThrow(
      /either RETENTION_RULES_FILE or RETENTION_RULES, not both/,
    );
  });

  it("stop the function when the file is missing, naming the file and asking whether it was packaged", () => {
    expect(() => loadRulesFromEnv({ RETENTION_RULES_FILE: "/nonexistent/rules.yml" })).toThrow(
      /\/nonexistent\/rules\.yml[\s\S]*ENOENT[\s\S]*packaged with the function/,
    );
  });

  it("stop the function when a field is invalid, naming its path, line and column", () => {
    const { path } = rulesFile(
      VALID.replace("365d", "12 months").replace("parent: events", "parent: ''"),
    );
    expect(issuesOf(() => loadRulesFromEnv({ RETENTION_RULES_FILE: path }))).toEqual([
      { path: "rules[0].parent", line: 6 },
      { path: "rules[0].age.maxAge", line: 7 },
    ]);
  });

  it("are refused when a rule's library is not in the deletion policy: it could never delete anything", () => {
    const loaded = loadRulesFromEnv({
      RETENTION_RULES: `${VALID}  - id: other\n    libraryId: smh9\n    spaces: ["-"]\n    parent: x\n    age: { maxAge: 30d }\n`,
    });
    expect(issuesOf(() => checkRulesAgainstPolicy(loaded, policy()))).toEqual([
      { path: "rules[1].libraryId" },
    ]);
  });

  it("are refused when a rule names a space the policy does not allow", () => {
    const loaded = loadRulesFromEnv({ RETENTION_RULES: VALID.replace('["-"]', '["-", "s9"]') });
    expect(issuesOf(() => checkRulesAgainstPolicy(loaded, policy()))).toEqual([
      { path: "rules[0].spaces[1]" },
    ]);
  });

  it("may hold disabled rules for libraries the policy does not list yet", () => {
    const loaded = loadRulesFromEnv({
      RETENTION_RULES: VALID.replace("libraryId: smh1", "libraryId: smh9\n    enabled: false"),
    });
    expect(checkRulesAgainstPolicy(loaded, policy()).rules[0]?.enabled).toBe(false);
  });
});
