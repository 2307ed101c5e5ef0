/** Capped exponential backoff settings. */
export interface BackoffPolicy {
  /** Delay ceiling before the first retry, in milliseconds. */
  baseDelayMs: number;
  /** Upper bound for any single delay, in milliseconds. */
  maxDelayMs: number;
}

/**
 * "Full jitter" delay before retry number `retry` (1 = first retry): uniformly random between 0 and
 * min(maxDelayMs, baseDelayMs * 2^(retry-1)). Randomising the whole interval keeps retries from many
 * senders from arriving together and recreating the spike that caused them.
 */
export function fullJitterDelay(
  retry: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
