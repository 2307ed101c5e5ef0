/**
 * What Lambda does with the records of an SQS batch once the function returned:
 * `success` deletes them all, `partial` deletes all but `failed`, `invalid` deletes none.
 */
export type BatchVerdict =
  | { kind: "success" }
  | { kind: "partial"; failed: string[] }
  | { kind: "invalid"; reason: string };

/**
 * Reads a handler's return value the way Lambda's SQS event source does.
 *
 * Without ReportBatchItemFailures the value is ignored: returning means success. With it, an
 * absent response, an absent or null `batchItemFailures` or an empty list mean success; a list of
 * `{ itemIdentifier }` naming messages of the batch means only those failed. Anything else — a
 * response that is not an object, a list that is not a list, an item without a string
 * `itemIdentifier`, an empty identifier, or one that names no message of the batch — fails the
 * whole batch, as Lambda does.
 */
export function interpretBatchResponse(
  response: unknown,
  messageIds: readonly string[],
  reportBatchItemFailures: boolean,
): BatchVerdict {
  if (!reportBatchItemFailures || response === undefined || response === null) {
    return { kind: "success" };
  }
  if (typeof response !== "object" || Array.isArray(response)) {
    return { kind: "invalid", reason: "the response is not an object" };
  }
  const failures: unknown = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: "success" };
  if (!Array.isArray(failures)) {
    return { kind: "invalid", reason: "batchItemFailures is not a list" };
  }
  const inBatch = new Set(messageIds);
  const failed = new Set<string>();
  for (const item of failures) {
    const identifier: unknown =
      typeof item === "object" && item !== null
        ? (item as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof identifier !== "string") {
      return { kind: "invalid", reason: "a batch item failure has no string itemIdentifier" };
    }
    if (identifier === "") {
      return { kind: "invalid", reason: "a batch item failure has an empty itemIdentifier" };
    }
    if (!inBatch.has(identifier)) {
      return {
        kind: "invalid",
        reason: `itemIdentifier "${identifier}" is not the messageId of a record in the batch`,
      };
    }
    failed.add(identifier);
  }
  return failed.size === 0 ? { kind: "success" } : { kind: "partial", failed: [...failed] };
}
