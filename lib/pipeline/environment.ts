/**
 * Builds the delete pipeline from the environment, once per container (cold start). Configuration
 * errors — no deletion policy, a bad variable, no results queue — fail here, at initialisation,
 * instead of consuming jobs.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Env } from "../config/env.ts";
import {
  handlerRuntimeFromEnv,
  RuntimeEnv,
  requiredEnv,
  type SecretsWiring,
} from "../config/runtime.ts";
import { type BatchCounters, createBatchCounters } from "../queues/index.ts";
import type { SmhEventListener } from "../smh/index.ts";
import { CircuitBreakers } from "./circuit.ts";
import type { PipelineObserver } from "./observer.ts";
import type { DeletePipeline } from "./process-batch.ts";
import { sqsResultPublisher } from "./results.ts";
import { readPipelineSettings } from "./settings.ts";

export interface PipelineWiring extends SecretsWiring {
  readonly pipeline: DeletePipeline;
  /** Results-queue calls made so far (for benchmarks). */
  readonly resultCounters: BatchCounters;
}

/** Reads everything from `env` (see `lib/config/runtime.ts` and `settings.ts`). */
export function deletePipelineFromEnv(options: {
  env?: Env;
  observer?: PipelineObserver;
  onSmhEvent?: SmhEventListener;
  sqs?: SQSClient;
}): PipelineWiring {
  const env = options.env ?? process.env;
  const settings = readPipelineSettings(env);
  const resultsQueueUrl = requiredEnv(env, RuntimeEnv.resultsQueueUrl);
  const runtime = handlerRuntimeFromEnv({ env, onSmhEvent: options.onSmhEvent, sqs: options.sqs });
  const resultCounters = createBatchCounters();
  return {
    pipeline: {
      smh: runtime.smh,
      publisher: sqsResultPublisher(runtime.sqs, resultsQueueUrl, resultCounters),
      policy: runtime.policy,
      settings,
      circuits: new CircuitBreakers({
        threshold: settings.circuitFailureThreshold,
        cooldownMs: settings.circuitCooldownMs,
      }),
      ...(options.observer ? { observer: options.observer } : {}),
    },
    secrets: runtime.secrets,
    secretsParameter: runtime.secretsParameter,
    resultCounters,
  };
}
