/**
 * The local stack: everything the product runs on AWS, on 127.0.0.1, in one process.
 *
 * - fauxqs (a real SQS wire-protocol server), with the queues and redrive policies of
 *   `serverless.yml` (read from it, so they cannot drift) — or another SQS implementation at an
 *   endpoint the user gives (`endpoints.sqs`), where the stack creates its own queues;
 * - the ledger bucket (`LEDGER_BUCKET`, docs/ledger.md) on the S3 fauxqs serves on the same
 *   endpoint — or on another S3-compatible endpoint the user gives (`endpoints.s3`);
 * - the SMH simulator with demo data — or a real SMH library when `SMH_BASE_URL` and
 *   `SMH_LIBRARY_SECRETS` are set;
 * - the local runner, which long-polls each SQS-triggered function's queue and invokes the same
 *   handler modules Lambda would, with Lambda-shaped events and contexts;
 * - scheduled functions (serverless.yml `schedule` events), invoked on demand with the event
 *   EventBridge would send: {@link LocalStack.invokeScheduled}.
 *
 * Handlers read their configuration from `process.env` (as in Lambda); the stack sets it before the
 * runner loads them.
 */

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { S3Client } from "@aws-sdk/client-s3";
import { DeleteQueueCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { createS3Client } from "../aws/s3-client.ts";
import { DEFAULT_LEDGER_PREFIX } from "../ledger/layout.ts";
import { createSqsClient } from "../queues/client.ts";
import { RetentionRulesEnv } from "../retention/rules-source.ts";
import type { FaultsPatch } from "../sim/faults.ts";
import type { Simulator } from "../sim/simulator.ts";
import { startSimulator } from "../sim/start.ts";
import { demoPolicy } from "./demo-policy.ts";
import { loadHandler } from "./handler-module.ts";
import { createLambdaContext } from "./lambda-context.ts";
import { createLedgerBucket, LOCAL_LEDGER_BUCKET, removeLedgerBucket } from "./ledger-bucket.ts";
import { removeLocalFiles, writeLocalPolicy, writeLocalSecrets } from "./local-files.ts";
import { type CreatedQueue, createQueues } from "./queues.ts";
import { type LocalRunner, startRunner } from "./runner.ts";
import type { RunnerListener } from "./runner-events.ts";
import { type ScheduledEventOptions, scheduledEvent } from "./scheduled-event.ts";
import {
  type ServiceEndpoints,
  type ServiceName,
  type StackService,
  useOrStart,
} from "./services.ts";
import { startLocalSqs } from "./sqs-server.ts";
import { type StackInfo, stackQueueRefs, writeStackFile } from "./stack-file.ts";
import { readTopology, type ScheduledFunction } from "./topology.ts";

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** `topology.yml` to take queues and functions from. Default: the repository's. */
  topologyYml?: string;
  /**
   * Visibility timeout of every local queue, seconds. Short, so failed records come back quickly.
   * The function timeout is a sixth of what is left after the batching window (the ratio
   * serverless.yml keeps), at least 1 s. @default 30
   */
  visibilityTimeoutSeconds?: number;
  /** Idle long-poll wait of the runner (1–20 s); bounds how long stopping takes. @default 2 */
  pollWaitSeconds?: number;
  /** Simulator faults for every library (latency, rate limit, errors…). Default: none. */
  simFaults?: FaultsPatch;
  /**
   * Write the stack file to this directory so CLI commands find the stack. Default: don't. With
   * the simulator, `local-secrets.json` (0600) and `local-policy.json` go there too, for the CLI's
   * purge-albums (see `local-files.ts`); all three are removed when the stack stops.
   */
  stateDir?: string;
  /** Extra environment for the handlers (wins over the stack's own). */
  env?: Record<string, string>;
  /** Receives the runner's events. */
  onRunnerEvent?: RunnerListener;
  /** The environment to look for a real SMH library in. Default `process.env`. */
  hostEnv?: NodeJS.ProcessEnv;
  /**
   * The user's own services to run against instead of the embedded ones (see `services.ts`).
   * `sqs`: an SQS-compatible endpoint; the stack creates its queues there under a name prefix of
   * its own for this run (`smh-local-<8 hex>-jobs`, …) — so it never reads a queue it did not
   * create — and deletes them when it stops. Credentials come from `hostEnv` when it names any,
   * otherwise placeholders (emulators check none). Default: fauxqs, embedded.
   * `s3`: an S3-compatible endpoint; the stack creates its ledger bucket there
   * (`smh-local-<8 hex>-ledger`), and empties and deletes it when it stops. Default: the S3 of the
   * embedded fauxqs (bucket `smh-local-ledger`).
   */
  endpoints?: ServiceEndpoints;
}

/** A running local stack. */
export interface LocalStack {
  readonly sqs: SQSClient;
  readonly sqsEndpoint: string;
  /** A client of the S3 the ledger is kept in. */
  readonly s3: S3Client;
  readonly s3Endpoint: string;
  /** Where the handlers keep the ledger (`LEDGER_BUCKET`, `LEDGER_PREFIX`). */
  readonly ledger: { readonly bucket: string; readonly prefix: string };
  /** Each service the stack runs against, embedded or the user's. */
  readonly services: Readonly<Record<ServiceName, StackService>>;
  readonly region: string;
  readonly queues: ReadonlyMap<string, CreatedQueue>;
  /** The simulator, unless a real SMH library is configured. */
  readonly sim: Simulator | undefined;
  readonly smhBaseUrl: string;
  readonly runner: LocalRunner;
  /** The environment the handlers run with (secrets included: never print it). */
  readonly handlerEnv: Readonly<Record<string, string>>;
  /** Where the stack file was written, when `stateDir` was given. */
  readonly stackFile: string | undefined;
  /** The functions serverless.yml runs on a schedule. */
  readonly scheduledFunctions: readonly ScheduledFunction[];
  /**
   * Invokes a scheduled function as EventBridge would when its schedule fires at `options.time`:
   * the same handler module the runner uses, a Scheduled Event, a Lambda context with the local
   * function timeout (or `timeoutSeconds`). Resolves to the handler's response; rejects with what
   * the handler threw.
   */
  invokeScheduled(
    functionName: string,
    options: ScheduledEventOptions & { timeoutSeconds?: number },
  ): Promise<FunctionInvocation>;
  /**
   * Invokes a function of serverless.yml with `event`, as `aws lambda invoke` would: the same
   * handler module, a Lambda context with the local function timeout (or `timeoutSeconds`).
   */
  invoke(
    functionName: string,
    event: unknown,
    options?: { timeoutSeconds?: number },
  ): Promise<FunctionInvocation>;
  /** Stops the runner, then SQS and the simulator. Idempotent. */
  stop(): Promise<void>;
}

/** What one {@link LocalStack.invoke} or {@link LocalStack.invokeScheduled} call did. */
export interface FunctionInvocation {
  readonly requestId: string;
  /** The event the handler was given. */
  readonly event: unknown;
  /** What the handler returned. */
  readonly response: unknown;
  readonly durationMs: number;
}

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REGION = "us-east-1";
/** The demo's retention rules, which the local stack runs against the simulator. */
export const DEMO_RETENTION_RULES_FILE = join(REPO_ROOT, "examples", "retention-rules.yml");

/** The jobs queue's visibility timeout as deployed (topology.yml), against which local runs scale. */
const DEPLOYED_VISIBILITY_SECONDS = 720;

/**
 * Parking delays (lib/batch/parking.ts) scaled with the local visibility timeout as the deployed
 * 30 s and 900 s are to 720 s, at least 1 s: a local run with short timeouts parks for seconds,
 * not minutes. A test's `env` may replace them.
 */
export function localParkingDelays(visibilityTimeoutSeconds: number): Record<string, string> {
  const scaled = (seconds: number) =>
    Math.max(1, Math.round((seconds * visibilityTimeoutSeconds) / DEPLOYED_VISIBILITY_SECONDS));
  return {
    PARK_BASE_DELAY_SECONDS: String(scaled(30)),
    PARK_MAX_DELAY_SECONDS: String(Math.min(900, scaled(900))),
  };
}

/**
 * Starts the local stack. Everything listens on 127.0.0.1 and stops with {@link LocalStack.stop}
 * (or with the process).
 *
 * @example
 * const stack = await startLocalStack({ stateDir: ".smh-cleaner" });
 * // … enqueue jobs on stack.queues.get("jobs").url …
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const hostEnv = options.hostEnv ?? process.env;
  const definitions = readTopology(options.topologyYml ?? join(REPO_ROOT, "topology.yml"));
  const visibility = options.visibilityTimeoutSeconds ?? 30;
  // A record waits up to the batching window (plus a long-poll second) before its invocation
  // starts; the function timeout is what remains, divided by the 6 serverless.yml keeps.
  const batchingWindow = Math.max(
    0,
    ...definitions.sqsFunctions.map((f) => f.maximumBatchingWindowSeconds),
  );
  const functionTimeout = Math.max(1, Math.floor((visibility - batchingWindow - 1) / 6));
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const real = realSmh(hostEnv);
    let sim: Simulator | undefined;
    let smhBaseUrl: string;
    let secrets: string;
    let policy: string;
    if (real) {
      ({ baseUrl: smhBaseUrl, secrets, policy } = real);
    } else {
      sim = await startSimulator({
        port: 0,
        seed: "demo",
        ...(options.simFaults ? { faults: options.simFaults } : {}),
      });
      stops.push(() => (sim as Simulator).close());
      smhBaseUrl = sim.url;
      secrets = JSON.stringify(
        Object.fromEntries(sim.credentials().map((c) => [c.libraryId, c.librarySecret])),
      );
      policy = JSON.stringify(demoPolicy());
    }

    const sqsService = await useOrStart("sqs", options.endpoints?.sqs, () =>
      startLocalSqs({ port: 0, defaultRegion: REGION }),
    );
    stops.push(() => sqsService.stop());
    const external = sqsService.origin === "external";
    const runPrefix = `smh-local-${randomBytes(4).toString("hex")}-`;
    const sqs = createSqsClient({
      endpoint: sqsService.endpoint,
      region: REGION,
      env: external ? hostEnv : {},
    });
    stops.push(async () => sqs.destroy());
    const queues = await createQueues(sqs, definitions.queues, {
      visibilityTimeoutOverrideSeconds: visibility,
      ...(external ? { namePrefix: runPrefix } : {}),
    });
    if (external) stops.push(() => deleteQueues(sqs, queues));
    const resultsQueue = queues.get("results");
    if (!resultsQueue) throw new Error("serverless.yml defines no results queue");

    // fauxqs serves S3 on its SQS endpoint: the embedded S3 is the embedded SQS server itself.
    const s3Service = await useOrStart("s3", options.endpoints?.s3, async () =>
      sqsService.origin === "embedded"
        ? { endpoint: sqsService.endpoint, stop: async () => undefined }
        : startLocalSqs({ port: 0, defaultRegion: REGION }),
    );
    stops.push(() => s3Service.stop());
    const s3External = s3Service.origin === "external";
    const s3 = createS3Client({
      endpoint: s3Service.endpoint,
      region: REGION,
      env: s3External ? hostEnv : {},
    });
    stops.push(async () => s3.destroy());
    const ledger = {
      bucket: s3External ? `${runPrefix}ledger` : LOCAL_LEDGER_BUCKET,
      prefix: DEFAULT_LEDGER_PREFIX,
    };
    await createLedgerBucket(s3, ledger.bucket);
    if (s3External) stops.push(() => removeLedgerBucket(s3, ledger.bucket));

    const handlerEnv: Record<string, string> = {
      ...definitions.environment,
      RESULTS_QUEUE_URL: resultsQueue.url,
      JOBS_QUEUE_URL: queueUrlOf(queues, "jobs"),
      JOBS_DLQ_URL: queueUrlOf(queues, "jobs-dlq"),
      RECYCLE_ACTIONS_QUEUE_URL: queueUrlOf(queues, "recycle-actions"),
      RECYCLE_ACTIONS_DLQ_URL: queueUrlOf(queues, "recycle-actions-dlq"),
      RETENTION_CONTINUATIONS_QUEUE_URL: queueUrlOf(queues, "retention-continuations"),
      ...localParkingDelays(visibility),
      ...retentionRules(real ? hostEnv : undefined, options.env),
      SQS_ENDPOINT: sqsService.endpoint,
      S3_ENDPOINT: s3Service.endpoint,
      LEDGER_BUCKET: ledger.bucket,
      LEDGER_PREFIX: ledger.prefix,
      AWS_REGION: REGION,
      SMH_BASE_URL: smhBaseUrl,
      SMH_LIBRARY_SECRETS: secrets,
      SMH_LIBRARY_SECRETS_SSM_PARAMETER: "",
      SMH_POLICY: policy,
      POWERTOOLS_METRICS_DISABLED: "true",
      ...options.env,
    };
    // Lambda's environment is the process's environment; the runner's handlers share this one.
    Object.assign(process.env, handlerEnv);

    const runner = await startRunner({
      sqs,
      mappings: definitions.sqsFunctions,
      queues,
      root: REPO_ROOT,
      pollWaitSeconds: options.pollWaitSeconds ?? 2,
      functionTimeoutOverrideSeconds: functionTimeout,
      ...(options.onRunnerEvent ? { onEvent: options.onRunnerEvent } : {}),
    });
    stops.push(() => runner.stop());

    let stackFile: string | undefined;
    if (options.stateDir !== undefined) {
      const dir = options.stateDir;
      if (sim) {
        stops.push(() => removeLocalFiles(dir));
        // What the handlers run with (a test's env may replace the simulator's own).
        await writeLocalSecrets(dir, handlerEnv.SMH_LIBRARY_SECRETS ?? secrets);
        await writeLocalPolicy(dir, handlerEnv.SMH_POLICY ?? policy);
      }
      stackFile = await writeStackFile(
        options.stateDir,
        stackInfo(sqsService.endpoint, queues, smhBaseUrl, sim, {
          endpoint: s3Service.endpoint,
          ...ledger,
        }),
      );
      const written = stackFile;
      stops.push(() => import("node:fs/promises").then(({ rm }) => rm(written, { force: true })));
    }
    const scheduledFunctions = definitions.scheduledFunctions;
    const handlers = new Map<string, string>(
      [...definitions.sqsFunctions, ...scheduledFunctions].map((fn) => [
        fn.functionName,
        fn.handler,
      ]),
    );
    const invoke: LocalStack["invoke"] = async (functionName, event, invocation = {}) => {
      const handlerString = handlers.get(functionName);
      if (handlerString === undefined) {
        throw new Error(`serverless.yml defines no function "${functionName}"`);
      }
      const handler = await loadHandler(REPO_ROOT, handlerString);
      const context = createLambdaContext({
        functionName,
        timeoutMs: (invocation.timeoutSeconds ?? functionTimeout) * 1000,
        awsRegion: REGION,
      });
      const started = performance.now();
      const response = await handler(event, context);
      return {
        requestId: context.awsRequestId,
        event,
        response,
        durationMs: performance.now() - started,
      };
    };
    return {
      sqs,
      sqsEndpoint: sqsService.endpoint,
      s3,
      s3Endpoint: s3Service.endpoint,
      ledger,
      services: { sqs: sqsService, s3: s3Service },
      region: REGION,
      queues,
      sim,
      smhBaseUrl,
      runner,
      handlerEnv,
      stackFile,
      scheduledFunctions,
      invoke,
      async invokeScheduled(functionName, invocation) {
        if (!scheduledFunctions.some((candidate) => candidate.functionName === functionName)) {
          throw new Error(
            `serverless.yml runs no function "${functionName}" on a schedule (scheduled: ${scheduledFunctions.map((f) => f.functionName).join(", ") || "none"})`,
          );
        }
        const { timeoutSeconds, ...eventOptions } = invocation;
        return invoke(
          functionName,
          scheduledEvent(functionName, { region: REGION, ...eventOptions }),
          timeoutSeconds === undefined ? {} : { timeoutSeconds },
        );
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function queueUrlOf(queues: ReadonlyMap<string, CreatedQueue>, key: string): string {
  const queue = queues.get(key);
  if (!queue) throw new Error(`serverless.yml defines no ${key} queue`);
  return queue.url;
}

/**
 * The retention rules the stack's retention scan runs with: what `overrides` (a test's env) set;
 * else, with a real SMH library, what the host environment sets (or no rules at all); else the
 * demo's rules over the simulator. Exactly one of the two variables is non-empty.
 */
function retentionRules(
  host: NodeJS.ProcessEnv | undefined,
  overrides: Record<string, string> | undefined,
): Record<string, string> {
  const pick = (env: Readonly<Record<string, string | undefined>> | undefined) => {
    const inline = env?.[RetentionRulesEnv.inline]?.trim();
    const file = env?.[RetentionRulesEnv.file]?.trim();
    return inline || file ? { inline: inline ?? "", file: file ?? "" } : undefined;
  };
  const chosen =
    pick(overrides) ??
    (host === undefined
      ? { inline: "", file: DEMO_RETENTION_RULES_FILE }
      : (pick(host) ?? { inline: '{"v":1,"rules":[]}', file: "" }));
  return { [RetentionRulesEnv.inline]: chosen.inline, [RetentionRulesEnv.file]: chosen.file };
}

/** A real SMH library, when the environment names one. */
function realSmh(
  env: NodeJS.ProcessEnv,
): { baseUrl: string; secrets: string; policy: string } | undefined {
  const baseUrl = env.SMH_BASE_URL?.trim();
  const secrets = env.SMH_LIBRARY_SECRETS?.trim();
  if (!baseUrl && !secrets) return undefined;
  if (!baseUrl || !secrets) {
    throw new Error(
      "to use a real SMH library set both SMH_BASE_URL and SMH_LIBRARY_SECRETS (and SMH_POLICY or SMH_POLICY_FILE); unset both to use the simulator",
    );
  }
  const policy = env.SMH_POLICY?.trim();
  const policyFile = env.SMH_POLICY_FILE?.trim();
  if (!policy && !policyFile) {
    throw new Error(
      "a real SMH library needs a deletion policy: set SMH_POLICY or SMH_POLICY_FILE",
    );
  }
  return { baseUrl, secrets, policy: policy ?? "" };
}

/** Deletes the queues the stack created at the user's endpoint (each tried, whatever fails). */
async function deleteQueues(
  sqs: SQSClient,
  queues: ReadonlyMap<string, CreatedQueue>,
): Promise<void> {
  await Promise.allSettled(
    [...queues.values()].map((queue) => sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }))),
  );
}

function stackInfo(
  sqsEndpoint: string,
  queues: ReadonlyMap<string, CreatedQueue>,
  smhBaseUrl: string,
  sim: Simulator | undefined,
  ledger: { endpoint: string; bucket: string; prefix: string },
): StackInfo {
  return {
    v: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    sqs: { endpoint: sqsEndpoint, region: REGION },
    queues: stackQueueRefs(queues),
    ledger: {
      s3Endpoint: ledger.endpoint,
      region: REGION,
      bucket: ledger.bucket,
      prefix: ledger.prefix,
    },
    smh: {
      baseUrl: smhBaseUrl,
      libraries: sim
        ? sim.credentials().map(({ libraryId, spaceIds }) => ({ libraryId, spaceIds }))
        : [],
    },
  };
}
