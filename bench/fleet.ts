/**
 * The fleet scenario: Lambda containers that each have their own SMH client and limiter, sharing
 * one library's limit they are not told. What it measures and why is in docs/benchmarks.md.
 *
 * This process hosts what the containers share — the simulator, fauxqs and the event source —
 * and each container is a process of its own (bench/fleet-container.ts). The event source is
 * Lambda's for SQS, reduced to what matters here: pollers gather batches from the jobs queue
 * (`gatherBatch`, serverless.yml's batch size and window) and hand each to a free container of the
 * active set (`invokeBatch` settles it as Lambda does). There are more pollers than containers, as
 * Lambda scales its pollers beyond a function's concurrency, so a container finishing an
 * invocation gets the next batch without waiting for a gather; and a container is free as soon as
 * its handler returns (the batch's records are deleted after that, on the event source's time).
 *
 * Three phases, back to back, all jobs enqueued before the first:
 * 1. fleet — `maximumConcurrency` fresh containers (serverless.yml: 5), all busy;
 * 2. alone — the fleet shrinks to one busy container (the others stay warm and idle);
 * 3. regrow — fresh containers join it again, as Lambda scales back up with new execution
 *    environments, each starting at the configured rate.
 */
import type { SQSRecord } from "aws-lambda";
import { gatherBatch } from "../lib/local/gather.ts";
import { invokeBatch } from "../lib/local/invoke.ts";
import { createEventHub } from "../lib/local/runner-events.ts";
import { regionOfArn } from "../lib/local/sqs-event.ts";
import { fullJitterDelay } from "../lib/queues/backoff.ts";
import { abortableSleep } from "../lib/queues/sleep.ts";
import type { FaultsPatch, Simulator } from "../lib/sim/index.ts";
import { type LocalDynamoDb, startLocalDynamoDb } from "./dynamodb.ts";
import { type Container, ContainerPool, startContainer } from "./fleet-containers.ts";
import type { SmhAnswerLog } from "./fleet-protocol.ts";
import { enqueueJobs, seedJobDirectories } from "./load.ts";
import { type BenchServices, type MappingOverrides, startBenchServices } from "./stack.ts";

/** The phases of the scenario, in order. */
export const FLEET_PHASES = ["fleet", "alone", "regrow"] as const;
export type FleetPhaseName = (typeof FLEET_PHASES)[number];

/** What the fleet scenario does. */
export interface FleetSpec {
  readonly scenario: "fleet";
  readonly name: string;
  /** Simulator faults; `rateLimitPerSecond` is the library's limit, which the client is not told. */
  readonly simFaults: FaultsPatch;
  /** Environment for the handler (SMH_INITIAL_RATE above the limit, batch delete off). */
  readonly env: Record<string, string>;
  readonly visibilityTimeoutSeconds: number;
  /** Seconds each phase lasts. */
  readonly phaseSeconds: Readonly<Record<FleetPhaseName, number>>;
  /**
   * Whether the containers share the library's limit through the fleet board (a DynamoDB table,
   * here dynalite), as deployed; false: each limiter on its own, from 429s alone.
   */
  readonly board: boolean;
  /** Changes to serverless.yml's event source mapping (experiments only). */
  readonly mapping?: MappingOverrides;
}

/** One phase as it ran: whole seconds since the fleet started. */
export interface FleetPhase {
  readonly name: FleetPhaseName;
  readonly fromSecond: number;
  readonly toSecond: number;
  /** The containers of the active set. */
  readonly containers: readonly number[];
  /** The simulator's own count of what it answered during the phase. */
  readonly smh: { readonly requests: number; readonly throttled429: number };
  /** Deletions SMH applied during the phase (its ground-truth log). */
  readonly deletions: number;
  /** Calls the containers made to the fleet board (DynamoDB) during the phase. */
  readonly boardCalls: number;
}

/** One container's SMH answers, per second since the fleet started. */
export interface ContainerTimeline {
  readonly index: number;
  readonly invocations: number;
  /** Answers that were not 429, token routes left out: one per deletion in single mode. */
  readonly accepted: readonly number[];
  /** 429 answers, every route. */
  readonly throttled: readonly number[];
  /** Token mints and other token-route answers (not rate-limited by SMH). */
  readonly tokenRequests: number;
}

/** Everything the fleet scenario measured. */
export interface FleetMeasurement {
  readonly name: string;
  readonly jobs: number;
  /** Whether the containers shared the fleet board. */
  readonly board: boolean;
  /** The library's limit the simulator enforced, requests/s. */
  readonly limitPerSecond: number;
  readonly phases: readonly FleetPhase[];
  readonly containers: readonly ContainerTimeline[];
  /** How invocations ended (success, partial-failure, error, timeout, invalid-response). */
  readonly invocationOutcomes: Record<string, number>;
  /** The event source's pollers (more than the containers, see above). */
  readonly pollers: number;
  /** CPU of this process (simulator, fauxqs, event source) over the fleet's wall time. */
  readonly cpu: { readonly seconds: number; readonly shareOfOneCore: number };
}

/** The fleet board's table (in dynalite, created by the scenario). */
const FLEET_TABLE = "smh-batch-cleaner-bench-fleet";
/** Jobs enqueued per second of the scenario at the limit: the queue must never run dry. */
const JOBS_PER_LIMIT_SECOND = 1.3;

/** Runs the fleet scenario on fresh services and returns its measurement. */
export async function runFleet(spec: FleetSpec): Promise<FleetMeasurement> {
  const limit = spec.simFaults.rateLimitPerSecond;
  if (limit === undefined) throw new Error("the fleet scenario needs a rate limit");
  const totalSeconds = FLEET_PHASES.reduce((sum, phase) => sum + spec.phaseSeconds[phase], 0);
  const jobs = Math.ceil(limit * totalSeconds * JOBS_PER_LIMIT_SECOND);
  const services = await startBenchServices({
    visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
    simFaults: spec.simFaults,
    env: spec.env,
    ...(spec.mapping ? { mapping: spec.mapping } : {}),
  });
  const started: Container[] = [];
  let dynamoDb: LocalDynamoDb | undefined;
  try {
    const size = services.mapping.maximumConcurrency ?? 5;
    const env = { ...services.handlerEnv };
    if (spec.board) {
      dynamoDb = await startLocalDynamoDb();
      await dynamoDb.createFleetTable(FLEET_TABLE);
      Object.assign(env, { SMH_FLEET_TABLE: FLEET_TABLE, DYNAMODB_ENDPOINT: dynamoDb.endpoint });
    }
    // Every container is started (and its cold start over) before the clock runs: the joiners of
    // the last phase are as fresh then as a new execution environment, their limiters untouched.
    const spawned = await Promise.all(
      Array.from({ length: 2 * size - 1 }, (_, index) => startContainer(index, env)),
    );
    started.push(...spawned);
    const first = spawned.slice(0, size);
    const lone = spawned.slice(0, 1);
    const joiners = spawned.slice(size);

    seedJobDirectories(services.sim, jobs);
    await enqueueJobs(services.sqs, services.jobsQueueUrl, jobs);
    services.sim.resetStats();
    dynamoDb?.resetCalls();

    const pool = new ContainerPool();
    // Twice as many pollers as containers: a batch is ready whenever a container is free.
    const pollers = 2 * size;
    const outcomes: Record<string, number> = {};
    const source = startEventSource(services, pool, pollers, outcomes);
    const startedAt = epochMs();
    const cpuAtStart = process.cpuUsage();
    const phases: FleetPhase[] = [];
    let fromSecond = 0;
    let smhBefore = smhCounts(services.sim);
    let boardBefore = 0;
    const activeSets: Record<FleetPhaseName, readonly Container[]> = {
      fleet: first,
      alone: lone,
      regrow: [...lone, ...joiners],
    };
    for (const name of FLEET_PHASES) {
      pool.setActive(activeSets[name]);
      progress(`${name}: ${activeSets[name].length} busy container(s)`);
      const toSecond = fromSecond + spec.phaseSeconds[name];
      await sleepUntil(startedAt + toSecond * 1000);
      const smhNow = smhCounts(services.sim);
      const boardNow = dynamoDb?.calls() ?? 0;
      phases.push({
        name,
        fromSecond,
        toSecond,
        containers: activeSets[name].map((container) => container.index),
        smh: {
          requests: smhNow.requests - smhBefore.requests,
          throttled429: smhNow.throttled429 - smhBefore.throttled429,
        },
        deletions: deletionsBetween(
          services.sim,
          startedAt + fromSecond * 1000,
          startedAt + toSecond * 1000,
        ),
        boardCalls: boardNow - boardBefore,
      });
      smhBefore = smhNow;
      boardBefore = boardNow;
      fromSecond = toSecond;
    }
    const endedAt = epochMs();
    const cpuUsed = process.cpuUsage(cpuAtStart);
    pool.close();
    await source.stop();
    const logs = await Promise.all(started.splice(0).map((container) => container.stop()));
    const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
    return {
      name: spec.name,
      jobs,
      board: spec.board,
      limitPerSecond: limit,
      phases,
      containers: spawned.map((container, i) => ({
        index: container.index,
        invocations: container.invocations,
        ...timeline(logs[i] as SmhAnswerLog, startedAt, totalSeconds),
      })),
      invocationOutcomes: outcomes,
      pollers,
      cpu: { seconds: cpuSeconds, shareOfOneCore: cpuSeconds / ((endedAt - startedAt) / 1000) },
    };
  } finally {
    await Promise.all(started.map((container) => container.stop().catch(() => undefined)));
    await dynamoDb?.stop();
    await services.stop();
  }
}

/**
 * `pollers` poll loops on the jobs queue: gather a batch, wait for a free container of the active
 * set, invoke it there, repeat. A batch gathered when the pool closes is left to its visibility
 * timeout (the stack is stopped right after).
 */
function startEventSource(
  services: BenchServices,
  pool: ContainerPool,
  pollers: number,
  outcomes: Record<string, number>,
): { stop(): Promise<void> } {
  const controller = new AbortController();
  const { mapping } = services;
  const jobs = services.queues.get(mapping.queueKey);
  if (!jobs) throw new Error(`no queue ${mapping.queueKey}`);
  const events = createEventHub();
  events.on((event) => {
    if (event.type === "invocation-finished") {
      outcomes[event.outcome] = (outcomes[event.outcome] ?? 0) + 1;
    }
  });
  const awsRegion = regionOfArn(jobs.arn);
  const loop = async () => {
    const carry: SQSRecord[] = [];
    let consecutiveErrors = 0;
    while (!controller.signal.aborted) {
      let records: SQSRecord[];
      try {
        records = await gatherBatch(
          {
            sqs: services.sqs,
            queueUrl: jobs.url,
            source: { eventSourceARN: jobs.arn, awsRegion },
            batchSize: mapping.batchSize,
            windowMs: mapping.maximumBatchingWindowSeconds * 1000,
            pollWaitSeconds: 1,
            signal: controller.signal,
          },
          carry,
        );
        consecutiveErrors = 0;
      } catch {
        consecutiveErrors++;
        const pause = fullJitterDelay(consecutiveErrors, { baseDelayMs: 200, maxDelayMs: 5_000 });
        await abortableSleep(pause, controller.signal).catch(() => undefined);
        continue;
      }
      if (records.length === 0) continue;
      const container = await pool.acquire();
      if (!container) return;
      // The container is free as soon as its handler returns: deleting the batch's records is the
      // event source's work, not the function's (Lambda does it after the invocation).
      let released = false;
      const release = () => {
        if (!released) pool.release(container);
        released = true;
      };
      try {
        await invokeBatch(
          {
            sqs: services.sqs,
            functionName: mapping.functionName,
            handler: (event, context) =>
              Promise.resolve(container.handler(event, context)).finally(release),
            queueUrl: jobs.url,
            awsRegion,
            timeoutMs: services.functionTimeoutSeconds * 1000,
            reportBatchItemFailures: mapping.reportBatchItemFailures,
            events,
          },
          records,
        );
      } finally {
        release();
      }
    }
  };
  const loops = Array.from({ length: pollers }, loop);
  return {
    stop: async () => {
      controller.abort();
      await Promise.all(loops);
    },
  };
}

/** A container's answers binned per second since `startedAt`, over `seconds` seconds. */
function timeline(
  answers: SmhAnswerLog,
  startedAt: number,
  seconds: number,
): Pick<ContainerTimeline, "accepted" | "throttled" | "tokenRequests"> {
  const accepted = new Array<number>(seconds).fill(0);
  const throttled = new Array<number>(seconds).fill(0);
  let tokenRequests = 0;
  answers.at.forEach((at, i) => {
    const second = Math.floor((at - startedAt) / 1000);
    if (second < 0 || second >= seconds) return;
    if (answers.throttled[i] === 1) throttled[second] = (throttled[second] ?? 0) + 1;
    else if (answers.token[i] === 1) tokenRequests++;
    else accepted[second] = (accepted[second] ?? 0) + 1;
  });
  return { accepted, throttled, tokenRequests };
}

function smhCounts(sim: Simulator): { requests: number; throttled429: number } {
  let requests = 0;
  let throttled429 = 0;
  for (const byStatus of Object.values(sim.stats().byRoute)) {
    for (const [status, count] of Object.entries(byStatus)) {
      requests += count;
      if (status === "429") throttled429 += count;
    }
  }
  return { requests, throttled429 };
}

function deletionsBetween(sim: Simulator, from: number, to: number): number {
  return sim.groundTruth().deletions.filter(({ time }) => {
    const at = Date.parse(time);
    return at >= from && at < to;
  }).length;
}

/** Milliseconds since the epoch, sub-millisecond, comparable across the scenario's processes. */
function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - epochMs())));
}

function progress(text: string): void {
  process.stderr.write(`[bench] fleet ${text}\n`);
}
