/**
 * What the delete and recycle pipelines' Powertools observers log and count alike: how an outcome's
 * record fared, results that could not be written, and parked or given-up work that could not be
 * sent on. Each pipeline
 * adds its own lines for outcomes and for work that returns to the queue.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { BatchObserver, OutcomeDetails } from "../batch/observer.ts";
import type { LedgerWriteFailure } from "../ledger/publisher.ts";

/**
 * The fields in the middle of an outcome line, in this order: SMH attempts, SMH's request ID (when
 * there is one), the record's receive count and whether it is acknowledged.
 */
export function deliveryFields(
  result: { readonly attempts: number; readonly requestId?: string | undefined },
  details: OutcomeDetails,
) {
  return {
    attempts: result.attempts,
    ...(result.requestId ? { smhRequestId: result.requestId } : {}),
    receiveCount: details.receiveCount,
    acknowledged: details.acknowledged,
  };
}

/**
 * The `publishFailed`, `ledgerWriteFailed` and `forwardFailed` of a {@link BatchObserver}, with a
 * Powertools logger and metrics.
 */
export function powertoolsBatchFailures(
  logger: Logger,
  metrics: Metrics,
): Pick<BatchObserver<unknown, unknown>, "publishFailed" | "ledgerWriteFailed" | "forwardFailed"> {
  return {
    ledgerWriteFailed: powertoolsLedgerWriteFailed(logger, metrics),
    publishFailed(details) {
      metrics.addMetric("ResultsPublishFailures", MetricUnit.Count, details.count);
      logger.error("results could not be written; their records come back", details);
    },
    forwardFailed(details) {
      metrics.addMetric("ParkingFailures", MetricUnit.Count, details.count);
      logger.error("parked or given-up work could not be sent on; its records come back", details);
    },
  };
}

/**
 * One ledger object that could not be written: metric `LedgerWriteFailures` (the results it held,
 * which were not published and whose records come back) and an error line naming the bucket, the
 * kind and what S3 answered — never the results themselves.
 */
export function powertoolsLedgerWriteFailed(
  logger: Logger,
  metrics: Metrics,
): (failure: LedgerWriteFailure) => void {
  return (failure) => {
    metrics.addMetric("LedgerWriteFailures", MetricUnit.Count, failure.count);
    logger.error("ledger object could not be written; its results come back", { ...failure });
  };
}
