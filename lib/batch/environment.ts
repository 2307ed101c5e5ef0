/**
 * Builds a queue-driven pipeline (deletions, recycle actions) from the environment, once per
 * container (cold start): the domain's settings, `RESULTS_QUEUE_URL`, the ledger (`LEDGER_BUCKET`,
 * `lib/ledger/environment.ts`), the domain's own queue and dead-letter queue (where work is parked
 * and given up: `lib/batch/parking.ts`), and what every handler reads (`lib/config/runtime.ts`).
 * Results are kept in the ledger before they are published (`lib/ledger/publisher.ts`).
 * Configuration errors fail here, before any message is consumed.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Env } from "../config/env.ts";
import {
  handlerRuntimeFromEnv,
  RuntimeEnv,
  requiredEnv,
  type SecretsWiring,
} from "../config/runtime.ts";
import { ledgerFromEnv } from "../ledger/environment.ts";
import { ledgerResultPublisher } from "../ledger/publisher.ts";
import { type BatchCounters, createBatchCounters } from "../queues/counters.ts";
import type { SmhClient } from "../smh/client.ts";
import type { SmhEventListener } from "../smh/events.ts";
import { CircuitBreakers } from "./circuit.ts";
import type { BatchObserver } from "./observer.ts";
import { sqsParker } from "./parking.ts";
import type { QueuePipeline } from "./process.ts";
import { sqsResultPublisher } from "./results.ts";
import type { CircuitSettings } from "./settings.ts";

/** What a pipeline's `…FromEnv` is given: all optional, for the local stack and tests. */
export interface PipelineEnvOptions<Observer> {
  env?: Env;
  observer?: Observer;
  onSmhEvent?: SmhEventListener;
  sqs?: SQSClient;
  /** The S3 client the ledger is written with. Default: one from the environment (`S3_ENDPOINT`). */
  s3?: Pick<S3Client, "send">;
}

/** A pipeline built from the environment, and what the handler and benchmarks need besides. */
export interface QueuePipelineWiring<Pipeline> extends SecretsWiring {
  readonly pipeline: Pipeline;
  /** Results-queue calls made so far (for benchmarks). */
  readonly resultCounters: BatchCounters;
}

/** The variables naming a pipeline's own queue and its dead-letter queue. */
export interface OwnQueuesEnv {
  /** Where parked work is re-sent (the queue the function consumes): `JOBS_QUEUE_URL`, … */
  readonly queueUrl: string;
  /** Where given-up work goes: `JOBS_DLQ_URL`, … */
  readonly deadLetterUrl: string;
}

/**
 * Reads the domain's settings with `readSettings`, then the results queue, the domain's own queues
 * (`queues` names their variables) and the handler runtime, from `options.env` (default
 * `process.env`).
 */
export function queuePipelineFromEnv<
  Settings extends CircuitSettings,
  Observer extends Pick<BatchObserver<never, never>, "ledgerWriteFailed">,
>(
  options: PipelineEnvOptions<Observer>,
  readSettings: (env: Env) => Settings,
  queues: OwnQueuesEnv,
): QueuePipelineWiring<QueuePipeline<SmhClient, Settings, Observer>> {
  const env = options.env ?? process.env;
  const settings = readSettings(env);
  const resultsQueueUrl = requiredEnv(env, RuntimeEnv.resultsQueueUrl);
  const ledger = ledgerFromEnv(env, options.s3);
  const ownQueueUrl = requiredEnv(env, queues.queueUrl);
  const deadLetterUrl = requiredEnv(env, queues.deadLetterUrl);
  const runtime = handlerRuntimeFromEnv({ env, onSmhEvent: options.onSmhEvent, sqs: options.sqs });
  const resultCounters = createBatchCounters();
  const observer = options.observer;
  return {
    pipeline: {
      smh: runtime.smh,
      publisher: ledgerResultPublisher(
        sqsResultPublisher(runtime.sqs, resultsQueueUrl, resultCounters),
        ledger,
        observer?.ledgerWriteFailed
          ? { onWriteFailed: (f) => observer.ledgerWriteFailed?.(f) }
          : {},
      ),
      parker: sqsParker(runtime.sqs, ownQueueUrl, deadLetterUrl),
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
