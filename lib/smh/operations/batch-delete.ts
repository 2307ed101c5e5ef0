import { type DeleteOutcome, deleteOutcomes } from "../batch-results.ts";
import type { Caller } from "../caller.ts";
import type { TaskId } from "../errors/smh-error.ts";
import { type Grant, grantsForDelete } from "../grants.ts";
import { normalizePath } from "../paths.ts";
import { checkBatchSize, invalidRequest, spacePath } from "../requests.ts";
import { RetryRule } from "../retry-policy.ts";
import type { CallMeta, CallOptions, SpaceRef } from "../types.ts";
import { settleBatch } from "./batch-answers.ts";
import { resolveSpace, sendChange } from "./exchange.ts";

/** One directory of a batch delete. */
export interface BatchDeleteItem {
  /** Relative to the space root; never the root. */
  readonly path: string;
  /** Delete for good instead of moving to the recycle bin. @default false */
  readonly permanent?: boolean | undefined;
}

export interface BatchDeleteRequest extends SpaceRef {
  /** 1 to 1,000 directories. The same path twice is sent once and reported twice. */
  readonly items: readonly BatchDeleteItem[];
}

/** The outcome of one requested item; `path` is its canonical path (see `normalizePath`). */
export type BatchDeleteItemResult = {
  readonly path: string;
  readonly permanent: boolean;
} & DeleteOutcome;

export interface BatchDeleteResult extends CallMeta {
  /** One entry per requested item, in request order. */
  readonly items: readonly BatchDeleteItemResult[];
  /** Set when SMH ran the batch as an asynchronous task (202). */
  readonly taskId: TaskId | undefined;
}

/**
 * Deletes up to 1,000 directories in one request: `POST /api/v1/batch/{LibraryId}/{SpaceId}?delete`
 * with `[{ path, permanent? }]`. SMH answers 200/207 with per-item results, mapped back to the
 * requested paths by `path`, or 202 `{ taskId }` for a large batch, polled until done or the
 * deadline. Per item: `recycled` (with `recycledItemId`), `deleted`, `failed` (with an
 * {@link SmhError}: a not-found, a permission error, …), or `unknown` when SMH's answer does not
 * mention it.
 *
 * Retried only on 429, 408 or a refused connection. After a 5xx, a timeout or a dropped
 * connection, SMH may have deleted some items already, and a repeat would answer 404 for those and
 * lose their recycled item IDs; the error then carries `mayHaveApplied` so the caller can reconcile
 * (e.g. with `findRecycledItem`) before sending the rest again.
 *
 * Throws {@link InvalidPathError} (nothing is sent) when any path must never be sent.
 *
 * @example
 * const { items } = await client.batchDelete({ libraryId, spaceId: "-", items: [{ path: "a" }, { path: "b" }] });
 * for (const item of items) if (item.outcome === "recycled") save(item.path, item.recycledItemId);
 */
export async function batchDelete(
  caller: Caller,
  request: BatchDeleteRequest,
  options?: CallOptions,
): Promise<BatchDeleteResult> {
  const operation = "batchDelete";
  const { library, spaceId } = resolveSpace(caller, request, operation);
  const requested = request.items.map((item) => ({
    path: normalizePath(item.path),
    permanent: item.permanent ?? false,
  }));
  const unique = new Map<string, boolean>();
  for (const { path, permanent } of requested) {
    if (unique.has(path) && unique.get(path) !== permanent) {
      throw invalidRequest(
        operation,
        library.libraryId,
        "ParamInvalid",
        "the same path is requested both permanently and into the recycle bin",
      );
    }
    unique.set(path, permanent);
  }
  checkBatchSize(unique.size, operation, library.libraryId);
  const grants = new Set<Grant>();
  for (const permanent of unique.values()) {
    for (const grant of grantsForDelete(permanent)) grants.add(grant);
  }
  const { answer, context, meta, wait } = await sendChange(
    caller,
    {
      operation,
      library,
      method: "POST",
      path: spacePath("batch", library.libraryId, spaceId),
      flags: ["delete"],
      json: [...unique].map(([path, permanent]) =>
        permanent ? { path, permanent: true } : { path },
      ),
      spaceId,
      grants: [...grants],
      retry: RetryRule.onlyUnprocessed,
    },
    options,
  );
  const settled = await settleBatch(caller, answer, context, wait);
  const outcomes = deleteOutcomes([...unique.keys()], settled.items ?? [], settled.context);
  const items = requested.map(({ path, permanent }): BatchDeleteItemResult => {
    const outcome = outcomes.get(path) ?? { outcome: "unknown" };
    return { path, permanent, ...outcome };
  });
  return { items, taskId: settled.taskId, ...meta };
}
