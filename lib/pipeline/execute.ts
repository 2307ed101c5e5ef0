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
import pLimit from "p-limit";
import type { SmhClient } from "../smh/index.ts";
import { SmhError } from "../smh/index.ts";
import type { CircuitBreakers } from "./circuit.ts";
import { type ErrorVerdict, failureInfo, type JobState, judgeError } from "./settlement.ts";

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
  const limit = pLimit(Math.max(1, context.concurrency));
  const running = new Set<Promise<void>>();
  const schedule = (unit: Unit): void => {
    const run: Promise<void> = limit(() => runUnit(unit, context))
      .catch((error: unknown) => {
        // runUnit records every SMH failure itself; this is a bug's last line of defence.
        for (const job of jobsOf(unit)) settle(job, error, "transient-smh");
        return [];
      })
      // Follow-ups are scheduled after the unit has left its slot, so they never wait on it.
      .then((followUps) => followUps.forEach(schedule))
      .finally(() => running.delete(run));
    running.add(run);
  };
  for (const unit of planUnits(jobs, context.batchDeleteMinJobs, context.batchDeleteMaxItems)) {
    schedule(unit);
  }
  while (running.size > 0) await Promise.all(running);
}

function jobsOf(unit: Unit): readonly JobState[] {
  return unit.kind === "single" ? [unit.job] : unit.jobs;
}

async function runUnit(unit: Unit, context: ExecuteContext): Promise<Unit[]> {
  const jobs = jobsOf(unit);
  const first = jobs[0];
  if (!first) return [];
  const { libraryId } = first.accepted.job;
  if (context.now() >= context.stopStartingAt) {
    defer(jobs, "not started: the invocation's remaining time fell under the deadline margin");
    return [];
  }
  if (!context.circuits.tryAcquire(libraryId)) {
    defer(
      jobs,
      `not started: the circuit for library ${libraryId} is open after repeated SMH failures`,
    );
    return [];
  }
  const startedAt = new Date(context.now());
  for (const job of jobs) job.startedAt ??= startedAt;
  return unit.kind === "single" ? deleteSingle(unit.job, context) : deleteBatch(unit.jobs, context);
}

function defer(jobs: readonly JobState[], reason: string): void {
  for (const job of jobs) job.settlement = { kind: "deferred", reason };
}

async function deleteSingle(state: JobState, context: ExecuteContext): Promise<Unit[]> {
  const { job } = state.accepted;
  try {
    const answer = await context.smh.deleteDirectory(
      { libraryId: job.libraryId, spaceId: job.spaceId, path: job.path, permanent: job.permanent },
      { deadline: context.callDeadline, userId: job.userId },
    );
    state.attempts += answer.attempts;
    state.requestId = answer.requestId ?? state.requestId;
    context.circuits.recordSuccess(job.libraryId);
    switch (answer.outcome) {
      case "recycled":
        state.settlement = {
          kind: "done",
          facts: { outcome: "recycled", recycledItemId: answer.recycledItemId },
        };
        break;
      case "deleted":
        state.settlement = { kind: "done", facts: { outcome: "deleted" } };
        break;
      case "done":
        // An asynchronous task finished without per-item detail: the directory is gone.
        state.settlement = { kind: "lookup", otherwise: "deleted" };
        break;
    }
  } catch (error) {
    settleFromError(state, error, context);
  }
  state.finishedAt = new Date(context.now());
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
    const byPath = new Map(answer.items.map((item) => [item.path, item]));
    for (const state of states) {
      state.attempts += answer.attempts;
      state.requestId = answer.requestId ?? state.requestId;
      const item = byPath.get(state.accepted.job.path);
      if (!item || item.outcome === "unknown") {
        retrySingly.push({ kind: "single", job: state });
        continue;
      }
      switch (item.outcome) {
        case "recycled":
          state.settlement = {
            kind: "done",
            facts: { outcome: "recycled", recycledItemId: item.recycledItemId },
          };
          break;
        case "deleted":
          state.settlement = { kind: "done", facts: { outcome: "deleted" } };
          break;
        case "failed": {
          const verdict = judgeError(item.error);
          if (verdict === "not-found")
            state.settlement = { kind: "lookup", otherwise: "already_absent" };
          else if (verdict === "fail-now") state.settlement = failedNow(item.error);
          // A per-item 5xx or PathConflict: this one item is tried again on its own.
          else retrySingly.push({ kind: "single", job: state });
          break;
        }
      }
    }
  } catch (error) {
    for (const state of states) {
      state.attempts += error instanceof SmhError ? error.attempts : 1;
      if (error instanceof SmhError) state.requestId = error.requestId ?? state.requestId;
    }
    if (error instanceof SmhError && error.mayHaveApplied) {
      // SMH may have deleted some of them: single deletes find out which (404 → recycle bin).
      context.circuits.recordFailure(libraryId);
      for (const state of states) retrySingly.push({ kind: "single", job: state });
    } else {
      // One failed request: the circuit hears of it once, every job gets the same settlement.
      const verdict = judgeError(error);
      recordCircuit(context, libraryId, verdict);
      for (const state of states) settle(state, error, verdict);
    }
  }
  const finishedAt = new Date(context.now());
  for (const state of states) state.finishedAt = finishedAt;
  return retrySingly;
}

function settleFromError(state: JobState, error: unknown, context: ExecuteContext): void {
  if (error instanceof SmhError) {
    state.attempts += error.attempts;
    state.requestId = error.requestId ?? state.requestId;
  }
  const verdict = judgeError(error);
  recordCircuit(context, state.accepted.job.libraryId, verdict);
  settle(state, error, verdict);
}

/** Only SMH's own trouble counts against its circuit; a 404 or a bad request is a healthy answer. */
function recordCircuit(context: ExecuteContext, libraryId: string, verdict: ErrorVerdict): void {
  if (verdict === "transient-smh") context.circuits.recordFailure(libraryId);
  else context.circuits.recordSuccess(libraryId);
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
