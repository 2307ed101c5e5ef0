/**
 * The delete pipeline's logs and metrics with Powertools for AWS Lambda: one structured JSON log
 * line per job outcome (correlation ID = jobId) and a metric per outcome, plus SMH retries,
 * throttles, requests and token mints. Locally the same lines go to stdout.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { DeletionResult } from "../messages/index.ts";
import type { PipelineObserver } from "../pipeline/observer.ts";
import type { SmhEvent } from "../smh/index.ts";
import { deliveryFields, powertoolsBatchFailures } from "./batch-observer.ts";

const OUTCOME_METRIC: Record<DeletionResult["outcome"], string> = {
  recycled: "JobsRecycled",
  deleted: "JobsDeleted",
  recovered: "JobsRecovered",
  already_absent: "JobsAlreadyAbsent",
  rejected: "JobsRejected",
  failed: "JobsFailed",
};

/** A {@link PipelineObserver} writing to a Powertools logger and metrics. */
export function powertoolsPipelineObserver(logger: Logger, metrics: Metrics): PipelineObserver {
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

/** Turns SMH client events into metrics (and a log line for rate changes). */
export function smhEventMetrics(logger: Logger, metrics: Metrics): (event: SmhEvent) => void {
  return (event) => {
    switch (event.type) {
      case "request":
        metrics.addMetric("SmhRequests", MetricUnit.Count, 1);
        break;
      case "retry":
        metrics.addMetric("SmhRetries", MetricUnit.Count, 1);
        break;
      case "throttle":
        metrics.addMetric("SmhThrottles", MetricUnit.Count, 1);
        break;
      case "tokenMinted":
      case "tokenRefreshed":
        metrics.addMetric("SmhTokensMinted", MetricUnit.Count, 1);
        break;
      case "rateChanged":
        logger.info("SMH send rate changed", {
          libraryId: event.libraryId,
          previousRate: event.previousRate,
          rate: event.rate,
          reason: event.reason,
        });
        break;
      case "fleetBoardFailed":
        logger.warn("SMH fleet board failed; the limiter finds its share from 429s alone", {
          libraryId: event.libraryId,
          reason: event.reason,
        });
        break;
    }
  };
}
