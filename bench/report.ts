/**
 * Turns the scenarios' measurements into the report `npm run bench` prints: every figure of
 * issue 6, the comparisons (each a ratio of two measurements of the same run) and the targets.
 */
import type { ColdStartMeasurement } from "./cold-start.ts";
import type { FleetMeasurement } from "./fleet.ts";
import {
  FLEET_BOUNDS,
  type PhaseFigures,
  phaseFigures,
  SETTLE_ALLOWANCE_SECONDS,
} from "./fleet-figures.ts";
import type { LoadMeasurement } from "./load.ts";
import type { BenchOptions } from "./options.ts";
import { median, ratio } from "./statistics.ts";

/** What the scenarios produced; a scenario not run is absent. */
export interface Measurements {
  readonly single?: LoadMeasurement;
  readonly batchRuns?: readonly LoadMeasurement[];
  readonly hidden?: LoadMeasurement;
  readonly baseline?: LoadMeasurement;
  readonly scale?: LoadMeasurement;
  readonly coldStart?: ColdStartMeasurement;
  readonly fleet?: FleetMeasurement;
}

/** One target of the issue, as measured. `met` is null when it could not be decided. */
export interface TargetResult {
  readonly id: string;
  readonly description: string;
  readonly measured: number | undefined;
  readonly comparison: ">=" | "<=" | "<";
  readonly limit: number;
  /**
   * Null when its scenario did not run, or when the measurement cannot decide: a ratio over a
   * baseline stopped at its cap is only a lower bound, so one under the limit proves no miss.
   */
  readonly met: boolean | null;
  readonly note?: string;
}

/** The figures of issue 6, flat, by scenario. Rates are per second. */
export interface Figures {
  readonly single?: {
    readonly boundPerSecond: number;
    readonly deletionsPerSecond: number;
    readonly steadyDeletionsPerSecond: number | undefined;
    readonly ratioToBound: number;
    readonly steadyRatioToBound: number | undefined;
    readonly smhRequestsPerDeletion: number | undefined;
    readonly throttled429: number;
    readonly resultsQueueCallsPerJob: number;
    readonly latencyP50Ms: number | undefined;
    readonly latencyP99Ms: number | undefined;
  };
  readonly batch?: {
    readonly runs: number;
    /** Median over the runs (each run's own figure is in scenarios.batchRuns). */
    readonly deletionsPerSecond: number;
    readonly deletionsPerSecondRange: readonly [number, number];
    readonly steadyDeletionsPerSecond: number | undefined;
    readonly smhRequestsPerDeletion: number | undefined;
    readonly throttled429: number;
    readonly ratioToSingle: number | undefined;
    readonly steadyRatioToSingle: number | undefined;
    readonly latencyP50Ms: number | undefined;
    readonly latencyP99Ms: number | undefined;
  };
  readonly hidden?: {
    readonly enforcedPerSecond: number;
    readonly clientStartPerSecond: number;
    readonly deletionsPerSecond: number;
    readonly ratioToLimit: number;
    readonly steadyRatioToLimit: number | undefined;
    readonly throttledShare: number | undefined;
    readonly throttled429: number;
  };
  readonly baseline?: {
    readonly deletionsPerSecond: number;
    readonly steadyDeletionsPerSecond: number | undefined;
    readonly completedShare: number;
    readonly timeLimitSeconds: number;
    readonly throttled429: number;
    readonly smhRequestsPerDeletion: number | undefined;
    readonly resultsQueueCallsPerJob: number;
    /** The product's defaults (batch mode) over the baseline. */
    readonly productDefaultOverBaseline: number | undefined;
    /** Single mode over the baseline: both one DELETE per job against the same limit. */
    readonly singleOverBaseline: number | undefined;
    readonly steadySingleOverBaseline: number | undefined;
    readonly single429: number | undefined;
    readonly batch429: number | undefined;
  };
  /** Scenario "fleet": containers with a limiter each; see bench/fleet.ts. */
  readonly fleet?: {
    readonly limitPerSecond: number;
    readonly clientStartPerSecond: number;
    /** Whether the containers shared the fleet board (DynamoDB). */
    readonly board: boolean;
    readonly fleet: PhaseFigures;
    readonly alone: PhaseFigures;
    readonly regrow: PhaseFigures;
    /** "A 429 storm" when regrowing: more 429s than this (the fleet's bound on its requests). */
    readonly stormBound429: number;
    /** The same limit with one limiter shared by five pollers (scenario "hidden", same run). */
    readonly sharedLimiter:
      | {
          readonly ratioToLimit: number;
          readonly steadyRatioToLimit: number | undefined;
          readonly throttledShare: number | undefined;
        }
      | undefined;
  };
  readonly scale?: {
    readonly jobs: number;
    readonly deletionsPerSecond: number;
    readonly ratioToSingle: number | undefined;
    readonly steadyRatioToSingle: number | undefined;
    readonly peakRssMiB: number;
    readonly singlePeakRssMiB: number | undefined;
  };
  readonly coldStart?: {
    readonly bareNodeMsMedian: number;
    readonly handlers: {
      readonly functionName: string;
      readonly bundleBytes: number;
      readonly zipBytesEstimate: number;
      readonly initMsOverBareNode: number;
      readonly importMsInProcessMedian: number;
      readonly error?: string;
    }[];
  };
}

const MB = 1_000_000;

/** Computes the figures and checks the targets. */
export function buildFigures(
  options: BenchOptions,
  m: Measurements,
): { figures: Figures; targets: TargetResult[] } {
  const figures: {
    -readonly [K in keyof Figures]: Figures[K];
  } = {};
  const single = m.single;
  if (single) {
    figures.single = {
      boundPerSecond: options.rate,
      deletionsPerSecond: single.deletionsPerSecond,
      steadyDeletionsPerSecond: single.steadyDeletionsPerSecond,
      ratioToBound: single.deletionsPerSecond / options.rate,
      steadyRatioToBound: ratio(single.steadyDeletionsPerSecond, options.rate),
      smhRequestsPerDeletion: single.smh.requestsPerDeletion,
      throttled429: single.smh.throttled429,
      resultsQueueCallsPerJob: single.resultsQueue.callsPerJob,
      latencyP50Ms: single.latencyMs.p50,
      latencyP99Ms: single.latencyMs.p99,
    };
  }
  const batchRuns = m.batchRuns ?? [];
  const batch = medianRun(batchRuns);
  if (batch) {
    const rates = batchRuns.map((run) => run.deletionsPerSecond);
    const steadies = batchRuns.flatMap((run) => run.steadyDeletionsPerSecond ?? []);
    const batchRate = median(rates) ?? 0;
    const batchSteady = median(steadies);
    figures.batch = {
      runs: batchRuns.length,
      deletionsPerSecond: batchRate,
      deletionsPerSecondRange: [Math.min(...rates), Math.max(...rates)],
      steadyDeletionsPerSecond: batchSteady,
      smhRequestsPerDeletion: batch.smh.requestsPerDeletion,
      throttled429: batch.smh.throttled429,
      ratioToSingle: ratio(batchRate, single?.deletionsPerSecond),
      steadyRatioToSingle: ratio(batchSteady, single?.steadyDeletionsPerSecond),
      latencyP50Ms: batch.latencyMs.p50,
      latencyP99Ms: batch.latencyMs.p99,
    };
  }
  if (m.hidden) {
    figures.hidden = {
      enforcedPerSecond: options.hiddenRate,
      clientStartPerSecond: options.rate,
      deletionsPerSecond: m.hidden.deletionsPerSecond,
      ratioToLimit: m.hidden.deletionsPerSecond / options.hiddenRate,
      steadyRatioToLimit: ratio(m.hidden.steadyDeletionsPerSecond, options.hiddenRate),
      throttledShare: m.hidden.smh.throttledShare,
      throttled429: m.hidden.smh.throttled429,
    };
  }
  if (m.baseline) {
    const base = m.baseline;
    figures.baseline = {
      deletionsPerSecond: base.deletionsPerSecond,
      steadyDeletionsPerSecond: base.steadyDeletionsPerSecond,
      completedShare: base.deletions / base.jobs,
      timeLimitSeconds: options.baselineTimeLimitSeconds,
      throttled429: base.smh.throttled429,
      smhRequestsPerDeletion: base.smh.requestsPerDeletion,
      resultsQueueCallsPerJob: base.resultsQueue.callsPerJob,
      productDefaultOverBaseline: ratio(figures.batch?.deletionsPerSecond, base.deletionsPerSecond),
      singleOverBaseline: ratio(single?.deletionsPerSecond, base.deletionsPerSecond),
      steadySingleOverBaseline: ratio(
        single?.steadyDeletionsPerSecond,
        base.steadyDeletionsPerSecond,
      ),
      single429: single?.smh.throttled429,
      batch429: batch?.smh.throttled429,
    };
  }
  if (m.fleet) {
    const phase = (name: string): PhaseFigures => {
      const measured = m.fleet?.phases.find((p) => p.name === name);
      if (!m.fleet || !measured) throw new Error(`the fleet measurement has no ${name} phase`);
      return phaseFigures(measured, m.fleet.containers, m.fleet.limitPerSecond);
    };
    const regrowPhase = m.fleet.phases.find((p) => p.name === "regrow");
    figures.fleet = {
      limitPerSecond: m.fleet.limitPerSecond,
      clientStartPerSecond: options.rate,
      board: m.fleet.board,
      fleet: phase("fleet"),
      alone: phase("alone"),
      regrow: phase("regrow"),
      stormBound429: Math.floor(FLEET_BOUNDS.maxThrottledShare * (regrowPhase?.smh.requests ?? 0)),
      sharedLimiter: figures.hidden && {
        ratioToLimit: figures.hidden.ratioToLimit,
        steadyRatioToLimit: figures.hidden.steadyRatioToLimit,
        throttledShare: figures.hidden.throttledShare,
      },
    };
  }
  if (m.scale) {
    figures.scale = {
      jobs: m.scale.jobs,
      deletionsPerSecond: m.scale.deletionsPerSecond,
      ratioToSingle: ratio(m.scale.deletionsPerSecond, single?.deletionsPerSecond),
      steadyRatioToSingle: ratio(
        m.scale.steadyDeletionsPerSecond,
        single?.steadyDeletionsPerSecond,
      ),
      peakRssMiB: m.scale.peakRssMiB,
      singlePeakRssMiB: single?.peakRssMiB,
    };
  }
  if (m.coldStart) {
    figures.coldStart = {
      bareNodeMsMedian: m.coldStart.bareNodeMsMedian,
      handlers: m.coldStart.handlers.map((h) => ({
        functionName: h.functionName,
        bundleBytes: h.bundleBytes,
        zipBytesEstimate: h.zipBytesEstimate,
        initMsOverBareNode: h.initMsOverBareNode,
        importMsInProcessMedian: h.importMsInProcessMedian,
        ...(h.error === undefined ? {} : { error: h.error }),
      })),
    };
  }
  return { figures, targets: checkTargets(figures) };
}

function checkTargets(f: Figures): TargetResult[] {
  const targets: TargetResult[] = [];
  const add = (
    id: string,
    description: string,
    measured: number | undefined,
    comparison: TargetResult["comparison"],
    limit: number,
    lowerBound = false,
  ) => {
    let met: boolean | null =
      measured === undefined
        ? null
        : comparison === ">="
          ? measured >= limit
          : comparison === "<="
            ? measured <= limit
            : measured < limit;
    if (lowerBound && met === false) met = null;
    targets.push({
      id,
      description,
      measured,
      comparison,
      limit,
      met,
      ...(lowerBound
        ? { note: "lower bound: the baseline was stopped at its cap with jobs unfinished" }
        : {}),
    });
  };
  const baselineCapped = f.baseline !== undefined && f.baseline.completedShare < 1;
  add("single.rate", "single mode: deletions/s over R", f.single?.ratioToBound, ">=", 0.9);
  add(
    "single.smhRequests",
    "single mode: SMH requests per deletion",
    f.single?.smhRequestsPerDeletion,
    "<=",
    1.02,
  );
  add(
    "single.resultCalls",
    "single mode: results-queue calls per job",
    f.single?.resultsQueueCallsPerJob,
    "<=",
    0.11,
  );
  add("batch.rate", "batch mode: deletions/s over single mode's", f.batch?.ratioToSingle, ">=", 10);
  add(
    "batch.smhRequests",
    "batch mode: SMH requests per deletion",
    f.batch?.smhRequestsPerDeletion,
    "<=",
    0.02,
  );
  add(
    "hidden.rate",
    "hidden limit: deletions/s over the enforced R",
    f.hidden?.ratioToLimit,
    ">=",
    0.8,
  );
  add(
    "hidden.throttled",
    "hidden limit: share of SMH requests throttled",
    f.hidden?.throttledShare,
    "<=",
    0.05,
  );
  add(
    "baseline.rate",
    "product defaults (batch): deletions/s over the standard approach's",
    f.baseline?.productDefaultOverBaseline,
    ">=",
    3,
    baselineCapped,
  );
  add(
    "baseline.rateSingle",
    "single mode: deletions/s over the standard approach's",
    f.baseline?.singleOverBaseline,
    ">=",
    3,
    baselineCapped,
  );
  const base429 = f.baseline?.throttled429;
  add(
    "baseline.429",
    "429s of the product (single mode) over the standard approach's",
    ratio(f.baseline?.single429, base429 === 0 ? undefined : base429),
    "<",
    1,
  );
  const fleet = f.fleet;
  add(
    "fleet.rate",
    "fleet: deletions/s of all containers once settled, over the limit",
    fleet?.fleet.settledOverLimit,
    ">=",
    FLEET_BOUNDS.minShareOfLimit,
  );
  add(
    "fleet.throttled",
    "fleet: share of SMH requests throttled",
    fleet?.fleet.throttledShare,
    "<=",
    FLEET_BOUNDS.maxThrottledShare,
  );
  add(
    "fleet.fairness",
    "fleet: largest distance of a container's share from the mean, once settled",
    fleet?.fleet.settledSpread,
    "<=",
    FLEET_BOUNDS.maxSpread,
  );
  add(
    "fleet.settled",
    "fleet: seconds until settled (the phase's length when it never did)",
    fleet && (fleet.fleet.settledAfterSeconds ?? fleet.fleet.seconds),
    "<=",
    SETTLE_ALLOWANCE_SECONDS,
  );
  add(
    "fleet.alone",
    "fleet shrunk to one busy container: its deletions/s once settled, over the limit",
    fleet?.alone.settledOverLimit,
    ">=",
    FLEET_BOUNDS.minShareOfLimit,
  );
  add(
    "fleet.regrow",
    "fleet grown back: share of SMH requests throttled (a 429 storm above)",
    fleet?.regrow.throttledShare,
    "<=",
    FLEET_BOUNDS.maxThrottledShare,
  );
  add("scale.rate", "50,000 jobs: deletions/s over 5,000 jobs'", f.scale?.ratioToSingle, ">=", 0.9);
  for (const handler of f.coldStart?.handlers ?? []) {
    add(
      `cold.${handler.functionName}.bundle`,
      `${handler.functionName}: bundle size, MB`,
      handler.bundleBytes / MB,
      "<=",
      1,
    );
    add(
      `cold.${handler.functionName}.init`,
      `${handler.functionName}: initialisation over bare node, ms`,
      handler.error === undefined ? handler.initMsOverBareNode : undefined,
      "<=",
      150,
    );
  }
  return targets;
}

/** The run with the median deletion rate (the upper one of an even count). */
function medianRun(runs: readonly LoadMeasurement[]): LoadMeasurement | undefined {
  if (runs.length === 0) return undefined;
  const sorted = [...runs].sort((a, b) => a.deletionsPerSecond - b.deletionsPerSecond);
  return sorted[Math.floor(sorted.length / 2)];
}
