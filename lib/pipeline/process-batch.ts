/**
 * What one delete batch does: validate → policy → group → delete in SMH → recover lost handles from
 * the recycle bin → publish results → acknowledge. It knows nothing about Lambda: the handler adapts
 * Lambda's event and context to {@link processDeleteBatch}, and the local runner, tests and
 * benchmarks call the same handler.
 *
 * The acknowledgement rule: a record is acknowledged (left out of `batchItemFailures`) only once the
 * result of its job is on the results queue. Everything else comes back through the queue:
 * - a job that failed transiently, or was not started before the deadline, gets no result yet;
 * - on its last receive (`receiveCount >= maxReceiveCount`) it gets a `failed` result saying why,
 *   and is still reported as failed, so SQS moves it to the DLQ with its result already written.
 */
import { type DeletionResult, deletionResult } from "../messages/index.ts";
import type { DeletionPolicy } from "../policy/index.ts";
import type { SmhClient } from "../smh/index.ts";
import type { CircuitBreakers } from "./circuit.ts";
import { executeDeletions } from "./execute.ts";
import { admitJobs } from "./intake.ts";
import { type PipelineObserver, silentObserver } from "./observer.ts";
import type { JobRecord } from "./records.ts";
import { recoverFromRecycleBin } from "./recover.ts";
import type { ResultPublisher } from "./results.ts";
import type { PipelineSettings } from "./settings.ts";
import { initialState, type JobState } from "./settlement.ts";

/** Everything a delete batch needs; built once per container. */
export interface DeletePipeline {
  readonly smh: Pick<SmhClient, "deleteDirectory" | "batchDelete" | "listRecycleBin">;
  readonly publisher: ResultPublisher;
  readonly policy: DeletionPolicy;
  readonly settings: PipelineSettings;
  readonly circuits: CircuitBreakers;
  readonly observer?: PipelineObserver;
  /** The clock (epoch ms). @default Date.now */
  readonly now?: () => number;
}

/** What the caller must do with the batch. */
export interface BatchOutcome {
  /** Message IDs that must come back (Lambda's `batchItemFailures`). */
  readonly failedMessageIds: string[];
  /**
   * Set when the whole batch is failed on purpose: SMH keeps failing for a library (its circuit is
   * open) and nothing in the batch could be done. Throwing lets Lambda slow its polling.
   */
  readonly fullBatchFailure?: string;
  /** Counts for logs and benchmarks. */
  readonly counts: Record<DeletionResult["outcome"] | "retryLater", number>;
}

/**
 * Processes one batch of jobs-queue records.
 *
 * @param records - the batch, as {@link JobRecord}s.
 * @param pipeline - dependencies and settings.
 * @param deadline - when the invocation ends (epoch ms): `Date.now() + context.getRemainingTimeInMillis()`.
 */
export async function processDeleteBatch(
  records: readonly JobRecord[],
  pipeline: DeletePipeline,
  deadline: number,
): Promise<BatchOutcome> {
  const now = pipeline.now ?? Date.now;
  const observer = pipeline.observer ?? silentObserver;
  const { settings } = pipeline;
  const remaining = Math.max(0, deadline - now());
  const stopStartingAt = deadline - Math.min(settings.deadlineMarginMs, remaining / 4);
  const callDeadline = deadline - Math.min(settings.publishReserveMs, remaining / 10);

  const { accepted, refused } = admitJobs(records, pipeline.policy, () => new Date(now()));
  const jobs = accepted.map(initialState);

  await executeDeletions(jobs, {
    smh: pipeline.smh,
    circuits: pipeline.circuits,
    concurrency: settings.concurrency,
    batchDeleteMinJobs: settings.batchDeleteMinJobs,
    batchDeleteMaxItems: settings.batchDeleteMaxItems,
    stopStartingAt,
    callDeadline,
    now,
  });
  await recoverFromRecycleBin(jobs, {
    smh: pipeline.smh,
    recoverySkewMs: settings.recoverySkewMs,
    callDeadline,
    now,
  });

  const openCircuit = accepted
    .map(({ job }) => job.libraryId)
    .find((libraryId) => pipeline.circuits.state(libraryId) !== "closed");
  const nothingDone = jobs.every(({ settlement }) => settlement.kind !== "done");
  // A job on its last receive gets its `failed` result before it dead-letters: failing the whole
  // batch would send it to the DLQ with no result at all.
  const lastReceive = jobs.some(
    ({ accepted }) => accepted.receiveCount >= settings.maxReceiveCount,
  );
  if (
    openCircuit !== undefined &&
    nothingDone &&
    !lastReceive &&
    refused.length === 0 &&
    jobs.length > 0
  ) {
    const reason = `SMH keeps failing for library ${openCircuit} (circuit open): failing the whole batch so polling slows down`;
    observer.batchFailed({ reason, records: records.length });
    return {
      failedMessageIds: records.map(({ messageId }) => messageId),
      fullBatchFailure: reason,
      counts: countOutcomes([], records.length),
    };
  }

  // Results to write, each with the records it acknowledges (or not, for a dead-lettered job).
  const outgoing: { result: DeletionResult; records: JobRecord[]; deadLettered: boolean }[] = [];
  const retryLater: JobRecord[] = [];
  for (const { record, result } of refused) {
    outgoing.push({ result, records: [record], deadLettered: false });
  }
  for (const state of jobs) {
    const result = resultOf(state, settings.maxReceiveCount, now);
    if (result) {
      outgoing.push({
        result,
        records: state.accepted.records,
        deadLettered: state.settlement.kind !== "done",
      });
      continue;
    }
    retryLater.push(...state.accepted.records);
    const { job } = state.accepted;
    const settlement = state.settlement;
    observer.retryLater({
      jobId: job.jobId,
      libraryId: job.libraryId,
      spaceId: job.spaceId,
      path: job.path,
      receiveCount: state.accepted.receiveCount,
      reason:
        settlement.kind === "deferred"
          ? settlement.reason
          : settlement.kind === "transient"
            ? settlement.error.message
            : "unsettled",
      error: settlement.kind === "transient" ? settlement.error : undefined,
    });
  }

  const published = await pipeline.publisher.publish(outgoing.map(({ result }) => result));
  const failed = new Set(retryLater.map(({ messageId }) => messageId));
  outgoing.forEach(({ result, records: carriers, deadLettered }, index) => {
    const written = published.written.has(index);
    for (const record of carriers) if (!written || deadLettered) failed.add(record.messageId);
    if (written) {
      observer.outcome(result, {
        receiveCount: Math.max(...carriers.map(({ receiveCount }) => receiveCount)),
        acknowledged: !deadLettered,
        deadLettered,
      });
    }
  });
  if (published.failures.length > 0) {
    observer.publishFailed({
      count: published.failures.length,
      codes: [...new Set(published.failures.map(({ code }) => code))],
    });
  }
  return {
    // Keep the batch's order: Lambda and the runner do not care, people reading logs do.
    failedMessageIds: records.map(({ messageId }) => messageId).filter((id) => failed.has(id)),
    counts: countOutcomes(
      outgoing.filter((_, index) => published.written.has(index)).map(({ result }) => result),
      retryLater.length,
    ),
  };
}

/**
 * The result a job gets now, if any: its outcome when settled, or — on its last receive — a
 * `failed` result saying why it is given up (it still goes to the DLQ).
 */
function resultOf(
  state: JobState,
  maxReceiveCount: number,
  now: () => number,
): DeletionResult | undefined {
  const { job, receiveCount } = state.accepted;
  const startedAt = state.startedAt ?? new Date(now());
  const finishedAt = state.finishedAt ?? new Date(now());
  const run = { attempts: state.attempts, requestId: state.requestId, startedAt, finishedAt };
  const { settlement } = state;
  if (settlement.kind === "done") return deletionResult(job, settlement.facts, run);
  if (receiveCount < maxReceiveCount) return undefined;
  const why =
    settlement.kind === "transient"
      ? settlement.error
      : { message: settlement.kind === "deferred" ? settlement.reason : "unsettled" };
  const message = `given up after ${receiveCount} deliveries (moving to the DLQ): ${why.message}`;
  return deletionResult(
    job,
    {
      outcome: "failed",
      error: {
        status: "status" in why ? why.status : undefined,
        code: "code" in why ? why.code : undefined,
        message,
      },
    },
    run,
  );
}

function countOutcomes(
  results: readonly DeletionResult[],
  retryLater: number,
): BatchOutcome["counts"] {
  const counts: BatchOutcome["counts"] = {
    recycled: 0,
    deleted: 0,
    recovered: 0,
    already_absent: 0,
    rejected: 0,
    failed: 0,
    retryLater,
  };
  for (const result of results) counts[result.outcome]++;
  return counts;
}
