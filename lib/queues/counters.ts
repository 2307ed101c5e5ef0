/**
 * Running totals of batch calls, for metrics. Pass one object to many calls to aggregate; every
 * function that accepts it only ever adds to it.
 */
export interface BatchCounters {
  /** Batch requests sent (each SendMessageBatch / DeleteMessageBatch / … call). */
  calls: number;
  /** Entries the queue accepted. */
  succeeded: number;
  /** Entries sent again after a retryable `Failed[]` entry. */
  retried: number;
  /** Entries that ended failed (sender fault, refused locally, or retries exhausted). */
  failed: number;
}

/** A zeroed {@link BatchCounters}. */
export function createBatchCounters(): BatchCounters {
  return { calls: 0, succeeded: 0, retried: 0, failed: 0 };
}
