/**
 * Where results are written: the results queue, through the one publisher that checks `Failed[]`
 * (SendMessageBatch, 10 per call, failed entries re-sent). Each message carries `type` and
 * `outcome` (retention results: `decision` or `alert`) as message attributes so consumers can
 * filter without parsing bodies.
 */

import { encodeMessageBody } from "../messages/encode.ts";
import { type ResultMessage, resultMessageAttributes } from "../messages/result-message.ts";
import type { BatchCounters } from "../queues/counters.ts";
import { publish } from "../queues/publish.ts";
import type { SqsSender } from "../queues/sqs-sender.ts";

/** What {@link ResultPublisher.publish} reports: which inputs (by index) are on the queue. */
export interface PublishedResults {
  readonly written: ReadonlySet<number>;
  readonly failures: readonly { index: number; code: string; message: string }[];
}

export interface ResultPublisher {
  publish(results: readonly ResultMessage[]): Promise<PublishedResults>;
}

/**
 * A {@link ResultPublisher} for an SQS queue.
 *
 * @example
 * const publisher = sqsResultPublisher(createSqsClient(), process.env.RESULTS_QUEUE_URL);
 */
export function sqsResultPublisher(
  sqs: SqsSender,
  queueUrl: string,
  counters?: BatchCounters,
): ResultPublisher {
  return {
    async publish(results) {
      if (results.length === 0) return { written: new Set(), failures: [] };
      const outcome = await publish(
        sqs,
        queueUrl,
        results.map((result, index) => ({
          id: String(index),
          body: encodeMessageBody(result),
          attributes: resultMessageAttributes(result),
        })),
        counters ? { counters } : {},
      );
      return {
        written: new Set(outcome.sent.map(Number)),
        failures: outcome.failed.map(({ id, code, message }) => ({
          index: Number(id),
          code,
          message,
        })),
      };
    },
  };
}
