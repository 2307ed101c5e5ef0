/**
 * The retention run's logs and metrics with Powertools for AWS Lambda: one structured JSON line
 * per finished plan, continuation and alert (correlation ID = planId), metrics per decision, and
 * every alert as an error line that names the rule and the figures (`alertLogLine`), for alarms to
 * match on. Locally the same lines go to stdout.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { RetentionObserver } from "../retention/observer.ts";
import { alertLogLine } from "../retention/summary.ts";
import { powertoolsLedgerWriteFailed } from "./batch-observer.ts";

/** A {@link RetentionObserver} writing to a Powertools logger and metrics. */
export function powertoolsRetentionObserver(logger: Logger, metrics: Metrics): RetentionObserver {
  return {
    planFinished(plan, summary) {
      metrics.addMetric("RetentionPlansFinished", MetricUnit.Count, 1);
      metrics.addMetric("RetentionJobsEnqueued", MetricUnit.Count, plan.counts.enqueued);
      metrics.addMetric("RetentionDirectoriesListed", MetricUnit.Count, plan.counts.listed);
      logger.info("retention plan", {
        correlationId: plan.planId,
        planId: plan.planId,
        planHash: plan.planHash,
        ruleId: plan.ruleId,
        libraryId: plan.libraryId,
        spaceId: plan.spaceId,
        parent: plan.parent,
        runId: plan.runId,
        runDate: plan.runDate,
        decision: plan.decision,
        counts: summary.counts,
        pageCount: plan.pageCount,
        invocations: plan.invocations,
      });
    },
    scanContinued(continuation) {
      metrics.addMetric("RetentionContinuations", MetricUnit.Count, 1);
      logger.info("retention scan continues in another invocation", {
        ruleId: continuation.ruleId,
        libraryId: continuation.libraryId,
        spaceId: continuation.spaceId,
        runId: continuation.runId,
        runDate: continuation.runDate,
        pageCount: continuation.pageCount,
        invocations: continuation.invocations,
        listed: continuation.counts.listed,
      });
    },
    alert(alert) {
      if (alert.alert === "trigger-refused") {
        metrics.addMetric("RetentionTriggersRefused", MetricUnit.Count, 1);
        logger.error(alertLogLine(alert), {
          alert: alert.alert,
          problem: alert.problem,
          claimed: alert.claimed,
          bounds: alert.bounds,
          dedupKey: alert.dedupKey,
        });
        return;
      }
      metrics.addMetric(
        alert.alert === "cap-breach" ? "RetentionCapBreaches" : "RetentionScansFailed",
        MetricUnit.Count,
        1,
      );
      logger.error(alertLogLine(alert), {
        correlationId: alert.planId,
        alert: alert.alert,
        planId: alert.planId,
        ruleId: alert.ruleId,
        libraryId: alert.libraryId,
        spaceId: alert.spaceId,
        parent: alert.parent,
        runId: alert.runId,
        runDate: alert.runDate,
        ...(alert.alert === "cap-breach"
          ? { breaches: alert.breaches, counts: alert.counts }
          : { error: alert.error }),
        dedupKey: alert.dedupKey,
      });
    },
    invalidContinuation(details) {
      metrics.addMetric("RetentionContinuationsInvalid", MetricUnit.Count, 1);
      logger.error("retention continuation cannot be read; dropped", details);
    },
    ledgerWriteFailed: powertoolsLedgerWriteFailed(logger, metrics),
    publishFailed(details) {
      metrics.addMetric("RetentionPublishFailures", MetricUnit.Count, 1);
      logger.error("retention write refused; the invocation will be run again", details);
    },
  };
}
