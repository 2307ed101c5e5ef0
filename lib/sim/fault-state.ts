import type { Faults, FaultsPatch } from "./faults.ts";
import type { Random } from "./random.ts";
import { TokenBucket } from "./rate-limiter.ts";
import { DEFAULT_FAULT_ROUTES, type RouteName } from "./route-names.ts";

/**
 * The live fault state of one library: its {@link Faults}, its own seeded random stream (so one
 * library's traffic does not shift another's draws), its rate-limit bucket and the start of its
 * periodic token invalidation.
 */
export class FaultState {
  #faults: Faults;
  #routes: ReadonlySet<RouteName>;
  #bucket: TokenBucket | null = null;
  readonly random: Random;
  /** Simulated time from which `tokenInvalidationEveryMs` counts. */
  invalidationSince: number;
  /** Real (monotonic) time from which `throttleEveryMs` counts. */
  #throttleSince: number;

  constructor(faults: Faults, random: Random, now: number) {
    this.#faults = faults;
    this.#routes = new Set(faults.routes ?? DEFAULT_FAULT_ROUTES);
    this.random = random;
    this.invalidationSince = now;
    this.#throttleSince = performance.now();
    this.#bucket = this.#makeBucket();
  }

  get faults(): Faults {
    return this.#faults;
  }

  /** Applies a patch; a changed rate limit starts a full bucket, a changed invalidation period restarts it. */
  update(patch: FaultsPatch, now: number): Faults {
    const previous = this.#faults;
    this.#faults = { ...previous, ...patch };
    this.#routes = new Set(this.#faults.routes ?? DEFAULT_FAULT_ROUTES);
    if (
      previous.rateLimitPerSecond !== this.#faults.rateLimitPerSecond ||
      previous.rateLimitBurst !== this.#faults.rateLimitBurst
    ) {
      this.#bucket = this.#makeBucket();
    }
    if (previous.tokenInvalidationEveryMs !== this.#faults.tokenInvalidationEveryMs) {
      this.invalidationSince = now;
    }
    if (
      previous.throttleEveryMs !== this.#faults.throttleEveryMs ||
      previous.throttleForMs !== this.#faults.throttleForMs
    ) {
      this.#throttleSince = performance.now();
    }
    return this.#faults;
  }

  /** Whether the selectable faults (errors, resets, rate limit, …) apply to `route`. */
  selects(route: RouteName): boolean {
    return this.#routes.has(route);
  }

  /**
   * Whether a burst of 429s is on at `now` (real monotonic ms): null when not, else the
   * `Retry-After` seconds to advertise (`retryAfterSeconds`, or the rest of the burst rounded up,
   * at least 1).
   */
  throttled(now = performance.now()): number | null {
    const { throttleEveryMs: every, throttleForMs: length } = this.#faults;
    if (every <= 0 || length <= 0) return null;
    const into = Math.max(0, now - this.#throttleSince) % every;
    if (length < every && into >= length) return null;
    return this.#retryAfter(Math.min(length, every) - into);
  }

  /** Takes a rate-limit token: null when admitted, else the `Retry-After` seconds to advertise. */
  admit(): number | null {
    if (this.#bucket === null) return null;
    const waitMs = this.#bucket.take();
    return waitMs === 0 ? null : this.#retryAfter(waitMs);
  }

  /** `Retry-After` seconds for a wait of `waitMs`: `retryAfterSeconds`, else rounded up, at least 1. */
  #retryAfter(waitMs: number): number {
    const { retryAfterSeconds } = this.#faults;
    return retryAfterSeconds > 0 ? retryAfterSeconds : Math.max(1, Math.ceil(waitMs / 1000));
  }

  /** The latency of one request with `items` batch items (see the model in faults.ts). */
  latencyMs(items: number): number {
    const { latencyMs, jitterMs, perItemLatencyMs } = this.#faults;
    const jitter = jitterMs > 0 ? this.random.next() * jitterMs : 0;
    return latencyMs + jitter + perItemLatencyMs * items;
  }

  #makeBucket(): TokenBucket | null {
    const { rateLimitPerSecond, rateLimitBurst } = this.#faults;
    if (rateLimitPerSecond <= 0) return null;
    return new TokenBucket(
      rateLimitPerSecond,
      rateLimitBurst > 0 ? rateLimitBurst : rateLimitPerSecond,
    );
  }
}
