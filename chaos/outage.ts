/**
 * The outage scenario (`npm run chaos -- --outage <seconds>`, docs/chaos.md): SMH fails every call
 * of one of two libraries for a long time — at least 60 visibility timeouts — while jobs of both
 * arrive, then answers again. What the run proves, in figures:
 *
 * - nothing is given up: `inDlq` 0 and `failedResults` 0 (before parking, a job came back through
 *   the queue on every delivery and was dead-lettered after maxReceiveCount visibility timeouts,
 *   attempted or not);
 * - every job ends with exactly one final result once SMH answers again (`finalResults` = jobs,
 *   after dedup), the down library's jobs resuming on their own;
 * - the healthy library's jobs are not held up: none is parked for SMH's sake, and their slowest
 *   completion stays within `healthy.boundMs` (stated below; compare with a run with `--outage 0`);
 * - SMH hears from the down library only through the circuit's probes: its requests during the
 *   outage are counted, against the bound the circuit allows (`down.requestBound`).
 *
 * The stack is the pipeline end-to-end tests' (fauxqs, the local runner invoking the real
 * delete-directories handler, the simulator over HTTP), with the local scaling of the parking
 * delays and circuit cooldown stated in {@link outageTimings}.
 */
import pMap from "p-map";
import { readTopology } from "../lib/local/topology.ts";
import type { DeletionResult } from "../lib/messages/deletion-result.ts";
import { ResultSet } from "../lib/messages/result-set.ts";
import { queueDepths } from "../lib/queues/depths.ts";
import {
  jobFor,
  type PipelineStack,
  startPipelineStack,
  testLibrary,
} from "../test/e2e/helpers/pipeline-stack.ts";

/** Options of {@link runOutage}. */
export interface OutageOptions {
  /** Jobs, half for each library (at least 20). @default 2000 */
  readonly jobs?: number;
  /** How long SMH fails every call of the down library, from the first job sent. */
  readonly outageSeconds: number;
  /** Visibility timeout of the local queues. @default 8 (a 1 s function) */
  readonly visibilityTimeoutSeconds?: number;
  /** Give up waiting after this long past the outage's end. @default 180 s + 20 ms per job */
  readonly settleTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** What `npm run chaos -- --outage <s> --json` prints. */
export interface OutageReport {
  readonly ok: boolean;
  readonly jobs: number;
  readonly outageSeconds: number;
  /** The outage in visibility timeouts (the old design dead-lettered after maxReceiveCount of them). */
  readonly outageInVisibilityTimeouts: number;
  readonly visibilityTimeoutSeconds: number;
  readonly durationMs: number;
  /** Every queue empty (delayed messages included) and every job answered before the timeout. */
  readonly drained: boolean;
  /** Jobs with exactly one result once duplicates are dropped. */
  readonly finalResults: number;
  /** Jobs with no result, or more than one after dedup (must be 0). */
  readonly withoutResult: number;
  readonly moreThanOneResult: number;
  /** `failed` results (raw) and dead letters (must be 0). */
  readonly failedResults: number;
  /** Why, when there are some (up to five distinct messages, cut at 200 characters). */
  readonly failedReasons: string[];
  readonly inDlq: number;
  readonly outcomes: Record<string, number>;
  readonly settings: ReturnType<typeof outageTimings>;
  readonly healthy: {
    readonly libraryId: string;
    readonly jobs: number;
    /** Slowest job: from its send to its result's finishedAt. */
    readonly maxCompletionMs: number;
    /** The bound that slowest job must stay within (see {@link healthyBoundMs}). */
    readonly boundMs: number;
    /** Times a job of this library was parked because SMH failed it or its circuit was open (must be 0). */
    readonly parkedForSmh: number;
    /**
     * Times one was parked because its invocation ran short of time: not started, or an SMH call
     * cut by the deadline (a loaded machine; allowed).
     */
    readonly parkedForTime: number;
    /** Why it was parked for SMH, when it was (up to five distinct reasons). */
    readonly parkReasons: string[];
  };
  readonly down: {
    readonly libraryId: string;
    readonly jobs: number;
    /** SMH requests for the down library while it was down (token requests excluded). */
    readonly requestsDuringOutage: number;
    /** The most the circuit lets through (see {@link requestBound}). */
    readonly requestBound: number;
    /** Times its jobs were parked. */
    readonly parkings: number;
    /** From SMH answering again to the last of its jobs' results. */
    readonly resumedWithinMs: number;
    /** The bound that takes: the longest parking delay plus a circuit cooldown and a round. */
    readonly resumeBoundMs: number;
  };
}

/** The deployed values the local ones are scaled from. */
const DEPLOYED = { circuitCooldownMs: 30_000, parkMaxDelaySeconds: 900 } as const;

/**
 * The settings of the run. Locally, one process runs every invocation, so the pollers share one
 * circuit per library (Lambda containers each have their own). The circuit's cooldown is 2 s and
 * a parked job waits 1 s, doubling up to 30 s: the deployed 30 s and 900 s scaled by 1/15 and
 * 1/30, so that the down library's 1,000 jobs cycle through the queue dozens of times in the
 * outage instead of once.
 */
export function outageTimings() {
  return {
    circuitCooldownMs: DEPLOYED.circuitCooldownMs / 15,
    circuitFailureThreshold: 5,
    parkBaseDelaySeconds: 1,
    parkMaxDelaySeconds: DEPLOYED.parkMaxDelaySeconds / 30,
    maxSmhAttempts: 5,
    /** The client's retries of one operation (SMH_RETRY_LIMIT's default): 5 requests at most. */
    requestsPerOperation: 5,
  };
}

/**
 * The most SMH requests the down library can get in an outage of `outageMs`: until its circuit
 * opens, the operations already running when it does (every invocation's units in flight) and
 * the failures that open it; then one probe per cooldown, and one more at the edge; each
 * operation at most `requestsPerOperation` requests.
 */
export function requestBound(outageMs: number, timings = outageTimings()): number {
  const jobs = readTopology().sqsFunctions.find((fn) => fn.queueKey === "jobs");
  const inFlight = (jobs?.maximumConcurrency ?? 5) * 4;
  const probes = Math.ceil(outageMs / timings.circuitCooldownMs) + 1;
  return (timings.circuitFailureThreshold + inFlight + probes) * timings.requestsPerOperation;
}

/**
 * How long the healthy library's slowest job may take from its send: the time the run needs to
 * take in every job (20 ms a job, as the chaos run allows), plus two rounds of the queue (two
 * visibility timeouts: a batch cut by its deadline comes back parked, or a dead invocation's
 * records after the timeout), plus 30 s of slack for a loaded machine. The outage must add
 * nothing to it: a run with `--outage 0` measures the same figure.
 */
export function healthyBoundMs(jobs: number, visibilityTimeoutSeconds: number): number {
  return 20 * jobs + 2 * visibilityTimeoutSeconds * 1000 + 30_000;
}

/** Runs the outage scenario (see the module comment). */
export async function runOutage(options: OutageOptions): Promise<OutageReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const total = options.jobs ?? 2_000;
  if (!Number.isInteger(total) || total < 20) throw new RangeError("jobs must be at least 20");
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 8;
  const outageMs = options.outageSeconds * 1000;
  const timings = outageTimings();
  const perLibrary = Math.ceil(total / 2);
  const paths = Array.from({ length: perLibrary }, (_, i) => `jobs/o${String(i).padStart(5, "0")}`);
  const up = testLibrary("outageup", paths);
  const down = testLibrary("outagedown", paths);

  const p = await startPipelineStack({
    libraries: [up, down],
    captureLogs: true,
    visibilityTimeoutSeconds,
    env: {
      CIRCUIT_COOLDOWN_MS: String(timings.circuitCooldownMs),
      CIRCUIT_FAILURE_THRESHOLD: String(timings.circuitFailureThreshold),
      PARK_BASE_DELAY_SECONDS: String(timings.parkBaseDelaySeconds),
      PARK_MAX_DELAY_SECONDS: String(timings.parkMaxDelaySeconds),
      MAX_SMH_ATTEMPTS: String(timings.maxSmhAttempts),
      POWERTOOLS_LOG_LEVEL: "WARN",
    },
  });
  try {
    return await drive(
      p,
      { ...options, total, visibilityTimeoutSeconds, outageMs, log, started },
      {
        up: up.libraryId,
        down: down.libraryId,
        paths,
      },
    );
  } finally {
    await p.stop();
  }
}

interface DriveOptions extends OutageOptions {
  total: number;
  visibilityTimeoutSeconds: number;
  outageMs: number;
  log: (line: string) => void;
  started: number;
}

async function drive(
  p: PipelineStack,
  o: DriveOptions,
  libraries: { up: string; down: string; paths: string[] },
): Promise<OutageReport> {
  const timings = outageTimings();
  const elapsed = () => Math.round(performance.now() - o.started);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  // Interleaved, so that most batches hold jobs of both libraries.
  const jobs = libraries.paths
    .flatMap((path) => [jobFor(libraries.up, path), jobFor(libraries.down, path)])
    .slice(0, o.total);
  const libraryOf = new Map(jobs.map((job) => [String(job.jobId), String(job.libraryId)]));
  const sentAt = new Map<string, number>();

  // The outage starts before the first job is sent.
  if (o.outageMs > 0) p.sim.setFaults(libraries.down, { error503Ratio: 1 });
  const outageStart = Date.now();
  const outageEnd = outageStart + o.outageMs;
  o.log(`[outage] ${libraries.down} down for ${o.outageMs / 1000} s; sending ${jobs.length} jobs`);
  const chunks: (typeof jobs)[] = [];
  for (let i = 0; i < jobs.length; i += 10) chunks.push(jobs.slice(i, i + 10));
  await pMap(
    chunks,
    async (chunk) => {
      const at = Date.now();
      await p.send(chunk);
      for (const job of chunk) sentAt.set(String(job.jobId), at);
    },
    { concurrency: 4 },
  );

  const downCalls = () =>
    p.sim
      .calls()
      .filter(
        ({ libraryId, route }) => libraryId === libraries.down && !route?.startsWith("token"),
      );
  let requestsDuringOutage = 0;
  let healed = o.outageMs === 0;
  const answered = () => {
    const ids = new Set(p.results.map(({ result }) => result.jobId));
    return jobs.every((job) => ids.has(String(job.jobId)));
  };
  const giveUpAt = outageEnd + (o.settleTimeoutMs ?? 180_000 + 20 * o.total);
  let drained = false;
  let lastLog = 0;
  let quiet = 0;
  while (!o.signal?.aborted && Date.now() < giveUpAt) {
    if (!healed && Date.now() >= outageEnd) {
      requestsDuringOutage = downCalls().length;
      p.sim.setFaults(libraries.down, { error503Ratio: 0 });
      healed = true;
      o.log(`[outage] SMH answers ${libraries.down} again after ${elapsed()} ms`);
    }
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      const ids = new Set(p.results.map(({ result }) => result.jobId));
      o.log(`[outage] ${ids.size}/${jobs.length} jobs answered after ${elapsed()} ms`);
    }
    if (healed && answered() && (await isQuiet(p))) {
      quiet += 1;
      if (quiet >= 3) {
        drained = true;
        break;
      }
    } else quiet = 0;
    await sleep(healed ? 500 : 250);
  }
  o.log(`[outage] ${drained ? "drained" : "gave up waiting"} after ${elapsed()} ms; accounting`);

  // Every job's results, as a consumer keeps them.
  const byJob = new Map<string, DeletionResult[]>();
  for (const { result } of p.results) {
    const list = byJob.get(result.jobId) ?? [];
    list.push(result);
    byJob.set(result.jobId, list);
  }
  let finalResults = 0;
  let withoutResult = 0;
  let moreThanOneResult = 0;
  const outcomes: Record<string, number> = {};
  const completion = { up: 0, downLast: 0 };
  for (const job of jobs) {
    const id = String(job.jobId);
    const set = new ResultSet();
    for (const result of byJob.get(id) ?? []) set.add(result);
    const kept = set.results() as DeletionResult[];
    if (kept.length === 0) withoutResult += 1;
    else if (kept.length > 1) moreThanOneResult += 1;
    else finalResults += 1;
    for (const result of kept) outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    const finished = Math.max(...kept.map((result) => Date.parse(result.finishedAt)), 0);
    if (libraryOf.get(id) === libraries.up) {
      completion.up = Math.max(completion.up, finished - (sentAt.get(id) ?? finished));
    } else completion.downLast = Math.max(completion.downLast, finished);
  }
  const parkings = parkingLines(p.logLines);
  const upParkings = parkings.filter(({ libraryId }) => libraryId === libraries.up);
  const parkedForTime = upParkings.filter(({ forTime }) => forTime).length;
  const failedResults = p.results.filter(({ result }) => result.outcome === "failed").length;
  const inDlq = p.deadLetters.length;
  const boundMs = healthyBoundMs(jobs.length, o.visibilityTimeoutSeconds);
  const bound = requestBound(o.outageMs);
  const resumedWithinMs = Math.max(0, completion.downLast - outageEnd);
  const resumeBoundMs =
    timings.parkMaxDelaySeconds * 1000 +
    timings.circuitCooldownMs +
    2 * o.visibilityTimeoutSeconds * 1000 +
    20 * o.total;
  const report: Omit<OutageReport, "ok"> = {
    jobs: jobs.length,
    outageSeconds: o.outageMs / 1000,
    outageInVisibilityTimeouts: o.outageMs / 1000 / o.visibilityTimeoutSeconds,
    visibilityTimeoutSeconds: o.visibilityTimeoutSeconds,
    durationMs: elapsed(),
    drained,
    finalResults,
    withoutResult,
    moreThanOneResult,
    failedResults,
    failedReasons: [
      ...new Set(
        p.results.flatMap(({ result }) =>
          result.outcome === "failed" ? [result.error.message.slice(0, 200)] : [],
        ),
      ),
    ].slice(0, 5),
    inDlq,
    outcomes,
    settings: timings,
    healthy: {
      libraryId: libraries.up,
      jobs: jobs.filter((job) => job.libraryId === libraries.up).length,
      maxCompletionMs: completion.up,
      boundMs,
      parkedForSmh: upParkings.length - parkedForTime,
      parkedForTime,
      parkReasons: [
        ...new Set(upParkings.filter(({ forTime }) => !forTime).map(({ reason }) => reason)),
      ].slice(0, 5),
    },
    down: {
      libraryId: libraries.down,
      jobs: jobs.filter((job) => job.libraryId === libraries.down).length,
      requestsDuringOutage,
      requestBound: bound,
      parkings: parkings.filter(({ libraryId }) => libraryId === libraries.down).length,
      resumedWithinMs,
      resumeBoundMs,
    },
  };
  const ok =
    drained &&
    finalResults === jobs.length &&
    withoutResult === 0 &&
    moreThanOneResult === 0 &&
    failedResults === 0 &&
    inDlq === 0 &&
    report.healthy.parkedForSmh === 0 &&
    report.healthy.maxCompletionMs <= boundMs &&
    requestsDuringOutage <= bound &&
    (o.outageMs === 0 || resumedWithinMs <= resumeBoundMs);
  return { ok, ...report };
}

/** The handler's "job returns to the queue" lines: which library, and whether only time ran short. */
function parkingLines(
  lines: readonly string[],
): { libraryId: string; forTime: boolean; reason: string }[] {
  return lines.flatMap((line) => {
    if (!line.includes("job returns to the queue")) return [];
    try {
      const entry = JSON.parse(line) as {
        libraryId?: string;
        reason?: string;
        failedAttempts?: number;
      };
      // Not started for lack of time, or an SMH call cut by the invocation's deadline.
      const forTime = /remaining time|deadline|timed out/i.test(entry.reason ?? "");
      return [{ libraryId: entry.libraryId ?? "", forTime, reason: entry.reason ?? "" }];
    } catch {
      return [];
    }
  });
}

/** Whether the jobs queue (delayed messages included), the results queue and the DLQ are empty. */
async function isQuiet(p: PipelineStack): Promise<boolean> {
  if (p.stack.runner.stats().some(({ running }) => running > 0)) return false;
  const depths = await Promise.all(
    [p.jobsUrl, p.resultsUrl, p.dlqUrl].map((url) => queueDepths(p.stack.sqs, url)),
  );
  return depths.every(({ visible, inFlight, delayed }) => visible + inFlight + delayed === 0);
}
