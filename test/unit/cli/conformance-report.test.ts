import { describe, expect, it } from "vitest";
import { conformanceExitCode } from "../../../lib/cli/commands/conformance.ts";
import { renderConformance } from "../../../lib/cli/conformance/render.ts";
import { ExitCode } from "../../../lib/cli/exit-codes.ts";
import type { ConformanceReport } from "../../../lib/conformance/run.ts";

function report(overrides: Partial<ConformanceReport> = {}): ConformanceReport {
  return {
    runId: "20261127T101530Z-3f9a2c",
    scratch: "__smh_cleaner_conformance__/20261127T101530Z-3f9a2c",
    libraryId: "smh1",
    spaceId: "space1",
    recycleBin: true,
    assumptionsSource: "the simulator's documented defaults (lib/sim/defaults.json)",
    checks: [
      {
        id: "missing-path-code",
        behaviour: "DELETE of a missing directory (missingPathCode)",
        library: "404 DirectoryNotFound",
        simulator: "404 DirectoryNotFound",
        verdict: "agree",
      },
    ],
    summary: { agree: 1, differ: 0, "not checked": 0, failed: 0, "not run": 0 },
    suggested: { options: {}, faults: {}, notes: [] },
    setupError: undefined,
    setupFailure: undefined,
    interrupted: false,
    cleanup: { scratchRemoved: true, parent: "removed", purged: 3, leftovers: [] },
    ...overrides,
  };
}

describe("smh-cleaner conformance: exit code", () => {
  it("is 0 only when every checked behaviour agrees and the cleanup is complete", () => {
    expect(conformanceExitCode(report())).toBe(ExitCode.ok);
    const differ = { agree: 0, differ: 1, "not checked": 0, failed: 0, "not run": 0 };
    expect(conformanceExitCode(report({ summary: differ }))).toBe(ExitCode.failure);
    const failed = { ...differ, differ: 0, failed: 1 };
    expect(conformanceExitCode(report({ summary: failed }))).toBe(ExitCode.failure);
    const leftovers = {
      scratchRemoved: false,
      parent: "kept",
      purged: 0,
      leftovers: ["x"],
    } as const;
    expect(conformanceExitCode(report({ cleanup: leftovers }))).toBe(ExitCode.failure);
  });

  it("says why the checks could not run: unreachable 5, configuration 2, interrupted 130", () => {
    expect(conformanceExitCode(report({ setupError: "x", setupFailure: "unreachable" }))).toBe(5);
    expect(conformanceExitCode(report({ setupError: "x", setupFailure: "configuration" }))).toBe(2);
    expect(conformanceExitCode(report({ setupError: "x", setupFailure: "other" }))).toBe(1);
    expect(conformanceExitCode(report({ interrupted: true }))).toBe(130);
  });
});

describe("smh-cleaner conformance: the printed report", () => {
  it("ends with a pasteable smh-cleaner sim command when the library differs", () => {
    const text = renderConformance(
      report({
        suggested: {
          options: { missingPathCode: "PathNotFound" },
          faults: { asyncBatchThreshold: 1000 },
          notes: ["batch-async: the library ran 101 items synchronously"],
        },
      }),
    );
    expect(text).toContain(
      `smh-cleaner sim --options '{"missingPathCode":"PathNotFound"}' --faults '{"asyncBatchThreshold":1000}'`,
    );
    expect(text).toContain("note: batch-async: the library ran 101 items synchronously");
  });

  it("lists what is left to remove by hand when the cleanup was incomplete", () => {
    const text = renderConformance(
      report({
        cleanup: {
          scratchRemoved: false,
          parent: "kept",
          purged: 0,
          leftovers: ["__smh_cleaner_conformance__/20261127T101530Z-3f9a2c: still there"],
        },
      }),
    );
    expect(text).toContain(
      "Cleanup incomplete, remove by hand: __smh_cleaner_conformance__/20261127T101530Z-3f9a2c: still there",
    );
  });
});
