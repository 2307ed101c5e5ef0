/**
 * Builds the recycle pipeline from the environment, once per container (cold start). The same
 * variables as the delete pipeline (`RESULTS_QUEUE_URL`, the library secrets, the policy, the SMH
 * settings, the parking settings), plus `RECYCLE_MAX_RECEIVE_COUNT` and `RECYCLE_CONCURRENCY` (see
 * `settings.ts`), and its own queues `RECYCLE_ACTIONS_QUEUE_URL` and `RECYCLE_ACTIONS_DLQ_URL`
 * (where commands are parked and given up).
 * Configuration errors fail here, before any command is consumed.
 */
import {
  type PipelineEnvOptions,
  type QueuePipelineWiring,
  queuePipelineFromEnv,
} from "../batch/environment.ts";
import type { RecycleObserver } from "./observer.ts";
import type { RecyclePipeline } from "./process-batch.ts";
import { readRecycleSettings } from "./settings.ts";

/** The recycle pipeline and its results-queue counters. */
export type RecycleWiring = QueuePipelineWiring<RecyclePipeline>;

/** Reads everything from `env` (see `lib/config/runtime.ts` and `settings.ts`). */
export function recyclePipelineFromEnv(
  options: PipelineEnvOptions<RecycleObserver>,
): RecycleWiring {
  return queuePipelineFromEnv(options, readRecycleSettings, {
    queueUrl: "RECYCLE_ACTIONS_QUEUE_URL",
    deadLetterUrl: "RECYCLE_ACTIONS_DLQ_URL",
  });
}
