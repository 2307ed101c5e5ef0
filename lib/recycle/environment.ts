/**
 * Builds the recycle pipeline from the environment, once per container (cold start). The same
 * variables as the delete pipeline (`RESULTS_QUEUE_URL`, the library secrets, the policy, the SMH
 * settings), plus `RECYCLE_MAX_RECEIVE_COUNT` and `RECYCLE_CONCURRENCY` (see `settings.ts`).
 * Configuration errors fail here, before any command is consumed.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Env } from "../config/env.ts";
import {
  handlerRuntimeFromEnv,
  RuntimeEnv,
  requiredEnv,
  type SecretsWiring,
} from "../config/runtime.ts";
import { CircuitBreakers } from "../pipeline/circuit.ts";
import { sqsResultPublisher } from "../pipeline/results.ts";
import { type BatchCounters, createBatchCounters } from "../queues/index.ts";
import type { SmhEventListener } from "../smh/index.ts";
import type { RecycleObserver } from "./observer.ts";
import type { RecyclePipeline } from "./process-batch.ts";
import { readRecycleSettings } from "./settings.ts";

export interface RecycleWiring extends SecretsWiring {
  readonly pipeline: RecyclePipeline;
  /** Results-queue calls made so far. */
  readonly resultCounters: BatchCounters;
}

/** Reads everything from `env` (see `lib/config/runtime.ts` and `settings.ts`). */
export function recyclePipelineFromEnv(options: {
  env?: Env;
  observer?: RecycleObserver;
  onSmhEvent?: SmhEventListener;
  sqs?: SQSClient;
}): RecycleWiring {
  const env = options.env ?? process.env;
  const settings = readRecycleSettings(env);
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
