import { readQueueAttributes } from "./attributes.ts";
import type { SqsSender } from "./sqs-sender.ts";

/** How many messages a queue holds, by state. All counts are SQS's approximations. */
export interface QueueDepths {
  /** Ready to be received. */
  visible: number;
  /** Received and not yet deleted or returned. */
  inFlight: number;
  /** Waiting out a delay. */
  delayed: number;
  /**
   * Seconds since the oldest message still in the queue was sent, when an
   * {@link OldestMessageAgeProbe} was given and could tell; the SQS API itself does not report it
   * (on AWS it is the CloudWatch metric `ApproximateAgeOfOldestMessage`).
   */
  oldestMessageAgeSeconds?: number;
}

/** Finds the age of the oldest message of a queue in seconds, or `undefined` when unknown. */
export type OldestMessageAgeProbe = (queueUrl: string) => Promise<number | undefined>;

/** Reads the depths of a queue with one GetQueueAttributes call (plus the optional age probe). */
export async function queueDepths(
  sqs: SqsSender,
  queueUrl: string,
  options: { oldestMessageAge?: OldestMessageAgeProbe } = {},
): Promise<QueueDepths> {
  const [attributes, age] = await Promise.all([
    readQueueAttributes(sqs, queueUrl, [
      "ApproximateNumberOfMessages",
      "ApproximateNumberOfMessagesNotVisible",
      "ApproximateNumberOfMessagesDelayed",
    ]),
    options.oldestMessageAge?.(queueUrl),
  ]);
  const depths: QueueDepths = {
    visible: count(attributes.ApproximateNumberOfMessages),
    inFlight: count(attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: count(attributes.ApproximateNumberOfMessagesDelayed),
  };
  if (age !== undefined) depths.oldestMessageAgeSeconds = age;
  return depths;
}

function count(value: string | undefined): number {
  const parsed = Number(value ?? "0");
  return Number.isFinite(parsed) ? parsed : 0;
}
