import { SmhError } from "../errors.ts";

/** Batch APIs take at most this many items per request (400 TooManyItems above). */
export const MAX_BATCH_ITEMS = 1000;

/**
 * Checks the outer shape of a batch body: a JSON array of 1..1000 items.
 * @throws SmhError `400 ParamInvalid` (not an array), `NoItemsProvided` or `TooManyItems`.
 */
export function requireBatchArray(body: unknown): unknown[] {
  if (!Array.isArray(body))
    throw new SmhError("ParamInvalid", "Request body must be a JSON array.");
  if (body.length === 0) throw new SmhError("NoItemsProvided");
  if (body.length > MAX_BATCH_ITEMS) throw new SmhError("TooManyItems");
  return body;
}

/** A per-item failure entry of a batch result, from the error that stopped the item. */
export function failureEntry(
  error: unknown,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  if (!(error instanceof SmhError)) throw error;
  return { status: error.status, code: error.code, message: error.message, ...extra };
}

/** 200 when every item succeeded (2xx), else 207 Multi-Status. */
export function batchStatus(result: ReadonlyArray<{ status?: unknown }>): number {
  return result.every((entry) => typeof entry.status === "number" && entry.status < 300)
    ? 200
    : 207;
}
