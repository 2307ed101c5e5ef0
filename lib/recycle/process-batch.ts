/**
 * What one batch of recycle commands does: validate → policy → restore or purge in SMH → publish one
 * result per item → acknowledge. It knows nothing about Lambda: the handler adapts Lambda's event
 * and context to {@link processRecycleBatch}.
 *
 * The acknowledgement rule, as for deletions: a record is acknowledged (left out of
 * `batchItemFailures`) only once **every** item of its command has its result on the results queue.
 * Results of items that are settled are written at once, even when others are not: they are facts,
 * and a redelivery that runs the command again reports the same facts under the same dedupKey (an
 * item restored by the first delivery answers 404 the second time: `expired`, which a consumer
 * drops in favour of the `restored` result). A command with items still without a result is
 * parked (re-sent whole, with a delay and its delivery state: see `lib/batch/parking.ts`); once its
 * retry budget is spent each such item gets a `failed` result saying which limit, and the command
 * is sent to the DLQ.
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
import { currentDeliveryState, type DeliveryState } from "../messages/delivery.ts";
import {
  RecycleActionOutcome,
  type RecycleActionResult,
  recycleActionResult,
} from "../messages/recycle-action-result.ts";
import { executeRecycleActions, planRecycleUnits, type RecycleSmh } from "./execute.ts";
import { admitCommands } from "./intake.ts";
import { type RecycleObserver, silentRecycleObserver } from "./observer.ts";
import type { RecycleSettings } from "./settings.ts";
import { initialItems } from "./settlement.ts";

/** Everything a recycle batch needs; built once per container. */
export type RecyclePipeline = QueuePipeline<RecycleSmh, RecycleSettings, RecycleObserver>;

/**
 * What the caller must do with the batch (see the delete pipeline's rule): results written by
 * outcome, and items that come back without a result (`retryLater`).
 */
export type RecycleBatchOutcome = QueueBatchOutcome<RecycleActionResult["outcome"]>;

const OUTCOMES = Object.values(RecycleActionOutcome);

/**
 * Processes one batch of recycle-actions-queue records.
 *
 * @param records - the batch (build them with `queueRecordFromSqs`).
 * @param pipeline - dependencies and settings.
 * @param deadline - when the invocation ends (epoch ms).
 */
export async function processRecycleBatch(
  records: readonly QueueRecord[],
  pipeline: RecyclePipeline,
  deadline: number,
): Promise<RecycleBatchOutcome> {
  const now = pipeline.now ?? Date.now;
  const observer = pipeline.observer ?? silentRecycleObserver;
  const { settings } = pipeline;
  const { stopStartingAt, callDeadline } = invocationBudget(deadline, now(), settings);

  // Parse and check every record: valid, allowed commands (the same command twice merged) and
  // refusals, with a `rejected` result per item.
  const { accepted, refused } = admitCommands(records, pipeline.policy, () => new Date(now()));
  const commands = accepted.map((command) => ({ accepted: command, items: initialItems(command) }));

  // Restore or purge in SMH: batches where SMH can, single calls where it cannot.
  await executeRecycleActions(planRecycleUnits(commands), {
    smh: pipeline.smh,
    circuits: pipeline.circuits,
    concurrency: settings.concurrency,
    stopStartingAt,
    callDeadline,
    now,
  });

  // A result for every item of a refused record, and for every settled (or given-up) item; the
  // rest is parked.
  const replies = refused.map(({ record, results }) => refusalReply(record, results));
  let retryLater = 0;
  for (const { accepted, items } of commands) {
    const delivery = deliveryOf(accepted.records, now());
    const { reply, pending, failedAttempts } = workReply(
      {
        records: accepted.records,
        receiveCount: accepted.receiveCount,
        libraryId: accepted.command.libraryId,
        delivery,
        states: items,
      },
      { settings, now },
      (item, givingUp) =>
        resultNow(item, givingUp, now, (facts, run) =>
          recycleActionResult(
            item.accepted.command,
            item.recycledItemId,
            facts,
            run,
            delivery.supersedes,
          ),
        ),
    );
    replies.push(reply);
    const [first] = pending;
    if (!first || reply.next.kind !== "park") continue;
    const { command, receiveCount } = first.accepted;
    // A command that comes back counts its items still without a result.
    retryLater += pending.length;
    observer.retryLater({
      commandId: command.commandId,
      action: command.action,
      libraryId: command.libraryId,
      spaceId: command.spaceId,
      receiveCount,
      pendingItems: pending.length,
      ...pendingReason(first.settlement),
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

/** What a command's earlier deliveries left it: of its records, the one with the most failed attempts. */
function deliveryOf(records: readonly QueueRecord[], now: number): DeliveryState {
  return records
    .map((record) => currentDeliveryState(attributeValues(record), record.sentAt, now))
    .reduce((most, next) => (next.attempts > most.attempts ? next : most));
}
