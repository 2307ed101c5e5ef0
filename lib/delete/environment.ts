/**
 * Builds the delete pipeline from the environment, once per container (cold start). Configuration
 * errors — no deletion policy, a bad variable, no results queue — fail here, at initialisation,
 * instead of consuming jobs.
 */
import {
  type PipelineEnvOptions,
  type QueuePipelineWiring,
  queuePipelineFromEnv,
} from "../batch/environment.ts";
import type { PipelineObserver } from "./observer.ts";
import type { DeletePipeline } from "./process-batch.ts";
import { readPipelineSettings } from "./settings.ts";

/** The delete pipeline and its results-queue counters (for benchmarks). */
export type PipelineWiring = QueuePipelineWiring<DeletePipeline>;

/** Reads everything from `env` (see `lib/config/runtime.ts` and `settings.ts`). */
export function deletePipelineFromEnv(
  options: PipelineEnvOptions<PipelineObserver>,
): PipelineWiring {
  return queuePipelineFromEnv(options, readPipelineSettings);
}
