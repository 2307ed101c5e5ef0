/**
 * What the pipeline reports while it works, so the handler can turn it into one structured log line
 * per job outcome and metrics (Powertools in Lambda, plain JSON lines locally). Nothing passed here
 * carries a secret: results and SMH errors are built free of them.
 */
import { type BatchObserver, type PendingWork, silentBatchObserver } from "../batch/observer.ts";
import type { DeletionResult } from "../messages/deletion-result.ts";

/**
 * What the delete pipeline reports: each job's (or refused record's) result, jobs that go back to
 * the queue without a result (transient failure, or not started), results that could not be
 * written, and a batch failed on purpose (an open circuit).
 */
export type DeleteObserver = BatchObserver<DeletionResult, DeleteRetryDetails>;

/** A job that goes back to the queue without a result. */
export interface DeleteRetryDetails extends PendingWork {
  readonly jobId: string;
  readonly path: string;
}

/** An observer that ignores everything (unit tests, benchmarks). */
export const silentDeleteObserver: DeleteObserver = silentBatchObserver();
