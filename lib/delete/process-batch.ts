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
import {
  failedBatchOutcome,
  fullBatchFailure,
  publishedOutcome,
  type QueueBatchOutcome,
  type QueuePipeline,
  refusalReply,
  workReply,
} from "../batch/process.ts";
import type { QueueRecord } from "../batch/records.ts";
import { invocationBudget } from "../batch/settings.ts";
import { pendingReason, resultNow } from "../batch/work.ts";
import {
  DeletionOutcome,
  type DeletionResult,
  deletionResult,
} from "../messages/deletion-result.ts";
import type { SmhClient } from "../smh/client.ts";
import { executeDeletions } from "./execute.ts";
import { admitJobs } from "./intake.ts";
import { type DeleteObserver, silentDeleteObserver } from "./observer.ts";
import { recoverFromRecycleBin } from "./recover.ts";
import type { DeleteSettings } from "./settings.ts";
import { initialState, type JobState } from "./settlement.ts";

/** Everything a delete batch needs; built once per container. */
export type DeletePipeline = QueuePipeline<
  Pick<SmhClient, "deleteDirectory" | "batchDelete" | "listRecycleBin">,
  DeleteSettings,
  DeleteObserver
>;

/**
 * What the caller must do with the batch: the message IDs that must come back, whether the whole
 * batch is failed on purpose, and results written by outcome (`retryLater`: records that come back
 * without a result).
 */
export type BatchOutcome = QueueBatchOutcome<DeletionResult["outcome"]>;

const OUTCOMES = Object.values(DeletionOutcome);

/**
 * Processes one batch of jobs-queue records.
 *
 * @param records - the batch, as {@link QueueRecord}s (`queueRecordFromSqs`).
 * @param pipeline - dependencies and settings.
 * @param deadline - when the invocation ends (epoch ms): `Date.now() + context.getRemainingTimeInMillis()`.
 */
export async function processDeleteBatch(
  records: readonly QueueRecord[],
  pipeline: DeletePipeline,
  deadline: number,
): Promise<BatchOutcome> {
  const now = pipeline.now ?? Date.now;
  const observer = pipeline.observer ?? silentDeleteObserver;
  const { settings } = pipeline;
  const { stopStartingAt, callDeadline } = invocationBudget(deadline, now(), settings);

  // Parse and check every record: valid, allowed jobs (the same job twice merged) and refusals.
  const { accepted, refused } = admitJobs(records, pipeline.policy, () => new Date(now()));
  const jobs = accepted.map(initialState);

  // Delete in SMH, then find in the recycle bin the handles of directories that answered 404.
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

  const work = jobs.map((state) => settledWork(state));
  const failure = fullBatchFailure(
    records,
    work,
    refused.length,
    pipeline.circuits,
    settings.maxReceiveCount,
  );
  if (failure) {
    const comingBack = jobs.reduce((sum, { accepted }) => sum + accepted.records.length, 0);
    return failedBatchOutcome(failure, OUTCOMES, comingBack, observer);
  }

  // A result for every refused record and every settled (or given-up) job.
  const replies = refused.map(({ record, result }) => refusalReply(record, [result]));
  let retryLater = 0;
  for (const entry of work) {
    const { reply, pending } = workReply(entry, settings.maxReceiveCount, (state, givingUp) =>
      resultNow(state, givingUp, now, (facts, run) =>
        deletionResult(state.accepted.job, facts, run),
      ),
    );
    replies.push(reply);
    const [state] = pending;
    if (!state) continue;
    const { job, receiveCount } = state.accepted;
    // A job that comes back counts its records: each of them is redelivered.
    retryLater += entry.records.length;
    observer.retryLater({
      jobId: job.jobId,
      libraryId: job.libraryId,
      spaceId: job.spaceId,
      path: job.path,
      receiveCount,
      ...pendingReason(state.settlement),
    });
  }

  return publishedOutcome(records, replies, pipeline.publisher, observer, OUTCOMES, retryLater);
}

/** A job as the shared steps see it: one piece of work, carried by its records. */
function settledWork(state: JobState) {
  const { accepted } = state;
  return {
    records: accepted.records,
    receiveCount: accepted.receiveCount,
    libraryId: accepted.job.libraryId,
    states: [state],
  };
}
