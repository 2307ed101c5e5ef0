import * as z from "zod";
import { createSmhError } from "./errors/classify.ts";
import type { SmhError, TaskId } from "./errors/smh-error.ts";
import { redactText } from "./redact.ts";
import { type AnswerContext, type BatchItem, BatchItemSchema, parseAnswer } from "./responses.ts";

/** What happened to one directory of a delete (single, batch, or asynchronous task). */
export type DeleteOutcome =
  /** Moved to the recycle bin; restore or purge it with `recycledItemId`. */
  | { readonly outcome: "recycled"; readonly recycledItemId: number }
  /** Gone for good: a permanent delete, or the library has no recycle bin (HTTP 204). */
  | { readonly outcome: "deleted" }
  /** SMH refused this item; `error` says why (a not-found, a permission error, …). */
  | { readonly outcome: "failed"; readonly error: SmhError }
  /** SMH's answer has no entry for this path: look it up before trying again. */
  | { readonly outcome: "unknown" };

/** The per-item list of a batch or task answer. */
export function parseItems(result: unknown, context: AnswerContext): BatchItem[] {
  return parseAnswer(z.array(BatchItemSchema), result, context);
}

/**
 * Maps per-item results back to the requested paths by `path` (SMH returns it as segments), not by
 * position: SMH does not promise to keep the order.
 */
export function deleteOutcomes(
  paths: readonly string[],
  items: readonly BatchItem[],
  context: AnswerContext & { readonly taskId?: TaskId | undefined },
): Map<string, DeleteOutcome> {
  const byPath = new Map<string, BatchItem>();
  for (const item of items) if (item.path) byPath.set(item.path.join("/"), item);
  const outcomes = new Map<string, DeleteOutcome>();
  for (const path of paths) {
    const item = byPath.get(path);
    outcomes.set(path, item ? deleteOutcome(item, context) : { outcome: "unknown" });
  }
  return outcomes;
}

/** One item's outcome: 200 with an ID is recycled, 200 without one or 204 is deleted. */
export function deleteOutcome(
  item: BatchItem,
  context: AnswerContext & { readonly taskId?: TaskId | undefined },
): Exclude<DeleteOutcome, { readonly outcome: "unknown" }> {
  if (item.status === 200 && item.recycledItemId !== undefined) {
    return { outcome: "recycled", recycledItemId: item.recycledItemId };
  }
  if (item.status === 200 || item.status === 204) return { outcome: "deleted" };
  return { outcome: "failed", error: itemError(item, context) };
}

/** The {@link SmhError} for a failed item of a batch answer. */
export function itemError(
  item: BatchItem,
  context: AnswerContext & { readonly taskId?: TaskId | undefined },
): SmhError {
  return createSmhError({
    operation: context.operation,
    libraryId: context.libraryId,
    status: item.status,
    code: item.code,
    serverMessage:
      item.message === undefined ? undefined : redactText(item.message, context.secrets),
    requestId: context.requestId,
    attempts: context.attempts,
    taskId: context.taskId,
  });
}
