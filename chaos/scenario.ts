/**
 * The chaos run: the planned jobs (see `plan.ts`) through the local stack — fauxqs with the queues
 * of serverless.yml, the local runner invoking the real delete-directories handler, the SMH
 * simulator over HTTP — with every fault at once, then everything compared with the simulator's
 * ground truth (see `accounting.ts`).
 *
 * The stack is the one the pipeline's end-to-end tests use (`test/e2e/helpers/pipeline-stack.ts`):
 * the handler reaches SQS through the SQS fault proxy and SMH through a loopback relay that
 * captures every access token; the handlers' log lines are captured in-process; the results queue
 * and the DLQ are drained as they fill.
 *
 * Faults, all at once (see docs/chaos.md for why each is faithful):
 * - SMH (simulator, every library): 5 % 500 + 5 % 503, 2 % connection resets, 2 %
 *   accept-then-fail (the delete is applied, the answer is a 500, a 503 or a dropped connection),
 *   bursts of 429 (400 ms of nothing but 429s every 8 s) under a generous rate limit, a little
 *   latency; asynchronous batches (202 + task) in one library.
 * - Results queue (SQS fault proxy): 2 % of SendMessageBatch calls lose two entries (`Failed[]`).
 * - The ledger's S3 (S3 fault proxy, object writes to the ledger bucket): 2 % 500, 2 % 503, 4 %
 *   503 SlowDown throughout (the S3 client retries them); twice an outage — every ledger write
 *   refused for a function timeout and more (and until one batch could not keep its results), so
 *   whole batches publish nothing and come back — then SlowDown to every write until one is
 *   answered so; twice slow answers — every ledger write held for a twentieth of a function
 *   timeout (and until one was).
 * - Handler deaths after deleting and before writing results: twice, for the function timeout and
 *   a second more, every results publish hangs longer than the function timeout and then fails.
 *   The runner sees the invocation time out and acknowledges none of its records, as Lambda would;
 *   then every results publish fails at once until the dead invocations (which run on in-process,
 *   where Lambda would have frozen them) have given up, so none writes a result after its death.
 * - A handler timeout mid-batch: once, one library's SMH answers take longer than the invocation
 *   has left; the client gives up at its deadline while SMH still applies the deletes.
 * - Token invalidation, twice, mid-run: every token of every library.
 * - Duplicate deliveries: 5 % of the valid jobs are sent twice, half in the same SendMessageBatch
 *   as the first copy, half much later.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pMap from "p-map";
import { tallyLedger } from "../lib/ledger/count.ts";
import { readTopology } from "../lib/local/topology.ts";
import { queueDepths } from "../lib/queues/depths.ts";
import type { FaultsPatch } from "../lib/sim/index.ts";
import { type CliRun, spawnCli } from "../test/e2e/helpers/cli.ts";
import {
  type PipelineStack,
  startPipelineStack,
  testLibrary,
} from "../test/e2e/helpers/pipeline-stack.ts";
import { account, type ChaosCounts, type ChaosEvidence, passed } from "./accounting.ts";
import { type ChaosPlan, packUnits, planChaos } from "./plan.ts";
import type { Haystack, Secret } from "./secrets.ts";

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  /** Distinct jobs (at least 50). */
  readonly jobs: number;
  /** Seed of the plan. @default "chaos" */
  readonly seed?: string;
  /**
   * Give up waiting for the queues to drain after this long (the figures are then partial).
   * @default 12 visibility timeouts (each fault may cost a redelivery round) + 20 ms per job
   */
  readonly timeoutMs?: number;
  /** Stops the run (the stack is still stopped and the report still made). */
  readonly signal?: AbortSignal;
  /** Progress lines, for a person watching. */
  readonly log?: (line: string) => void;
  /**
   * Visibility timeout of the local queues, seconds: the function timeout is what is left after
   * the batching window, divided by 6 (see {@link chaosTimings}). @default 30 (a 4 s function)
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * When the timed faults fire. `spread` (the default): along the run, as shares of the jobs are
   * accounted for. `early`: all at the first invocation, with one death window, and the late
   * duplicates once it has closed — so a run of a few hundred jobs needs one redelivery round;
   * while the first round runs, two libraries also reset half their calls and accept-then-fail
   * every one, so that each fault happens even in a few hundred jobs.
   */
  readonly schedule?: "spread" | "early";
  /** Changes to {@link SMH_FAULTS}, for every library. */
  readonly smhFaults?: FaultsPatch;
  /**
   * Writes what was captured (log lines, results, dead letters, runner events), every secret
   * replaced by `[SECRET]`, to this directory: for debugging a failed run.
   */
  readonly dumpDir?: string;
}

/** Which faults were injected, and how often: proof that the run was not a quiet one. */
export interface FaultReport {
  /** Simulator answers shaped by a fault, by kind (error500, error503, reset, acceptThenFail, throttleBurst, …). */
  smh: Record<string, number>;
  /** The SQS fault proxy's counters for the results queue. */
  resultsQueue: { partialFailures: number; failedEntries: number; errors500: number };
  /**
   * The S3 fault proxy's counters for the ledger's object writes, and the ledger objects the
   * handler could not write after its retries (`ledger object could not be written` log lines).
   */
  ledger: {
    writes: number;
    errors500: number;
    errors503: number;
    slowDowns: number;
    slowAnswers: number;
    writeFailures: number;
  };
  /** Invocations the runner saw time out (handler deaths and the timeout mid-batch). */
  invocationTimeouts: number;
  /** Of those, the ones that died while writing their results (after their deletes). */
  handlerDeaths: number;
  /** Jobs an invocation handed back (deadline, SMH failure): they came back through the queue. */
  jobsReturnedToQueue: number;
  /** Of those, the ones that ran out of invocation time. */
  jobsCutByDeadline: number;
  /** Whether the handler minted new tokens after each invalidation. */
  tokens: { minted: number; invalidated: number; remintedAfterInvalidation: boolean };
  /** The timed events, with the progress (share of jobs accounted for) at which they fired. */
  events: { name: string; atProgress: number; atMs: number }[];
}

/** What `npm run chaos -- --json` prints. */
export interface ChaosReport extends ChaosCounts {
  readonly ok: boolean;
  readonly seed: string;
  readonly durationMs: number;
  /** False when the queues had not drained before the timeout (the figures are then partial). */
  readonly drained: boolean;
  readonly sent: {
    messages: number;
    sameBatchDuplicates: number;
    lateDuplicates: number;
    viaCli: number;
    invalid: number;
    forbidden: number;
    absent: number;
  };
  readonly cli: { exitCode: number | null; enqueued: number | null };
  readonly faults: FaultReport;
  /** Examples of every broken invariant (only when one broke). */
  readonly evidence?: ChaosEvidence;
}

/** The simulator's faults, for every library. */
export const SMH_FAULTS = {
  latencyMs: 1,
  jitterMs: 4,
  error500Ratio: 0.05,
  error503Ratio: 0.05,
  resetRatio: 0.02,
  acceptThenFailRatio: 0.02,
  rateLimitPerSecond: 1_000,
  rateLimitBurst: 200,
} as const satisfies FaultsPatch;
/** Bursts of 429, from the first scheduled step on: 400 ms of nothing but 429s every 8 s. */
export const THROTTLE_BURSTS = {
  throttleEveryMs: 8_000,
  throttleForMs: 400,
} as const satisfies FaultsPatch;
/** The ledger's S3, throughout: errors and throttling the S3 client's retries mostly absorb. */
export const S3_FAULTS = {
  methods: ["PUT"],
  error500Ratio: 0.02,
  error503Ratio: 0.02,
  slowDownRatio: 0.04,
  latencyMs: 0,
} as const;
const ACCEPT_THEN_FAIL_MODES = ["500", "reset", "503"] as const;
const SEND_CONCURRENCY = 4;
/** Longer than the AWS SDK's retries of a failed call take after its last held attempt. */
const ZOMBIE_RETRIES_MS = 2_000;
/** As deployed: the jobs queue's visibility timeout, the circuit breaker's defaults. */
const DEPLOYED = { visibilityTimeoutSeconds: 720, circuitCooldownMs: 30_000, circuitThreshold: 5 };

/** How long things take in a run whose jobs queue has a visibility timeout of `seconds`. */
export function chaosTimings(visibilityTimeoutSeconds: number) {
  // As the local stack computes it: what is left after the batching window, divided by 6.
  const jobs = readTopology().sqsFunctions.find((fn) => fn.queueKey === "jobs");
  const window = jobs?.maximumBatchingWindowSeconds ?? 0;
  const functionTimeoutMs =
    Math.max(1, Math.floor((visibilityTimeoutSeconds - window - 1) / 6)) * 1000;
  return {
    functionTimeoutMs,
    /** A results publish held this long outlives the invocation (then fails). */
    deathHoldMs: functionTimeoutMs + 500,
    deathWindowMs: functionTimeoutMs + 1_000,
    /** Every ledger write refused this long: longer than an invocation has. */
    s3OutageMs: functionTimeoutMs + 1_000,
    /**
     * Every ledger write held this long, for a function timeout: a twentieth of an invocation, 100
     * times a normal answer, and short enough that invocations still end in time. A longer hold
     * kills invocations after they kept their results; in-process they would then publish after
     * their death, as no Lambda can (handler deaths are the death windows' part).
     */
    s3SlowMs: Math.round(functionTimeoutMs / 20),
    s3SlowWindowMs: functionTimeoutMs,
    /** SMH answers this slowly, for this long, in one library: longer than an invocation has. */
    spikeLatencyMs: functionTimeoutMs + 500,
    spikeWindowMs: functionTimeoutMs + 500,
    /**
     * The circuit breaker's cooldown, scaled with the visibility timeout as deployed (30 s against
     * 720 s). Unscaled, a job the open circuit turns away would come back while it is still open,
     * again and again, and be dead-lettered without SMH being asked.
     */
    circuitCooldownMs: Math.max(
      250,
      Math.round(
        (DEPLOYED.circuitCooldownMs * visibilityTimeoutSeconds) / DEPLOYED.visibilityTimeoutSeconds,
      ),
    ),
    /**
     * The circuit breaker's threshold, times the function's concurrency. Lambda runs concurrent
     * invocations in separate containers, each with its own circuit; the local runner runs them in
     * one process, where they share one. Unscaled, five invocations that each meet one failure
     * would open the circuit of all five, and its half-open state would then let one of their
     * units through and turn away the others.
     */
    circuitThreshold: DEPLOYED.circuitThreshold * (jobs?.maximumConcurrency ?? 1),
  };
}

/**
 * Runs the chaos scenario and accounts for it. Starts and stops its own stack (everything on
 * 127.0.0.1, port 0); handler output is captured while it runs, so print progress through `log`.
 *
 * @example const report = await runChaos({ jobs: 2000 });
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = performance.now();
  const seed = options.seed ?? "chaos";
  const log = options.log ?? (() => {});
  const plan = planChaos({ jobs: options.jobs, seed });
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
  const timeoutMs = options.timeoutMs ?? 12_000 * visibilityTimeoutSeconds + 20 * options.jobs;
  const timings = chaosTimings(visibilityTimeoutSeconds);
  const workDir = await mkdtemp(join(tmpdir(), "smh-chaos-"));
  let p: PipelineStack | undefined;
  try {
    p = await startPipelineStack({
      libraries: plan.libraries.map((library) => testLibrary(library.name, library.directories)),
      captureLogs: true,
      visibilityTimeoutSeconds,
      env: {
        CIRCUIT_COOLDOWN_MS: String(timings.circuitCooldownMs),
        CIRCUIT_FAILURE_THRESHOLD: String(timings.circuitThreshold),
      },
    });
    return await drive(p, plan, {
      seed,
      timeoutMs,
      workDir,
      log,
      started,
      signal: options.signal,
      dumpDir: options.dumpDir,
      timings,
      schedule: options.schedule ?? "spread",
      smhFaults: { ...SMH_FAULTS, ...options.smhFaults },
    });
  } finally {
    await p?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

interface DriveContext {
  seed: string;
  timeoutMs: number;
  workDir: string;
  log: (line: string) => void;
  started: number;
  signal: AbortSignal | undefined;
  dumpDir: string | undefined;
  timings: ReturnType<typeof chaosTimings>;
  schedule: "spread" | "early";
  smhFaults: FaultsPatch;
}

async function drive(p: PipelineStack, plan: ChaosPlan, ctx: DriveContext): Promise<ChaosReport> {
  const { sim, sqsProxy } = p;
  const elapsed = () => Math.round(performance.now() - ctx.started);
  const log = ctx.log;
  sim.addLibrary({
    id: plan.foreignLibrary.libraryId,
    secret: `chaos-foreign-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`,
    multiSpace: false,
    recycleBin: true,
    spaces: [{ id: "-", directories: plan.foreignLibrary.directories.map((path) => ({ path })) }],
  });
  sim.setFaults("*", ctx.smhFaults);
  plan.libraries.forEach((library, index) => {
    sim.setFaults(library.libraryId, {
      acceptThenFailMode: ACCEPT_THEN_FAIL_MODES[index % ACCEPT_THEN_FAIL_MODES.length],
      // One library's batches run as asynchronous tasks (202 + polling).
      ...(index === 1 ? { asyncBatchThreshold: 8, asyncTaskDelayMs: 50 } : {}),
    });
  });
  const baseProxyFaults = {
    queueUrls: [p.resultsUrl],
    actions: ["SendMessageBatch"],
    partialFailureRatio: 0.02,
    failedEntriesPerCall: 2,
    latencyMs: 0,
    error500Ratio: 0,
  };
  sqsProxy.setFaults(baseProxyFaults);
  const s3Proxy = p.s3Proxy;
  s3Proxy.setFaults({ ...S3_FAULTS, pathContains: `/${p.stack.ledger.bucket}/` });
  let slowAnswers = 0;

  // What has come back so far.
  const planned = new Set(plan.jobs.map((job) => job.jobId));
  const accounted = new Set<string>();
  let resultsSeen = 0;
  let deadSeen = 0;
  const progress = () => {
    for (; resultsSeen < p.results.length; resultsSeen++) {
      const id = p.results[resultsSeen]?.result.jobId;
      if (id !== undefined && planned.has(id)) accounted.add(id);
    }
    for (; deadSeen < p.deadLetters.length; deadSeen++) {
      const id = jobIdIn(p.deadLetters[deadSeen] ?? "");
      if (id !== undefined && planned.has(id)) accounted.add(id);
    }
    return accounted.size / plan.jobs.length;
  };

  // The timed faults.
  const events: FaultReport["events"] = [];
  const invalidations: { at: number; invalidated: number }[] = [];
  const died: string[] = [];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const deathWindow = async () => {
    const from = p.events.length;
    sqsProxy.setFaults({ latencyMs: ctx.timings.deathHoldMs, error500Ratio: 1 });
    await sleep(ctx.timings.deathWindowMs);
    // Lambda would have frozen the invocations that died; in-process they run on and their SDK
    // retries the publish. Keep refusing every results publish, at once now, until each of them
    // has given up, so that none writes a result after its death: an attempt held when the window
    // closed ends within the hold, and the SDK's retries (3 attempts, backoff well under a second)
    // are refused. (The handler's log lines cannot tell which invocation gave up: in one process
    // the logger carries the context of the latest invocation.)
    sqsProxy.setFaults({ latencyMs: 0 });
    died.push(...diedSince(p, from));
    await sleep(ctx.timings.deathHoldMs + ZOMBIE_RETRIES_MS);
    sqsProxy.setFaults({ error500Ratio: 0 });
  };
  const invalidate = async () => {
    // Mid-run: once the handlers hold tokens (the first invocation mints them as it starts).
    const waitUntil = performance.now() + 10_000;
    while (
      performance.now() < waitUntil &&
      !sim.tokens().some(({ status }) => status === "active")
    ) {
      await sleep(10);
    }
    invalidations.push({ at: sim.now(), invalidated: sim.invalidateTokens() });
  };
  const spikeLibrary = plan.libraries[0]?.libraryId ?? "";
  const spike = async () => {
    // Spread along a run, it waits for the next invocation, so that a batch meets it from its
    // start; its calls to this library outlast the time it has.
    const from = p.events.length;
    const waitUntil = performance.now() + 30_000;
    while (
      ctx.schedule === "spread" &&
      performance.now() < waitUntil &&
      !p.events.slice(from).some((event) => event.type === "invocation-started")
    ) {
      await sleep(5);
    }
    sim.setFaults(spikeLibrary, { latencyMs: ctx.timings.spikeLatencyMs });
    await sleep(ctx.timings.spikeWindowMs);
    sim.setFaults(spikeLibrary, { latencyMs: ctx.smhFaults.latencyMs ?? 0 });
  };
  // Each S3 fault lasts its window and, on a run too small or too slow for the window to meet a
  // ledger write, until it has really happened once: a quiet fault would prove nothing.
  const ledgerWriteFailures = () =>
    p.logLines.filter((line) => line.includes("ledger object could not be written")).length;
  const untilOnce = async (happened: () => boolean) => {
    while (!happened() && performance.now() < ctx.started + ctx.timeoutMs) await sleep(20);
  };
  const s3Outage = async () => {
    const before = ledgerWriteFailures();
    s3Proxy.setFaults({ error503Ratio: 1 });
    await sleep(ctx.timings.s3OutageMs);
    await untilOnce(() => ledgerWriteFailures() > before);
    s3Proxy.setFaults({ error503Ratio: S3_FAULTS.error503Ratio });
    // Throttling, until S3 has answered SlowDown once (4 % of a few writes may be none).
    const slowDowns = s3Proxy.counters().slowDowns;
    s3Proxy.setFaults({ slowDownRatio: 1 });
    await untilOnce(() => s3Proxy.counters().slowDowns > slowDowns);
    s3Proxy.setFaults({ slowDownRatio: S3_FAULTS.slowDownRatio });
  };
  const s3Slow = async () => {
    const before = s3Proxy.counters().selected;
    s3Proxy.setFaults({ latencyMs: ctx.timings.s3SlowMs });
    await sleep(ctx.timings.s3SlowWindowMs);
    await untilOnce(() => s3Proxy.counters().selected > before);
    s3Proxy.setFaults({ latencyMs: 0 });
    slowAnswers += s3Proxy.counters().selected - before;
  };
  const sendLate = async () => {
    await pMap(packUnits(plan.lateDuplicates.map((body) => [body])), (bodies) => p.send(bodies), {
      concurrency: SEND_CONCURRENCY,
    });
  };
  const bursts = async () => {
    // Setting them starts the first burst at once, while the first batches are running. On a
    // loaded machine those batches may reach SMH only after the first burst has ended (and the
    // next ones may fall between rounds), so every call is throttled until one has been: then
    // the bursts go on at their period.
    sim.setFaults("*", {
      throttleEveryMs: THROTTLE_BURSTS.throttleEveryMs,
      throttleForMs: THROTTLE_BURSTS.throttleEveryMs,
    });
    while (
      (sim.stats().byFault.throttleBurst ?? 0) === 0 &&
      performance.now() < ctx.started + ctx.timeoutMs
    ) {
      await sleep(10);
    }
    sim.setFaults("*", THROTTLE_BURSTS);
  };
  // Handler deaths never overlap: each waits for the one before to end.
  let deathsDone: Promise<void> = Promise.resolve();
  const deaths = () => {
    deathsDone = deathsDone.then(deathWindow);
    return deathsDone;
  };
  // A run of a few hundred jobs makes few SMH calls: at 2 %, a reset or an accept-then-fail may
  // not happen at all. The early schedule makes sure of both: every call of one library is
  // accepted and then failed, and half the calls of another are reset, until the first round
  // (which dies) is over and each of the two faults has really happened. On a loaded machine the
  // first round can end before either library's calls got past the 429 bursts, so the end of the
  // round alone does not make sure of anything; the redeliveries meet the faults instead.
  const rareFaults = async () => {
    const resetLibrary = plan.libraries[0];
    const acceptLibrary = plan.libraries[1] ?? resetLibrary;
    if (!acceptLibrary || !resetLibrary) return;
    sim.setFaults(acceptLibrary.libraryId, { acceptThenFailRatio: 1 });
    sim.setFaults(resetLibrary.libraryId, { resetRatio: 0.5 });
    await deathsDone;
    const happened = () => {
      const { byFault } = sim.stats();
      return (byFault.acceptThenFail ?? 0) > 0 && (byFault.reset ?? 0) > 0;
    };
    while (!happened() && performance.now() < ctx.started + ctx.timeoutMs) await sleep(20);
    sim.setFaults(acceptLibrary.libraryId, {
      acceptThenFailRatio: ctx.smhFaults.acceptThenFailRatio ?? 0,
    });
    sim.setFaults(resetLibrary.libraryId, { resetRatio: ctx.smhFaults.resetRatio ?? 0 });
  };
  const steps = {
    rare: { name: "resets and accept-then-fail in every call of two libraries", run: rareFaults },
    bursts: { name: "bursts of 429 begin", run: bursts },
    deaths: { name: "handler deaths (results publish hangs past the timeout)", run: deaths },
    tokens: { name: "token invalidation", run: invalidate },
    spike: { name: "SMH latency spike (timeout mid-batch)", run: spike },
    s3Outage: { name: "S3 outage (every ledger write refused)", run: s3Outage },
    s3Slow: { name: "S3 slow answers (every ledger write held)", run: s3Slow },
    late: { name: "late duplicate deliveries", run: sendLate },
  };
  // Each step fires once an invocation has started and this share of the jobs is accounted for.
  const schedule: { at: number; name: string; run: () => Promise<void> }[] =
    ctx.schedule === "early"
      ? [
          { at: 0, ...steps.bursts },
          { at: 0, ...steps.spike },
          { at: 0, ...steps.deaths },
          { at: 0, ...steps.rare },
          { at: 0, ...steps.tokens },
          { at: 0, ...steps.s3Outage },
          { at: 0, ...steps.s3Slow },
          // Once the first deliveries have deleted their directories (and died).
          { at: 0, ...steps.late, run: () => deathsDone.then(sendLate) },
        ]
      : [
          { at: 0, ...steps.bursts },
          { at: 0.1, ...steps.deaths },
          { at: 0.2, ...steps.s3Outage },
          { at: 0.25, ...steps.tokens },
          { at: 0.3, ...steps.s3Slow },
          { at: 0.4, ...steps.spike },
          { at: 0.5, ...steps.s3Outage },
          { at: 0.55, ...steps.deaths },
          { at: 0.6, ...steps.s3Slow },
          { at: 0.65, ...steps.tokens },
          { at: 0.7, ...steps.late },
        ];
  const running: Promise<void>[] = [];
  let nextStep = 0;
  let invoked = false;
  const fire = () => {
    const step = schedule[nextStep++];
    if (!step) return;
    events.push({ name: step.name, atProgress: round(progress()), atMs: elapsed() });
    log(`[chaos] ${step.name} at ${Math.round(progress() * 100)} %`);
    running.push(step.run());
  };
  // The steps due from the start fire as the first invocation starts, before its handler runs:
  // the runner emits the event, then calls the handler, and each step sets its fault before its
  // first await.
  const stopListening = p.stack.runner.on((event) => {
    if (event.type !== "invocation-started" || invoked) return;
    invoked = true;
    while (nextStep < schedule.length && (schedule[nextStep]?.at ?? 1) <= 0) fire();
  });

  // Send: the CLI's share, and the rest in SendMessageBatch calls.
  const cliFile = join(ctx.workDir, "cli-jobs.ndjson");
  await writeFile(cliFile, `${plan.cliLines.join("\n")}\n`);
  const cliRun = runCli(
    [
      "enqueue",
      "--format",
      "ndjson",
      "--file",
      cliFile,
      "--json",
      "--sqs-endpoint",
      p.stack.sqsEndpoint,
      "--jobs-queue-url",
      p.jobsUrl,
      "--region",
      p.stack.region,
    ],
    ctx.workDir,
  );
  const calls = packUnits(plan.units);
  log(`[chaos] sending ${plan.jobs.length} jobs (${calls.length} SendMessageBatch calls)`);
  const sending = pMap(calls, (bodies) => p.send(bodies), { concurrency: SEND_CONCURRENCY });

  // Wait: fire the faults as the run progresses, until every queue is empty and the runner idle.
  const giveUpAt = performance.now() + ctx.timeoutMs;
  let sendsDone = false;
  sending.then(
    () => {
      sendsDone = true;
    },
    () => {
      sendsDone = true;
    },
  );
  let quietChecks = 0;
  let drained = false;
  let lastLog = 0;
  while (!ctx.signal?.aborted && performance.now() < giveUpAt) {
    const share = progress();
    while (nextStep < schedule.length && invoked && share >= (schedule[nextStep]?.at ?? 1)) {
      fire();
    }
    if (performance.now() - lastLog > 5_000) {
      lastLog = performance.now();
      log(`[chaos] ${accounted.size}/${plan.jobs.length} jobs accounted for after ${elapsed()} ms`);
    }
    const idle = sendsDone && (await isQuiet(p));
    if (idle && nextStep < schedule.length) {
      // Everything sent is done before the progress reached the next step: fire it now.
      fire();
      quietChecks = 0;
    } else if (idle && (await settledAll(running))) {
      quietChecks++;
      if (quietChecks >= 3) {
        drained = true;
        break;
      }
    } else {
      quietChecks = 0;
    }
    await sleep(idle ? 500 : 250);
  }
  stopListening();
  await sending.catch((error: unknown) => {
    throw new Error(`sending the jobs failed: ${error instanceof Error ? error.message : error}`);
  });
  await Promise.allSettled(running);
  const cli = await cliRun;
  progress();
  log(`[chaos] ${drained ? "drained" : "gave up waiting"} after ${elapsed()} ms; accounting`);

  // Everything captured, and what the simulator says happened.
  const truth = sim.groundTruth();
  const capturedTokens = p.smhCapture.tokens();
  const secrets: Secret[] = [
    ...sim.credentials().map(({ librarySecret }) => ({
      kind: "library secret" as const,
      value: librarySecret,
    })),
    ...capturedTokens.map((value) => ({ kind: "access token" as const, value })),
  ];
  const runnerErrors = p.events.flatMap((event) =>
    "error" in event && event.error !== undefined ? [describeError(event.error)] : [],
  );
  const haystacks: Haystack[] = [
    ...p.logLines.map((text, i) => ({ source: `log line ${i}`, text })),
    ...p.results.map(({ body }, i) => ({ source: `result ${i}`, text: body })),
    ...p.unreadable.map((text, i) => ({ source: `unreadable result ${i}`, text })),
    ...p.deadLetters.map((text, i) => ({ source: `dead letter ${i}`, text })),
    ...runnerErrors.map((text, i) => ({ source: `runner error ${i}`, text })),
    { source: "cli stdout", text: cli.stdout },
    { source: "cli stderr", text: cli.stderr },
  ];
  // The results read so far, before the ledger is listed: each was kept in the ledger before it
  // was published, so each is in the listing even if handlers still run (a run that did not
  // drain); results read later could have been written after the listing began.
  const results = p.results.map(({ result }) => result);
  const ledger = await tallyLedger({ s3: p.stack.s3, ...p.stack.ledger });
  const { counts, evidence } = account({
    jobs: plan.jobs,
    results,
    unreadable: p.unreadable,
    deadLetters: p.deadLetters,
    truth,
    secrets,
    haystacks,
    ledger: ledger.subjects,
  });

  if (ctx.dumpDir !== undefined) await dump(ctx.dumpDir, p, haystacks, secrets);

  const ours = new Set(plan.libraries.map(({ libraryId }) => libraryId));
  const minted = sim.tokens().filter(({ libraryId }) => ours.has(libraryId));
  const returned = p.logLines.filter((line) => line.includes('"job returns to the queue"'));
  const proxy = sqsProxy.counters();
  const s3 = s3Proxy.counters();
  const ok = drained && passed(counts);
  return {
    ok,
    seed: ctx.seed,
    durationMs: elapsed(),
    drained,
    ...counts,
    sent: {
      messages: plan.units.flat().length + plan.lateDuplicates.length + plan.cliLines.length,
      sameBatchDuplicates: plan.jobs.filter((job) => job.duplicate === "same-batch").length,
      lateDuplicates: plan.lateDuplicates.length,
      viaCli: plan.cliLines.length,
      invalid: plan.jobs.filter((job) => job.kind === "invalid").length,
      forbidden: plan.jobs.filter((job) => job.kind === "forbidden").length,
      absent: plan.jobs.filter((job) => job.kind === "absent").length,
    },
    cli: { exitCode: cli.code, enqueued: enqueuedCount(cli.stdout) },
    faults: {
      smh: sim.stats().byFault,
      resultsQueue: {
        partialFailures: proxy.partialFailures,
        failedEntries: proxy.failedEntries,
        errors500: proxy.errors500,
      },
      ledger: {
        writes: s3.selected,
        errors500: s3.errors500,
        errors503: s3.errors503,
        slowDowns: s3.slowDowns,
        slowAnswers,
        writeFailures: p.logLines.filter((line) =>
          line.includes("ledger object could not be written"),
        ).length,
      },
      invocationTimeouts: p.events.filter(isDeath).length,
      handlerDeaths: died.length,
      jobsReturnedToQueue: returned.length,
      jobsCutByDeadline: returned.filter((line) =>
        /deadline|remaining time|timed out|TimeoutError/i.test(line),
      ).length,
      tokens: {
        minted: minted.length,
        invalidated: invalidations.reduce((sum, { invalidated }) => sum + invalidated, 0),
        remintedAfterInvalidation: invalidations.every(({ at }) =>
          minted.some((token) => Date.parse(token.mintedAt) >= at),
        ),
      },
      events,
    },
    ...(ok ? {} : { evidence }),
  };
}

/** Writes the captured texts and runner events, secrets replaced, for a person to read. */
async function dump(
  dir: string,
  p: PipelineStack,
  haystacks: readonly Haystack[],
  secrets: readonly Secret[],
): Promise<void> {
  const scrub = (text: string) =>
    secrets.reduce((clean, { value }) => clean.split(value).join("[SECRET]"), text);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "captured.ndjson"),
    haystacks.map((h) => scrub(JSON.stringify(h))).join("\n"),
  );
  const events = p.events.map((event) =>
    scrub(
      JSON.stringify({
        ...event,
        ...("error" in event ? { error: describeError(event.error) } : {}),
      }),
    ),
  );
  await writeFile(join(dir, "runner-events.ndjson"), events.join("\n"));
  await writeFile(
    join(dir, "ground-truth.json"),
    scrub(JSON.stringify(p.sim.groundTruth().deletions, null, 1)),
  );
}

/** Invocations that died (timed out) among the runner events from index `from` on. */
function diedSince(p: PipelineStack, from: number): string[] {
  return p.events.slice(from).flatMap((event) => (isDeath(event) ? [event.requestId] : []));
}

function isDeath(
  event: PipelineStack["events"][number],
): event is Extract<PipelineStack["events"][number], { type: "invocation-finished" }> {
  return (
    event.type === "invocation-finished" &&
    (event.outcome === "timeout" ||
      // middy's own timeout, a few ms before Lambda's: the handler rejects, its work runs on.
      (event.outcome === "error" && (event.error as Error | undefined)?.name === "TimeoutError"))
  );
}

/** Whether the jobs queue, the results queue and the DLQ are empty and no invocation runs. */
async function isQuiet(p: PipelineStack): Promise<boolean> {
  if (p.stack.runner.stats().some(({ running }) => running > 0)) return false;
  const depths = await Promise.all(
    [p.jobsUrl, p.resultsUrl, p.dlqUrl].map((url) => queueDepths(p.stack.sqs, url)),
  );
  return depths.every(({ visible, inFlight, delayed }) => visible + inFlight + delayed === 0);
}

async function settledAll(promises: readonly Promise<void>[]): Promise<boolean> {
  const marker = Symbol("pending");
  const raced = await Promise.race([
    Promise.allSettled(promises),
    new Promise<typeof marker>((resolve) => setImmediate(() => resolve(marker))),
  ]);
  return raced !== marker;
}

/** Runs the CLI (`bin/smh-cleaner.js`) with a minimal environment: no secret can reach it. */
function runCli(args: string[], workDir: string): Promise<CliRun> {
  return spawnCli(args, {
    cwd: workDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: workDir,
      SMH_CLEANER_STATE_DIR: workDir,
      NO_COLOR: "1",
    },
  });
}

function enqueuedCount(stdout: string): number | null {
  try {
    const value = JSON.parse(stdout) as { enqueued?: unknown };
    return typeof value.enqueued === "number" ? value.enqueued : null;
  } catch {
    return null;
  }
}

function jobIdIn(body: string): string | undefined {
  try {
    const value = JSON.parse(body) as { jobId?: unknown };
    return typeof value?.jobId === "string" ? value.jobId : undefined;
  } catch {
    return undefined;
  }
}

/** Everything an error carries that could hold a secret: name, message, stack, causes, fields. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      parts.push(current.name, current.message, current.stack ?? "");
      try {
        parts.push(JSON.stringify(current));
      } catch {
        // Circular: the message and stack are what matters.
      }
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join("\n");
}

function round(share: number): number {
  return Math.round(share * 1000) / 1000;
}
