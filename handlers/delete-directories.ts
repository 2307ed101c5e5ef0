/**
 * Lambda: jobs queue → SMH delete → results queue (SQS trigger with ReportBatchItemFailures).
 *
 * Thin by design: `sqsBatchHandler` wires logging, metrics and the library secrets (from SSM,
 * cached); the work is `processDeleteBatch` in lib/delete, which knows nothing about Lambda.
 */
import { deletePipelineFromEnv } from "../lib/delete/environment.ts";
import { processDeleteBatch } from "../lib/delete/process-batch.ts";
import { powertoolsDeleteObserver } from "../lib/observability/delete-observer.ts";
import { powertools, sqsBatchHandler } from "../lib/observability/lambda-handler.ts";
import { smhEventMetrics } from "../lib/observability/smh-metrics.ts";

const { logger, metrics } = powertools();

// Cold start: configuration errors stop here, before any job is consumed.
const wiring = deletePipelineFromEnv({
  observer: powertoolsDeleteObserver(logger, metrics),
  onSmhEvent: smhEventMetrics(logger, metrics),
});

export const handler = sqsBatchHandler(processDeleteBatch, { logger, metrics, wiring });
