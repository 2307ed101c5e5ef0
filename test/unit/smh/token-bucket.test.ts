import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TokenBucket } from "../../../lib/smh/limiter/token-bucket.ts";

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function track(promise: Promise<boolean>) {
  const state = {
    settled: false,
    waited: undefined as boolean | undefined,
    error: undefined as unknown,
  };
  promise.then(
    (waited) => {
      state.settled = true;
      state.waited = waited;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

describe("TokenBucket", () => {
  it("opens with one token, not a burst, then paces at the rate", async () => {
    const bucket = new TokenBucket(10, 5, Date.now);
    const first = track(bucket.take());
    const second = track(bucket.take());
    await vi.advanceTimersByTimeAsync(0);
    expect(first).toMatchObject({ settled: true, waited: false });
    expect(second.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(99);
    expect(second.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(second).toMatchObject({ settled: true, waited: true });
  });

  it("saves up to the burst while idle", async () => {
    const bucket = new TokenBucket(10, 3, Date.now);
    await vi.advanceTimersByTimeAsync(10_000);
    const takes = Array.from({ length: 4 }, () => track(bucket.take()));
    await vi.advanceTimersByTimeAsync(0);
    expect(takes.map((take) => take.settled)).toEqual([true, true, true, false]);
  });

  it("serves waiters in arrival order", async () => {
    const bucket = new TokenBucket(100, 1, Date.now);
    bucket.drain();
    const order: number[] = [];
    const takes = [1, 2, 3].map((n) => bucket.take().then(() => order.push(n)));
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(takes);
    expect(order).toEqual([1, 2, 3]);
  });

  it("lets an aborted waiter leave the line at once", async () => {
    const bucket = new TokenBucket(10, 1, Date.now);
    bucket.drain();
    const controller = new AbortController();
    const aborted = track(bucket.take(controller.signal));
    const next = track(bucket.take());
    controller.abort(new Error("caller gave up"));
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted.error).toEqual(new Error("caller gave up"));
    expect(bucket.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(next).toMatchObject({ settled: true, waited: true });
  });

  it("reschedules waiters when the rate changes", async () => {
    const bucket = new TokenBucket(1, 1, Date.now);
    bucket.drain();
    const waiter = track(bucket.take());
    await vi.advanceTimersByTimeAsync(10);
    expect(waiter.settled).toBe(false);
    // At 1/s the token is 990 ms away; at 100/s it is 10 ms away.
    bucket.setRate(100);
    await vi.advanceTimersByTimeAsync(10);
    expect(waiter.settled).toBe(true);
  });

  it("throws away saved tokens on drain, so no burst follows a throttle", async () => {
    const bucket = new TokenBucket(10, 5, Date.now);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(bucket.available).toBe(5);
    bucket.drain();
    expect(bucket.available).toBe(0);
  });
});
