/**
 * What a retention run reports as it goes, for logs and metrics. The handler plugs in Powertools
 * (`lib/observability/retention-observer.ts`); tests and the CLI may listen too. Every method is optional.
 */

import type { LedgerWriteFailure } from "../ledger/publisher.ts";
import type { RetentionAlert, RetentionPlanSummary } from "../messages/retention-result.ts";
import type { RetentionContinuation } from "./checkpoint.ts";
import type { RetentionPlan } from "./plan.ts";

export interface RetentionObserver {
  /** A scan read its last page and its plan was written (and its jobs enqueued). */
  planFinished?(plan: RetentionPlan, summary: RetentionPlanSummary): void;
  /** A scan ran short of time and was handed to another invocation. */
  scanContinued?(continuation: RetentionContinuation): void;
  /**
   * A run enqueued nothing because it must not (a cap) or could not (the scan failed). Log
   * `alertLogLine(alert)` at error level: it names the rule and the figures.
   */
  alert?(alert: RetentionAlert, error?: unknown): void;
  /** A continuation message that cannot be read (it never will be): acknowledged and dropped. */
  invalidContinuation?(details: { messageId: string; reasons: string[] }): void;
  /** A queue refused a write; the invocation (or the continuation) will be run again. */
  publishFailed?(details: { queue: string; unsent: number; message: string }): void;
  /** A ledger object could not be written: its results were not published (then `publishFailed`). */
  ledgerWriteFailed?(failure: LedgerWriteFailure): void;
}
