/**
 * What a queue-driven batch (deletions, recycle actions) reports while it works, so the handler can
 * turn it into one structured log line per result and metrics (Powertools in Lambda, plain JSON
 * lines locally). Each domain names its results and what it says of work that comes back through
 * the queue. Nothing passed here carries a secret: results and SMH errors are built free of them.
 */
import type { LedgerWriteFailure } from "../ledger/publisher.ts";
import type { FailureInfo } from "./work.ts";

/** What a batch reports; `Result` is its result message, `Retry` what it says of work retried later. */
export interface BatchObserver<Result, Retry> {
  /** Work (or a refused record) has its result; `acknowledged` tells whether its record is deleted. */
  outcome(result: Result, details: OutcomeDetails): void;
  /**
   * Work without (all of) its results: failed transiently, or not started. It is parked (see
   * `parking.ts`; `details.parkedForSeconds`), or given up (its `failed` results follow).
   */
  retryLater(details: Retry): void;
  /** Results could not be written; their records come back through the queue. */
  publishFailed(details: { count: number; codes: string[] }): void;
  /**
   * A ledger object could not be written (after the S3 client's retries): its results were not
   * published and are among those `publishFailed` reports.
   */
  ledgerWriteFailed?(failure: LedgerWriteFailure): void;
  /**
   * Parked or given-up work could not be sent on (to its own queue, or to the DLQ): its records
   * come back through the queue.
   */
  forwardFailed(details: { queue: string; count: number; codes: string[] }): void;
}

/** How a written result's record fares. */
export interface OutcomeDetails {
  readonly receiveCount: number;
  readonly acknowledged: boolean;
  /**
   * Set when the work is given up and its record goes to the DLQ: this result was written first.
   */
  readonly deadLettered: boolean;
}

/** Work that goes back to the queue without (all of) its results, and why. */
export interface PendingWork {
  readonly libraryId: string;
  readonly spaceId: string;
  readonly receiveCount: number;
  /** Why it has no result yet (the deferral's reason, or the failure's message). */
  readonly reason: string;
  /** Parked with this delay; absent when it is given up instead. */
  readonly parkedForSeconds?: number | undefined;
  /** Real SMH attempts that failed so far (see `lib/messages/delivery.ts`). */
  readonly failedAttempts: number;
  readonly error?: FailureInfo | undefined;
}

/** An observer that ignores everything (unit tests, benchmarks). */
export function silentBatchObserver<Result, Retry>(): BatchObserver<Result, Retry> {
  return {
    outcome: () => {},
    retryLater: () => {},
    publishFailed: () => {},
    forwardFailed: () => {},
  };
}
