import {
  ChangeMessageVisibilityBatchCommand,
  type ChangeMessageVisibilityBatchRequestEntry,
  DeleteMessageBatchCommand,
  type DeleteMessageBatchRequestEntry,
} from "@aws-sdk/client-sqs";
import { type BatchOptions, runBatched } from "./batches.ts";
import type { BatchEntryFailure } from "./errors.ts";
import { MAX_BATCH_ENTRIES, MAX_VISIBILITY_TIMEOUT_SECONDS } from "./limits.ts";
import type { SqsSender } from "./sqs-sender.ts";

/** A received message to act on, named by the caller's id (usually the MessageId). */
export interface ReceiptEntry {
  id: string;
  receiptHandle: string;
}

/** Outcome of {@link deleteBatch}. */
export interface DeleteBatchResult {
  /** Ids whose delete SQS accepted, in input order. */
  deleted: string[];
  failed: BatchEntryFailure[];
  calls: number;
  retried: number;
}

/** Outcome of {@link changeVisibilityBatch}. */
export interface ChangeVisibilityResult {
  /** Ids whose visibility SQS changed, in input order. */
  changed: string[];
  failed: BatchEntryFailure[];
  calls: number;
  retried: number;
}

const limits = { maxEntries: MAX_BATCH_ENTRIES, maxBytes: Number.POSITIVE_INFINITY };

/**
 * Deletes received messages with DeleteMessageBatch (10 per request), reading `Failed[]` of every
 * response and re-sending retryable failures (see {@link BatchOptions}). A delete that fails leaves
 * the message to come back after its visibility timeout; the caller decides whether that matters.
 */
export async function deleteBatch(
  sqs: SqsSender,
  queueUrl: string,
  entries: readonly ReceiptEntry[],
  options: BatchOptions = {},
): Promise<DeleteBatchResult> {
  const result = await runBatched<Omit<DeleteMessageBatchRequestEntry, "Id">>(
    entries.map((entry) => ({
      id: entry.id,
      entry: { ReceiptHandle: entry.receiptHandle },
      bytes: 0,
    })),
    (batch, signal) =>
      sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }),
        signal ? { abortSignal: signal } : {},
      ),
    limits,
    options,
  );
  return {
    deleted: result.succeeded,
    failed: result.failed,
    calls: result.calls,
    retried: result.retried,
  };
}

/**
 * Changes the visibility timeout of received messages with ChangeMessageVisibilityBatch. `0`
 * releases a message for immediate redelivery; a longer timeout extends a lease on work in progress.
 */
export async function changeVisibilityBatch(
  sqs: SqsSender,
  queueUrl: string,
  entries: readonly (ReceiptEntry & { visibilityTimeoutSeconds: number })[],
  options: BatchOptions = {},
): Promise<ChangeVisibilityResult> {
  for (const entry of entries) {
    const seconds = entry.visibilityTimeoutSeconds;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
      throw new RangeError(
        `visibilityTimeoutSeconds must be an integer from 0 to ${MAX_VISIBILITY_TIMEOUT_SECONDS}, got ${seconds}`,
      );
    }
  }
  const result = await runBatched<Omit<ChangeMessageVisibilityBatchRequestEntry, "Id">>(
    entries.map((entry) => ({
      id: entry.id,
      entry: {
        ReceiptHandle: entry.receiptHandle,
        VisibilityTimeout: entry.visibilityTimeoutSeconds,
      },
      bytes: 0,
    })),
    (batch, signal) =>
      sqs.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: batch }),
        signal ? { abortSignal: signal } : {},
      ),
    limits,
    options,
  );
  return {
    changed: result.succeeded,
    failed: result.failed,
    calls: result.calls,
    retried: result.retried,
  };
}
