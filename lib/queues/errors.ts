/** Why one entry of a batch call did not succeed. */
export interface BatchEntryFailure {
  /** The caller's id for the entry. */
  id: string;
  /** The SQS error code (`InvalidMessageContents`, `InternalError`, …) or a local one (`MessageTooLong`). */
  code: string;
  message: string;
  /** True when the request itself was wrong: sending it again cannot succeed. */
  senderFault: boolean;
  /** Requests that carried this entry (0 when it was refused before any request). */
  attempts: number;
}

/** Code, message and fault of an error thrown by an SDK call, for reporting per entry. */
export function describeCallError(error: unknown): {
  code: string;
  message: string;
  senderFault: boolean;
} {
  if (error instanceof Error) {
    const fault = (error as { $fault?: unknown }).$fault;
    return { code: error.name, message: error.message, senderFault: fault === "client" };
  }
  return { code: "UnknownError", message: String(error), senderFault: false };
}

/** Error names SQS-compatible endpoints use for "this queue does not exist". */
const MISSING_QUEUE_ERRORS = new Set([
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "NonExistentQueue",
]);

/** True when an SDK error says the queue does not exist. */
export function isQueueMissing(error: unknown): boolean {
  return error instanceof Error && MISSING_QUEUE_ERRORS.has(error.name);
}
