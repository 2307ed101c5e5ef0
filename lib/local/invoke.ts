import type { SQSRecord } from "aws-lambda";
import { deleteBatch } from "../queues/acknowledge.ts";
import type { SqsSender } from "../queues/sqs-sender.ts";
import { interpretBatchResponse } from "./batch-response.ts";
import type { LambdaHandler } from "./handler-module.ts";
import { createLambdaContext } from "./lambda-context.ts";
import type { EventHub, InvocationOutcome } from "./runner-events.ts";
import { toSqsEvent } from "./sqs-event.ts";

/** One emulated function, bound to its queue. */
export interface InvocationSetup {
  sqs: SqsSender;
  functionName: string;
  handler: LambdaHandler;
  queueUrl: string;
  awsRegion: string;
  timeoutMs: number;
  reportBatchItemFailures: boolean;
  events: EventHub;
}

type Ending =
  | { kind: "returned"; value: unknown }
  | { kind: "threw"; error: unknown }
  | { kind: "timeout" };

/**
 * Invokes the handler with `records` and settles them as Lambda's event source would: deletes the
 * records the response says succeeded, leaves the rest to reappear after the visibility timeout.
 *
 * A handler still running when the timeout passes is a timeout: nothing is deleted, even if the
 * handler returns success later. Lambda would freeze and discard such a handler; in-process it
 * cannot be stopped, so it keeps running (its context reports 0 ms left). This function returns
 * only when that handler has settled too, so the poller holds its concurrency slot meanwhile and
 * never has more handlers running than `maximumConcurrency` allows.
 */
export async function invokeBatch(setup: InvocationSetup, records: SQSRecord[]): Promise<void> {
  const { events, functionName } = setup;
  // Copied before the handler sees the records: what it does to them cannot change what is deleted.
  // Entries are keyed by position: SQS may deliver one message twice, even within one batch.
  const receipts = records.map((record, index) => ({
    id: String(index),
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
  }));
  const messageIds = receipts.map((receipt) => receipt.messageId);
  const context = createLambdaContext({
    functionName,
    timeoutMs: setup.timeoutMs,
    awsRegion: setup.awsRegion,
  });
  const requestId = context.awsRequestId;
  events.emit({ type: "invocation-started", functionName, requestId, messageIds });

  const startedAt = performance.now();
  const running = Promise.resolve().then(() => setup.handler(toSqsEvent(records), context));
  const ending = await withTimeout(running, setup.timeoutMs);
  const durationMs = performance.now() - startedAt;

  let outcome: InvocationOutcome;
  let keep = new Set<string>(messageIds);
  let reason: string | undefined;
  if (ending.kind === "returned") {
    const verdict = interpretBatchResponse(ending.value, messageIds, setup.reportBatchItemFailures);
    if (verdict.kind === "success") {
      outcome = "success";
      keep = new Set();
    } else if (verdict.kind === "partial") {
      outcome = "partial-failure";
      keep = new Set(verdict.failed);
    } else {
      outcome = "invalid-response";
      reason = verdict.reason;
    }
  } else {
    outcome = ending.kind === "timeout" ? "timeout" : "error";
  }

  const toDelete = receipts.filter((receipt) => !keep.has(receipt.messageId));
  const deleted: string[] = [];
  if (toDelete.length > 0) {
    const result = await deleteBatch(setup.sqs, setup.queueUrl, toDelete);
    const byEntryId = new Map(receipts.map((receipt) => [receipt.id, receipt.messageId]));
    const idOf = (entryId: string) => byEntryId.get(entryId) ?? entryId;
    deleted.push(...result.deleted.map(idOf));
    if (deleted.length > 0) {
      events.emit({ type: "records-deleted", functionName, requestId, messageIds: deleted });
    }
    if (result.failed.length > 0) {
      const failures = result.failed.map((failure) => ({ ...failure, id: idOf(failure.id) }));
      events.emit({ type: "delete-failed", functionName, requestId, failures });
    }
  }
  events.emit({
    type: "invocation-finished",
    functionName,
    requestId,
    outcome,
    messageIds,
    deleted,
    failed: messageIds.filter((id) => keep.has(id)),
    durationMs,
    ...(ending.kind === "threw" ? { error: ending.error } : {}),
    ...(reason !== undefined ? { reason } : {}),
  });

  if (ending.kind === "timeout") {
    const settled = await running.then(
      () => "returned" as const,
      () => "threw" as const,
    );
    events.emit({ type: "timed-out-handler-settled", functionName, requestId, settled });
  }
}

function withTimeout(running: Promise<unknown>, timeoutMs: number): Promise<Ending> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: "timeout" }), timeoutMs);
    running.then(
      (value) => {
        clearTimeout(timer);
        resolve({ kind: "returned", value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ kind: "threw", error });
      },
    );
  });
}
