/**
 * Where a retention run writes: deletion jobs to the jobs queue, plan summaries and alerts to the
 * results queue (and, first, to the ledger when one is given: `lib/ledger/publisher.ts`),
 * continuations to the continuation queue — each through the one publisher that reads `Failed[]`
 * and re-sends what can be re-sent (`lib/queues`).
 *
 * A write that does not fully succeed throws {@link RetentionPublishError}; the invocation then
 * fails and is run again (the schedule's retry, or the continuation coming back through its
 * queue). Writing twice is harmless by construction: job IDs are derived from the rule, path and
 * run date, and a summary or alert written twice carries the same dedupKey.
 */

import { sqsResultPublisher } from "../batch/results.ts";
import type { LedgerLocation } from "../ledger/object.ts";
import { type LedgerPublisherOptions, ledgerResultPublisher } from "../ledger/publisher.ts";
import type { DeleteJob } from "../messages/delete-job.ts";
import { encodeMessageBody } from "../messages/encode.ts";
import type { RetentionAlert, RetentionPlanSummary } from "../messages/retention-result.ts";
import type { BatchCounters } from "../queues/counters.ts";
import { publish } from "../queues/publish.ts";
import type { SqsSender } from "../queues/sqs-sender.ts";
import { encodeContinuation, type RetentionContinuation } from "./checkpoint.ts";

/** What a retention run writes, and where. */
export interface RetentionOutbox {
  /** Puts deletion jobs on the jobs queue (all of them, or throws). */
  enqueue(jobs: readonly DeleteJob[]): Promise<void>;
  /** Writes plan summaries and alerts to the results queue (all of them, or throws). */
  publishResults(results: readonly (RetentionPlanSummary | RetentionAlert)[]): Promise<void>;
  /** Sends a scan's continuation, to be carried on by another invocation (or throws). */
  continueLater(continuation: RetentionContinuation): Promise<void>;
}

/** Which queue a write failed on. */
export type RetentionQueue = "jobs" | "results" | "continuations";

/**
 * A write to a queue that did not fully succeed: nothing about the scan is wrong, the queue is.
 * `unsent` counts the messages not accepted (all of them when the call itself failed).
 */
export class RetentionPublishError extends Error {
  override readonly name = "RetentionPublishError";
  readonly queue: RetentionQueue;
  readonly unsent: number;
  constructor(queue: RetentionQueue, unsent: number, detail: string, options?: ErrorOptions) {
    super(`${unsent} message(s) could not be written to the ${queue} queue: ${detail}`, options);
    this.queue = queue;
    this.unsent = unsent;
  }
}

/** The queues of {@link sqsRetentionOutbox}. */
export interface RetentionQueueUrls {
  readonly jobs: string;
  readonly results: string;
  /** Absent where a run never continues (the CLI, which has no deadline). */
  readonly continuations?: string | undefined;
}

/** The ledger plan summaries and alerts are kept in before they are published. */
export interface RetentionLedger extends LedgerPublisherOptions {
  readonly location: LedgerLocation;
}

/**
 * A {@link RetentionOutbox} over SQS. Jobs are sent with message attributes `source`
 * (`retention`) and `ruleId`, results with `type` and `decision` or `alert`. With `ledger`, each
 * result is kept there first, and one whose ledger copy could not be written is not published
 * (the write throws {@link RetentionPublishError}, so the run is retried). The handler always
 * passes one (`LEDGER_BUCKET` is required); `smh-cleaner retention run` passes none.
 *
 * @example const outbox = sqsRetentionOutbox(createSqsClient(), { jobs, results, continuations }, counters, { location });
 */
export function sqsRetentionOutbox(
  sqs: SqsSender,
  urls: RetentionQueueUrls,
  counters?: BatchCounters,
  ledger?: RetentionLedger,
): RetentionOutbox {
  const queue = sqsResultPublisher(sqs, urls.results, counters);
  const results =
    ledger === undefined ? queue : ledgerResultPublisher(queue, ledger.location, ledger);
  const options = counters ? { counters } : {};
  return {
    async enqueue(jobs) {
      if (jobs.length === 0) return;
      await writeAll("jobs", jobs.length, async () => {
        const outcome = await publish(
          sqs,
          urls.jobs,
          jobs.map((job, index) => ({
            id: String(index),
            body: encodeMessageBody(job),
            attributes: {
              source: { DataType: "String", StringValue: job.source },
              ...(job.ruleId ? { ruleId: { DataType: "String", StringValue: job.ruleId } } : {}),
            },
          })),
          options,
        );
        return outcome.failed;
      });
    },
    async publishResults(messages) {
      if (messages.length === 0) return;
      await writeAll(
        "results",
        messages.length,
        async () => (await results.publish(messages)).failures,
      );
    },
    async continueLater(continuation) {
      const url = urls.continuations;
      if (url === undefined) {
        throw new RetentionPublishError(
          "continuations",
          1,
          "no continuation queue is configured (RETENTION_CONTINUATIONS_QUEUE_URL)",
        );
      }
      await writeAll("continuations", 1, async () => {
        const outcome = await publish(
          sqs,
          url,
          [
            {
              id: "0",
              body: encodeContinuation(continuation),
              attributes: {
                ruleId: { DataType: "String", StringValue: continuation.ruleId },
              },
            },
          ],
          options,
        );
        return outcome.failed;
      });
    },
  };
}

/**
 * Runs one write of `count` messages to `queue`, which answers with the messages it could not
 * write. Throws {@link RetentionPublishError} when the write throws (every message unsent) or
 * leaves any message unsent.
 */
async function writeAll(
  queue: RetentionQueue,
  count: number,
  write: () => Promise<readonly { code: string; message: string }[]>,
): Promise<void> {
  let failures: readonly { code: string; message: string }[];
  try {
    failures = await write();
  } catch (error) {
    throw new RetentionPublishError(queue, count, describe(error), { cause: error });
  }
  if (failures.length > 0) {
    throw new RetentionPublishError(queue, failures.length, firstFailure(failures));
  }
}

function firstFailure(failures: readonly { code: string; message: string }[]): string {
  const [first] = failures;
  return first === undefined ? "unknown" : `${first.code}: ${first.message}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * An outbox for a preview (`smh-cleaner plan`): keeps the summaries and alerts it is given in
 * `results`, and refuses jobs and continuations — a dry run without a deadline never has any.
 */
export function previewOutbox(): RetentionOutbox & {
  readonly results: (RetentionPlanSummary | RetentionAlert)[];
} {
  const results: (RetentionPlanSummary | RetentionAlert)[] = [];
  return {
    results,
    async enqueue(jobs) {
      if (jobs.length > 0) {
        throw new RetentionPublishError("jobs", jobs.length, "a preview enqueues nothing");
      }
    },
    async publishResults(messages) {
      results.push(...messages);
    },
    async continueLater() {
      throw new RetentionPublishError("continuations", 1, "a preview runs without a deadline");
    },
  };
}
