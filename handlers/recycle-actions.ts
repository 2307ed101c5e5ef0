/**
 * Lambda: recycle-actions queue → SMH restore / purge → results queue (SQS trigger with
 * ReportBatchItemFailures).
 *
 * Thin by design, like delete-directories: `lambdaHandler` wires logging, metrics and the library
 * secrets (from SSM, cached); the work is `processRecycleBatch` in lib/recycle, which knows nothing
 * about Lambda.
 */
import type { SQSEvent } from "aws-lambda";
import {
  batchResponse,
  FullBatchFailureError,
  lambdaHandler,
  powertools,
} from "../lib/observability/lambda-handler.ts";
import { smhEventMetrics } from "../lib/observability/pipeline-observer.ts";
import { jobRecordFromSqs } from "../lib/pipeline/records.ts";
import { recyclePipelineFromEnv } from "../lib/recycle/environment.ts";
import { powertoolsRecycleObserver } from "../lib/recycle/powertools-observer.ts";
import { processRecycleBatch } from "../lib/recycle/process-batch.ts";

const { logger, metrics } = powertools();

// Cold start: configuration errors stop here, before any command is consumed.
const wiring = recyclePipelineFromEnv({
  observer: powertoolsRecycleObserver(logger, metrics),
  onSmhEvent: smhEventMetrics(logger, metrics),
});

export const handler = lambdaHandler(
  async (event: SQSEvent, context) => {
    const deadline = Date.now() + context.getRemainingTimeInMillis();
    const outcome = await processRecycleBatch(
      event.Records.map(jobRecordFromSqs),
      wiring.pipeline,
      deadline,
    );
    if (outcome.fullBatchFailure) throw new FullBatchFailureError(outcome.fullBatchFailure);
    return batchResponse(outcome.failedMessageIds);
  },
  { logger, metrics, wiring },
);
