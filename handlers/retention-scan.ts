/**
 * Lambda: retention scan. Triggered by the EventBridge schedule (serverless.yml), by an operator
 * (`aws lambda invoke` with `{"dryRun": true}` and the like), and by the continuation queue (SQS
 * trigger with ReportBatchItemFailures) when a scan needs more than one invocation.
 *
 * Thin by design: middy wires logging, metrics and the library secrets (from SSM, cached); the
 * work is `runRetention` / `processContinuations` in lib/retention, which know nothing about
 * Lambda. The rules are read and checked against the deletion policy at cold start.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import ssm from "@middy/ssm";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { smhEventMetrics } from "../lib/observability/pipeline-observer.ts";
import { jobRecordFromSqs } from "../lib/pipeline/records.ts";
import { retentionScanFromEnv } from "../lib/retention/environment.ts";
import { powertoolsRetentionObserver } from "../lib/retention/powertools-observer.ts";
import { describeRun, type RunDescription } from "../lib/retention/report.ts";
import {
  processContinuations,
  type RetentionRunReport,
  runRetention,
} from "../lib/retention/run.ts";
import { parseTrigger } from "../lib/retention/trigger.ts";

// Service name, namespace and level come from POWERTOOLS_* (serverless.yml sets them).
const logger = new Logger();
// Metrics warnings (an invocation without metrics) go through the logger and its level.
const metrics = new Metrics({ logger });

// Cold start: invalid rules and configuration errors stop here, before any scan.
const wiring = retentionScanFromEnv({
  observer: powertoolsRetentionObserver(logger, metrics),
  onSmhEvent: smhEventMetrics(logger, metrics),
});
logger.info("retention rules loaded", {
  source: wiring.rulesSource,
  rules: wiring.deps.rules.rules.map((rule) => ({ id: rule.id, enabled: rule.enabled })),
});

type SecretsContext = Context & { librarySecrets?: unknown };

function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.every((record) => (record as { eventSource?: unknown }).eventSource === "aws:sqs")
  );
}

async function retentionScan(
  event: unknown,
  context: SecretsContext,
): Promise<SQSBatchResponse | RunDescription> {
  if (wiring.secretsParameter !== undefined) {
    wiring.secrets.update(context.librarySecrets, `SSM parameter ${wiring.secretsParameter}`);
  }
  const deadline = Date.now() + context.getRemainingTimeInMillis();
  if (isSqsEvent(event)) {
    const outcome = await processContinuations(
      event.Records.map(jobRecordFromSqs),
      wiring.deps,
      deadline,
    );
    return {
      batchItemFailures: outcome.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })),
    };
  }
  const report: RetentionRunReport = await runRetention(
    parseTrigger(event, new Date()),
    wiring.deps,
    deadline,
  );
  return describeRun(report);
}

const base = middy(retentionScan).use(injectLambdaContext(logger)).use(logMetrics(metrics));

export const handler =
  wiring.secretsParameter === undefined
    ? base
    : base.use(
        ssm({
          fetchData: { librarySecrets: wiring.secretsParameter },
          setToContext: true,
          // Re-read every 15 minutes so a rotated secret is picked up without a redeploy.
          cacheExpiry: 15 * 60 * 1000,
        }),
      );
