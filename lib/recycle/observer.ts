/**
 * What the recycle pipeline reports while it works, so the handler can turn it into one structured
 * log line per item outcome and metrics. Nothing passed here carries a secret.
 */
import type { RecycleActionResult } from "../messages/index.ts";
import type { FailureInfo } from "../pipeline/settlement.ts";

export interface RecycleObserver {
  /** An item (or a refused command) has its result; `acknowledged` tells whether its record is deleted. */
  outcome(result: RecycleActionResult, details: RecycleOutcomeDetails): void;
  /** A command goes back to the queue: some of its items have no result yet. */
  retryLater(details: RecycleRetryDetails): void;
  /** Results could not be written; their records come back through the queue. */
  publishFailed(details: { count: number; codes: string[] }): void;
  /** The whole batch is failed on purpose (an open circuit). */
  batchFailed(details: { reason: string; records: number }): void;
}

export interface RecycleOutcomeDetails {
  readonly receiveCount: number;
  readonly acknowledged: boolean;
  /** Set when the command goes to the DLQ (its last receive): this result was written first. */
  readonly deadLettered: boolean;
}

export interface RecycleRetryDetails {
  readonly commandId: string;
  readonly action: "restore" | "purge";
  readonly libraryId: string;
  readonly spaceId: string;
  readonly receiveCount: number;
  /** Items of the command still without a result. */
  readonly pendingItems: number;
  /** The first pending item's reason. */
  readonly reason: string;
  readonly error?: FailureInfo | undefined;
}

/** An observer that ignores everything (unit tests, benchmarks). */
export const silentRecycleObserver: RecycleObserver = {
  outcome: () => {},
  retryLater: () => {},
  publishFailed: () => {},
  batchFailed: () => {},
};
