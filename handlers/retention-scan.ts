/**
 * Lambda: retention scan. Triggered by the EventBridge schedule (serverless.yml), by an operator
 * (`aws lambda invoke` with `{"dryRun": true}` and the like), and by the continuation queue (SQS
 * trigger with ReportBatchItemFailures) when a scan needs more than one invocation.
 *
 * Thin by design: `lambdaHandler` wires logging, metrics and the library secrets (from SSM,
 * cached); the work is `startRetention` / `processContinuations` in lib/retention, which know
 * nothing about Lambda. The rules are read and checked against the deletion policy at cold start.
 * An event that is not a believable trigger (a scheduled time far from now, a manual run asking for
 * a later time) is refused with an alert on the results queue; nothing is run.
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import {
  answerSqsEvent,
  invocationDeadline,
  lambdaHandler,
  powertools,
} from "../lib/observability/lambda-handler.ts";
import { powertoolsRetentionObserver } from "../lib/observability/retention-observer.ts";
import { smhEventMetrics } from "../lib/observability/smh-metrics.ts";
import { retentionScanFromEnv } from "../lib/retention/environment.ts";
import {
  describeRefusal,
  describeRun,
  type RefusedRunDescription,
  type RunDescription,
} from "../lib/retention/report.ts";
import { processContinuations } from "../lib/retention/run.ts";
import { startRetention } from "../lib/retention/start.ts";

const { logger, metrics } = powertools();

// Cold start: invalid rules and configuration errors stop here, before any scan.
const wiring = retentionScanFromEnv({
  observer: powertoolsRetentionObserver(logger, metrics),
  onSmhEvent: smhEventMetrics(logger, metrics),
});
logger.info("retention rules loaded", {
  source: wiring.rulesSource,
  rules: wiring.deps.rules.rules.map((rule) => ({ id: rule.id, enabled: rule.enabled })),
});

function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.every((record) => (record as { eventSource?: unknown }).eventSource === "aws:sqs")
  );
}

export const handler = lambdaHandler(
  async (
    event: unknown,
    context,
  ): Promise<SQSBatchResponse | RunDescription | RefusedRunDescription> => {
    const deadline = invocationDeadline(context);
    if (isSqsEvent(event)) {
      return answerSqsEvent(event, (records) =>
        processContinuations(records, wiring.deps, deadline),
      );
    }
    const started = await startRetention(event, wiring.deps, deadline);
    return started.kind === "ran" ? describeRun(started.report) : describeRefusal(started.alert);
  },
  { logger, metrics, wiring },
);
