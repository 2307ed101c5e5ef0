export type { TokenLogEntry } from "../../../lib/sim/state/tokens.ts";

import { DEFAULT_FAULTS } from "../../../lib/sim/faults.ts";
import { DEFAULT_BEHAVIOUR } from "../../../lib/sim/options.ts";
import type { SeedInput } from "../../../lib/sim/seeds/schema.ts";
import type { Simulator } from "../../../lib/sim/simulator.ts";
import { startSimulator } from "../../../lib/sim/start.ts";
import type { TokenLogEntry } from "../../../lib/sim/state/tokens.ts";

/** A multi-tenant library with the recycle bin on (30 days). */
export const LIB = "smhcontract";
/** Distinctive, so a leak is found wherever it lands. */
export const SECRET = "contract-secret-7d1e5a9c3b80f4e2";
/** Files space of user `alice`. */
export const SPACE = "spacefiles01";
/** Files space of user `bob`. */
export const OTHER_SPACE = "spacefiles02";
/** An album space (one level of albums). */
export const ALBUMS = "spacealbums01";
/** A single-tenant library (space `-`) with the recycle bin off. */
export const SINGLE = "smhsingle01";
export const SINGLE_SECRET = "single-secret-0a9b8c7d6e5f4a3b";

export const DAY_MS = 86_400_000;

/** The contract seed: two libraries, nothing in them that a test does not create itself. */
export function contractSeed(): SeedInput {
  return {
    libraries: [
      {
        id: LIB,
        secret: SECRET,
        retentionDays: 30,
        spaces: [
          { id: SPACE, userId: "alice" },
          { id: OTHER_SPACE, userId: "bob" },
          { id: ALBUMS, kind: "albums", userId: "alice" },
        ],
      },
      { id: SINGLE, secret: SINGLE_SECRET, multiSpace: false, recycleBin: false },
    ],
  };
}

/** Starts a simulator on 127.0.0.1, port 0, with the contract seed. */
export function startContractSimulator(): Promise<Simulator> {
  return startSimulator({ port: 0, seed: contractSeed() });
}

/** Puts every fault and behaviour option back to its documented default. */
export function resetSimulator(sim: Simulator): void {
  sim.setFaults("*", { ...DEFAULT_FAULTS, routes: null });
  sim.setOptions({ ...DEFAULT_BEHAVIOUR });
}

let counter = 0;
/** A fresh directory name, so tests sharing a simulator never touch each other's paths. */
export function unique(prefix = "dir"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Creates `count` directories `parent/<prefix>-<nnnnn>` (in-process, no HTTP). */
export function createDirectories(
  sim: Simulator,
  parent: string,
  count: number,
  options: { libraryId?: string; spaceId?: string; prefix?: string } = {},
): string[] {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = `${parent}/${options.prefix ?? "d"}-${String(i).padStart(5, "0")}`;
    sim.createDirectory(options.libraryId ?? LIB, options.spaceId ?? SPACE, path);
    paths.push(path);
  }
  return paths;
}

/** The applied deletions of a library, as the simulator's ground truth records them. */
export function deletionsOf(sim: Simulator, path: string, libraryId = LIB) {
  return sim
    .groundTruth()
    .deletions.filter(
      (deletion) => deletion.libraryId === libraryId && deletion.path.join("/") === path,
    );
}

/** How many calls of `route` the simulator answered since the last reset of its stats. */
export function callsOf(sim: Simulator, route: string): number {
  const statuses = sim.stats().byRoute[route] ?? {};
  return Object.values(statuses).reduce((sum, count) => sum + count, 0);
}

/**
 * Marks the simulator's token log; the returned function lists the tokens minted since (for one
 * library), so tests sharing a simulator only see their own.
 */
export function tokenLogMark(sim: Simulator): (libraryId?: string) => TokenLogEntry[] {
  const mark = sim.tokens().length;
  return (libraryId = LIB) =>
    sim
      .tokens()
      .slice(mark)
      .filter((token) => token.libraryId === libraryId);
}

/** The grant set of a token, sorted and comma-joined (`""` for a read-only token). */
export function grantSet(token: TokenLogEntry): string {
  return [...token.grants].sort().join(",");
}
