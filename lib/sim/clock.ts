/**
 * The simulator's clock: real wall-clock time plus an offset.
 *
 * Everything time-based in SMH's model (token expiry, recycle-bin retention, task retention,
 * directory ages) reads this clock, so a test can jump days ahead with {@link SimClock.advance}
 * instead of waiting. Throughput concerns (rate limiting, latency) deliberately use real time.
 */
export class SimClock {
  #offsetMs = 0;

  /** Milliseconds since the epoch, as the simulated service sees them. */
  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** How far the clock has been moved ahead of real time. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /**
   * Moves the clock forward by `ms` and returns the new time. Going backwards is refused: expiry
   * and retention would otherwise have to be undone.
   */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`clock can only move forward by a finite number of ms, got ${ms}`);
    }
    this.#offsetMs += ms;
    return this.now();
  }
}
