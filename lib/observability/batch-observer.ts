/**
 * What the delete and recycle pipelines' Powertools observers log and count alike: results that
 * could not be written, and a batch failed on purpose. Each pipeline adds its own lines for
 * outcomes and for work that returns to the queue.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { BatchObserver } from "../batch/observer.ts";

/** The `publishFailed` and `batchFailed` of a {@link BatchObserver}, with a Powertools logger and metrics. */
export function powertoolsBatchFailures(
  logger: Logger,
  metrics: Metrics,
): Pick<BatchObserver<unknown, unknown>, "publishFailed" | "batchFailed"> {
  return {
    publishFailed(details) {
      metrics.addMetric("ResultsPublishFailures", MetricUnit.Count, details.count);
      logger.error("results could not be written; their records come back", details);
    },
    batchFailed(details) {
      metrics.addMetric("BatchesFailedOnPurpose", MetricUnit.Count, 1);
      logger.error("failing the whole batch", details);
    },
  };
}
