/**
 * How a batch of queue records is processed, whatever the work (deletions, recycle actions):
 * parse and admit → execute in SMH → a result per settled piece of work → publish → acknowledge.
 * The domain admits records, runs the work and builds results ({@link BatchSteps}); this module
 * owns the rules every domain shares.
 *
 * The acknowledgement rule: a record is acknowledged (left out of `batchItemFailures`) only once
 * **every** piece of its work has its result on the results queue. Results of settled work are
 * written at once, even when other work of the same record is not. The rest comes back through the
 * queue; on its last receive (`receiveCount >= maxReceiveCount`) each piece still without a result
 * gets a `failed` result saying why, and the record is still reported failed, so SQS moves it to
 * the DLQ with its results already written.
 *
 * When SMH keeps failing for a library (its circuit is open) and nothing in the batch could be
 * done, the whole batch is failed on purpose: throwing lets Lambda slow its polling.
 */
import type { ResultMessage } from "../messages/index.ts";
import type { DeletionPolicy } from "../policy/index.ts";
import type { CircuitBreakers } from "./circuit.ts";
import type { BatchObserver } from "./observer.ts";
import type { QueueRecord } from "./records.ts";
import type { ResultPublisher } from "./results.ts";
import { type DeadlineSettings, type InvocationBudget, invocationBudget } from "./settings.ts";

/**
 * Everything a queue pipeline needs; built once per container. Its SMH calls, settings and
 * observer are the domain's own.
 */
export interface QueuePipeline<Smh, Settings, Observer> {
  readonly smh: Smh;
  readonly publisher: ResultPublisher;
  readonly policy: DeletionPolicy;
  readonly settings: Settings;
  readonly circuits: CircuitBreakers;
  readonly observer?: Observer;
  /** The clock (epoch ms). @default Date.now */
  readonly now?: () => number;
}

/** Work carried by one or more records (the same work delivered twice is merged). */
export interface AcceptedWork {
  readonly records: readonly QueueRecord[];
  /** The highest receive count among its records. */
  readonly receiveCount: number;
}

/** A record refused at intake, with its `rejected` results. */
export interface RefusedWork<Result> {
  readonly record: QueueRecord;
  readonly results: readonly Result[];
}

/** Accepted work and the states of its pieces (one per job, one per item of a command). */
export interface WorkInProgress<Accepted, State> {
  readonly accepted: Accepted;
  readonly states: readonly State[];
}

/** What the domain does; {@link processQueueBatch} does the rest. */
export interface BatchSteps<
  Accepted extends AcceptedWork,
  State extends { readonly settlement: { readonly kind: string } },
  Result extends { readonly outcome: string },
  Retry,
> {
  /** Every outcome a result can have, in the order `counts` lists them. */
  readonly outcomes: readonly Result["outcome"][];
  /** Parses and checks every record: accepted work, and refused records with their results. */
  admit(records: readonly QueueRecord[]): {
    accepted: readonly Accepted[];
    refused: readonly RefusedWork<Result>[];
  };
  /** The pieces of accepted work, nothing started yet. */
  start(accepted: Accepted): State[];
  /** Runs every piece to a settlement within the budget. Never throws. */
  execute(
    work: readonly WorkInProgress<Accepted, State>[],
    budget: InvocationBudget,
  ): Promise<void>;
  /** The library the work acts on (whose circuit may be open). */
  libraryOf(accepted: Accepted): string;
  /** The result a piece gets now, if any: its outcome when settled, or `failed` when given up. */
  resultOf(state: State, givingUp: boolean): Result | undefined;
  /** What the observer hears of work that comes back with `pending` pieces (one or more) unsettled. */
  retryDetails(work: WorkInProgress<Accepted, State>, pending: readonly [State, ...State[]]): Retry;
  /** What `pending` pieces count for in `counts.retryLater` (records, or items). */
  retryCount(work: WorkInProgress<Accepted, State>, pending: readonly State[]): number;
}

/** What {@link processQueueBatch} needs of the pipeline, defaults resolved. */
export interface QueueBatchPipeline<Result, Retry> {
  readonly publisher: ResultPublisher;
  readonly settings: DeadlineSettings & { readonly maxReceiveCount: number };
  readonly circuits: CircuitBreakers;
  readonly observer: BatchObserver<Result, Retry>;
  readonly now: () => number;
}

/** What the caller must do with the batch. */
export interface QueueBatchOutcome<Outcome extends string> {
  /** Message IDs that must come back (Lambda's `batchItemFailures`). */
  readonly failedMessageIds: string[];
  /**
   * Set when the whole batch is failed on purpose: SMH keeps failing for a library (its circuit is
   * open) and nothing in the batch could be done. Throwing lets Lambda slow its polling.
   */
  readonly fullBatchFailure?: string;
  /** Results written, by outcome, and work that comes back without a result (`retryLater`). */
  readonly counts: Record<Outcome | "retryLater", number>;
}

/** The results of one record's work, and what its acknowledgement depends on. */
interface Outgoing<Result> {
  readonly records: readonly QueueRecord[];
  readonly results: readonly Result[];
  /** Every piece has a result among `results`. */
  readonly complete: boolean;
  /** The work is given up (last receive): its records go to the DLQ. */
  readonly deadLettered: boolean;
  readonly receiveCount: number;
}

/**
 * Processes one batch of records.
 *
 * @param records - the batch (build them with `queueRecordFromSqs`).
 * @param deadline - when the invocation ends (epoch ms): `Date.now() + context.getRemainingTimeInMillis()`.
 */
export async function processQueueBatch<
  Accepted extends AcceptedWork,
  State extends { readonly settlement: { readonly kind: string } },
  Result extends ResultMessage & { readonly outcome: string },
  Retry,
>(
  records: readonly QueueRecord[],
  deadline: number,
  pipeline: QueueBatchPipeline<Result, Retry>,
  steps: BatchSteps<Accepted, State, Result, Retry>,
): Promise<QueueBatchOutcome<Result["outcome"]>> {
  const { settings, observer, now } = pipeline;
  const budget = invocationBudget(deadline, now(), settings);

  const { accepted, refused } = steps.admit(records);
  const work = accepted.map((entry) => ({ accepted: entry, states: steps.start(entry) }));
  await steps.execute(work, budget);

  const allStates = work.flatMap(({ states }) => states);
  const openCircuit = accepted
    .map((entry) => steps.libraryOf(entry))
    .find((libraryId) => pipeline.circuits.state(libraryId) !== "closed");
  const nothingDone = allStates.every(({ settlement }) => settlement.kind !== "done");
  // Work on its last receive gets its `failed` results before it dead-letters: failing the whole
  // batch would send it to the DLQ with no result at all.
  const lastReceive = accepted.some(({ receiveCount }) => receiveCount >= settings.maxReceiveCount);
  if (
    openCircuit !== undefined &&
    nothingDone &&
    !lastReceive &&
    refused.length === 0 &&
    allStates.length > 0
  ) {
    const reason = `SMH keeps failing for library ${openCircuit} (circuit open): failing the whole batch so polling slows down`;
    observer.batchFailed({ reason, records: records.length });
    const retryLater = work.reduce((sum, entry) => sum + steps.retryCount(entry, entry.states), 0);
    return {
      failedMessageIds: records.map(({ messageId }) => messageId),
      fullBatchFailure: reason,
      counts: countOutcomes(steps.outcomes, [], retryLater),
    };
  }

  const outgoing: Outgoing<Result>[] = refused.map(({ record, results }) => ({
    records: [record],
    results,
    complete: true,
    deadLettered: false,
    receiveCount: record.receiveCount,
  }));
  let retryLater = 0;
  for (const entry of work) {
    const { receiveCount } = entry.accepted;
    const givingUp = receiveCount >= settings.maxReceiveCount;
    const results: Result[] = [];
    const pending: State[] = [];
    for (const state of entry.states) {
      const result = steps.resultOf(state, givingUp);
      if (result) results.push(result);
      else pending.push(state);
    }
    outgoing.push({
      records: entry.accepted.records,
      results,
      complete: pending.length === 0,
      deadLettered: givingUp && entry.states.some(({ settlement }) => settlement.kind !== "done"),
      receiveCount,
    });
    const [first, ...others] = pending;
    if (first) {
      retryLater += steps.retryCount(entry, pending);
      observer.retryLater(steps.retryDetails(entry, [first, ...others]));
    }
  }

  const { failedMessageIds, written } = await publishAndAcknowledge(records, outgoing, pipeline);
  return {
    failedMessageIds,
    counts: countOutcomes(steps.outcomes, written, retryLater),
  };
}

/**
 * Publishes every result, then decides each record's fate: acknowledged when its work is complete,
 * not given up, and all of its results are written. Reports each written result and any failure
 * to write.
 */
async function publishAndAcknowledge<Result extends ResultMessage>(
  records: readonly QueueRecord[],
  outgoing: readonly Outgoing<Result>[],
  pipeline: QueueBatchPipeline<Result, unknown>,
): Promise<{ failedMessageIds: string[]; written: Result[] }> {
  const { observer } = pipeline;
  const flat = outgoing.flatMap((entry, index) =>
    entry.results.map((result) => ({ result, index })),
  );
  const published = await pipeline.publisher.publish(flat.map(({ result }) => result));
  const allWritten = outgoing.map(() => true);
  flat.forEach(({ index }, position) => {
    if (!published.written.has(position)) allWritten[index] = false;
  });
  const acknowledged = outgoing.map(
    (entry, index) => entry.complete && !entry.deadLettered && allWritten[index] === true,
  );
  const failed = new Set<string>();
  outgoing.forEach((entry, index) => {
    if (!acknowledged[index]) for (const record of entry.records) failed.add(record.messageId);
  });
  flat.forEach(({ result, index }, position) => {
    if (!published.written.has(position)) return;
    const entry = outgoing[index] as Outgoing<Result>;
    observer.outcome(result, {
      receiveCount: entry.receiveCount,
      acknowledged: acknowledged[index] === true,
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
    // Keep the batch's order: Lambda and the runner do not care, people reading logs do.
    failedMessageIds: records.map(({ messageId }) => messageId).filter((id) => failed.has(id)),
    written: flat
      .filter((_, position) => published.written.has(position))
      .map(({ result }) => result),
  };
}

function countOutcomes<Outcome extends string>(
  outcomes: readonly Outcome[],
  results: readonly { readonly outcome: Outcome }[],
  retryLater: number,
): Record<Outcome | "retryLater", number> {
  const counts = Object.fromEntries(outcomes.map((outcome) => [outcome, 0])) as Record<
    Outcome | "retryLater",
    number
  >;
  counts.retryLater = retryLater;
  for (const result of results) counts[result.outcome]++;
  return counts;
}
