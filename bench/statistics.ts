/**
 * The few statistics the benchmark reports, as pure functions (tested in test/unit/bench).
 * Times are milliseconds on one clock (`performance.now()` of the process that measured them).
 */

/**
 * The `p`-th percentile (0–100) by nearest rank: the smallest value with at least p % of the
 * values at or below it. Undefined for no values.
 *
 * @example percentile([1, 2, 3, 4], 50) === 2
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be 0–100, got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The median: the mean of the two middle values for an even count. Undefined for no values. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Events per second over a span in milliseconds; undefined when the span is not positive. */
export function perSecond(count: number, spanMs: number): number | undefined {
  return spanMs > 0 ? (count * 1000) / spanMs : undefined;
}

/** The rate between two completion quantiles, without the ramp-up and the tail. */
export interface SteadyRate {
  /** Completions per second between the two quantiles. */
  readonly rate: number;
  /** Where the window starts and ends (ms, same clock as the input). */
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The steady-state rate: completions per second between the completion at quantile `low` and the
 * one at quantile `high` (of the completions given), so the ramp (the first pollers filling, the
 * limiter's first seconds) and the tail (the last, partly filled batches) are left out. Undefined
 * when fewer than 10 completions, or when the window has no duration.
 *
 * @example steadyRate(times, 0.1, 0.9) // completions 10 %–90 %
 */
export function steadyRate(
  completionTimes: readonly number[],
  low = 0.1,
  high = 0.9,
): SteadyRate | undefined {
  if (!(low >= 0 && low < high && high <= 1)) {
    throw new RangeError(`expected 0 ≤ low < high ≤ 1, got ${low} and ${high}`);
  }
  if (completionTimes.length < 10) return undefined;
  const sorted = [...completionTimes].sort((a, b) => a - b);
  const last = sorted.length - 1;
  const first = Math.round(low * last);
  const end = Math.round(high * last);
  const fromMs = sorted[first] as number;
  const toMs = sorted[end] as number;
  const rate = perSecond(end - first, toMs - fromMs);
  return rate === undefined ? undefined : { rate, fromMs, toMs };
}

/**
 * Counts per whole second since `startMs`: element i counts the times in [i s, i+1 s). Times
 * before `startMs` count in the first second.
 */
export function histogramPerSecond(times: readonly number[], startMs: number): number[] {
  const counts: number[] = [];
  for (const time of times) {
    const second = Math.max(0, Math.floor((time - startMs) / 1000));
    while (counts.length <= second) counts.push(0);
    counts[second] = (counts[second] as number) + 1;
  }
  return counts;
}

/** `a / b`, or undefined when either is missing or `b` is 0. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || b === 0) return undefined;
  return a / b;
}
