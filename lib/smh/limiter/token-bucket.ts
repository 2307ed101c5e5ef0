/**
 * A token bucket (rclone's `--tpslimit`): `rate` tokens a second, at most `burst` saved up. Callers
 * wait in FIFO order; a waiter whose signal aborts leaves the queue at once. The rate can change
 * while callers wait (the adaptive limiter lowers it on a 429) and the next wake-up is recomputed.
 */
export class TokenBucket {
  readonly #now: () => number;
  readonly #burst: number;
  #rate: number;
  #tokens: number;
  #refilledAt: number;
  readonly #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param rate - tokens per second (> 0).
   * @param burst - the most tokens that can be saved up (≥ 1). The bucket starts with one token, so
   *   a fresh client paces its first requests instead of opening with a burst.
   * @param now - a monotonic clock in milliseconds.
   */
  constructor(rate: number, burst: number, now: () => number) {
    this.#now = now;
    this.#rate = rate;
    this.#burst = Math.max(1, burst);
    this.#tokens = 1;
    this.#refilledAt = now();
  }

  /** Callers currently waiting for a token. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Tokens available right now (fractional). */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Changes the refill rate; tokens already earned are kept. */
  setRate(rate: number): void {
    this.#refill();
    this.#rate = rate;
    this.#reschedule();
  }

  /** Throws away saved-up tokens, so no burst follows a throttle. */
  drain(): void {
    this.#refill();
    this.#tokens = Math.min(this.#tokens, 0);
  }

  /**
   * Takes one token, waiting in line when none is available.
   * @returns true when the caller had to wait (the bucket was the bottleneck).
   * @throws the signal's reason when `signal` aborts first.
   */
  take(signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    this.#refill();
    if (this.#waiters.length === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve, reject) => {
      const waiter: Waiter = { resolve: () => resolve(true), reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#waiters.indexOf(waiter);
          if (index !== -1) this.#waiters.splice(index, 1);
          reject(signal.reason);
          this.#reschedule();
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#reschedule();
    });
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000);
    this.#refilledAt = now;
  }

  #reschedule(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#pump();
  }

  #pump(): void {
    this.#timer = undefined;
    this.#refill();
    while (this.#waiters.length > 0 && this.#tokens >= 1) {
      const waiter = this.#waiters.shift() as Waiter;
      this.#tokens -= 1;
      if (waiter.signal && waiter.onAbort)
        waiter.signal.removeEventListener("abort", waiter.onAbort);
      waiter.resolve();
    }
    if (this.#waiters.length === 0) return;
    const waitMs = Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.#rate));
    this.#timer = setTimeout(() => this.#pump(), waitMs);
  }
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}
