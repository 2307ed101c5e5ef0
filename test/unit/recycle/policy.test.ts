/** Which recycle-bin actions the policy allows: restore wherever the library is listed, purge only with allowPurge. */
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../../lib/policy/config.ts";
import { evaluateRecycleAction } from "../../../lib/policy/recycle.ts";

const policy = parsePolicy({
  libraries: {
    smh1: { spaces: ["-"], allowedPrefixes: ["albums"], allowPurge: true },
    smh2: { spaces: "*", allowedPrefixes: ["albums"] },
  },
});

describe("the policy for recycle-bin actions", () => {
  it("allows restoring in a listed library, even in a space no longer listed for deletion", () => {
    expect(
      evaluateRecycleAction(policy, { libraryId: "smh1", spaceId: "-", action: "restore" }),
    ).toEqual({ allowed: true });
    expect(
      evaluateRecycleAction(policy, { libraryId: "smh1", spaceId: "old", action: "restore" }),
    ).toEqual({ allowed: true });
  });

  it("refuses every action in a library the policy does not list", () => {
    for (const action of ["restore", "purge"] as const) {
      const verdict = evaluateRecycleAction(policy, { libraryId: "smh9", spaceId: "-", action });
      expect(verdict.allowed).toBe(false);
      expect(!verdict.allowed && verdict.violations.map((v) => v.rule)).toEqual([
        "library-not-allowed",
      ]);
    }
  });

  it("allows purging only where allowPurge is true and the space is allowed", () => {
    expect(
      evaluateRecycleAction(policy, { libraryId: "smh1", spaceId: "-", action: "purge" }),
    ).toEqual({ allowed: true });
    const otherSpace = evaluateRecycleAction(policy, {
      libraryId: "smh1",
      spaceId: "x",
      action: "purge",
    });
    expect(!otherSpace.allowed && otherSpace.violations.map((v) => v.rule)).toEqual([
      "space-not-allowed",
    ]);
    const noPurge = evaluateRecycleAction(policy, {
      libraryId: "smh2",
      spaceId: "-",
      action: "purge",
    });
    expect(!noPurge.allowed && noPurge.violations.map((v) => v.rule)).toEqual([
      "purge-not-allowed",
    ]);
  });

  it("does not allow purging unless a library opts in", () => {
    const library = parsePolicy({ libraries: { smh1: { spaces: "*" } } }).libraries.get("smh1");
    expect(library?.allowPurge).toBe(false);
  });

  it("refuses an allowPurge that is not a JSON boolean", () => {
    expect(() => parsePolicy({ libraries: { smh1: { spaces: "*", allowPurge: "yes" } } })).toThrow(
      /libraries\.smh1\.allowPurge/,
    );
  });
});
