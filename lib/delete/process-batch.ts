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
import { processQueueBatch, type QueueBatchOutcome, type QueuePipeline } from "../batch/process.ts";
import type { QueueRecord } from "../batch/records.ts";
import { pendingReason, resultNow } from "../batch/work.ts";
import { DeletionOutcome, type DeletionResult, deletionResult } from "../messages/index.ts";
import type { SmhClient } from "../smh/index.ts";
import { executeDeletions } from "./execute.ts";
import { admitJobs } from "./intake.ts";
import { type DeleteObserver, silentDeleteObserver } from "./observer.ts";
import { recoverFromRecycleBin } from "./recover.ts";
import type { DeleteSettings } from "./settings.ts";
import { initialState } from "./settlement.ts";

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

/**
 * Processes one batch of jobs-queue records.
 *
 * @param records - the batch, as {@link QueueRecord}s.
 * @param pipeline - dependencies and settings.
 * @param deadline - when the invocation ends (epoch ms): `Date.now() + context.getRemainingTimeInMillis()`.
 */
export function processDeleteBatch(
  records: readonly QueueRecord[],
  pipeline: DeletePipeline,
  deadline: number,
): Promise<BatchOutcome> {
  const now = pipeline.now ?? Date.now;
  const { settings } = pipeline;
  return processQueueBatch(
    records,
    deadline,
    { ...pipeline, observer: pipeline.observer ?? silentDeleteObserver, now },
    {
      outcomes: Object.values(DeletionOutcome),
      admit: (batch) => {
        const { accepted, refused } = admitJobs(batch, pipeline.policy, () => new Date(now()));
        return {
          accepted,
          refused: refused.map(({ record, result }) => ({ record, results: [result] })),
        };
      },
      start: (accepted) => [initialState(accepted)],
      execute: async (work, { stopStartingAt, callDeadline }) => {
        const jobs = work.flatMap(({ states }) => states);
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
      },
      libraryOf: ({ job }) => job.libraryId,
      resultOf: (state, givingUp) =>
        resultNow(state, givingUp, now, (facts, run) =>
          deletionResult(state.accepted.job, facts, run),
        ),
      retryDetails: ({ accepted: { job, receiveCount } }, [state]) => ({
        jobId: job.jobId,
        libraryId: job.libraryId,
        spaceId: job.spaceId,
        path: job.path,
        receiveCount,
        ...pendingReason(state.settlement),
      }),
      // A job that comes back counts its records: each of them is redelivered.
      retryCount: ({ accepted }) => accepted.records.length,
    },
  );
}
