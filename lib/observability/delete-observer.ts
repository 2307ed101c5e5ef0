/**
 * The delete pipeline's logs and metrics with Powertools for AWS Lambda: one structured JSON log
 * line per job outcome (correlation ID = jobId) and a metric per outcome. Locally the same lines
 * go to stdout.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { DeleteObserver } from "../delete/observer.ts";
import type { DeletionResult } from "../messages/deletion-result.ts";
import { deliveryFields, powertoolsBatchFailures } from "./batch-observer.ts";

const OUTCOME_METRIC: Record<DeletionResult["outcome"], string> = {
  recycled: "JobsRecycled",
  deleted: "JobsDeleted",
  recovered: "JobsRecovered",
  already_absent: "JobsAlreadyAbsent",
  rejected: "JobsRejected",
  failed: "JobsFailed",
};

/** A {@link DeleteObserver} writing to a Powertools logger and metrics. */
export function powertoolsDeleteObserver(logger: Logger, metrics: Metrics): DeleteObserver {
  return {
    outcome(result, details) {
      metrics.addMetric(OUTCOME_METRIC[result.outcome], MetricUnit.Count, 1);
      if (details.deadLettered) metrics.addMetric("JobsDeadLettered", MetricUnit.Count, 1);
      const line = {
        correlationId: result.jobId,
        jobId: result.jobId,
        outcome: result.outcome,
        libraryId: result.libraryId,
        spaceId: result.spaceId,
        path: result.path,
        ...("recycledItemId" in result ? { recycledItemId: result.recycledItemId } : {}),
        ...deliveryFields(result, details),
        ...(result.outcome === "rejected" ? { reasons: result.reasons } : {}),
        ...(result.outcome === "failed" ? { error: result.error } : {}),
        source: result.source,
        dedupKey: result.dedupKey,
      };
      if (result.outcome === "failed") logger.error("job failed", line);
      else if (result.outcome === "rejected") logger.warn("job rejected", line);
      else logger.info("job done", line);
    },
    retryLater(details) {
      metrics.addMetric("JobsRetriedLater", MetricUnit.Count, 1);
      logger.warn("job returns to the queue", { correlationId: details.jobId, ...details });
    },
    ...powertoolsBatchFailures(logger, metrics),
  };
}
