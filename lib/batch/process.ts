/**
 * The steps every queue-driven domain (deletions, recycle actions) takes with a batch of records,
 * as plain functions its `processBatch` calls in order: parse and admit (the domain's) → execute
 * in SMH (the domain's) → {@link fullBatchFailure}? ({@link failedBatchOutcome}) → a
 * {@link Reply} per record with the results of its settled work ({@link workReply},
 * {@link refusalReply}) → {@link publishAndAcknowledge} and count ({@link publishedOutcome}).
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
import type { ResultMessage } from "../messages/result-message.ts";
import type { DeletionPolicy } from "../policy/config.ts";
import type { CircuitBreakers } from "./circuit.ts";
import { FullBatchFailureError } from "./errors.ts";
import type { BatchObserver } from "./observer.ts";
import type { QueueRecord } from "./records.ts";
import type { ResultPublisher } from "./results.ts";

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

/** What the caller must do with the batch. */
export interface QueueBatchOutcome<Outcome extends string> {
  /** Message IDs that must come back (Lambda's `batchItemFailures`). */
  readonly failedMessageIds: string[];
  /** Set when the whole batch is failed on purpose (see {@link fullBatchFailure}): throw it. */
  readonly fullBatchFailure?: FullBatchFailureError;
  /** Results written, by outcome, and work that comes back without a result (`retryLater`). */
  readonly counts: Record<Outcome | "retryLater", number>;
}

/**
 * What goes back for one piece of accepted work (the records that carry it) or one refused record:
 * its results now, and what its acknowledgement depends on besides their being written.
 */
export interface Reply<Result> {
  readonly records: readonly QueueRecord[];
  readonly results: readonly Result[];
  /** Every piece of the work has a result among `results`. */
  readonly complete: boolean;
  /** The work is given up (last receive): its records go to the DLQ, results written first. */
  readonly deadLettered: boolean;
  readonly receiveCount: number;
}

/** Accepted work as the shared steps see it: its records and the settlement of each piece. */
export interface SettledWork<State extends { readonly settlement: { readonly kind: string } }> {
  readonly records: readonly QueueRecord[];
  /** The highest receive count among its records. */
  readonly receiveCount: number;
  /** The library the work acts on (whose circuit may be open). */
  readonly libraryId: string;
  readonly states: readonly State[];
}

/** The reply to a record refused at intake: its `rejected` results, nothing left to do. */
export function refusalReply<Result>(
  record: QueueRecord,
  results: readonly Result[],
): Reply<Result> {
  return {
    records: [record],
    results,
    complete: true,
    deadLettered: false,
    receiveCount: record.receiveCount,
  };
}

/**
 * The reply to accepted work: the result each piece gets now (`resultOf`: its outcome when
 * settled, a `failed` result when the work is given up on its last receive), and the pieces still
 * without one, which come back through the queue.
 */
export function workReply<State extends { readonly settlement: { readonly kind: string } }, Result>(
  work: SettledWork<State>,
  maxReceiveCount: number,
  resultOf: (state: State, givingUp: boolean) => Result | undefined,
): { reply: Reply<Result>; pending: State[] } {
  const givingUp = work.receiveCount >= maxReceiveCount;
  const results: Result[] = [];
  const pending: State[] = [];
  for (const state of work.states) {
    const result = resultOf(state, givingUp);
    if (result) results.push(result);
    else pending.push(state);
  }
  return {
    reply: {
      records: work.records,
      results,
      complete: pending.length === 0,
      deadLettered: givingUp && work.states.some(({ settlement }) => settlement.kind !== "done"),
      receiveCount: work.receiveCount,
    },
    pending,
  };
}

/**
 * The error to fail the whole batch with, when a library's circuit is open and nothing in the
 * batch could be done; otherwise `undefined`. Never when a record was refused (its `rejected`
 * result must be written) or when work is on its last receive (it gets its `failed` results before
 * it dead-letters: failing the whole batch would send it to the DLQ with no result at all).
 */
export function fullBatchFailure(
  records: readonly QueueRecord[],
  work: readonly SettledWork<{ readonly settlement: { readonly kind: string } }>[],
  refused: number,
  circuits: CircuitBreakers,
  maxReceiveCount: number,
): FullBatchFailureError | undefined {
  const states = work.flatMap((entry) => entry.states);
  const openCircuit = work.find(({ libraryId }) => circuits.state(libraryId) !== "closed");
  if (
    openCircuit === undefined ||
    refused > 0 ||
    states.length === 0 ||
    states.some(({ settlement }) => settlement.kind === "done") ||
    work.some(({ receiveCount }) => receiveCount >= maxReceiveCount)
  ) {
    return undefined;
  }
  return new FullBatchFailureError(
    openCircuit.libraryId,
    records.map(({ messageId }) => messageId),
  );
}

/**
 * Publishes every reply's results, then decides each record's fate: acknowledged when its work is
 * complete, not given up, and all of its results are written. Reports each written result to the
 * observer (with its record's fate) and any failure to write.
 *
 * @returns the message IDs that must come back, in the batch's order, and the written results.
 */
export async function publishAndAcknowledge<Result extends ResultMessage>(
  records: readonly QueueRecord[],
  replies: readonly Reply<Result>[],
  publisher: ResultPublisher,
  observer: Pick<BatchObserver<Result, unknown>, "outcome" | "publishFailed">,
): Promise<{ failedMessageIds: string[]; written: Result[] }> {
  // Each result carries whether it was written; the publisher answers by position in its input.
  const sent = replies.map((reply) => ({
    reply,
    results: reply.results.map((result) => ({ result, written: false })),
  }));
  const flat = sent.flatMap(({ results }) => results);
  const published = await publisher.publish(flat.map(({ result }) => result));
  flat.forEach((entry, position) => {
    entry.written = published.written.has(position);
  });

  const failed = new Set<string>();
  const written: Result[] = [];
  for (const { reply, results } of sent) {
    const acknowledged =
      reply.complete && !reply.deadLettered && results.every((entry) => entry.written);
    if (!acknowledged) for (const record of reply.records) failed.add(record.messageId);
    for (const { result } of results.filter((entry) => entry.written)) {
      written.push(result);
      observer.outcome(result, {
        receiveCount: reply.receiveCount,
        acknowledged,
        deadLettered: reply.deadLettered,
      });
    }
  }
  if (published.failures.length > 0) {
    observer.publishFailed({
      count: published.failures.length,
      codes: [...new Set(published.failures.map(({ code }) => code))],
    });
  }
  return {
    // Keep the batch's order: Lambda and the runner do not care, people reading logs do.
    failedMessageIds: records.map(({ messageId }) => messageId).filter((id) => failed.has(id)),
    written,
  };
}

/**
 * What the caller must do with a batch failed on purpose: the observer hears of it, every record
 * comes back, and `comingBack` pieces of work count as `retryLater`.
 */
export function failedBatchOutcome<Outcome extends string>(
  failure: FullBatchFailureError,
  outcomes: readonly Outcome[],
  comingBack: number,
  observer: Pick<BatchObserver<unknown, unknown>, "batchFailed">,
): QueueBatchOutcome<Outcome> {
  observer.batchFailed({ reason: failure.message, records: failure.messageIds.length });
  return {
    failedMessageIds: [...failure.messageIds],
    fullBatchFailure: failure,
    counts: countOutcomes(outcomes, [], comingBack),
  };
}

/**
 * The last step of a batch: {@link publishAndAcknowledge} the replies, and count the written
 * results by outcome, with `retryLater` pieces of work that come back without one.
 */
export async function publishedOutcome<Result extends ResultMessage & { readonly outcome: string }>(
  records: readonly QueueRecord[],
  replies: readonly Reply<Result>[],
  publisher: ResultPublisher,
  observer: Pick<BatchObserver<Result, unknown>, "outcome" | "publishFailed">,
  outcomes: readonly Result["outcome"][],
  retryLater: number,
): Promise<QueueBatchOutcome<Result["outcome"]>> {
  const { failedMessageIds, written } = await publishAndAcknowledge(
    records,
    replies,
    publisher,
    observer,
  );
  return { failedMessageIds, counts: countOutcomes(outcomes, written, retryLater) };
}

/** Results by outcome (every outcome listed, 0 when none), and `retryLater`. */
export function countOutcomes<Outcome extends string>(
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
