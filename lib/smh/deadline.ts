/**
 * Time budgets. A call's deadline is an epoch-millisecond instant (e.g. `Date.now()` plus the
 * Lambda's remaining time); everything the call does must end by then.
 */

/**
 * Waits `ms` milliseconds; rejects with the signal's reason if `signal` aborts first.
 *
 * @example await sleep(250, signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Waits for `promise`, but no longer than `remainingMs` and not past an abort of `signal`. On
 * timeout rejects with `onTimeout()`; `promise` keeps running (it may be shared with others).
 *
 * @example
 * const token = await withinBudget(sharedMint, 5_000, signal, () => new Error("too slow"));
 */
export function withinBudget<T>(
  promise: Promise<T>,
  remainingMs: number,
  signal: AbortSignal | undefined,
  onTimeout: () => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    if (remainingMs <= 0) {
      reject(onTimeout());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      reject(onTimeout());
    }, remainingMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
