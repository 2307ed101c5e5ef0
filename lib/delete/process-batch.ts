/**
 * What one delete batch does: validate → policy → group → delete in SMH → recover lost handles from
 * the recycle bin → publish results → acknowledge. It knows nothing about Lambda: the handler adapts
 * Lambda's event and context to {@link processDeleteBatch}, and the local runner, tests and
 * benchmarks call the same handler.
 *
 * The acknowledgement rule: a record is acknowledged (left out of `batchItemFailures`) once the
 * result of its job is on the results queue, or once its job is parked or given up (see
 * `lib/batch/parking.ts`):
 * - a job that failed transiently, or was not started (the deadline, the library's circuit), gets
 *   no result yet: it is re-sent to the jobs queue with a delay and its delivery state;
 * - once its retry budget is spent it gets one `failed` result saying which limit, and is sent to
 *   the DLQ.
 * Everything else (results or a re-send that could not be written) comes back through the queue.
 */
import {
  forwardDeadline,
  publishedOutcome,
  type QueueBatchOutcome,
  type QueuePipeline,
  refusalReply,
  workReply,
} from "../batch/process.ts";
import { attributeValues, type QueueRecord } from "../batch/records.ts";
import { invocationBudget } from "../batch/settings.ts";
import { pendingReason, resultNow } from "../batch/work.ts";
import {
  DeletionOutcome,
  type DeletionResult,
  deletionResult,
} from "../messages/deletion-result.ts";
import { currentDeliveryState, type DeliveryState } from "../messages/delivery.ts";
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
  const deliveries = new Map(jobs.map((state) => [state, deliveryOf(state, now())]));

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

  // A result for every refused record and every settled (or given-up) job; the rest is parked.
  const replies = refused.map(({ record, result }) => refusalReply(record, [result]));
  let retryLater = 0;
  for (const state of jobs) {
    const delivery = deliveries.get(state) as DeliveryState;
    const { job } = state.accepted;
    const { reply, pending, failedAttempts } = workReply(
      settledWork(state, delivery),
      { settings, now },
      (entry, givingUp) =>
        resultNow(entry, givingUp, now, (facts, run) =>
          deletionResult(job, facts, run, delivery.supersedes),
        ),
    );
    replies.push(reply);
    const [unsettled] = pending;
    if (!unsettled || reply.next.kind !== "park") continue;
    // A job that comes back counts once, however many records carried it.
    retryLater += 1;
    observer.retryLater({
      jobId: job.jobId,
      libraryId: job.libraryId,
      spaceId: job.spaceId,
      path: job.path,
      receiveCount: state.accepted.receiveCount,
      ...pendingReason(unsettled.settlement),
      parkedForSeconds: reply.next.message.delaySeconds,
      failedAttempts,
    });
  }

  return publishedOutcome(
    records,
    replies,
    pipeline,
    observer,
    OUTCOMES,
    retryLater,
    forwardDeadline(deadline, callDeadline, now),
  );
}

/** A job as the shared steps see it: one piece of work, carried by its records. */
function settledWork(state: JobState, delivery: DeliveryState) {
  const { accepted } = state;
  return {
    records: accepted.records,
    receiveCount: accepted.receiveCount,
    libraryId: accepted.job.libraryId,
    delivery,
    states: [state],
  };
}

/**
 * What a job's earlier deliveries left it: of its records (the same job delivered twice), the one
 * with the most failed attempts. Its first enqueue time starts the recycle-bin window: a parked
 * job's message was sent again later, after an earlier delivery may have deleted the directory.
 */
function deliveryOf(state: JobState, now: number): DeliveryState {
  const states = state.accepted.records.map((record) =>
    currentDeliveryState(attributeValues(record), record.sentAt, now),
  );
  const delivery = states.reduce((most, next) => (next.attempts > most.attempts ? next : most));
  const firstEnqueued = Math.min(
    ...states.map(({ firstEnqueuedAt }) => Date.parse(firstEnqueuedAt)),
  );
  const { accepted } = state;
  accepted.sentAt =
    accepted.sentAt === undefined ? firstEnqueued : Math.min(accepted.sentAt, firstEnqueued);
  return delivery;
}
