/**
 * The recycle pipeline's logs and metrics with Powertools for AWS Lambda: one structured JSON log
 * line per item outcome (correlation ID = commandId) and a metric per outcome. Locally the same
 * lines go to stdout.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { RecycleActionResult } from "../messages/recycle-action-result.ts";
import type { RecycleObserver } from "../recycle/observer.ts";
import { deliveryFields, powertoolsBatchFailures } from "./batch-observer.ts";

const OUTCOME_METRIC: Record<RecycleActionResult["outcome"], string> = {
  restored: "ItemsRestored",
  purged: "ItemsPurged",
  expired: "ItemsExpired",
  conflict: "ItemsInConflict",
  failed: "ItemsFailed",
  rejected: "ItemsRejected",
};

/** A {@link RecycleObserver} writing to a Powertools logger and metrics. */
export function powertoolsRecycleObserver(logger: Logger, metrics: Metrics): RecycleObserver {
  return {
    outcome(result, details) {
      metrics.addMetric(OUTCOME_METRIC[result.outcome], MetricUnit.Count, 1);
      if (details.deadLettered) metrics.addMetric("CommandItemsDeadLettered", MetricUnit.Count, 1);
      const line = {
        correlationId: result.commandId,
        commandId: result.commandId,
        outcome: result.outcome,
        action: result.action,
        libraryId: result.libraryId,
        spaceId: result.spaceId,
        recycledItemId: result.recycledItemId,
        ...("restoredPath" in result ? { restoredPath: result.restoredPath } : {}),
        ...deliveryFields(result, details),
        ...("reasons" in result ? { reasons: result.reasons } : {}),
        ...("error" in result ? { error: result.error } : {}),
        dedupKey: result.dedupKey,
      };
      if (result.outcome === "failed") logger.error("recycle item failed", line);
      else if (result.outcome === "rejected" || result.outcome === "conflict") {
        logger.warn(`recycle item ${result.outcome}`, line);
      } else logger.info("recycle item done", line);
    },
    retryLater(details) {
      metrics.addMetric("CommandsRetriedLater", MetricUnit.Count, 1);
      logger.warn("recycle command returns to the queue", {
        correlationId: details.commandId,
        ...details,
      });
    },
    ...powertoolsBatchFailures(logger, metrics),
  };
}
