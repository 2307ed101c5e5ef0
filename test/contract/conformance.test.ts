import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assumptionsOfSimulator } from "../../lib/conformance/assumptions.ts";
import type { Check, CheckContext } from "../../lib/conformance/check.ts";
import { CHECKS } from "../../lib/conformance/checks/all.ts";
import { type ConformanceReport, runConformance } from "../../lib/conformance/run.ts";
import { SCRATCH_PARENT } from "../../lib/conformance/scratch.ts";
import {
  type BehaviourPatch,
  type FaultsPatch,
  type Simulator,
  startSimulator,
} from "../../lib/sim/index.ts";
import { contractClient } from "./helpers/client.ts";
import {
  changesOutsideScratch,
  conformanceAgainst,
  libraryState,
  logMark,
} from "./helpers/conformance.ts";
import { contractSeed, LIB, SINGLE, SINGLE_SECRET, SPACE } from "./helpers/simulator.ts";

/**
 * `runConformance` against the simulator, over HTTP: it must agree with the simulator it models,
 * tell every [GUESS] option set differently, and never change anything outside its scratch
 * directory — the simulator's ground truth is the referee.
 */

const UNOBSERVABLE = CHECKS.filter((check) => check.observe === undefined).map((c) => c.id);
const OBSERVABLE = CHECKS.filter((check) => check.observe !== undefined).map((c) => c.id);

/** Every [GUESS] option the checks can see, set away from its default. */
const NON_DEFAULT_OPTIONS = {
  missingPathCode: "PathNotFound",
  defaultRestoreConflictStrategy: "ask",
  listLimitMax: 1000,
  singleDeleteAsyncAboveEntries: 1,
  acceptBearerToken: false,
  unknownTaskIdStatus: 400,
  purgeBatchUnknownIds: "fail",
} as const satisfies BehaviourPatch;
const NON_DEFAULT_FAULTS = { asyncBatchThreshold: 1000 } as const satisfies FaultsPatch;
const DIFFERING = [
  "list-limit-above-100",
  "batch-async",
  "delete-sync",
  "missing-path-code",
  "batch-missing-code",
  "restore-default-conflict",
  "purge-batch-unknown",
  "token-bearer",
  "task-unknown-id",
];

const running: Simulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((sim) => sim.close()));
});

/** A contract simulator holding data the run must not touch: a tree, a file, a recycled item. */
async function populatedSimulator(
  settings: { options?: BehaviourPatch; faults?: FaultsPatch } = {},
): Promise<Simulator> {
  const sim = await startSimulator({ port: 0, seed: contractSeed(), ...settings });
  running.push(sim);
  sim.createDirectory(LIB, SPACE, "keep/a");
  sim.createDirectory(LIB, SPACE, "keep/b/c");
  sim.addFile(LIB, SPACE, "keep/photo.jpg", { size: 10, contentType: "image/jpeg" });
  sim.createDirectory(LIB, SPACE, "old");
  await contractClient(sim).client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: "old" });
  return sim;
}

function verdicts(report: ConformanceReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((row) => [row.id, row.verdict]));
}

function ids(report: ConformanceReport, verdict: string): string[] {
  return report.checks.filter((row) => row.verdict === verdict).map((row) => row.id);
}

describe("against the simulator with its documented defaults", () => {
  let sim: Simulator;
  let before: unknown;
  let mark: ReturnType<typeof logMark>;
  let report: ConformanceReport;

  beforeAll(async () => {
    sim = await populatedSimulator();
    before = libraryState(sim);
    mark = logMark(sim);
    report = await runConformance(conformanceAgainst(sim));
  });

  it("agrees on every behaviour it can provoke, and says which ones it cannot", () => {
    expect(ids(report, "agree")).toEqual(OBSERVABLE);
    expect(ids(report, "not checked")).toEqual(UNOBSERVABLE);
    expect(report.summary).toMatchObject({ differ: 0, failed: 0, "not run": 0 });
    expect(report.suggested).toEqual({ options: {}, faults: {}, notes: [] });
    expect(report.recycleBin).toBe(true);
  });

  it("worked in __smh_cleaner_conformance__/<run id> and removed it, its bin items and the parent it made", () => {
    expect(report.scratch).toBe(`${SCRATCH_PARENT}/${report.runId}`);
    expect(report.cleanup).toMatchObject({
      scratchRemoved: true,
      parent: "removed",
      leftovers: [],
    });
    expect(report.cleanup.purged).toBeGreaterThan(100);
    expect(sim.exists(LIB, SPACE, SCRATCH_PARENT)).toBe(false);
  });

  it("changed nothing outside its scratch directory: the tree and the recycle bin are as before", () => {
    expect(libraryState(sim)).toEqual(before);
    expect(changesOutsideScratch(sim, mark)).toEqual([]);
    // It did work: the scratch directory saw deletions, restores and purges.
    const truth = sim.groundTruth();
    expect(truth.deletions.length - mark.deletions).toBeGreaterThan(100);
    expect(truth.restores.length - mark.restores).toBeGreaterThan(0);
  });
});

describe("against a simulator whose [GUESS] options differ from the defaults", () => {
  let sim: Simulator;
  let report: ConformanceReport;
  let before: unknown;

  beforeAll(async () => {
    sim = await populatedSimulator({ options: NON_DEFAULT_OPTIONS, faults: NON_DEFAULT_FAULTS });
    before = libraryState(sim);
    report = await runConformance(conformanceAgainst(sim));
  });

  it("reports exactly the behaviours those options change as differences", () => {
    expect(ids(report, "differ").sort()).toEqual([...DIFFERING].sort());
    expect(report.summary).toMatchObject({ failed: 0, "not run": 0 });
  });

  it("suggests the simulator settings that reproduce the library: exactly those options", () => {
    expect(report.suggested.options).toEqual(NON_DEFAULT_OPTIONS);
    expect(report.suggested.faults).toEqual(NON_DEFAULT_FAULTS);
  });

  it("still cleans up completely (its batch purge fails as a whole there) and changes nothing else", () => {
    expect(report.cleanup).toMatchObject({ scratchRemoved: true, leftovers: [] });
    expect(libraryState(sim)).toEqual(before);
  });

  it("agrees everywhere when compared with that simulator's own options (--simulator-url)", async () => {
    const assumptions = await assumptionsOfSimulator(sim.url, LIB);
    expect(assumptions.source).toBe(`the simulator at ${sim.url}`);
    const again = await runConformance(conformanceAgainst(sim, { assumptions }));
    expect(ids(again, "differ")).toEqual([]);
    expect(ids(again, "agree")).toEqual(OBSERVABLE);
  });
});

describe("edge cases", () => {
  it("a space without a recycle bin: the bin's checks are not applicable, the others agree", async () => {
    const sim = await populatedSimulator();
    sim.createDirectory(SINGLE, "-", "projects/kept");
    const before = libraryState(sim);
    const report = await runConformance(
      conformanceAgainst(sim, { libraryId: SINGLE, spaceId: "-", secret: SINGLE_SECRET }),
    );
    expect(report.recycleBin).toBe(false);
    const binChecks = CHECKS.filter((check) => check.needsRecycleBin).map((check) => check.id);
    for (const id of binChecks) expect(verdicts(report)[id]).toBe("not checked");
    expect(report.summary).toMatchObject({ differ: 0, failed: 0, "not run": 0 });
    expect(report.cleanup).toMatchObject({ scratchRemoved: true, leftovers: [] });
    expect(libraryState(sim)).toEqual(before);
  });

  it("interrupted in the middle: stops, marks the rest not run, and still removes everything it made", async () => {
    const sim = await populatedSimulator();
    const before = libraryState(sim);
    const mark = logMark(sim);
    const controller = new AbortController();
    const report = await runConformance(
      conformanceAgainst(sim, {
        signal: controller.signal,
        onProgress: (event) => {
          if (event.type === "checkStarted" && event.id === "restore-ask") controller.abort();
        },
      }),
    );
    expect(report.interrupted).toBe(true);
    const notRun = ids(report, "not run");
    expect(notRun[0]).toBe("restore-ask");
    expect(notRun.length).toBeGreaterThan(5);
    expect(ids(report, "failed")).toEqual([]);
    expect(report.cleanup).toMatchObject({
      scratchRemoved: true,
      parent: "removed",
      leftovers: [],
    });
    expect(libraryState(sim)).toEqual(before);
    expect(changesOutsideScratch(sim, mark)).toEqual([]);
  });

  it("leaves another run's scratch directory, and the parent they share, alone", async () => {
    const sim = await populatedSimulator();
    const other = `${SCRATCH_PARENT}/20200101T000000Z-0a0b0c/x`;
    sim.createDirectory(LIB, SPACE, other);
    const before = libraryState(sim);
    const report = await runConformance(conformanceAgainst(sim));
    expect(report.cleanup).toMatchObject({ scratchRemoved: true, parent: "kept", leftovers: [] });
    expect(sim.exists(LIB, SPACE, other)).toBe(true);
    expect(libraryState(sim)).toEqual(before);
  });

  it("refuses any change outside the scratch directory before it is sent: a rogue check fails, nothing changes", async () => {
    const sim = await populatedSimulator();
    const oldItem = sim.findRecycled(LIB, SPACE, "old")[0]?.recycledItemId ?? -1;
    expect(oldItem).toBeGreaterThan(0);
    const before = libraryState(sim);
    const mark = logMark(sim);
    const rogue = (id: string, act: (context: CheckContext) => Promise<unknown>): Check => ({
      id,
      behaviour: id,
      assumed: () => ({ key: "changed" }),
      observe: async (context) => {
        await act(context);
        return { key: "changed" };
      },
    });
    const report = await runConformance(
      conformanceAgainst(sim, {
        checks: [
          rogue("delete", ({ session }) => session.remove("keep")),
          rogue("delete-climbing", ({ session }) =>
            session.remove(`${session.scratch.root}/../../keep`),
          ),
          rogue("batch", ({ session }) => session.removeBatch([session.path("x"), "keep/a"])),
          rogue("create", ({ session }) => session.createAt("elsewhere")),
          rogue("restore", ({ session }) => session.restore(oldItem, "rename")),
          rogue("purge", ({ session }) => session.purge(oldItem)),
          rogue("purge-batch", ({ session }) => session.purgeBatch([oldItem])),
        ],
      }),
    );
    expect(report.checks.map((row) => row.verdict)).toEqual(Array(7).fill("failed"));
    for (const row of report.checks) {
      expect(row.library).toMatch(/outside the scratch directory|this run did not put it there/);
    }
    expect(libraryState(sim)).toEqual(before);
    expect(changesOutsideScratch(sim, mark)).toEqual([]);
  });

  it("a wrong secret: reported as a configuration problem before anything is created", async () => {
    const sim = await populatedSimulator();
    const before = libraryState(sim);
    const mark = logMark(sim);
    const report = await runConformance(
      conformanceAgainst(sim, {
        client: contractClient(sim, {
          libraries: [{ libraryId: LIB, librarySecret: "wrong-secret", baseUrl: sim.url }],
        }).client,
        secret: "wrong-secret",
      }),
    );
    expect(report.setupFailure).toBe("configuration");
    expect(report.setupError).toMatch(/WrongLibraryIdOrSecret|secret/);
    expect(report.setupError).not.toContain("wrong-secret");
    expect(ids(report, "not run")).toEqual(CHECKS.map((check) => check.id));
    expect(libraryState(sim)).toEqual(before);
    expect(logMark(sim)).toEqual(mark);
    expect(report.cleanup).toEqual({
      scratchRemoved: true,
      parent: "kept",
      purged: 0,
      leftovers: [],
    });
  });

  it("an unreachable library: reported as unreachable, with nothing to clean up", async () => {
    const gone = await startSimulator({ port: 0, seed: contractSeed() });
    await gone.close();
    const report = await runConformance(conformanceAgainst(gone));
    expect(report.setupFailure).toBe("unreachable");
    expect(report.summary["not run"]).toBe(CHECKS.length);
    expect(report.cleanup.leftovers).toEqual([]);
  });
});
