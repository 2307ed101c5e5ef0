/**
 * Lambda: recycle-actions queue → SMH restore / purge → results queue (SQS trigger with
 * ReportBatchItemFailures).
 *
 * Thin by design, like delete-directories: middy wires logging, metrics and the library secrets
 * (from SSM, cached); the work is `processRecycleBatch` in lib/recycle, which knows nothing about
 * Lambda.
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
import { recyclePipelineFromEnv } from "../lib/recycle/environment.ts";
import { powertoolsRecycleObserver } from "../lib/recycle/powertools-observer.ts";
import { processRecycleBatch } from "../lib/recycle/process-batch.ts";

// Service name, namespace and level come from POWERTOOLS_* (serverless.yml sets them).
const logger = new Logger();
// Metrics warnings (an invocation without metrics) go through the logger and its level.
const metrics = new Metrics({ logger });

// Cold start: configuration errors stop here, before any command is consumed.
const wiring = recyclePipelineFromEnv({
  observer: powertoolsRecycleObserver(logger, metrics),
  onSmhEvent: smhEventMetrics(logger, metrics),
});

/** Thrown on purpose when nothing in the batch could be done: Lambda then slows its polling. */
export class FullBatchFailureError extends Error {
  override readonly name = "FullBatchFailureError";
}

type SecretsContext = Context & { librarySecrets?: unknown };

async function recycleActions(event: SQSEvent, context: SecretsContext): Promise<SQSBatchResponse> {
  if (wiring.secretsParameter !== undefined) {
    wiring.secrets.update(context.librarySecrets, `SSM parameter ${wiring.secretsParameter}`);
  }
  const deadline = Date.now() + context.getRemainingTimeInMillis();
  const outcome = await processRecycleBatch(
    event.Records.map(jobRecordFromSqs),
    wiring.pipeline,
    deadline,
  );
  if (outcome.fullBatchFailure) throw new FullBatchFailureError(outcome.fullBatchFailure);
  return {
    batchItemFailures: outcome.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })),
  };
}

const base = middy(recycleActions).use(injectLambdaContext(logger)).use(logMetrics(metrics));

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
