/**
 * Lambda: recycle-actions queue → SMH restore / purge → results queue (SQS trigger with
 * ReportBatchItemFailures).
 *
 * Thin by design, like delete-directories: `sqsBatchHandler` wires logging, metrics and the library
 * secrets (from SSM, cached); the work is `processRecycleBatch` in lib/recycle, which knows nothing
 * about Lambda.
 */

import { powertools, sqsBatchHandler } from "../lib/observability/lambda-handler.ts";
import { powertoolsRecycleObserver } from "../lib/observability/recycle-observer.ts";
import { smhEventMetrics } from "../lib/observability/smh-metrics.ts";
import { recyclePipelineFromEnv } from "../lib/recycle/environment.ts";
import { processRecycleBatch } from "../lib/recycle/process-batch.ts";

const { logger, metrics } = powertools();

// Cold start: configuration errors stop here, before any command is consumed.
const wiring = recyclePipelineFromEnv({
  observer: powertoolsRecycleObserver(logger, metrics),
  onSmhEvent: smhEventMetrics(logger, metrics),
});

export const handler = sqsBatchHandler(processRecycleBatch, { logger, metrics, wiring });
