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
import {
  type RecycleActionResult,
  type RecycleCommand,
  recycleActionResult,
} from "../messages/index.ts";
import type { CircuitBreakers } from "../pipeline/circuit.ts";
import type { JobRecord } from "../pipeline/records.ts";
import type { ResultPublisher } from "../pipeline/results.ts";
import type { DeletionPolicy } from "../policy/index.ts";
import { executeRecycleActions, planRecycleUnits, type RecycleSmh } from "./execute.ts";
import { admitCommands } from "./intake.ts";
import { type RecycleObserver, silentRecycleObserver } from "./observer.ts";
import type { RecycleSettings } from "./settings.ts";
import { type ItemState, initialItems } from "./settlement.ts";

/** Everything a recycle batch needs; built once per container. */
export interface RecyclePipeline {
  readonly smh: RecycleSmh;
  readonly publisher: ResultPublisher;
  readonly policy: DeletionPolicy;
  readonly settings: RecycleSettings;
  readonly circuits: CircuitBreakers;
  readonly observer?: RecycleObserver;
  /** The clock (epoch ms). @default Date.now */
  readonly now?: () => number;
}

/** What the caller must do with the batch. */
export interface RecycleBatchOutcome {
  /** Message IDs that must come back (Lambda's `batchItemFailures`). */
  readonly failedMessageIds: string[];
  /** Set when the whole batch is failed on purpose (see the delete pipeline's rule). */
  readonly fullBatchFailure?: string;
  /** Results written, by outcome, and items that come back without a result (`retryLater`). */
  readonly counts: Record<RecycleActionResult["outcome"] | "retryLater", number>;
}

/** The results of one record's work, and what its acknowledgement depends on. */
interface Outgoing {
  readonly records: readonly JobRecord[];
  readonly results: RecycleActionResult[];
  /** Every item has a result among `results`. */
  readonly complete: boolean;
  /** The command is given up (last receive): its record goes to the DLQ. */
  readonly deadLettered: boolean;
  readonly receiveCount: number;
}

/**
 * Processes one batch of recycle-actions-queue records.
 *
 * @param records - the batch (build them with `jobRecordFromSqs`).
 * @param pipeline - dependencies and settings.
 * @param deadline - when the invocation ends (epoch ms).
 */
export async function processRecycleBatch(
  records: readonly JobRecord[],
  pipeline: RecyclePipeline,
  deadline: number,
): Promise<RecycleBatchOutcome> {
  const now = pipeline.now ?? Date.now;
  const observer = pipeline.observer ?? silentRecycleObserver;
  const { settings } = pipeline;
  const remaining = Math.max(0, deadline - now());
  const stopStartingAt = deadline - Math.min(settings.deadlineMarginMs, remaining / 4);
  const callDeadline = deadline - Math.min(settings.publishReserveMs, remaining / 10);

  const { accepted, refused } = admitCommands(records, pipeline.policy, () => new Date(now()));
  const commands = accepted.map((command) => ({ accepted: command, items: initialItems(command) }));
  await executeRecycleActions(planRecycleUnits(commands), {
    smh: pipeline.smh,
    circuits: pipeline.circuits,
    concurrency: settings.concurrency,
    stopStartingAt,
    callDeadline,
    now,
  });

  const allItems = commands.flatMap(({ items }) => items);
  const openCircuit = accepted
    .map(({ command }) => command.libraryId)
    .find((libraryId) => pipeline.circuits.state(libraryId) !== "closed");
  const nothingDone = allItems.every(({ settlement }) => settlement.kind !== "done");
  const lastReceive = accepted.some(({ receiveCount }) => receiveCount >= settings.maxReceiveCount);
  if (
    openCircuit !== undefined &&
    nothingDone &&
    !lastReceive &&
    refused.length === 0 &&
    allItems.length > 0
  ) {
    const reason = `SMH keeps failing for library ${openCircuit} (circuit open): failing the whole batch so polling slows down`;
    observer.batchFailed({ reason, records: records.length });
    return {
      failedMessageIds: records.map(({ messageId }) => messageId),
      fullBatchFailure: reason,
      counts: countOutcomes([], allItems.length),
    };
  }

  const outgoing: Outgoing[] = refused.map(({ record, results }) => ({
    records: [record],
    results,
    complete: true,
    deadLettered: false,
    receiveCount: record.receiveCount,
  }));
  let retryLater = 0;
  for (const { accepted: command, items } of commands) {
    const results: RecycleActionResult[] = [];
    const pending: ItemState[] = [];
    const givingUp = command.receiveCount >= settings.maxReceiveCount;
    for (const item of items) {
      const result = resultOf(item, givingUp, now);
      if (result) results.push(result);
      else pending.push(item);
    }
    const deadLettered = items.some(({ settlement }) => settlement.kind !== "done") && givingUp;
    outgoing.push({
      records: command.records,
      results,
      complete: pending.length === 0,
      deadLettered,
      receiveCount: command.receiveCount,
    });
    const firstPending = pending[0];
    if (firstPending) {
      retryLater += pending.length;
      const settlement = firstPending.settlement;
      observer.retryLater({
        commandId: command.command.commandId,
        action: command.command.action,
        libraryId: command.command.libraryId,
        spaceId: command.command.spaceId,
        receiveCount: command.receiveCount,
        pendingItems: pending.length,
        reason:
          settlement.kind === "deferred"
            ? settlement.reason
            : settlement.kind === "transient"
              ? settlement.error.message
              : "unsettled",
        error: settlement.kind === "transient" ? settlement.error : undefined,
      });
    }
  }

  const flat = outgoing.flatMap((entry, index) =>
    entry.results.map((result) => ({ result, index })),
  );
  const published = await pipeline.publisher.publish(flat.map(({ result }) => result));
  const allWritten = outgoing.map(() => true);
  flat.forEach(({ index }, position) => {
    if (!published.written.has(position)) allWritten[index] = false;
  });
  const failed = new Set<string>();
  outgoing.forEach((entry, index) => {
    const acknowledged = entry.complete && !entry.deadLettered && allWritten[index] === true;
    if (!acknowledged) for (const record of entry.records) failed.add(record.messageId);
  });
  flat.forEach(({ result, index }, position) => {
    if (!published.written.has(position)) return;
    const entry = outgoing[index] as Outgoing;
    observer.outcome(result, {
      receiveCount: entry.receiveCount,
      acknowledged: entry.complete && !entry.deadLettered && allWritten[index] === true,
      deadLettered: entry.deadLettered,
    });
  });
  if (published.failures.length > 0) {
    observer.publishFailed({
      count: published.failures.length,
      codes: [...new Set(published.failures.map(({ code }) => code))],
    });
  }
  return {
    failedMessageIds: records.map(({ messageId }) => messageId).filter((id) => failed.has(id)),
    counts: countOutcomes(
      flat.filter((_, position) => published.written.has(position)).map(({ result }) => result),
      retryLater,
    ),
  };
}

/**
 * The result an item gets now, if any: its outcome when settled, or — when the command is given
 * up — a `failed` result saying why.
 */
function resultOf(
  item: ItemState,
  givingUp: boolean,
  now: () => number,
): RecycleActionResult | undefined {
  const command: RecycleCommand = item.accepted.command;
  const run = {
    attempts: item.attempts,
    requestId: item.requestId,
    startedAt: item.startedAt ?? new Date(now()),
    finishedAt: item.finishedAt ?? new Date(now()),
  };
  const { settlement } = item;
  if (settlement.kind === "done") {
    return recycleActionResult(command, item.recycledItemId, settlement.facts, run);
  }
  if (!givingUp) return undefined;
  const why = settlement.kind === "transient" ? settlement.error : { message: settlement.reason };
  const receiveCount = item.accepted.receiveCount;
  return recycleActionResult(
    command,
    item.recycledItemId,
    {
      outcome: "failed",
      error: {
        status: "status" in why ? why.status : undefined,
        code: "code" in why ? why.code : undefined,
        message: `given up after ${receiveCount} deliveries (moving to the DLQ): ${why.message}`,
      },
    },
    run,
  );
}

function countOutcomes(
  results: readonly RecycleActionResult[],
  retryLater: number,
): RecycleBatchOutcome["counts"] {
  const counts: RecycleBatchOutcome["counts"] = {
    restored: 0,
    purged: 0,
    expired: 0,
    conflict: 0,
    failed: 0,
    rejected: 0,
    retryLater,
  };
  for (const result of results) counts[result.outcome]++;
  return counts;
}
