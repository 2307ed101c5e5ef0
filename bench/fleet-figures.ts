import type { ContainerTimeline, FleetPhase } from "./fleet.ts";

/**
 * The fleet scenario's figures, as pure functions of per-container, per-second counts (tested in
 * test/unit/bench). A phase's counts are those of its active containers over its seconds.
 */

/** What a set of containers got from the library in one phase, per container, per second. */
export interface PhaseCounts {
  /** accepted[container][second of the phase]: requests SMH did not throttle (tokens left out). */
  readonly accepted: readonly (readonly number[])[];
  /** throttled[container][second of the phase]: 429 answers. */
  readonly throttled: readonly (readonly number[])[];
}

/** When a phase counts as settled; see {@link settledAfter}. */
export interface SettleRule {
  /** The library's limit, requests/s. */
  readonly limit: number;
  /** Aggregate at least this × the limit. @default 0.9 */
  readonly minShareOfLimit?: number;
  /** Every container's share within ± this of the mean share. @default 0.25 */
  readonly maxSpread?: number;
  /** Seconds each check is averaged over. @default 5 */
  readonly windowSeconds?: number;
}

/** Sum of `counts[from, to)`. */
export function sumBetween(counts: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let second = from; second < to; second++) sum += counts[second] ?? 0;
  return sum;
}

/** Every container's total over `[from, to)`. */
export function totals(
  perContainer: readonly (readonly number[])[],
  from: number,
  to: number,
): number[] {
  return perContainer.map((counts) => sumBetween(counts, from, to));
}

/**
 * The largest relative distance of a share from the mean share: `max |xᵢ / mean − 1|`. 0 for one
 * value; undefined for none or a mean of 0.
 *
 * @example spread([30, 30, 45]) // 0.2857…: 45 is 28.6 % above the mean of 35
 */
export function spread(shares: readonly number[]): number | undefined {
  if (shares.length === 0) return undefined;
  const mean = shares.reduce((sum, share) => sum + share, 0) / shares.length;
  if (mean === 0) return undefined;
  return Math.max(...shares.map((share) => Math.abs(share / mean - 1)));
}

/**
 * Seconds from the start of the phase until it settled: the first second `s` such that every
 * window of `windowSeconds` starting at `s` or later (and ending inside the phase) has the
 * containers' aggregate at least `minShareOfLimit` × the limit and every container's share within
 * `maxSpread` of the mean. Undefined when the phase never settled. A phase shorter than one window
 * cannot be judged (undefined).
 */
export function settledAfter(counts: PhaseCounts, rule: SettleRule): number | undefined {
  const window = rule.windowSeconds ?? 5;
  const minShare = rule.minShareOfLimit ?? 0.9;
  const maxSpread = rule.maxSpread ?? 0.25;
  const length = Math.max(0, ...counts.accepted.map((series) => series.length));
  if (length < window) return undefined;
  let settled: number | undefined;
  for (let start = length - window; start >= 0; start--) {
    const shares = totals(counts.accepted, start, start + window);
    const aggregate = shares.reduce((sum, share) => sum + share, 0) / window;
    const fair = (spread(shares) ?? Number.POSITIVE_INFINITY) <= maxSpread;
    if (!(aggregate >= minShare * rule.limit && fair)) break;
    settled = start;
  }
  return settled;
}

/** The highest number of 429s all containers together received in one second. */
export function peakThrottledPerSecond(throttled: readonly (readonly number[])[]): number {
  const length = Math.max(0, ...throttled.map((series) => series.length));
  let peak = 0;
  for (let second = 0; second < length; second++) {
    peak = Math.max(
      peak,
      throttled.reduce((sum, series) => sum + (series[second] ?? 0), 0),
    );
  }
  return peak;
}

/** Seconds a phase is given to settle before its steady figures are read. */
export const SETTLE_ALLOWANCE_SECONDS = 10;
/** The bounds the figures are checked against (docs/benchmarks.md). */
export const FLEET_BOUNDS = {
  /** Aggregate (and the lone container) at least this × the limit. */
  minShareOfLimit: 0.9,
  /** 429s at most this share of the SMH requests (fleet phase; regrow phase: "no storm"). */
  maxThrottledShare: 0.02,
  /** Each container's share within ± this of the mean. */
  maxSpread: 0.25,
  /** Seconds each check of the settling is averaged over. */
  windowSeconds: 5,
} as const;

/** The figures of one phase. Rates per second; shares of the limit are ratios. */
export interface PhaseFigures {
  readonly containers: number;
  readonly seconds: number;
  /** Deletions SMH applied in the whole phase, per second, over the limit. */
  readonly deletionsPerSecondOverLimit: number;
  /** The containers' accepted requests per second after the settle allowance, over the limit. */
  readonly settledOverLimit: number | undefined;
  /** `max |share / mean − 1|` of the containers' accepted requests after the settle allowance. */
  readonly settledSpread: number | undefined;
  /** Seconds until every later window met the aggregate and fairness bounds (see {@link settledAfter}). */
  readonly settledAfterSeconds: number | undefined;
  readonly throttled429: number;
  /** 429s over every SMH request of the phase (the simulator's count). */
  readonly throttledShare: number | undefined;
  /** The most 429s the library answered in one second of the phase. */
  readonly peakThrottledPerSecond: number;
  /** Calls to the fleet board (DynamoDB) per SMH request of the phase. */
  readonly boardCallsPerSmhRequest: number | undefined;
}

/** The figures of one phase of a fleet run. */
export function phaseFigures(
  phase: Omit<FleetPhase, "name">,
  timelines: readonly Pick<ContainerTimeline, "index" | "accepted" | "throttled">[],
  limit: number,
): PhaseFigures {
  const active = phase.containers.flatMap((index) => timelines.filter((t) => t.index === index));
  const seconds = phase.toSecond - phase.fromSecond;
  const slice = (series: readonly number[]) => series.slice(phase.fromSecond, phase.toSecond);
  const counts: PhaseCounts = {
    accepted: active.map((t) => slice(t.accepted)),
    throttled: active.map((t) => slice(t.throttled)),
  };
  const settledSeconds = seconds - SETTLE_ALLOWANCE_SECONDS;
  const settledShares = totals(counts.accepted, SETTLE_ALLOWANCE_SECONDS, seconds);
  const settledSum = settledShares.reduce((sum, share) => sum + share, 0);
  // Throttles of every container count: one taken out of the active set may still be finishing.
  const allThrottled = timelines.map((t) => slice(t.throttled));
  return {
    containers: active.length,
    seconds,
    deletionsPerSecondOverLimit: phase.deletions / seconds / limit,
    settledOverLimit: settledSeconds > 0 ? settledSum / settledSeconds / limit : undefined,
    settledSpread: settledSeconds > 0 ? spread(settledShares) : undefined,
    settledAfterSeconds: settledAfter(counts, {
      limit,
      minShareOfLimit: FLEET_BOUNDS.minShareOfLimit,
      maxSpread: FLEET_BOUNDS.maxSpread,
      windowSeconds: FLEET_BOUNDS.windowSeconds,
    }),
    throttled429: phase.smh.throttled429,
    throttledShare:
      phase.smh.requests > 0 ? phase.smh.throttled429 / phase.smh.requests : undefined,
    peakThrottledPerSecond: peakThrottledPerSecond(allThrottled),
    boardCallsPerSmhRequest:
      phase.smh.requests > 0 ? phase.boardCalls / phase.smh.requests : undefined,
  };
}
