/**
 * Counts events per second over a one-second sliding window of ten 100 ms buckets: requests sent,
 * and requests SMH accepted (answered with anything but 429). On a throttle, the accepted rate of
 * the last second is the best estimate of what SMH lets through.
 */
const BUCKET_MS = 100;
const BUCKETS = 10;

export class RateMeter {
  readonly #counts = new Array<number>(BUCKETS).fill(0);
  #bucket = Number.NEGATIVE_INFINITY;
  #firstAt: number | undefined;

  /** Counts one event at `now` (milliseconds). */
  record(now: number): void {
    this.#advance(now);
    this.#firstAt ??= now;
    const index = slot(this.#bucket);
    this.#counts[index] = (this.#counts[index] ?? 0) + 1;
  }

  /**
   * Events per second over the last second, or undefined until a full second has been observed
   * (a rate estimated from the first few milliseconds of a run is noise).
   */
  rate(now: number): number | undefined {
    this.#advance(now);
    if (this.#firstAt === undefined || now - this.#firstAt < BUCKET_MS * BUCKETS) return undefined;
    const total = this.#counts.reduce((sum, count) => sum + count, 0);
    return (total * 1000) / (BUCKET_MS * BUCKETS);
  }

  #advance(now: number): void {
    const bucket = Math.floor(now / BUCKET_MS);
    if (bucket <= this.#bucket) return;
    if (bucket - this.#bucket >= BUCKETS) this.#counts.fill(0);
    else for (let stale = this.#bucket + 1; stale <= bucket; stale++) this.#counts[slot(stale)] = 0;
    this.#bucket = bucket;
  }
}

function slot(bucket: number): number {
  return ((bucket % BUCKETS) + BUCKETS) % BUCKETS;
}
