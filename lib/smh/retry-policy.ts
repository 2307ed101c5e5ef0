import { classifySmhError } from "./errors/classify.ts";
import { SmhErrorKind } from "./errors/smh-error.ts";

/**
 * Which failed attempts of an endpoint may be sent again. Retries happen in one layer only: ky's
 * retry loop inside {@link Transport}; nothing above it retries an HTTP request.
 */
export const RetryRule = {
  /**
   * Retry every retryable failure (429, 5xx, 408, 409 `PathConflict`, timeouts, network errors).
   * For reads, and for changes that a repeat cannot do twice: deleting a directory (a repeat
   * finds it gone: 404, reported with `mayHaveApplied`), purging one recycled item, minting a token.
   */
  always: "always",
  /**
   * Retry only failures that prove SMH did not process the request: 429 (rejected before
   * processing), 408 (SMH could not read the request), and a connection that was never opened.
   * For POST batches (batch delete, batch restore, batch purge) and single restores: after a 5xx, a
   * timeout or a dropped connection SMH may already have applied some or all of it, and a repeat
   * would lose the per-item results (recycled item IDs, restored paths) or race the first run.
   * Such failures are reported with `mayHaveApplied` for the caller to reconcile.
   */
  onlyUnprocessed: "onlyUnprocessed",
} as const;
export type RetryRule = (typeof RetryRule)[keyof typeof RetryRule];

/** Network failures that happen before a request reaches the server. */
const NEVER_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** True when an SMH error answer may be retried under `rule`. */
export function mayRetryStatus(rule: RetryRule, status: number, code: string | undefined): boolean {
  if (classifySmhError(status, code) !== SmhErrorKind.retryable) return false;
  return rule === RetryRule.always || status === 429 || status === 408;
}

/** True when an attempt that got no answer (timeout, network error) may be retried under `rule`. */
export function mayRetryWithoutAnswer(rule: RetryRule, networkCode: string | undefined): boolean {
  return rule === RetryRule.always || neverSent(networkCode);
}

/** True when a network error code proves the request never reached the server. */
export function neverSent(networkCode: string | undefined): boolean {
  return networkCode !== undefined && NEVER_SENT_CODES.has(networkCode);
}

/**
 * The system error code behind a fetch failure (`ECONNRESET`, `ECONNREFUSED`, …), found on the
 * error or its causes (undici wraps it as `TypeError: fetch failed` → `cause`).
 */
export function networkCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const nested = networkCodeOf(errors[0]);
      if (nested) return nested;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Parses `Retry-After` (delay seconds or an HTTP date) into milliseconds from `now`.
 *
 * @example
 * parseRetryAfter("2", Date.now()) // 2000
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
