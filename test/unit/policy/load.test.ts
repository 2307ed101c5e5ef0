import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PolicyConfigError } from "../../../lib/policy/errors.ts";
import { loadPolicyFromEnv } from "../../../lib/policy/load.ts";

const directory = mkdtempSync(join(tmpdir(), "smh-policy-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

function loadError(env: Record<string, string | undefined>): PolicyConfigError {
  try {
    loadPolicyFromEnv(env);
  } catch (error) {
    if (error instanceof PolicyConfigError) return error;
    throw error;
  }
  throw new Error("expected a PolicyConfigError");
}

const yamlPolicy = `
libraries:
  smh1:
    spaces: ["-"]
    allowedPrefixes:
      - events
    protectedGlobs:
      - "events/*/originals"
`;

describe("loading the deletion policy from the environment", () => {
  it("reads inline JSON from SMH_POLICY", () => {
    const policy = loadPolicyFromEnv({
      SMH_POLICY: '{"libraries": {"smh1": {"spaces": "*", "allowedPrefixes": ["tmp"]}}}',
    });
    expect(policy.libraries.get("smh1")?.allowedPrefixes).toEqual(["tmp"]);
  });

  it("reads inline YAML from SMH_POLICY", () => {
    expect(loadPolicyFromEnv({ SMH_POLICY: yamlPolicy }).libraries.has("smh1")).toBe(true);
  });

  it("reads a YAML file named by SMH_POLICY_FILE", () => {
    const policy = loadPolicyFromEnv({ SMH_POLICY_FILE: file("policy.yaml", yamlPolicy) });
    expect(policy.libraries.get("smh1")?.protectedGlobs.map((glob) => glob.pattern)).toEqual([
      "events/*/originals",
    ]);
  });

  it("reads a JSON file named by SMH_POLICY_FILE", () => {
    const path = file("policy.json", '{"libraries": {"smh1": {"spaces": ["-"]}}}');
    expect(loadPolicyFromEnv({ SMH_POLICY_FILE: path }).libraries.has("smh1")).toBe(true);
  });

  it("refuses to start without a policy, and says how to configure one", () => {
    const error = loadError({});
    expect(error.message).toContain("no deletion policy configured");
    expect(error.message).toContain("SMH_POLICY");
    expect(error.message).toContain("SMH_POLICY_FILE");
  });

  it("treats empty variables as unset", () => {
    expect(loadError({ SMH_POLICY: "  ", SMH_POLICY_FILE: "" }).message).toContain(
      "no deletion policy configured",
    );
  });

  it("refuses two policies at once rather than pick one", () => {
    const error = loadError({
      SMH_POLICY: '{"libraries": {}}',
      SMH_POLICY_FILE: file("b.json", "{}"),
    });
    expect(error.message).toContain("not both");
  });

  it("names a file it cannot read", () => {
    const missing = join(directory, "missing.yaml");
    const error = loadError({ SMH_POLICY_FILE: missing });
    expect(error.source).toBe(`SMH_POLICY_FILE ${missing}`);
    expect(error.message).toContain("cannot read the file");
  });

  it("refuses text that is neither JSON nor YAML", () => {
    expect(loadError({ SMH_POLICY: '{"libraries": ' }).message).toContain("not valid JSON or YAML");
  });

  it("refuses duplicate keys instead of letting the last one silently win", () => {
    const text = '{"libraries": {"smh1": {"spaces": "*"}, "smh1": {"spaces": ["-"]}}}';
    expect(loadError({ SMH_POLICY: text }).message).toContain("not valid JSON or YAML");
  });

  it("names the file and the bad field of an invalid policy", () => {
    const path = file("bad.yaml", "libraries:\n  smh1:\n    spaces: '*'\n    minDepth: 0\n");
    const error = loadError({ SMH_POLICY_FILE: path });
    expect(error.source).toBe(`SMH_POLICY_FILE ${path}`);
    expect(error.issues.map((issue) => issue.path)).toEqual(["libraries.smh1.minDepth"]);
  });

  it("names SMH_POLICY as the source of an invalid inline policy", () => {
    const error = loadError({
      SMH_POLICY: '{"libraries": {"smh1": {"spaces": "*", "allowedPrefixes": ["/"]}}}',
    });
    expect(error.source).toBe("SMH_POLICY");
    expect(error.issues.map((issue) => issue.path)).toEqual(["libraries.smh1.allowedPrefixes.0"]);
  });
});
