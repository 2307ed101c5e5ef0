import { SmhRetryableError } from "./retryable-error.ts";
import type { SmhErrorDetails } from "./smh-error.ts";

/**
 * Thrown when the call's deadline passed (the caller's budget, e.g. the Lambda's remaining time)
 * or its last attempt timed out. `mayHaveApplied` says whether an attempt was in flight when time
 * ran out; `taskId` is set when an asynchronous SMH task was still running at the deadline, so the
 * caller can resume waiting for it later instead of starting over.
 */
export class SmhTimeoutError extends SmhRetryableError {
  override readonly name: string = "SmhTimeoutError";

  constructor(details: SmhErrorDetails, summary = "the deadline passed") {
    super(details, summary);
  }
}
