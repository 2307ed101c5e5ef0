/**
 * What a chaos run comes to: every planned job, every result read off the results queue, every
 * dead letter and the simulator's ground truth (applied deletions, recycle bins, live trees),
 * compared. Pure: the run gathers, this decides.
 *
 * The invariants (each must be 0):
 * - `lost`: jobs with neither a result nor a dead letter;
 * - `unrequestedDeletions`: deletions SMH applied at a target no allowed job named;
 * - `silentlyKept`: valid jobs whose directory still exists without a `failed` result or a dead
 *   letter (a dead letter counts as failed);
 * - `missingRecycledIds`: recycle-bin items the run's deletions put there whose `recycledItemId`
 *   is in no result;
 * - `duplicatesAfterDedup`: results left beyond one per job once duplicates are dropped by
 *   dedupKey, as a consumer does (`ResultSet`, keeping the one with the `recycledItemId`);
 * - `secretLeaks`: occurrences of a library secret or an access token in what was captured;
 * - and three this run adds: `wrongRecycledIds` (a result's `recycledItemId` is not the item SMH
 *   made of that directory), `misjudged` (an invalid or forbidden job not rejected, a valid one
 *   rejected, a missing directory reported deleted) and `unexpectedResults` (results for no
 *   planned job, or not results at all);
 * - and two of the ledger (docs/ledger.md), compared with the results queue by dedupKey:
 *   `missingFromLedger` (results seen on the results queue that the ledger does not hold — so also
 *   every job whose terminal result is not in the ledger) and `ledgerOnlyResults` (results the
 *   ledger holds that never came over the results queue).
 */

import type { DeletionResult } from "../lib/messages/deletion-result.ts";
import { bodyId } from "../lib/messages/digest.ts";
import { ResultSet } from "../lib/messages/result-set.ts";
import type { GroundTruth } from "../lib/sim/inspection/dumps.ts";
import type { PlannedJob, Target } from "./plan.ts";
import { findLeaks, type Haystack, type Leak, type Secret } from "./secrets.ts";

/** What the run gathered. */
export interface RunObservations {
  readonly jobs: readonly PlannedJob[];
  /** Deletion results read off the results queue, in order. */
  readonly results: readonly DeletionResult[];
  /** Messages on the results queue that were not deletion results. */
  readonly unreadable: readonly string[];
  /** Bodies read off the jobs DLQ. */
  readonly deadLetters: readonly string[];
  /** The simulator's ground truth at the end. */
  readonly truth: GroundTruth;
  readonly secrets: readonly Secret[];
  readonly haystacks: readonly Haystack[];
  /** What the ledger holds at the end: each result's dedupKey, with the jobId it is about. */
  readonly ledger: ReadonlyMap<string, string>;
}

/** The figures of a run. */
export interface ChaosCounts {
  /** Distinct jobs planned (duplicate deliveries of one job count once). */
  jobs: number;
  withResult: number;
  inDlq: number;
  /** Jobs with a `failed` result or a dead letter. */
  failed: number;
  lost: number;
  unrequestedDeletions: number;
  silentlyKept: number;
  missingRecycledIds: number;
  duplicatesAfterDedup: number;
  /** Results beyond one per job before dropping duplicates (reported, not an error). */
  rawDuplicates: number;
  secretLeaks: number;
  wrongRecycledIds: number;
  misjudged: number;
  unexpectedResults: number;
  /** Results (by dedupKey) seen on the results queue that the ledger does not hold. */
  missingFromLedger: number;
  /** Results (by dedupKey) in the ledger never seen on the results queue. */
  ledgerOnlyResults: number;
  /** Outcomes of the results kept after dedup. */
  outcomes: Record<string, number>;
}

/** Up to {@link EXAMPLES} examples of each broken invariant, to start debugging from. */
export interface ChaosEvidence {
  lost: string[];
  unrequestedDeletions: string[];
  silentlyKept: string[];
  missingRecycledIds: number[];
  duplicatesAfterDedup: string[];
  wrongRecycledIds: string[];
  misjudged: string[];
  unexpectedResults: string[];
  missingFromLedger: string[];
  ledgerOnlyResults: string[];
  secretLeaks: Leak[];
}

const EXAMPLES = 10;

/** The invariants that must be 0 for a run to pass. */
export const MUST_BE_ZERO = [
  "lost",
  "unrequestedDeletions",
  "silentlyKept",
  "missingRecycledIds",
  "duplicatesAfterDedup",
  "secretLeaks",
  "wrongRecycledIds",
  "misjudged",
  "unexpectedResults",
  "missingFromLedger",
  "ledgerOnlyResults",
] as const satisfies readonly (keyof ChaosCounts)[];

function keyOf(target: Pick<Target, "libraryId" | "spaceId" | "path">): string {
  return `${target.libraryId}/${target.spaceId}/${target.path}`;
}

/** Compares everything (see the module comment). */
export function account(run: RunObservations): { counts: ChaosCounts; evidence: ChaosEvidence } {
  const byJobId = new Map(run.jobs.map((job) => [job.jobId, job]));
  const byBody = new Map(run.jobs.map((job) => [job.body, job]));
  const evidence: ChaosEvidence = {
    lost: [],
    unrequestedDeletions: [],
    silentlyKept: [],
    missingRecycledIds: [],
    duplicatesAfterDedup: [],
    wrongRecycledIds: [],
    misjudged: [],
    unexpectedResults: [],
    missingFromLedger: [],
    ledgerOnlyResults: [],
    secretLeaks: [],
  };
  const note = (list: string[] | number[], item: string | number) => {
    if (list.length < EXAMPLES) (list as (string | number)[]).push(item);
  };

  // Results per job.
  const resultsOf = new Map<string, DeletionResult[]>();
  let unexpectedResults = run.unreadable.length;
  for (const body of run.unreadable) note(evidence.unexpectedResults, `not a result: ${cut(body)}`);
  for (const result of run.results) {
    if (!byJobId.has(result.jobId)) {
      unexpectedResults++;
      note(evidence.unexpectedResults, `result for no planned job: ${result.jobId}`);
      continue;
    }
    const list = resultsOf.get(result.jobId);
    if (list) list.push(result);
    else resultsOf.set(result.jobId, [result]);
  }

  // Dead letters per job: by body, else by the jobId it names, else by its body-… name.
  const deadLettered = new Set<string>();
  for (const body of run.deadLetters) {
    const job =
      byBody.get(body) ?? byJobId.get(namedJobId(body) ?? "") ?? byJobId.get(bodyId(body));
    if (job) deadLettered.add(job.jobId);
    else {
      unexpectedResults++;
      note(evidence.unexpectedResults, `dead letter of no planned job: ${cut(body)}`);
    }
  }

  // Ground truth.
  const live = new Set<string>();
  const binItems: { recycledItemId: number; target: string }[] = [];
  for (const library of run.truth.libraries) {
    for (const space of library.spaces) {
      for (const path of space.directories) {
        live.add(keyOf({ libraryId: library.libraryId, spaceId: space.spaceId, path }));
      }
      for (const item of space.recycled) {
        binItems.push({
          recycledItemId: item.recycledItemId,
          target: keyOf({
            libraryId: library.libraryId,
            spaceId: space.spaceId,
            path: item.originalPath.join("/"),
          }),
        });
      }
    }
  }
  const deletionIdsAt = new Map<string, Set<number>>();
  const runItemIds = new Set<number>();
  const allowed = new Set(
    run.jobs
      .filter((job) => (job.kind === "valid" || job.kind === "absent") && job.target)
      .map((job) => keyOf(job.target as Target)),
  );
  let unrequestedDeletions = 0;
  for (const deletion of run.truth.deletions) {
    const key = keyOf({ ...deletion, path: deletion.path.join("/") });
    if (!allowed.has(key)) {
      unrequestedDeletions++;
      note(evidence.unrequestedDeletions, `${key} (via ${deletion.via})`);
    }
    if (deletion.recycledItemId !== null) {
      runItemIds.add(deletion.recycledItemId);
      const ids = deletionIdsAt.get(key) ?? new Set<number>();
      ids.add(deletion.recycledItemId);
      deletionIdsAt.set(key, ids);
    }
  }

  const counts: ChaosCounts = {
    jobs: run.jobs.length,
    withResult: 0,
    inDlq: 0,
    failed: 0,
    lost: 0,
    unrequestedDeletions,
    silentlyKept: 0,
    missingRecycledIds: 0,
    duplicatesAfterDedup: 0,
    rawDuplicates: 0,
    secretLeaks: 0,
    wrongRecycledIds: 0,
    misjudged: 0,
    unexpectedResults,
    missingFromLedger: 0,
    ledgerOnlyResults: 0,
    outcomes: {},
  };
  const reportedIds = new Set<number>();
  for (const job of run.jobs) {
    const raw = resultsOf.get(job.jobId) ?? [];
    const dead = deadLettered.has(job.jobId);
    if (raw.length > 0) counts.withResult++;
    if (dead) counts.inDlq++;
    if (raw.length === 0 && !dead) {
      counts.lost++;
      note(evidence.lost, `${job.jobId} (${job.kind})`);
      continue;
    }
    const set = new ResultSet();
    for (const result of raw) set.add(result);
    const kept = set.results() as DeletionResult[];
    counts.rawDuplicates += Math.max(0, raw.length - 1);
    counts.duplicatesAfterDedup += Math.max(0, kept.length - 1);
    if (kept.length > 1) {
      note(
        evidence.duplicatesAfterDedup,
        `${job.jobId}: ${kept.map(({ outcome }) => outcome).join(", ")}`,
      );
    }
    for (const result of kept)
      counts.outcomes[result.outcome] = (counts.outcomes[result.outcome] ?? 0) + 1;
    for (const result of raw)
      if ("recycledItemId" in result) reportedIds.add(result.recycledItemId);
    const failed = dead || kept.some(({ outcome }) => outcome === "failed");
    if (failed) counts.failed++;

    // Each kind must end as it should.
    const wrong = kept.filter((result) => !fits(job, result));
    if (wrong.length > 0) {
      counts.misjudged++;
      note(
        evidence.misjudged,
        `${job.jobId} (${job.kind}${job.flaw ? `: ${job.flaw}` : ""}) → ${wrong.map(({ outcome }) => outcome).join(", ")}`,
      );
    }
    if (job.kind === "valid" && job.target && live.has(keyOf(job.target)) && !failed) {
      counts.silentlyKept++;
      note(evidence.silentlyKept, `${job.jobId}: ${keyOf(job.target)}`);
    }
    if (job.target) {
      const truthIds = deletionIdsAt.get(keyOf(job.target)) ?? new Set<number>();
      for (const result of kept) {
        if ("recycledItemId" in result && !truthIds.has(result.recycledItemId)) {
          counts.wrongRecycledIds++;
          note(evidence.wrongRecycledIds, `${job.jobId}: ${result.recycledItemId}`);
        }
      }
    }
  }
  for (const item of binItems) {
    if (runItemIds.has(item.recycledItemId) && !reportedIds.has(item.recycledItemId)) {
      counts.missingRecycledIds++;
      note(evidence.missingRecycledIds, item.recycledItemId);
    }
  }
  compareLedger(run, counts, evidence, note);
  evidence.secretLeaks = findLeaks(run.haystacks, run.secrets);
  counts.secretLeaks = evidence.secretLeaks.length;
  evidence.secretLeaks = evidence.secretLeaks.slice(0, EXAMPLES);
  return { counts, evidence };
}

/** The ledger against the results queue, both by dedupKey (see the module comment). */
function compareLedger(
  run: RunObservations,
  counts: ChaosCounts,
  evidence: ChaosEvidence,
  note: (list: string[], item: string) => void,
): void {
  const onQueue = new Map(run.results.map((result) => [result.dedupKey, result]));
  for (const [key, result] of onQueue) {
    if (run.ledger.has(key)) continue;
    counts.missingFromLedger++;
    note(evidence.missingFromLedger, `${result.jobId}: ${result.outcome} (${key.slice(0, 12)})`);
  }
  for (const [key, jobId] of run.ledger) {
    if (onQueue.has(key)) continue;
    counts.ledgerOnlyResults++;
    note(evidence.ledgerOnlyResults, `${jobId} (${key.slice(0, 12)})`);
  }
}

/** Whether a (deduplicated) result is one this job may end with. */
function fits(job: PlannedJob, result: DeletionResult): boolean {
  switch (job.kind) {
    case "invalid":
    case "forbidden":
      return result.outcome === "rejected" && result.reasons.length > 0;
    case "absent":
      return result.outcome === "already_absent" || result.outcome === "failed";
    case "valid":
      return result.outcome !== "rejected" && result.outcome !== "already_absent";
  }
}

function namedJobId(body: string): string | undefined {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== "object" || value === null) return undefined;
    const jobId = (value as { jobId?: unknown }).jobId;
    return typeof jobId === "string" ? jobId : undefined;
  } catch {
    return undefined;
  }
}

function cut(text: string): string {
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** Whether every invariant of {@link MUST_BE_ZERO} is 0. */
export function passed(counts: ChaosCounts): boolean {
  return MUST_BE_ZERO.every((name) => counts[name] === 0);
}
