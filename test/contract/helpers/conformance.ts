import { documentedAssumptions } from "../../../lib/conformance/assumptions.ts";
import type { ConformanceOptions } from "../../../lib/conformance/run.ts";
import { SCRATCH_PARENT } from "../../../lib/conformance/scratch.ts";
import type { Simulator } from "../../../lib/sim/index.ts";
import { contractClient } from "./client.ts";
import { LIB, SECRET, SPACE } from "./simulator.ts";

/** The live tree and recycle bin of every space: what a conformance run must leave as it was. */
export function libraryState(sim: Simulator): unknown {
  return sim.groundTruth().libraries.map((library) => ({
    libraryId: library.libraryId,
    spaces: library.spaces.map(({ spaceId, directories, files, recycled }) => ({
      spaceId,
      directories,
      files,
      recycled,
    })),
  }));
}

/** How many applied operations the ground truth logs so far, to look only at later ones. */
export interface LogMark {
  readonly deletions: number;
  readonly restores: number;
  readonly purges: number;
}

export function logMark(sim: Simulator): LogMark {
  const { deletions, restores, purges } = sim.groundTruth();
  return { deletions: deletions.length, restores: restores.length, purges: purges.length };
}

function underScratch(path: readonly string[]): boolean {
  return path[0] === SCRATCH_PARENT;
}

/**
 * Every deletion, restore and purge applied since `mark` that touched a path outside
 * `__smh_cleaner_conformance__` (as `kind path`). Empty when a run kept to its scratch directory.
 */
export function changesOutsideScratch(sim: Simulator, mark: LogMark): string[] {
  const truth = sim.groundTruth();
  return [
    ...truth.deletions
      .slice(mark.deletions)
      .filter((record) => !underScratch(record.path))
      .map((record) => `deleted ${record.path.join("/")}`),
    ...truth.restores
      .slice(mark.restores)
      .filter((record) => !underScratch(record.originalPath) || !underScratch(record.restoredPath))
      .map(
        (record) => `restored ${record.originalPath.join("/")} → ${record.restoredPath.join("/")}`,
      ),
    ...truth.purges
      .slice(mark.purges)
      .filter((record) => !underScratch(record.originalPath))
      .map((record) => `purged ${record.originalPath.join("/")}`),
  ];
}

/** Options for `runConformance` against `sim` (or a relay in front of it), contract library. */
export function conformanceAgainst(
  target: Simulator | { readonly url: string },
  overrides: Partial<ConformanceOptions> = {},
): ConformanceOptions {
  return {
    client: contractClient(target).client,
    baseUrl: new URL(target.url),
    secret: SECRET,
    libraryId: LIB,
    spaceId: SPACE,
    assumptions: documentedAssumptions(),
    cleanupTimeoutMs: 20_000,
    ...overrides,
  };
}
