import { SmhError, type SmhErrorDetails, SmhErrorKind } from "./smh-error.ts";

/**
 * Thrown when SMH could not do it now but may later: 429 `RateLimitExceeded`, a 5xx
 * (`InternalServerError`, `ServerOverloaded`, `RequestTimeout`), 408, 409 `PathConflict`,
 * `LibraryInitializing`. The client has already retried as far as the call's budget and the
 * endpoint's retry rule allow; `attempts` says how often. Carries `retryAfterMs` when SMH sent
 * `Retry-After`, and `mayHaveApplied` when an attempt may have taken effect.
 */
export class SmhRetryableError extends SmhError {
  override readonly name: string = "SmhRetryableError";
  readonly kind = SmhErrorKind.retryable;

  constructor(details: SmhErrorDetails, summary = "SMH could not handle the request now") {
    super(details, summary);
  }

  /** True for a 429: SMH is throttling this client. */
  get throttled(): boolean {
    return this.status === 429;
  }
}
