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
 * drops in favour of the `restored` result). The rest comes back through the queue; on its last
 * receive (`receiveCount >= maxReceiveCount`) each item still without a result gets a `failed`
 * result saying why, and the record is still reported failed so SQS moves it to the DLQ with its
 * results written.
 */
import { processQueueBatch, type QueueBatchOutcome, type QueuePipeline } from "../batch/process.ts";
import type { QueueRecord } from "../batch/records.ts";
import { pendingReason, resultNow } from "../batch/work.ts";
import {
  RecycleActionOutcome,
  type RecycleActionResult,
  recycleActionResult,
} from "../messages/index.ts";
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

/**
 * Processes one batch of recycle-actions-queue records.
 *
 * @param records - the batch (build them with `queueRecordFromSqs`).
 * @param pipeline - dependencies and settings.
 * @param deadline - when the invocation ends (epoch ms).
 */
export function processRecycleBatch(
  records: readonly QueueRecord[],
  pipeline: RecyclePipeline,
  deadline: number,
): Promise<RecycleBatchOutcome> {
  const now = pipeline.now ?? Date.now;
  return processQueueBatch(
    records,
    deadline,
    { ...pipeline, observer: pipeline.observer ?? silentRecycleObserver, now },
    {
      outcomes: Object.values(RecycleActionOutcome),
      admit: (batch) => admitCommands(batch, pipeline.policy, () => new Date(now())),
      start: initialItems,
      execute: (work, { stopStartingAt, callDeadline }) =>
        executeRecycleActions(
          planRecycleUnits(work.map(({ accepted, states }) => ({ accepted, items: states }))),
          {
            smh: pipeline.smh,
            circuits: pipeline.circuits,
            concurrency: pipeline.settings.concurrency,
            stopStartingAt,
            callDeadline,
            now,
          },
        ),
      libraryOf: ({ command }) => command.libraryId,
      resultOf: (item, givingUp) =>
        resultNow(item, givingUp, now, (facts, run) =>
          recycleActionResult(item.accepted.command, item.recycledItemId, facts, run),
        ),
      retryDetails: ({ accepted }, pending) => ({
        commandId: accepted.command.commandId,
        action: accepted.command.action,
        libraryId: accepted.command.libraryId,
        spaceId: accepted.command.spaceId,
        receiveCount: accepted.receiveCount,
        pendingItems: pending.length,
        ...pendingReason(pending[0].settlement),
      }),
      retryCount: (_, pending) => pending.length,
    },
  );
}
