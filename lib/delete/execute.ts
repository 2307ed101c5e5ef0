/**
 * Where SMH is called for deletions. Jobs are grouped by (library, space, permanent, SMH user); a
 * group of at least `batchDeleteMinJobs` goes through SMH batch delete in chunks of up to 1,000
 * paths, the rest through single deletes. A bounded pool of workers runs the units, under the
 * client's per-library limiter, and stops starting new ones when the invocation's time runs short.
 *
 * A batch answer that leaves items unsettled (a per-item 5xx, an item SMH did not mention, or a
 * whole request that failed after SMH may have applied it) falls back to single deletes of those
 * items: a single delete of a directory that the batch did delete answers 404, and the recycle-bin
 * lookup then recovers its `recycledItemId`.
 */

import type { CircuitBreakers } from "../batch/circuit.ts";
import {
  failureInfo,
  recordAttempts,
  recordFailedCall,
  recordHealth,
  runUnits,
} from "../batch/work.ts";
import type { SmhClient } from "../smh/client.ts";
import { SmhError } from "../smh/errors/smh-error.ts";
import { normalizePath } from "../smh/paths.ts";
import { type ErrorVerdict, type JobState, judgeError } from "./settlement.ts";

/** What the executor needs from the outside world. */
export interface ExecuteContext {
  readonly smh: Pick<SmhClient, "deleteDirectory" | "batchDelete">;
  readonly circuits: CircuitBreakers;
  readonly concurrency: number;
  readonly batchDeleteMinJobs: number;
  readonly batchDeleteMaxItems: number;
  /** No unit starts after this instant (epoch ms). */
  readonly stopStartingAt: number;
  /** Deadline passed to SMH calls (epoch ms). */
  readonly callDeadline: number;
  readonly now: () => number;
}

type Unit =
  | { readonly kind: "single"; readonly job: JobState }
  | { readonly kind: "batch"; readonly jobs: readonly JobState[] };

/**
 * Splits jobs into units: batches for big (library, space, permanent, SMH user) groups, singles
 * otherwise. The SMH user is part of the group because one batch request acts as one user: SMH
 * records it as the operator of every item.
 */
export function planUnits(
  jobs: readonly JobState[],
  minBatch: number,
  maxBatchItems: number,
): Unit[] {
  const groups = new Map<string, JobState[]>();
  for (const state of jobs) {
    const { libraryId, spaceId, permanent, userId } = state.accepted.job;
    const key = JSON.stringify([libraryId, spaceId, permanent, userId ?? null]);
    const group = groups.get(key);
    if (group) group.push(state);
    else groups.set(key, [state]);
  }
  const units: Unit[] = [];
  for (const group of groups.values()) {
    if (group.length < minBatch) {
      for (const job of group) units.push({ kind: "single", job });
      continue;
    }
    for (let start = 0; start < group.length; start += maxBatchItems) {
      const chunk = group.slice(start, start + maxBatchItems);
      // A trailing chunk too small for a batch still goes as singles.
      if (chunk.length < minBatch) for (const job of chunk) units.push({ kind: "single", job });
      else units.push({ kind: "batch", jobs: chunk });
    }
  }
  return units;
}

/**
 * Runs every job to a settlement (see `settlement.ts`). Never throws: every failure is recorded on
 * the job it belongs to.
 */
export async function executeDeletions(
  jobs: readonly JobState[],
  context: ExecuteContext,
): Promise<void> {
  await runUnits(
    planUnits(jobs, context.batchDeleteMinJobs, context.batchDeleteMaxItems),
    {
      concurrency: context.concurrency,
      statesOf: (unit) => (unit.kind === "single" ? [unit.job] : unit.jobs),
      libraryOf: (state) => state.accepted.job.libraryId,
      run: (unit) =>
        unit.kind === "single" ? deleteSingle(unit.job, context) : deleteBatch(unit.jobs, context),
    },
    context,
  );
}

async function deleteSingle(state: JobState, context: ExecuteContext): Promise<Unit[]> {
  const { job } = state.accepted;
  try {
    const answer = await context.smh.deleteDirectory(
      { libraryId: job.libraryId, spaceId: job.spaceId, path: job.path, permanent: job.permanent },
      { deadline: context.callDeadline, userId: job.userId },
    );
    recordAttempts(state, answer.attempts, answer.requestId);
    context.circuits.recordSuccess(job.libraryId);
    state.settlement =
      answer.outcome === "done"
        ? // An asynchronous task finished without per-item detail: the directory is gone.
          { kind: "lookup", otherwise: "deleted" }
        : removed(answer);
  } catch (error) {
    settleFromError(state, error, context);
  }
  return [];
}

async function deleteBatch(states: readonly JobState[], context: ExecuteContext): Promise<Unit[]> {
  const first = states[0];
  if (!first) return [];
  const { libraryId, spaceId, userId } = first.accepted.job;
  const retrySingly: Unit[] = [];
  try {
    const answer = await context.smh.batchDelete(
      {
        libraryId,
        spaceId,
        items: states.map(({ accepted: { job } }) => ({
          path: job.path,
          permanent: job.permanent,
        })),
      },
      { deadline: context.callDeadline, userId },
    );
    context.circuits.recordSuccess(libraryId);
    // The answer names each directory by its canonical path; a job keeps its path as written.
    const byPath = new Map(answer.items.map((item) => [item.path, item]));
    for (const state of states) {
      recordAttempts(state, answer.attempts, answer.requestId);
      const item = byPath.get(normalizePath(state.accepted.job.path));
      if (!item || item.outcome === "unknown") {
        retrySingly.push({ kind: "single", job: state });
        continue;
      }
      if (item.outcome !== "failed") {
        state.settlement = removed(item);
        continue;
      }
      const verdict = judgeError(item.error);
      if (verdict === "not-found")
        state.settlement = { kind: "lookup", otherwise: "already_absent" };
      else if (verdict === "fail-now") state.settlement = failedNow(item.error);
      // A per-item 5xx or PathConflict: this one item is tried again on its own.
      else retrySingly.push({ kind: "single", job: state });
    }
  } catch (error) {
    for (const state of states) recordFailedCall(state, error);
    if (error instanceof SmhError && error.mayHaveApplied) {
      // SMH may have deleted some of them: single deletes find out which (404 → recycle bin).
      context.circuits.recordFailure(libraryId);
      for (const state of states) retrySingly.push({ kind: "single", job: state });
    } else {
      // One failed request: the circuit hears of it once, every job gets the same settlement.
      const verdict = judgeError(error);
      recordHealth(context.circuits, libraryId, verdict);
      for (const state of states) settle(state, error, verdict);
    }
  }
  return retrySingly;
}

function settleFromError(state: JobState, error: unknown, context: ExecuteContext): void {
  // Unlike a failed batch request, a failed single delete that is not an SmhError adds no attempt.
  if (error instanceof SmhError) recordAttempts(state, error.attempts, error.requestId);
  const verdict = judgeError(error);
  recordHealth(context.circuits, state.accepted.job.libraryId, verdict);
  settle(state, error, verdict);
}

/** The settlement of a directory SMH removed: to the recycle bin (with its handle) or for ever. */
function removed(
  answer: { outcome: "recycled"; recycledItemId: number } | { outcome: "deleted" },
): JobState["settlement"] {
  return answer.outcome === "recycled"
    ? { kind: "done", facts: { outcome: "recycled", recycledItemId: answer.recycledItemId } }
    : { kind: "done", facts: { outcome: "deleted" } };
}

function settle(state: JobState, error: unknown, verdict: ErrorVerdict): void {
  switch (verdict) {
    case "not-found":
      state.settlement = { kind: "lookup", otherwise: "already_absent" };
      return;
    case "fail-now":
      state.settlement = failedNow(error);
      return;
    case "transient-config":
    case "transient-smh":
      state.settlement = { kind: "transient", error: failureInfo(error) };
      return;
  }
}

function failedNow(error: unknown): JobState["settlement"] {
  const info = failureInfo(error);
  return {
    kind: "done",
    facts: {
      outcome: "failed",
      error: { status: info.status, code: info.code, message: info.message },
    },
  };
}
