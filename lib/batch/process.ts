/**
 * The steps every queue-driven domain (deletions, recycle actions) takes with a batch of records,
 * as plain functions its `processBatch` calls in order: parse and admit (the domain's) → execute
 * in SMH (the domain's) → a {@link Reply} per record with the results of its settled work
 * ({@link workReply}, {@link refusalReply}) → {@link publishAndAcknowledge} and count
 * ({@link publishedOutcome}).
 *
 * The acknowledgement rule: a record is acknowledged (left out of `batchItemFailures`) only once
 * **every** piece of its work has its result on the results queue, or the rest of it is parked or
 * given up (see `parking.ts`) and that message was accepted by its queue. Results of settled work
 * are written at once, even when other work of the same record is not. Work without a result is
 * re-sent to its own queue with a delay (parked); once a limit of its retry budget is reached it
 * gets a `failed` result saying which, and is sent to the dead-letter queue. A record whose results
 * or re-send could not be written comes back through the queue.
 */
import type { DeliveryState } from "../messages/delivery.ts";
import type { ResultMessage } from "../messages/result-message.ts";
import type { DeletionPolicy } from "../policy/config.ts";
import type { CircuitBreakers } from "./circuit.ts";
import type { BatchObserver } from "./observer.ts";
import { carryOn, dispose, type Outgoing, type Parker } from "./parking.ts";
import type { QueueRecord } from "./records.ts";
import type { ResultPublisher } from "./results.ts";
import type { ParkingSettings } from "./settings.ts";
import { unfinishedWork } from "./work.ts";

/**
 * Everything a queue pipeline needs; built once per container. Its SMH calls, settings and
 * observer are the domain's own.
 */
export interface QueuePipeline<Smh, Settings, Observer> {
  readonly smh: Smh;
  readonly publisher: ResultPublisher;
  /** Where parked and given-up work is sent (the pipeline's own queue and its DLQ). */
  readonly parker: Parker;
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
  /**
   * Results written, by outcome, and work without a result yet (`retryLater`: parked, or coming
   * back through the queue).
   */
  readonly counts: Record<Outcome | "retryLater", number>;
}

/** What becomes of a reply's records once its results are written. */
export type NextStep =
  /** Every piece of the work has its result: acknowledge. */
  | { readonly kind: "acknowledge" }
  /** Re-send (parked, with a delay), and acknowledge once the re-send is accepted. */
  | { readonly kind: "park"; readonly message: Outgoing }
  /** Given up: send to the DLQ (its results written first), then acknowledge. */
  | { readonly kind: "dead-letter"; readonly message: Outgoing };

/**
 * What goes back for one piece of accepted work (the records that carry it) or one refused record:
 * its results now, and what becomes of its records once they are written.
 */
export interface Reply<Result> {
  readonly records: readonly QueueRecord[];
  readonly results: readonly Result[];
  readonly next: NextStep;
  readonly receiveCount: number;
}

/** Accepted work as the shared steps see it: its records and the settlement of each piece. */
export interface SettledWork<
  State extends {
    readonly settlement: { readonly kind: string };
    readonly attempts: number;
    readonly startedClosed: boolean;
  },
> {
  readonly records: readonly QueueRecord[];
  /** The highest receive count among its records. */
  readonly receiveCount: number;
  /** The library the work acts on. */
  readonly libraryId: string;
  /** What its earlier deliveries left it (see `lib/messages/delivery.ts`). */
  readonly delivery: DeliveryState;
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
    next: { kind: "acknowledge" },
    receiveCount: record.receiveCount,
  };
}

/** What {@link workReply} needs besides the work. */
export interface ReplyContext {
  readonly settings: ParkingSettings & { readonly maxReceiveCount: number };
  readonly now: () => number;
}

/**
 * The reply to accepted work: the result each piece gets now (`resultOf`: its outcome when
 * settled; a `failed` result when the work is given up — `givingUp` then says which limit), the
 * pieces still without one, which are parked (see `parking.ts`), and the real SMH attempts that
 * failed so far.
 */
export function workReply<
  State extends {
    readonly settlement: { readonly kind: string };
    readonly attempts: number;
    readonly startedClosed: boolean;
  },
  Result,
>(
  work: SettledWork<State>,
  context: ReplyContext,
  resultOf: (state: State, givingUp: string | undefined) => Result | undefined,
): { reply: Reply<Result>; pending: State[]; failedAttempts: number } {
  const results: Result[] = [];
  const pending: State[] = [];
  for (const state of work.states) {
    const result = resultOf(state, undefined);
    if (result) results.push(result);
    else pending.push(state);
  }
  const [carrier] = work.records;
  let next: NextStep = { kind: "acknowledge" };
  let failedAttempts = work.delivery.attempts;
  if (pending.length > 0 && carrier) {
    const disposal = dispose({
      state: work.delivery,
      work: unfinishedWork(pending),
      receiveCount: work.receiveCount,
      maxReceiveCount: context.settings.maxReceiveCount,
      settings: context.settings,
      now: context.now(),
    });
    failedAttempts = disposal.state.attempts;
    if (disposal.kind === "park") {
      next = { kind: "park", message: carryOn(carrier, disposal.state, disposal.delaySeconds) };
    } else {
      for (const state of pending) {
        const result = resultOf(state, disposal.why);
        if (result) results.push(result);
      }
      next = { kind: "dead-letter", message: carryOn(carrier, disposal.state) };
    }
  }
  return {
    reply: { records: work.records, results, next, receiveCount: work.receiveCount },
    pending,
    failedAttempts,
  };
}

/**
 * Until when parked and given-up work may still be sent on (epoch ms `at`, on the clock `now`):
 * half the publishing reserve before the invocation ends (see {@link forwardDeadline}).
 */
export interface ForwardDeadline {
  readonly at: number;
  readonly now: () => number;
}

/**
 * The {@link ForwardDeadline} of an invocation that ends at `deadline`, whose SMH calls ended at
 * `callDeadline` (the rest being the publishing reserve): half of that reserve is kept back.
 */
export function forwardDeadline(
  deadline: number,
  callDeadline: number,
  now: () => number,
): ForwardDeadline {
  return { at: deadline - Math.max(0, deadline - callDeadline) / 2, now };
}

type Sent<Result> = {
  reply: Reply<Result>;
  results: { result: Result; written: boolean }[];
  forwarded: boolean;
};

/**
 * Publishes every reply's results and, at the same time, parks the replies that have none (work
 * not started or cut by the deadline); then parks or dead-letters each other reply that asks for it
 * once all of its results are written; then decides each record's fate: acknowledged when its results
 * are written and its work is complete, or parked or dead-lettered with the message accepted.
 * Reports each written result to the observer (with its record's fate), and any failure to write.
 *
 * @returns the message IDs that must come back, in the batch's order, and the written results.
 */
export async function publishAndAcknowledge<Result extends ResultMessage>(
  records: readonly QueueRecord[],
  replies: readonly Reply<Result>[],
  publisher: ResultPublisher,
  parker: Parker,
  observer: Pick<BatchObserver<Result, unknown>, "outcome" | "publishFailed" | "forwardFailed">,
  forwardBy: ForwardDeadline = { at: Number.POSITIVE_INFINITY, now: Date.now },
): Promise<{ failedMessageIds: string[]; written: Result[] }> {
  // Each result carries whether it was written; the publisher answers by position in its input.
  const sent: Sent<Result>[] = replies.map((reply) => ({
    reply,
    results: reply.results.map((result) => ({ result, written: false })),
    forwarded: false,
  }));
  const flat = sent.flatMap(({ results }) => results);
  const messageOf = ({ reply: { next } }: Sent<Result>) =>
    (next as Extract<NextStep, { message: Outgoing }>).message;
  // Too late to send work on: the invocation may end (Lambda would freeze it) before it is
  // acknowledged, and its record would come back next to the copy just sent. Its records come
  // back through the queue instead, as before parking existed.
  const inTime = () => forwardBy.now() < forwardBy.at;

  // Work with nothing to write (not started, or cut by the deadline — a recycle-bin lookup
  // included) is parked at once, beside the publishing of the others' results: waiting for a slow
  // ledger write or results queue used to push it past the forward deadline, and its record came
  // back through the queue instead, spending one of its few receives each time.
  const early = sent.filter(
    ({ reply }) => reply.next.kind === "park" && reply.results.length === 0,
  );
  const parkedAtOnce = new Set(early.map(({ reply }) => reply));
  const earlyInTime = inTime();
  const [published, parkedEarly] = await Promise.all([
    publisher.publish(flat.map(({ result }) => result)),
    parker.park(earlyInTime ? early.map(messageOf) : []),
  ]);
  flat.forEach((entry, position) => {
    entry.written = published.written.has(position);
  });
  if (earlyInTime) {
    early.forEach((entry, index) => {
      entry.forwarded = parkedEarly.sent.has(index);
    });
  }

  // Parked and given-up work with results moves on only once they are written: a given-up job's
  // `failed` result is on the results queue before its message is in the DLQ.
  const ready = (kind: NextStep["kind"]) =>
    sent.filter(
      ({ reply, results }) =>
        reply.next.kind === kind &&
        !parkedAtOnce.has(reply) &&
        results.every((entry) => entry.written),
    );
  const lateInTime = inTime();
  const toPark = lateInTime ? ready("park") : [];
  const toDeadLetter = lateInTime ? ready("dead-letter") : [];
  const late =
    (earlyInTime ? 0 : early.length) +
    (lateInTime ? 0 : ready("park").length + ready("dead-letter").length);
  const [parked, deadLettered] = await Promise.all([
    parker.park(toPark.map(messageOf)),
    parker.deadLetter(toDeadLetter.map(messageOf)),
  ]);
  toPark.forEach((entry, index) => {
    entry.forwarded = parked.sent.has(index);
  });
  toDeadLetter.forEach((entry, index) => {
    entry.forwarded = deadLettered.sent.has(index);
  });

  const failed = new Set<string>();
  const written: Result[] = [];
  for (const { reply, results, forwarded } of sent) {
    const acknowledged =
      results.every((entry) => entry.written) && (reply.next.kind === "acknowledge" || forwarded);
    if (!acknowledged) for (const record of reply.records) failed.add(record.messageId);
    for (const { result } of results.filter((entry) => entry.written)) {
      written.push(result);
      observer.outcome(result, {
        receiveCount: reply.receiveCount,
        acknowledged,
        deadLettered: reply.next.kind === "dead-letter",
      });
    }
  }
  if (published.failures.length > 0) {
    observer.publishFailed({
      count: published.failures.length,
      codes: [...new Set(published.failures.map(({ code }) => code))],
    });
  }
  if (late > 0) {
    observer.forwardFailed({
      queue: "none (too late in the invocation)",
      count: late,
      codes: ["TooLate"],
    });
  }
  for (const [queue, outcome] of [
    ["own queue (parking)", { failures: [...parkedEarly.failures, ...parked.failures] }],
    ["dead-letter queue", deadLettered],
  ] as const) {
    if (outcome.failures.length === 0) continue;
    observer.forwardFailed({
      queue,
      count: outcome.failures.length,
      codes: [...new Set(outcome.failures.map(({ code }) => code))],
    });
  }
  return {
    // Keep the batch's order: Lambda and the runner do not care, people reading logs do.
    failedMessageIds: records.map(({ messageId }) => messageId).filter((id) => failed.has(id)),
    written,
  };
}

/**
 * The last step of a batch: {@link publishAndAcknowledge} the replies, and count the written
 * results by outcome, with `retryLater` pieces of work parked (or coming back) without one.
 */
export async function publishedOutcome<Result extends ResultMessage & { readonly outcome: string }>(
  records: readonly QueueRecord[],
  replies: readonly Reply<Result>[],
  pipeline: { readonly publisher: ResultPublisher; readonly parker: Parker },
  observer: Pick<BatchObserver<Result, unknown>, "outcome" | "publishFailed" | "forwardFailed">,
  outcomes: readonly Result["outcome"][],
  retryLater: number,
  forwardBy?: ForwardDeadline,
): Promise<QueueBatchOutcome<Result["outcome"]>> {
  const { failedMessageIds, written } = await publishAndAcknowledge(
    records,
    replies,
    pipeline.publisher,
    pipeline.parker,
    observer,
    forwardBy,
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
