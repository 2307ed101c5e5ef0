/**
 * The stack one benchmark scenario runs on: the local stack's own pieces (lib/local), composed as
 * `startLocalStack` composes them, with two differences a benchmark needs:
 *
 * - the function under test is chosen: the product's `handlers/delete-directories.handler`, or the
 *   comparison baseline's (`bench/baseline/…`), on the *same* event source mapping from
 *   serverless.yml (batch size, batching window, maximum concurrency) and the same timeouts;
 * - the handler's SQS client goes through the SQS fault proxy (lib/local/sqs-fault-proxy.ts) with
 *   no faults, which forwards every call and counts the calls to the results queue.
 *
 * Only the jobs queue's function runs (no recycle-actions pollers). Everything listens on 127.0.0.1
 * and lives in this process: simulator, fauxqs, runner, handler and the benchmark driver share one
 * event loop, as they do in `npm start`.
 */
import { fileURLToPath } from "node:url";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { createS3Client } from "../lib/aws/s3-client.ts";
import { demoPolicy } from "../lib/local/demo-policy.ts";
import { createLedgerBucket, LOCAL_LEDGER_BUCKET } from "../lib/local/ledger-bucket.ts";
import { type CreatedQueue, createQueues } from "../lib/local/queues.ts";
import { type LocalRunner, startRunner } from "../lib/local/runner.ts";
import { type SqsFaultProxy, startSqsFaultProxy } from "../lib/local/sqs-fault-proxy.ts";
import { startLocalSqs } from "../lib/local/sqs-server.ts";
import { localParkingDelays } from "../lib/local/stack.ts";
import { readTopology, type SqsEventMapping } from "../lib/local/topology.ts";
import { createSqsClient } from "../lib/queues/client.ts";
import type { FaultsPatch } from "../lib/sim/faults.ts";
import type { Simulator } from "../lib/sim/simulator.ts";
import { startSimulator } from "../lib/sim/start.ts";

export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const REGION = "us-east-1";
/** The function of serverless.yml whose event source mapping every scenario uses. */
const FUNCTION_NAME = "deleteDirectories";

/** Options of {@link startBenchStack}. */
export interface BenchStackOptions {
  /** Lambda handler string relative to the repository root. */
  handler: string;
  /** Visibility timeout of every queue; the function timeout follows as in `startLocalStack`. */
  visibilityTimeoutSeconds: number;
  /** Simulator faults for every library (latency, rate limit). */
  simFaults: FaultsPatch;
  /** Extra environment for the handler (wins over the stack's). */
  env: Record<string, string>;
  /** Changes to serverless.yml's event source mapping, for experiments. Default: none. */
  mapping?: MappingOverrides;
}

/** Event source mapping settings a benchmark may change (see `--batching-window` and co.). */
export interface MappingOverrides {
  batchSize?: number;
  maximumBatchingWindowSeconds?: number;
  maximumConcurrency?: number;
}

/** The services of a benchmark stack, without the event source: what the handler talks to. */
export interface BenchServices {
  readonly sim: Simulator;
  /** The driver's own SQS client (straight to fauxqs, not counted). */
  readonly sqs: SQSClient;
  /** Every queue of serverless.yml, by key, as created. */
  readonly queues: ReadonlyMap<string, CreatedQueue>;
  readonly jobsQueueUrl: string;
  readonly jobsDlqUrl: string;
  readonly resultsQueueUrl: string;
  /** Counts the handler's calls to the results queue (`counters().selected`). */
  readonly proxy: SqsFaultProxy;
  /** The event source mapping of deleteDirectories, with the benchmark's overrides applied. */
  readonly mapping: SqsEventMapping;
  /** The function timeout the event source applies, seconds. */
  readonly functionTimeoutSeconds: number;
  /** The environment the handler runs with (Lambda's, pointed at this stack). */
  readonly handlerEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** A running benchmark stack. */
export interface BenchStack extends BenchServices {
  readonly runner: LocalRunner;
}

/**
 * Starts simulator, fauxqs with serverless.yml's queues, and the counting proxy, and works out the
 * handler's environment — everything but the event source. The fleet scenario runs its handlers
 * in processes of their own on these services.
 */
export async function startBenchServices(
  options: Omit<BenchStackOptions, "handler">,
): Promise<BenchServices> {
  const definitions = readTopology();
  const declared = definitions.sqsFunctions.find((fn) => fn.functionName === FUNCTION_NAME);
  if (!declared) throw new Error(`serverless.yml has no SQS-triggered ${FUNCTION_NAME}`);
  const mapping = { ...declared, ...options.mapping };
  // As startLocalStack: a sixth of what the batching window (and a long-poll second) leaves.
  const functionTimeoutSeconds = Math.max(
    1,
    Math.floor((options.visibilityTimeoutSeconds - mapping.maximumBatchingWindowSeconds - 1) / 6),
  );
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const sim = await startSimulator({ port: 0, seed: "demo", faults: options.simFaults });
    stops.push(() => sim.close());
    const localSqs = await startLocalSqs({ port: 0, defaultRegion: REGION });
    stops.push(() => localSqs.stop());
    const sqs = createSqsClient({ endpoint: localSqs.endpoint, region: REGION, env: {} });
    stops.push(async () => sqs.destroy());
    const queues = await createQueues(sqs, definitions.queues, {
      visibilityTimeoutOverrideSeconds: options.visibilityTimeoutSeconds,
    });
    const results = queueOf(queues, "results");
    // The handler keeps every result in the ledger (fauxqs's S3, on the same endpoint) first.
    const s3 = createS3Client({ endpoint: localSqs.endpoint, region: REGION, env: {} });
    await createLedgerBucket(s3, LOCAL_LEDGER_BUCKET);
    s3.destroy();

    const proxy = await startSqsFaultProxy({
      upstream: localSqs.endpoint,
      // No faults: "selected" then simply counts the calls that write to the results queue.
      faults: { queueUrls: [results.url], actions: ["SendMessage", "SendMessageBatch"] },
    });
    stops.push(() => proxy.close());

    const handlerEnv: Record<string, string> = {
      ...definitions.environment,
      RESULTS_QUEUE_URL: results.url,
      JOBS_QUEUE_URL: queueOf(queues, "jobs").url,
      JOBS_DLQ_URL: queueOf(queues, "jobs-dlq").url,
      RECYCLE_ACTIONS_QUEUE_URL: queueOf(queues, "recycle-actions").url,
      RECYCLE_ACTIONS_DLQ_URL: queueOf(queues, "recycle-actions-dlq").url,
      ...localParkingDelays(options.visibilityTimeoutSeconds),
      SQS_ENDPOINT: proxy.url,
      S3_ENDPOINT: localSqs.endpoint,
      LEDGER_BUCKET: LOCAL_LEDGER_BUCKET,
      AWS_REGION: REGION,
      SMH_BASE_URL: sim.url,
      SMH_LIBRARY_SECRETS: JSON.stringify(
        Object.fromEntries(sim.credentials().map((c) => [c.libraryId, c.librarySecret])),
      ),
      SMH_LIBRARY_SECRETS_SSM_PARAMETER: "",
      SMH_POLICY: JSON.stringify(demoPolicy()),
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
      ...options.env,
    };
    return {
      sim,
      sqs,
      queues,
      jobsQueueUrl: queueOf(queues, "jobs").url,
      jobsDlqUrl: queueOf(queues, "jobs-dlq").url,
      resultsQueueUrl: results.url,
      proxy,
      mapping,
      functionTimeoutSeconds,
      handlerEnv,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts the services and the runner for `options.handler`, all in this process. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const services = await startBenchServices(options);
  try {
    // Lambda's environment is the process's: the handler reads it when the runner imports it.
    Object.assign(process.env, services.handlerEnv);
    const runner = await startRunner({
      sqs: services.sqs,
      mappings: [{ ...services.mapping, handler: options.handler }],
      queues: services.queues,
      root: REPO_ROOT,
      pollWaitSeconds: 1,
      functionTimeoutOverrideSeconds: services.functionTimeoutSeconds,
    });
    return {
      ...services,
      runner,
      stop: async () => {
        await runner.stop().catch(() => undefined);
        await services.stop();
      },
    };
  } catch (error) {
    await services.stop();
    throw error;
  }
}

function queueOf(queues: ReadonlyMap<string, CreatedQueue>, key: string): CreatedQueue {
  const queue = queues.get(key);
  if (!queue) throw new Error(`serverless.yml defines no ${key} queue`);
  return queue;
}
