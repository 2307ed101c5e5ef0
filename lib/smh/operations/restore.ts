import { itemError } from "../batch-results.ts";
import type { Caller } from "../caller.ts";
import type { SmhError, TaskId } from "../errors/smh-error.ts";
import { Grant } from "../grants.ts";
import { checkRecycledItemId, recycledItemPath } from "../requests.ts";
import { RestoredSchema, readAnswer } from "../responses.ts";
import { RetryRule } from "../retry-policy.ts";
import type { CallMeta, CallOptions, SpaceRef } from "../types.ts";
import { settleBatch } from "./batch-answers.ts";
import { resolveSpace, sendChange } from "./exchange.ts";
import { type RecycledItemsRequest, sendRecycledItemsChange } from "./recycled-batch.ts";
/** How a restore resolves a name conflict at the destination. */
export type ConflictResolution = "ask" | "rename" | "overwrite";
/** Where a restore puts an item whose original parent is gone. */
export type RestorePathStrategy = "originalPath" | "fallbackToRoot";

export interface RestoreRecycledItemRequest extends SpaceRef {
  readonly recycledItemId: number;
  /**
   * `ask`: a name conflict fails with 409 `SameNameDirectoryOrFileExists`; `rename`: SMH picks a
   * new name (`foo (1)`); `overwrite`: files only. Always sent, since SMH's documented default
   * differs between pages. @default "ask"
   */
  readonly conflictResolution?: ConflictResolution | undefined;
  /** `originalPath`: fail when the parent is gone; `fallbackToRoot`. @default "originalPath" */
  readonly restorePath?: RestorePathStrategy | undefined;
}

export interface RestoreRecycledItemResult extends CallMeta {
  /** Where the item is now (shows a rename), when SMH said so. */
  readonly path: string | undefined;
}

/**
 * Restores one item: `POST /api/v1/recycled/{LibraryId}/{SpaceId}/{id}?restore&conflict_resolution_strategy=…&restore_path_strategy=…`.
 * Needs `restore_recycled`. Retried only where SMH cannot have processed it (429, 408, refused
 * connection): a restore still running when its attempt timed out must not be raced by a second.
 *
 * @example
 * const { path } = await client.restoreRecycledItem({ libraryId, spaceId: "-", recycledItemId: 123, conflictResolution: "rename" });
 */
export async function restoreRecycledItem(
  caller: Caller,
  request: RestoreRecycledItemRequest,
  options?: CallOptions,
): Promise<RestoreRecycledItemResult> {
  const operation = "restoreRecycledItem";
  const { library, spaceId } = resolveSpace(caller, request, operation);
  const id = checkRecycledItemId(request.recycledItemId, operation, library.libraryId);
  const { answer, context, meta } = await sendChange(
    caller,
    {
      operation,
      library,
      method: "POST",
      path: recycledItemPath(library.libraryId, spaceId, id),
      flags: ["restore"],
      query: {
        conflict_resolution_strategy: request.conflictResolution ?? "ask",
        restore_path_strategy: request.restorePath ?? "originalPath",
      },
      spaceId,
      grants: [Grant.restoreRecycled],
      retry: RetryRule.onlyUnprocessed,
    },
    options,
  );
  if (answer.status === 204) return { path: undefined, ...meta };
  const body = readAnswer(RestoredSchema, answer, context);
  return { path: body.path.join("/"), ...meta };
}

export interface RestoreRecycledItemsRequest extends RecycledItemsRequest {
  /** @default "originalPath" */
  readonly restorePath?: RestorePathStrategy | undefined;
}

/** What happened to one item of a batch restore. */
export type RestoreItemOutcome =
  | {
      readonly recycledItemId: number;
      readonly outcome: "restored";
      readonly path: string | undefined;
    }
  | { readonly recycledItemId: number; readonly outcome: "failed"; readonly error: SmhError }
  | { readonly recycledItemId: number; readonly outcome: "unknown" };

export interface RestoreRecycledItemsResult extends CallMeta {
  /** One entry per requested ID, in request order. */
  readonly items: readonly RestoreItemOutcome[];
  /** Set when SMH ran the batch as an asynchronous task. */
  readonly taskId: TaskId | undefined;
}

/**
 * Restores up to 1,000 items: `POST /api/v1/recycled/{LibraryId}/{SpaceId}?restore&restore_path_strategy=…`
 * with the IDs as the body. 200/207 per-item results are mapped back by `recycledItemId`; 202
 * `{ taskId }` is polled until done or the deadline. SMH renames on a name conflict. Retried only
 * on 429, 408 or a refused connection (see {@link RetryRule}).
 *
 * @example
 * const { items } = await client.restoreRecycledItems({ libraryId, spaceId: "-", recycledItemIds: [1, 2, 3] });
 */
export async function restoreRecycledItems(
  caller: Caller,
  request: RestoreRecycledItemsRequest,
  options?: CallOptions,
): Promise<RestoreRecycledItemsResult> {
  const { answer, context, meta, wait, ids } = await sendRecycledItemsChange(
    caller,
    "restoreRecycledItems",
    request,
    {
      flag: "restore",
      query: { restore_path_strategy: request.restorePath ?? "originalPath" },
      grant: Grant.restoreRecycled,
    },
    options,
  );
  const settled = await settleBatch(caller, answer, context, wait);
  if (settled.items === undefined) {
    // Done without per-item detail: SMH reports nothing to map.
    const items = ids.map((recycledItemId) => ({ recycledItemId, outcome: "unknown" as const }));
    return { items, taskId: settled.taskId, ...meta };
  }
  const byId = new Map(
    settled.items.flatMap((item) =>
      item.recycledItemId === undefined ? [] : [[item.recycledItemId, item] as const],
    ),
  );
  const items = ids.map((recycledItemId): RestoreItemOutcome => {
    const item = byId.get(recycledItemId);
    if (!item) return { recycledItemId, outcome: "unknown" };
    if (item.status === 200 || item.status === 204) {
      return { recycledItemId, outcome: "restored", path: item.path?.join("/") };
    }
    return { recycledItemId, outcome: "failed", error: itemError(item, settled.context) };
  });
  return { items, taskId: settled.taskId, ...meta };
}
