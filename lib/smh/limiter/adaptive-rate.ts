/**
 * The adaptive send rate of one library: a CUBIC curve, as in the AWS SDK's adaptive retry mode
 * (`DefaultRateLimiter`) and TCP CUBIC, with changes that keep a busy client from oscillating:
 *
 * - One decrease per congestion event. A burst of 429s answers requests that were all sent at the
 *   old rate; only a 429 for a request sent *after* the last decrease lowers the rate again. (The AWS
 *   limiter lowers the rate once per 429, so five throttled requests in flight cut it to 0.7^5.)
 * - Decreases to a measured level. While demand is at the limit, the caller passes the rate SMH
 *   accepted over the last second, and the new ceiling is that, not the rate the client had grown
 *   to: a client that starts at twice the limit gets close in one step.
 * - A blackout pauses instead of compounding. When a request sent after a decrease is refused and
 *   nothing sent since was accepted (a fixed-window limit that refuses everything until its window
 *   resets, or an overload), further 429s say nothing about the right rate. The client then only
 *   probes (at most `PROBE_RATE` a second) until SMH accepts again, and resumes the rate it had;
 *   the rate itself is lowered at most once a second while the blackout lasts.
 * - The curve advances only while demand is at the limit and SMH is accepting. Idle time is not
 *   "the server coped", so a client that was quiet for a minute does not come back at a rate it
 *   never tested.
 *
 * After a decrease at rate `W` the rate is `W + C·(t − K)³` with `K = ∛(W·(1 − β)/C)`: it starts at
 * `β·W`, climbs quickly, flattens out just below `W` (where the server last said "too much"), then
 * probes above it slowly. Before the first 429 the same curve runs from the initial rate with `K = 0`.
 */

/** Settings of {@link AdaptiveRate}; see `LimiterOptions` for the documented defaults. */
export interface AdaptiveRateSettings {
  /** Requests per second before any feedback. */
  readonly initialRate: number;
  /** The rate never drops below this. */
  readonly minRate: number;
  /** The rate never grows above this. */
  readonly maxRate: number;
  /** β: the rate is multiplied by this on a throttle. */
  readonly decreaseFactor: number;
  /** C: how fast the rate climbs back, in (requests/s) per s³. */
  readonly increaseScale: number;
}

/** While SMH accepts nothing, the rate is lowered at most this often. */
const BLACKOUT_DECREASE_INTERVAL_MS = 1000;
/** Requests per second sent during a blackout, to notice its end within ~100 ms. */
export const PROBE_RATE = 10;

/**
 * Why the sending rate changed: the library's answers (`throttled`, `recovered`, `paused`,
 * `resumed`), or the other containers on it (`balanced` towards their mean, `joined` busy ones).
 */
export type RateChangeReason =
  | "throttled"
  | "recovered"
  | "paused"
  | "resumed"
  | "balanced"
  | "joined";

export class AdaptiveRate {
  readonly #settings: AdaptiveRateSettings;
  #rate: number;
  /** W: the rate at the last decrease (or the initial rate before any). */
  #ceiling: number;
  /** K: seconds of growth needed to climb back to the ceiling. */
  #plateauAfter = 0;
  /** Seconds of saturated time since the last decrease. */
  #grown = 0;
  /** Clock reading of the last decrease; requests sent before it were sent at the old rate. */
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  /** Whether SMH accepted a request sent after the last decrease. */
  #acceptedSinceDecrease = false;
  /** C in use: the setting, divided among the busy containers of a fleet. */
  #scale: number;
  /** When the current blackout began, if SMH is in one. */
  #blackoutSince: number | undefined;

  constructor(settings: AdaptiveRateSettings) {
    this.#settings = settings;
    this.#rate = clamp(settings.initialRate, settings.minRate, settings.maxRate);
    this.#ceiling = this.#rate;
    this.#scale = settings.increaseScale;
  }

  /** The rate the curve is at, requests per second (also during a blackout). */
  get rate(): number {
    return this.#rate;
  }

  /** The rate to send at now: {@link rate}, or the probe rate during a blackout. */
  get sendingRate(): number {
    return this.#blackoutSince === undefined
      ? this.#rate
      : Math.max(this.#settings.minRate, Math.min(this.#rate, PROBE_RATE));
  }

  /** True while SMH refuses everything sent since the last decrease. */
  get inBlackout(): boolean {
    return this.#blackoutSince !== undefined;
  }

  /**
   * Records a 429 for a request sent at `sentAt`. Lowers the rate once per congestion event, or
   * starts a blackout when nothing sent since the last decrease was accepted.
   *
   * @param now - the limiter's clock, in milliseconds.
   * @param sentAt - when the throttled request was sent (same clock).
   * @param measuredRate - what SMH accepted (or the client sent, if less) per second over the last
   *   second, when known and demand was at the limit; it becomes the new ceiling if lower.
   * @returns the reason when the sending rate changed, else undefined.
   */
  throttled(
    now: number,
    sentAt: number,
    measuredRate: number | undefined,
  ): RateChangeReason | undefined {
    if (sentAt < this.#lastDecreaseAt) return undefined;
    const decreasedBefore = this.#lastDecreaseAt > Number.NEGATIVE_INFINITY;
    if (decreasedBefore && !this.#acceptedSinceDecrease) {
      const startsBlackout = this.#blackoutSince === undefined;
      this.#blackoutSince ??= now;
      if (now - this.#lastDecreaseAt < BLACKOUT_DECREASE_INTERVAL_MS) {
        return startsBlackout ? "paused" : undefined;
      }
    }
    const { decreaseFactor, minRate, maxRate } = this.#settings;
    const observed = measuredRate === undefined ? this.#rate : Math.min(this.#rate, measuredRate);
    this.#ceiling = Math.max(observed, minRate);
    this.#plateauAfter = Math.cbrt((this.#ceiling * (1 - decreaseFactor)) / this.#scale);
    this.#grown = 0;
    this.#lastDecreaseAt = now;
    this.#acceptedSinceDecrease = false;
    this.#rate = clamp(this.#ceiling * decreaseFactor, minRate, maxRate);
    return "throttled";
  }

  /**
   * Records that SMH accepted (did not throttle) a request sent at `sentAt`.
   * @returns `resumed` when this ends a blackout, else undefined.
   */
  accepted(sentAt: number): RateChangeReason | undefined {
    if (sentAt >= this.#lastDecreaseAt) this.#acceptedSinceDecrease = true;
    if (this.#blackoutSince !== undefined && sentAt >= this.#blackoutSince) {
      this.#blackoutSince = undefined;
      return "resumed";
    }
    return undefined;
  }

  /**
   * Moves the whole curve by `delta` requests/s (clamped to the rate's bounds): the rate changes by
   * that much now, and the climb goes on from there with the same shape — how the other containers
   * on the library hand over or take back part of its limit (see `fleet.ts`).
   * @returns `reason` when the rate changed, else undefined.
   */
  shift(delta: number, reason: "balanced" | "joined"): RateChangeReason | undefined {
    const { minRate, maxRate } = this.#settings;
    const previous = this.#rate;
    this.#rate = clamp(this.#rate + delta, minRate, maxRate);
    const applied = this.#rate - previous;
    if (applied === 0) return undefined;
    this.#ceiling += applied;
    if (this.#ceiling < minRate) {
      // Far up the convex part, a large decrease would put the curve's origin below the minimum
      // (and the rate would stall there): restart the curve at its plateau, at the new rate.
      this.#ceiling = this.#rate;
      this.#grown = this.#plateauAfter;
    }
    return reason;
  }

  /**
   * Divides the climb among `members` containers sending to the library (1: alone): each climbs
   * with C / members, so that together they probe the library's limit as fast as one container
   * alone would, not `members` times faster. The rate and the ceiling stay where they are; the
   * curve is re-timed to go on from the same point with the new C.
   */
  shareClimb(members: number): void {
    const scale = this.#settings.increaseScale / Math.max(1, members);
    if (scale === this.#scale) return;
    const decreased = this.#lastDecreaseAt > Number.NEGATIVE_INFINITY;
    const offset = Math.cbrt((this.#rate - this.#ceiling) / scale);
    this.#plateauAfter = decreased
      ? Math.cbrt((this.#ceiling * (1 - this.#settings.decreaseFactor)) / scale)
      : 0;
    this.#grown = this.#plateauAfter + offset;
    this.#scale = scale;
  }

  /**
   * Advances the recovery curve by `seconds` of time during which demand was at the limit.
   * @returns `recovered` when the rate changed, else undefined.
   */
  grow(seconds: number): RateChangeReason | undefined {
    if (!(seconds > 0) || this.#blackoutSince !== undefined) return undefined;
    // Until SMH accepts something sent at the new rate, time does not show the rate is fine.
    if (this.#lastDecreaseAt > Number.NEGATIVE_INFINITY && !this.#acceptedSinceDecrease) {
      return undefined;
    }
    this.#grown += seconds;
    const { minRate, maxRate } = this.#settings;
    const next = this.#ceiling + this.#scale * (this.#grown - this.#plateauAfter) ** 3;
    const previous = this.#rate;
    this.#rate = clamp(next, minRate, maxRate);
    return this.#rate === previous ? undefined : "recovered";
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
