import { type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import {
  MAX_RECEIVE_MESSAGES,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  MAX_WAIT_SECONDS,
} from "./limits.ts";
import type { SqsSender } from "./sqs-sender.ts";

/** Options for {@link receive}. */
export interface ReceiveOptions {
  /** 1–10 messages (default 10). */
  maxMessages?: number;
  /** Long-poll wait, 0–20 seconds (default 20). 0 is a short poll, which may miss messages. */
  waitTimeSeconds?: number;
  /** Overrides the queue's visibility timeout for these messages. */
  visibilityTimeoutSeconds?: number;
  /**
   * Cancels the long poll. A poll cancelled after the queue handed out messages leaves them
   * invisible until their visibility timeout passes, as with any lost response.
   */
  signal?: AbortSignal;
}

/**
 * Receives up to `maxMessages` messages with a long poll, asking for every message attribute and
 * every system attribute (ApproximateReceiveCount, SentTimestamp, SenderId,
 * ApproximateFirstReceiveTimestamp, AWSTraceHeader, …). Resolves to `[]` when the poll ends empty.
 */
export async function receive(
  sqs: SqsSender,
  queueUrl: string,
  options: ReceiveOptions = {},
): Promise<Message[]> {
  const maxMessages = options.maxMessages ?? MAX_RECEIVE_MESSAGES;
  const waitTimeSeconds = options.waitTimeSeconds ?? MAX_WAIT_SECONDS;
  checkRange("maxMessages", maxMessages, 1, MAX_RECEIVE_MESSAGES);
  checkRange("waitTimeSeconds", waitTimeSeconds, 0, MAX_WAIT_SECONDS);
  if (options.visibilityTimeoutSeconds !== undefined) {
    checkRange(
      "visibilityTimeoutSeconds",
      options.visibilityTimeoutSeconds,
      0,
      MAX_VISIBILITY_TIMEOUT_SECONDS,
    );
  }
  const response = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: maxMessages,
      WaitTimeSeconds: waitTimeSeconds,
      VisibilityTimeout: options.visibilityTimeoutSeconds,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
      // The deprecated name as well: some SQS-compatible emulators only understand this one.
      AttributeNames: ["All"],
    }),
    options.signal ? { abortSignal: options.signal } : {},
  );
  return response.Messages ?? [];
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
