import { SmhRetryableError } from "./retryable-error.ts";
import type { SmhErrorDetails } from "./smh-error.ts";

/**
 * Thrown when an asynchronous SMH task (a large batch delete or restore, an unexpected 202 from a
 * directory delete) finished with status 500. Carries `taskId`. Some items may have been applied
 * (`mayHaveApplied` is always true): reconcile before running the batch again.
 */
export class SmhTaskFailedError extends SmhRetryableError {
  override readonly name: string = "SmhTaskFailedError";

  constructor(details: SmhErrorDetails) {
    super({ ...details, mayHaveApplied: true }, "the SMH task failed");
  }
}
