/**
 * One load scenario: seed directories in the simulator, enqueue one deletion job per directory,
 * let the runner's handler work through them, collect every result from the results queue, and
 * measure. Runs in its own process (see scenario-process.ts), so each scenario starts cold: a fresh
 * handler module, SMH client, limiter and heap, like a fresh deployment.
 */

import type { SQSClient } from "@aws-sdk/client-sqs";
import pLimit from "p-limit";
import { deleteBatch } from "../lib/queues/acknowledge.ts";
import { readQueueAttributes } from "../lib/queues/attributes.ts";
import { publish } from "../lib/queues/publish.ts";
import { receive } from "../lib/queues/receive.ts";
import { DEMO, type FaultsPatch, type Simulator } from "../lib/sim/index.ts";
import { type MappingOverrides, startBenchStack } from "./stack.ts";
import { histogramPerSecond, percentile, perSecond, ratio, steadyRate } from "./statistics.ts";

/** Which handler a scenario runs. */
export const HANDLERS = {
  product: "handlers/delete-directories.handler",
  baseline: "bench/baseline/delete-directories.handler",
} as const;
export type HandlerKind = keyof typeof HANDLERS;

/** What one load scenario does. */
export interface LoadSpec {
  readonly name: string;
  readonly handler: HandlerKind;
  readonly jobs: number;
  /** Simulator faults for every library: latency, jitter, per-path batch latency, rate limit. */
  readonly simFaults: FaultsPatch;
  /** Environment for the handler (pipeline and SMH client settings). */
  readonly env: Record<string, string>;
  /** The scenario stops here even when results are missing (they are then reported missing). */
  readonly timeLimitSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  /** Changes to serverless.yml's event source mapping (experiments only). */
  readonly mapping?: MappingOverrides;
}

/** Everything measured in one load scenario. Times are seconds, rates per second. */
export interface LoadMeasurement {
  readonly name: string;
  readonly handler: HandlerKind;
  readonly jobs: number;
  /** Jobs with at least one result on the results queue. */
  readonly jobsWithResult: number;
  /** Results whose job already had one (redelivered jobs). */
  readonly duplicateResults: number;
  /** First result per job, by outcome. */
  readonly outcomes: Record<string, number>;
  /** Jobs whose first result is `recycled` or `deleted`. */
  readonly deletions: number;
  /** Every job had a result before the time limit. */
  readonly complete: boolean;
  /** First enqueue → last first-result (or → the time limit when incomplete). */
  readonly wallSeconds: number;
  /** Enqueueing all jobs took this long (it overlaps the processing). */
  readonly enqueueSeconds: number;
  /** deletions / wallSeconds. */
  readonly deletionsPerSecond: number;
  /**
   * Steady state: deletions per second as SMH applied them (the simulator's ground truth), between
   * the 10th and 90th percentile deletion, so the ramp and the tail are left out. Results reach the
   * queue in lumps of a batch, so SMH's side is where a steady rate can be read.
   */
  readonly steadyDeletionsPerSecond: number | undefined;
  readonly smh: {
    /** Every SMH request the simulator answered (token mints included). */
    readonly requests: number;
    readonly tokenRequests: number;
    readonly throttled429: number;
    readonly byRoute: Record<string, Record<string, number>>;
    readonly requestsPerDeletion: number | undefined;
    /** 429s over all requests. */
    readonly throttledShare: number | undefined;
    /** Requests SMH accepted (not 429) per second of wall time. */
    readonly acceptedPerSecond: number | undefined;
  };
  readonly resultsQueue: {
    /** SendMessage + SendMessageBatch calls the handler made to the results queue. */
    readonly calls: number;
    readonly callsPerJob: number;
  };
  /** First enqueue of a job → its first result received by the collector, milliseconds. */
  readonly latencyMs: {
    readonly p50: number | undefined;
    readonly p99: number | undefined;
    readonly max: number | undefined;
  };
  readonly runner: {
    readonly invocations: number;
    readonly maxConcurrent: number;
    readonly functionTimeoutSeconds: number;
    /** How invocations ended (success, partial-failure, error, timeout, invalid-response). */
    readonly outcomes: Record<string, number>;
    /** Median handler duration of an invocation, ms. */
    readonly handlerMsP50: number | undefined;
  };
  /** Median time the simulator took to answer, per route (of its last 10,000 calls), ms. */
  readonly smhAnswerMsP50: Record<string, number>;
  /** Messages left in the jobs queue and its DLQ when the scenario ended. */
  readonly leftInJobsQueue: number;
  readonly deadLettered: number;
  /** Peak resident set of this process (runner, handler, fauxqs, simulator, driver), MiB. */
  readonly peakRssMiB: number;
  /**
   * CPU time of this process from the first enqueue to the end, and that over the wall time: near
   * 1 means the one event loop that hosts runner, handler, fauxqs and simulator was the bottleneck.
   */
  readonly cpu: { readonly seconds: number; readonly shareOfOneCore: number };
  /** Resident set at points of the run, MiB: where the memory went. */
  readonly rssMiB: {
    readonly stackStarted: number;
    readonly seeded: number;
    readonly enqueued: number;
    readonly end: number;
  };
  /** First results per second since the first enqueue. */
  readonly timeline: number[];
}

const ENQUEUE_CONCURRENCY = 8;
const COLLECTORS = 4;
const BATCH = 10;

/** Runs one scenario on a fresh stack and returns its measurement. */
export async function runLoad(spec: LoadSpec): Promise<LoadMeasurement> {
  const stack = await startBenchStack({
    handler: HANDLERS[spec.handler],
    visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
    simFaults: spec.simFaults,
    env: spec.env,
    ...(spec.mapping ? { mapping: spec.mapping } : {}),
  });
  try {
    const rssAtStart = rssMiB();
    seedJobDirectories(stack.sim, spec.jobs);
    stack.sim.resetStats();
    stack.proxy.resetCounters();
    const rssSeeded = rssMiB();

    const enqueuedAt = new Map<string, number>();
    const firstResultAt = new Map<string, number>();
    const outcomes: Record<string, number> = {};
    let duplicateResults = 0;
    const invocationOutcomes: Record<string, number> = {};
    const handlerDurations: number[] = [];
    stack.runner.on((event) => {
      if (event.type !== "invocation-finished") return;
      invocationOutcomes[event.outcome] = (invocationOutcomes[event.outcome] ?? 0) + 1;
      handlerDurations.push(event.durationMs);
    });
    const startedAt = performance.now();
    const cpuAtStart = process.cpuUsage();
    const stopAt = startedAt + spec.timeLimitSeconds * 1000;
    const finished = () => firstResultAt.size >= spec.jobs || performance.now() >= stopAt;

    const collect = async () => {
      while (!finished()) {
        const messages = await receive(stack.sqs, stack.resultsQueueUrl, {
          maxMessages: BATCH,
          waitTimeSeconds: 1,
        });
        const now = performance.now();
        for (const message of messages) {
          const { jobId, outcome } = JSON.parse(message.Body ?? "{}") as {
            jobId?: string;
            outcome?: string;
          };
          if (jobId === undefined || !enqueuedAt.has(jobId)) continue;
          if (firstResultAt.has(jobId)) {
            duplicateResults++;
            continue;
          }
          firstResultAt.set(jobId, now);
          outcomes[outcome ?? "unknown"] = (outcomes[outcome ?? "unknown"] ?? 0) + 1;
        }
        if (messages.length > 0) {
          await deleteBatch(
            stack.sqs,
            stack.resultsQueueUrl,
            messages.map((m, i) => ({ id: String(i), receiptHandle: m.ReceiptHandle ?? "" })),
          );
        }
      }
    };
    const collectors = Array.from({ length: COLLECTORS }, collect);

    await enqueueJobs(stack.sqs, stack.jobsQueueUrl, spec.jobs, (ids, sentAt) => {
      for (const id of ids) enqueuedAt.set(id, sentAt);
    });
    const enqueueSeconds = (performance.now() - startedAt) / 1000;
    const rssEnqueued = rssMiB();
    await Promise.all(collectors);
    const endedAt = performance.now();
    const cpuUsed = process.cpuUsage(cpuAtStart);
    const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;

    const complete = firstResultAt.size >= spec.jobs;
    const arrivals = [...firstResultAt.values()];
    const lastArrival = arrivals.reduce((latest, at) => Math.max(latest, at), startedAt);
    const wallMs = (complete ? lastArrival : Math.min(endedAt, stopAt)) - startedAt;
    const deletions = (outcomes.recycled ?? 0) + (outcomes.deleted ?? 0);
    const latencies = [...firstResultAt].map(
      ([jobId, at]) => at - (enqueuedAt.get(jobId) as number),
    );

    const stats = stack.sim.stats();
    const applied = stack.sim.groundTruth().deletions.map(({ time }) => Date.parse(time));
    const answerTimes = new Map<string, number[]>();
    for (const call of stack.sim.calls(10_000)) {
      if (call.route === null) continue;
      const list = answerTimes.get(call.route) ?? [];
      list.push(call.durationMs);
      answerTimes.set(call.route, list);
    }
    let requests = 0;
    let tokenRequests = 0;
    let throttled429 = 0;
    for (const [route, byStatus] of Object.entries(stats.byRoute)) {
      for (const [status, count] of Object.entries(byStatus)) {
        requests += count;
        if (route.startsWith("token.")) tokenRequests += count;
        if (status === "429") throttled429 += count;
      }
    }
    const resultCalls = stack.proxy.counters().selected;
    const runnerStats = stack.runner.stats()[0];
    const [jobsLeft, dlq] = await Promise.all([
      queueDepth(stack.sqs, stack.jobsQueueUrl),
      queueDepth(stack.sqs, stack.jobsDlqUrl),
    ]);

    return {
      name: spec.name,
      handler: spec.handler,
      jobs: spec.jobs,
      jobsWithResult: firstResultAt.size,
      duplicateResults,
      outcomes,
      deletions,
      complete,
      wallSeconds: wallMs / 1000,
      enqueueSeconds,
      deletionsPerSecond: perSecond(deletions, wallMs) ?? 0,
      steadyDeletionsPerSecond: steadyRate(applied)?.rate,
      smh: {
        requests,
        tokenRequests,
        throttled429,
        byRoute: stats.byRoute as Record<string, Record<string, number>>,
        requestsPerDeletion: ratio(requests, deletions),
        throttledShare: ratio(throttled429, requests),
        acceptedPerSecond: perSecond(requests - throttled429, wallMs),
      },
      resultsQueue: { calls: resultCalls, callsPerJob: resultCalls / spec.jobs },
      latencyMs: {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: percentile(latencies, 100),
      },
      runner: {
        invocations: runnerStats?.invocations ?? 0,
        maxConcurrent: runnerStats?.maxConcurrent ?? 0,
        functionTimeoutSeconds: stack.functionTimeoutSeconds,
        outcomes: invocationOutcomes,
        handlerMsP50: percentile(handlerDurations, 50),
      },
      smhAnswerMsP50: Object.fromEntries(
        [...answerTimes].map(([route, times]) => [route, percentile(times, 50) ?? 0]),
      ),
      leftInJobsQueue: jobsLeft,
      deadLettered: dlq,
      peakRssMiB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
      cpu: { seconds: cpuSeconds, shareOfOneCore: cpuSeconds / ((endedAt - startedAt) / 1000) },
      rssMiB: { stackStarted: rssAtStart, seeded: rssSeeded, enqueued: rssEnqueued, end: rssMiB() },
      timeline: histogramPerSecond(arrivals, startedAt),
    };
  } finally {
    await stack.stop();
  }
}

/** Creates the directories of `jobs` jobs (`events/bench/<n>`) in the bench library. */
export function seedJobDirectories(sim: Simulator, jobs: number): void {
  const { libraryId, filesSpaceId: spaceId } = DEMO.multiTenant;
  for (let i = 0; i < jobs; i++) sim.createDirectory(libraryId, spaceId, jobPath(i), {});
}

/**
 * Enqueues one deletion job per seeded directory, all at once like a bulk purge (10 per
 * SendMessageBatch, 8 calls in flight); `onSent` hears each call's job IDs as it is issued.
 */
export async function enqueueJobs(
  sqs: SQSClient,
  queueUrl: string,
  jobs: number,
  onSent: (jobIds: readonly string[], sentAt: number) => void = () => undefined,
): Promise<void> {
  const { libraryId, filesSpaceId: spaceId } = DEMO.multiTenant;
  const limit = pLimit(ENQUEUE_CONCURRENCY);
  const chunks = Array.from({ length: Math.ceil(jobs / BATCH) }, (_, c) =>
    Array.from({ length: Math.min(BATCH, jobs - c * BATCH) }, (_, i) => {
      const index = c * BATCH + i;
      const jobId = `bench-${jobKey(index)}`;
      const path = jobPath(index);
      return {
        id: jobId,
        body: JSON.stringify({ v: 1, jobId, libraryId, spaceId, path, source: "bench" }),
      };
    }),
  );
  await Promise.all(
    chunks.map((chunk) =>
      limit(async () => {
        onSent(
          chunk.map(({ id }) => id),
          performance.now(),
        );
        const result = await publish(sqs, queueUrl, chunk);
        if (result.failed.length > 0) {
          throw new Error(
            `could not enqueue ${result.failed.length} jobs: ${result.failed[0]?.message}`,
          );
        }
      }),
    ),
  );
}

function jobPath(index: number): string {
  return `events/bench/${jobKey(index)}`;
}

function rssMiB(): number {
  return process.memoryUsage.rss() / 2 ** 20;
}

function jobKey(index: number): string {
  return String(index).padStart(6, "0");
}

async function queueDepth(
  sqs: Parameters<typeof readQueueAttributes>[0],
  url: string,
): Promise<number> {
  const attributes = await readQueueAttributes(sqs, url, [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
  ]);
  return (
    Number(attributes.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}
