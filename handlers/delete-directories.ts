/**
 * Lambda: jobs queue → SMH delete → results queue (SQS trigger with ReportBatchItemFailures).
 *
 * Thin by design: `lambdaHandler` wires logging, metrics and the library secrets (from SSM,
 * cached); the work is `processDeleteBatch` in lib/pipeline, which knows nothing about Lambda.
 */
import type { SQSEvent } from "aws-lambda";
import {
  batchResponse,
  FullBatchFailureError,
  lambdaHandler,
  powertools,
} from "../lib/observability/lambda-handler.ts";
import {
  powertoolsPipelineObserver,
  smhEventMetrics,
} from "../lib/observability/pipeline-observer.ts";
import { deletePipelineFromEnv } from "../lib/pipeline/environment.ts";
import { processDeleteBatch } from "../lib/pipeline/process-batch.ts";
import { jobRecordFromSqs } from "../lib/pipeline/records.ts";

const { logger, metrics } = powertools();

// Cold start: configuration errors stop here, before any job is consumed.
const wiring = deletePipelineFromEnv({
  observer: powertoolsPipelineObserver(logger, metrics),
  onSmhEvent: smhEventMetrics(logger, metrics),
});

export const handler = lambdaHandler(
  async (event: SQSEvent, context) => {
    const deadline = Date.now() + context.getRemainingTimeInMillis();
    const outcome = await processDeleteBatch(
      event.Records.map(jobRecordFromSqs),
      wiring.pipeline,
      deadline,
    );
    if (outcome.fullBatchFailure) throw new FullBatchFailureError(outcome.fullBatchFailure);
    return batchResponse(outcome.failedMessageIds);
  },
  { logger, metrics, wiring },
);
