import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
} from "@aws-sdk/client-sqs";
import { assertDistinctIds, type BatchItem, type BatchOptions, runBatched } from "./batches.ts";
import type { BatchEntryFailure } from "./errors.ts";
import { DEFAULT_MAX_BATCH_BYTES, MAX_BATCH_ENTRIES, MAX_DELAY_SECONDS } from "./limits.ts";
import { messageSize } from "./message-size.ts";
import type { SqsSender } from "./sqs-sender.ts";

/** One message to publish. */
export interface OutgoingMessage {
  /** The caller's id, any string, unique within one call; results refer to it. */
  id: string;
  body: string;
  /** 0–900 seconds before the message becomes visible. */
  delaySeconds?: number;
  attributes?: Record<string, MessageAttributeValue>;
}

/** {@link BatchOptions} plus the payload limit. */
export interface PublishOptions extends BatchOptions {
  /**
   * Cap on the summed size of one request and on one message (default 256 KiB, which every
   * SQS-compatible endpoint accepts). Raise to 1 MiB only for AWS queues configured for it.
   */
  maxBatchBytes?: number;
}

/** Outcome of {@link publish}: every input id is in exactly one of `sent` and `failed`. */
export interface PublishResult {
  /** Ids the queue accepted, in input order. */
  sent: string[];
  /** Ids not accepted, in input order, with the reason. */
  failed: BatchEntryFailure[];
  /** SendMessageBatch requests made. */
  calls: number;
  /** Entries re-sent after a retryable failure. */
  retried: number;
}

type Entry = Omit<SendMessageBatchRequestEntry, "Id">;

/**
 * Publishes `messages` to `queueUrl` with SendMessageBatch: at most 10 entries and `maxBatchBytes`
 * per request, several requests in flight (bounded by `concurrency`). Every response's `Failed[]`
 * is read: entries with `SenderFault: false` are re-sent with jittered backoff up to `maxAttempts`;
 * sender faults are reported at once. A message that cannot be sent at all (too large, empty body,
 * invalid delay) is reported as failed for its own id without affecting the others. Never throws
 * for a rejected message or a failed call — read `failed`; throws a TypeError for duplicate ids.
 */
export async function publish(
  sqs: SqsSender,
  queueUrl: string,
  messages: readonly OutgoingMessage[],
  options: PublishOptions = {},
): Promise<PublishResult> {
  assertDistinctIds(messages.map((message) => message.id));
  const maxBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  const refused = new Map<string, BatchEntryFailure>();
  const items: BatchItem<Entry>[] = [];
  for (const message of messages) {
    const bytes = messageSize(message.body, message.attributes);
    const problem = refusal(message, bytes, maxBytes);
    if (problem) {
      refused.set(message.id, { id: message.id, ...problem, senderFault: true, attempts: 0 });
      continue;
    }
    const entry: Entry = { MessageBody: message.body };
    if (message.delaySeconds !== undefined) entry.DelaySeconds = message.delaySeconds;
    if (message.attributes) entry.MessageAttributes = message.attributes;
    items.push({ id: message.id, entry, bytes });
  }
  if (options.counters) options.counters.failed += refused.size;

  const result = await runBatched<Entry>(
    items,
    (entries, signal) =>
      sqs.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        signal ? { abortSignal: signal } : {},
      ),
    { maxEntries: MAX_BATCH_ENTRIES, maxBytes },
    options,
  );

  const failedById = new Map(result.failed.map((failure) => [failure.id, failure]));
  const failed: BatchEntryFailure[] = [];
  for (const message of messages) {
    const failure = refused.get(message.id) ?? failedById.get(message.id);
    if (failure) failed.push(failure);
  }
  return { sent: result.succeeded, failed, calls: result.calls, retried: result.retried };
}

function refusal(
  message: OutgoingMessage,
  bytes: number,
  maxBytes: number,
): { code: string; message: string } | undefined {
  if (message.body.length === 0) {
    return { code: "EmptyMessageBody", message: "SQS does not accept an empty message body" };
  }
  if (bytes > maxBytes) {
    return {
      code: "MessageTooLong",
      message: `message is ${bytes} bytes (body and attributes); the limit is ${maxBytes} bytes`,
    };
  }
  const delay = message.delaySeconds;
  if (
    delay !== undefined &&
    !(Number.isInteger(delay) && delay >= 0 && delay <= MAX_DELAY_SECONDS)
  ) {
    return {
      code: "InvalidDelaySeconds",
      message: `delaySeconds must be an integer from 0 to ${MAX_DELAY_SECONDS}, got ${delay}`,
    };
  }
  return undefined;
}
