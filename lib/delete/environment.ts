/**
 * Builds the delete pipeline from the environment, once per container (cold start). Configuration
 * errors — no deletion policy, a bad variable, no results queue, no jobs queue or jobs DLQ (where
 * jobs are parked and given up) — fail here, at initialisation, instead of consuming jobs.
 */
import {
  type PipelineEnvOptions,
  type QueuePipelineWiring,
  queuePipelineFromEnv,
} from "../batch/environment.ts";
import type { DeleteObserver } from "./observer.ts";
import type { DeletePipeline } from "./process-batch.ts";
import { readDeleteSettings } from "./settings.ts";

/** The delete pipeline and its results-queue counters (for benchmarks). */
export type DeleteWiring = QueuePipelineWiring<DeletePipeline>;

/** Reads everything from `env` (see `lib/config/runtime.ts` and `settings.ts`). */
export function deletePipelineFromEnv(options: PipelineEnvOptions<DeleteObserver>): DeleteWiring {
  return queuePipelineFromEnv(options, readDeleteSettings, {
    queueUrl: "JOBS_QUEUE_URL",
    deadLetterUrl: "JOBS_DLQ_URL",
  });
}
