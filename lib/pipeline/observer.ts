/**
 * What the pipeline reports while it works, so the handler can turn it into one structured log line
 * per job outcome and metrics (Powertools in Lambda, plain JSON lines locally). Nothing passed here
 * carries a secret: results and SMH errors are built free of them.
 */
import type { DeletionResult } from "../messages/index.ts";
import type { FailureInfo } from "./settlement.ts";

export interface PipelineObserver {
  /** A job (or refused record) has its result; `acknowledged` tells whether its record is deleted. */
  outcome(result: DeletionResult, details: OutcomeDetails): void;
  /** A job goes back to the queue without a result (transient failure, or not started). */
  retryLater(details: RetryDetails): void;
  /** Results could not be written; their records come back through the queue. */
  publishFailed(details: { count: number; codes: string[] }): void;
  /** The whole batch is failed on purpose (an open circuit). */
  batchFailed(details: { reason: string; records: number }): void;
}

export interface OutcomeDetails {
  readonly receiveCount: number;
  readonly acknowledged: boolean;
  /** Set when the result is `failed` because this was the job's last receive: it goes to the DLQ. */
  readonly deadLettered: boolean;
}

export interface RetryDetails {
  readonly jobId: string;
  readonly libraryId: string;
  readonly spaceId: string;
  readonly path: string;
  readonly receiveCount: number;
  readonly reason: string;
  readonly error?: FailureInfo | undefined;
}

/** An observer that ignores everything (unit tests, benchmarks). */
export const silentObserver: PipelineObserver = {
  outcome: () => {},
  retryLater: () => {},
  publishFailed: () => {},
  batchFailed: () => {},
};
