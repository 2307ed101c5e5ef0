import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../../lib/policy/config.ts";
import { PolicyConfigError } from "../../../lib/policy/errors.ts";

function issuesOf(config: unknown) {
  try {
    parsePolicy(config, "test");
  } catch (error) {
    if (error instanceof PolicyConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a PolicyConfigError");
}

describe("a deletion policy configuration", () => {
  it("fills in the defaults: nothing protected, no permanent deletion, no purge, minDepth 1, no maxDepth", () => {
    const library = parsePolicy({
      libraries: { smh1: { spaces: "*", allowedPrefixes: ["/tmp/"] } },
    }).libraries.get("smh1");
    expect(library).toEqual({
      libraryId: "smh1",
      spaces: "*",
      allowedPrefixes: ["tmp"],
      allowedPaths: [],
      protectedPaths: [],
      protectedGlobs: [],
      protectionIgnoresCase: true,
      permanentPrefixes: [],
      albumSpaces: new Set(),
      minDepth: 1,
      maxDepth: undefined,
      allowPurge: false,
    });
  });

  it("drops the slashes around every configured path and compiles every glob", () => {
    const library = parsePolicy({
      libraries: {
        smh1: {
          spaces: ["-", "space1"],
          allowedPrefixes: ["//events//"],
          allowedPaths: ["scratch/"],
          protectedPaths: ["/events/keep"],
          protectedGlobs: ["/events/*/originals/"],
          permanentPrefixes: ["tmp//x"],
        },
      },
    }).libraries.get("smh1");
    expect(library?.spaces).toEqual(new Set(["-", "space1"]));
    expect(library?.allowedPrefixes).toEqual(["events"]);
    expect(library?.allowedPaths).toEqual(["scratch"]);
    expect(library?.protectedPaths).toEqual(["events/keep"]);
    expect(library?.protectedGlobs.map((glob) => glob.pattern)).toEqual(["events/*/originals"]);
    expect(library?.permanentPrefixes).toEqual(["tmp/x"]);
  });

  it.each([
    ["allowedPrefixes", "events "],
    ["allowedPaths", "scratch\u200b"],
    ["protectedPaths", "\u00a0projects/apollo"],
    ["permanentPrefixes", "tmp\\x"],
  ])("refuses a %s entry %j that a job could not name either", (field, path) => {
    const issues = issuesOf({ libraries: { smh1: { spaces: "*", [field]: [path] } } });
    expect(issues.map((issue) => issue.path)).toEqual([`libraries.smh1.${field}.0`]);
  });

  it("refuses a protectionIgnoresCase that is not a JSON boolean", () => {
    const issues = issuesOf({ libraries: { smh1: { spaces: "*", protectionIgnoresCase: "no" } } });
    expect(issues.map((issue) => issue.path)).toEqual(["libraries.smh1.protectionIgnoresCase"]);
  });

  it("with no libraries is valid, and allows nothing", () => {
    expect(parsePolicy({ libraries: {} }).libraries.size).toBe(0);
  });

  it("names the source and every bad field by its dotted path", () => {
    let error: unknown;
    try {
      parsePolicy(
        { libraries: { smh1: { spaces: ["-"], allowedPrefixes: ["a/../b"], allowedPath: [] } } },
        "SMH_POLICY_FILE /etc/policy.yaml",
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PolicyConfigError);
    const message = (error as Error).message;
    expect(message).toContain("SMH_POLICY_FILE /etc/policy.yaml");
    expect(message).toContain("libraries.smh1.allowedPrefixes.0:");
    expect(message).toContain("libraries.smh1.allowedPath:");
  });

  it.each([
    ["a library without spaces", { smh1: {} }, "libraries.smh1.spaces"],
    ["spaces that are neither * nor a list", { smh1: { spaces: "all" } }, "libraries.smh1.spaces"],
    ["an empty list of spaces", { smh1: { spaces: [] } }, "libraries.smh1.spaces"],
    ["an invalid space ID", { smh1: { spaces: ["-", "a b"] } }, "libraries.smh1.spaces.1"],
    ["an invalid library ID", { "smh 1": { spaces: "*" } }, "libraries.smh 1"],
    [
      "a prefix naming the root",
      { smh1: { spaces: "*", allowedPrefixes: ["/"] } },
      "libraries.smh1.allowedPrefixes.0",
    ],
    [
      "a prefix climbing out with ..",
      { smh1: { spaces: "*", allowedPrefixes: ["a/.."] } },
      "libraries.smh1.allowedPrefixes.0",
    ],
    [
      "an allowed path with a control character",
      { smh1: { spaces: "*", allowedPaths: ["a\u0007"] } },
      "libraries.smh1.allowedPaths.0",
    ],
    [
      "an empty protected path",
      { smh1: { spaces: "*", protectedPaths: [""] } },
      "libraries.smh1.protectedPaths.0",
    ],
    [
      "a negated glob",
      { smh1: { spaces: "*", protectedGlobs: ["!events/keep"] } },
      "libraries.smh1.protectedGlobs.0",
    ],
    [
      "a glob with / inside braces",
      { smh1: { spaces: "*", protectedGlobs: ["{a/b,c}"] } },
      "libraries.smh1.protectedGlobs.0",
    ],
    [
      "a glob with / inside an extglob",
      { smh1: { spaces: "*", protectedGlobs: ["@(a/b)"] } },
      "libraries.smh1.protectedGlobs.0",
    ],
    [
      "an empty glob",
      { smh1: { spaces: "*", protectedGlobs: ["//"] } },
      "libraries.smh1.protectedGlobs.0",
    ],
    [
      "a glob with ..",
      { smh1: { spaces: "*", protectedGlobs: ["a/../*"] } },
      "libraries.smh1.protectedGlobs.0",
    ],
    [
      "permanentPrefixes that are neither * nor a list",
      { smh1: { spaces: "*", permanentPrefixes: true } },
      "libraries.smh1.permanentPrefixes",
    ],
    ["a minDepth of 0", { smh1: { spaces: "*", minDepth: 0 } }, "libraries.smh1.minDepth"],
    ["a fractional maxDepth", { smh1: { spaces: "*", maxDepth: 2.5 } }, "libraries.smh1.maxDepth"],
    [
      "a maxDepth below minDepth",
      { smh1: { spaces: "*", minDepth: 3, maxDepth: 2 } },
      "libraries.smh1.maxDepth",
    ],
    [
      "a misspelt setting",
      { smh1: { spaces: "*", protectedPath: ["x"] } },
      "libraries.smh1.protectedPath",
    ],
  ])("refuses %s, naming the field", (_name, libraries, path) => {
    expect(issuesOf({ libraries }).map((issue) => issue.path)).toEqual([path]);
  });

  it.each([
    ["nothing", undefined],
    ["null", null],
    ["a list", []],
    ["a string", "allow everything"],
  ])("refuses %s as a policy", (_name, config) => {
    expect(issuesOf(config).length).toBeGreaterThan(0);
  });

  it("refuses a top-level setting it does not know", () => {
    expect(issuesOf({ libraries: {}, defaultAllow: true }).map((issue) => issue.path)).toEqual([
      "defaultAllow",
    ]);
  });

  it("never lets a __proto__ library key configure anything or pollute objects", () => {
    const config = JSON.parse(
      '{"libraries": {"__proto__": {"spaces": "*", "allowedPrefixes": ["a"]}}}',
    );
    const policy = parsePolicy(config);
    expect(policy.libraries.size).toBe(0);
    expect(Object.prototype).not.toHaveProperty("spaces");
  });
});
