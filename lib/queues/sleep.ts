import { setTimeout as delay } from "node:timers/promises";

/** Resolves after `ms`; rejects with an AbortError as soon as `signal` fires. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : undefined);
}
