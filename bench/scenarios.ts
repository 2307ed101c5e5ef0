/**
 * The load scenarios of issue 6, as {@link LoadSpec}s built from the options. What each one means
 * is in docs/benchmarks.md.
 */
import type { FaultsPatch } from "../lib/sim/index.ts";
import type { FleetSpec } from "./fleet.ts";
import type { LoadSpec } from "./load.ts";
import type { BenchOptions } from "./options.ts";

/** Batch delete off: every group is smaller than this, so every job is a single DELETE. */
const BATCH_DELETE_OFF = "1000000";

/** The simulator's faults at rate limit `rate`: latency mean ± jitter, batch latency per path. */
export function simulatorModel(options: BenchOptions, rate: number): FaultsPatch {
  return {
    latencyMs: options.latencyMs - options.jitterMs,
    jitterMs: 2 * options.jitterMs,
    perItemLatencyMs: options.batchPerPathMs,
    rateLimitPerSecond: rate,
    rateLimitBurst: options.burst,
  };
}

function mapping(options: BenchOptions): Pick<LoadSpec, "mapping"> {
  return Object.keys(options.mapping).length > 0 ? { mapping: options.mapping } : {};
}

/** Generous: the scenario is expected to take `jobs / rate` seconds. */
function timeLimitFor(jobs: number, rate: number): number {
  return Math.max(60, Math.ceil((4 * jobs) / rate));
}

/** Scenario 1: batch delete off, the client told the limit (SMH_INITIAL_RATE = R). */
export function singleSpec(options: BenchOptions): LoadSpec {
  return {
    name: "single",
    handler: "product",
    jobs: options.jobs,
    simFaults: simulatorModel(options, options.rate),
    env: { BATCH_DELETE_MIN_JOBS: BATCH_DELETE_OFF, SMH_INITIAL_RATE: String(options.rate) },
    timeLimitSeconds: timeLimitFor(options.jobs, options.rate),
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    ...mapping(options),
  };
}

/** Scenario 2: the product's default settings (serverless.yml: batch delete from 2 jobs). */
export function batchSpec(options: BenchOptions, run: number): LoadSpec {
  return {
    name: `batch#${run}`,
    handler: "product",
    jobs: options.jobs,
    simFaults: simulatorModel(options, options.rate),
    env: { SMH_INITIAL_RATE: String(options.rate) },
    timeLimitSeconds: timeLimitFor(options.jobs, options.rate),
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    ...mapping(options),
  };
}

/**
 * Scenario 3: the simulator enforces `hiddenRate`; the client is told R (higher) and must find
 * the real limit from 429s. Single deletes, so every deletion is a request against the limit.
 */
export function hiddenSpec(options: BenchOptions): LoadSpec {
  return {
    name: "hidden",
    handler: "product",
    jobs: options.jobs,
    simFaults: simulatorModel(options, options.hiddenRate),
    env: { BATCH_DELETE_MIN_JOBS: BATCH_DELETE_OFF, SMH_INITIAL_RATE: String(options.rate) },
    timeLimitSeconds: timeLimitFor(options.jobs, options.hiddenRate),
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    ...mapping(options),
  };
}

/** Scenario 4: the standard approach (bench/baseline), same simulator, queues and mapping. */
export function baselineSpec(options: BenchOptions): LoadSpec {
  return {
    name: "baseline",
    handler: "baseline",
    jobs: options.jobs,
    simFaults: simulatorModel(options, options.rate),
    env: {},
    timeLimitSeconds: options.baselineTimeLimitSeconds,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    ...mapping(options),
  };
}

/** Scenario 5: scenario 1 with `scaleJobs` jobs. */
export function scaleSpec(options: BenchOptions): LoadSpec {
  return {
    ...singleSpec(options),
    name: "scale",
    jobs: options.scaleJobs,
    timeLimitSeconds: timeLimitFor(options.scaleJobs, options.rate),
  };
}

/**
 * Scenario 7: a fleet of containers, each with its own client and limiter, against the hidden
 * limit (the client told R), single deletes; it shrinks to one busy container and grows again.
 */
export function fleetSpec(options: BenchOptions): FleetSpec {
  return {
    scenario: "fleet",
    name: "fleet",
    simFaults: simulatorModel(options, options.hiddenRate),
    env: { BATCH_DELETE_MIN_JOBS: BATCH_DELETE_OFF, SMH_INITIAL_RATE: String(options.rate) },
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    phaseSeconds: options.fleetPhaseSeconds,
    board: options.fleetBoard,
    ...mapping(options),
  };
}
