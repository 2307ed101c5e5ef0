/**
 * What the recycle pipeline reports while it works, so the handler can turn it into one structured
 * log line per item outcome and metrics. Nothing passed here carries a secret.
 */
import { type BatchObserver, type PendingWork, silentBatchObserver } from "../batch/observer.ts";
import type { RecycleActionResult } from "../messages/recycle-action-result.ts";

/**
 * What the recycle pipeline reports: each item's (or refused command's) result, commands that go
 * back to the queue with items still without a result, results that could not be written, and a
 * batch failed on purpose (an open circuit).
 */
export type RecycleObserver = BatchObserver<RecycleActionResult, RecycleRetryDetails>;

/** A command that goes back to the queue: some of its items have no result yet. */
export interface RecycleRetryDetails extends PendingWork {
  readonly commandId: string;
  readonly action: "restore" | "purge";
  /** Items of the command still without a result (`reason` is the first one's). */
  readonly pendingItems: number;
}

/** An observer that ignores everything (unit tests, benchmarks). */
export const silentRecycleObserver: RecycleObserver = silentBatchObserver();
