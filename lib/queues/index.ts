/**
 * SQS for the whole product: one publisher that checks `Failed[]` (every arrow into a queue goes
 * through it), the consumer helpers, and a client that works against AWS or any SQS-compatible
 * endpoint by configuration alone.
 */
export {
  type ChangeVisibilityResult,
  changeVisibilityBatch,
  type DeleteBatchResult,
  deleteBatch,
  type ReceiptEntry,
} from "./acknowledge.ts";
export { readQueueAttributes } from "./attributes.ts";
export type { BatchOptions } from "./batches.ts";
export { createSqsClient, type SqsClientOptions, sqsClientConfig } from "./client.ts";
export { type BatchCounters, createBatchCounters } from "./counters.ts";
export { type OldestMessageAgeProbe, type QueueDepths, queueDepths } from "./depths.ts";
export type { BatchEntryFailure } from "./errors.ts";
export {
  DEFAULT_MAX_BATCH_BYTES,
  MAX_BATCH_ENTRIES,
  MAX_RECEIVE_MESSAGES,
  MAX_WAIT_SECONDS,
} from "./limits.ts";
export {
  type OutgoingMessage,
  type PublishOptions,
  type PublishResult,
  publish,
} from "./publish.ts";
export { type ReceiveOptions, receive } from "./receive.ts";
export type { SqsSender } from "./sqs-sender.ts";
export { QueueNotFoundError, resolveQueueUrl } from "./urls.ts";
