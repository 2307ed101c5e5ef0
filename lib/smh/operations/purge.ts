import type { Caller } from "../caller.ts";
import type { TaskId } from "../errors/smh-error.ts";
import { Grant } from "../grants.ts";
import { checkRecycledItemId, recycledItemPath } from "../requests.ts";
import { unexpectedStatus } from "../responses.ts";
import { RetryRule } from "../retry-policy.ts";
import type { CallMeta, CallOptions, SpaceRef } from "../types.ts";
import { awaitTask } from "./batch-answers.ts";
import { resolveSpace, sendChange } from "./exchange.ts";
import { type RecycledItemsRequest, sendRecycledItemsChange } from "./recycled-batch.ts";
export interface PurgeRecycledItemRequest extends SpaceRef {
  readonly recycledItemId: number;
}

/**
 * Deletes one item from the recycle bin for good: `DELETE /api/v1/recycled/{LibraryId}/{SpaceId}/{id}`
 * (204). Needs `delete_recycled`. Retried like any idempotent call: a second purge finds nothing.
 * Throws {@link SmhNotFoundError} (`RecycledItemNotFound`) when it is already gone or expired.
 *
 * @example
 * await client.purgeRecycledItem({ libraryId, spaceId: "-", recycledItemId: 123 });
 */
export async function purgeRecycledItem(
  caller: Caller,
  request: PurgeRecycledItemRequest,
  options?: CallOptions,
): Promise<CallMeta> {
  const operation = "purgeRecycledItem";
  const { library, spaceId } = resolveSpace(caller, request, operation);
  const id = checkRecycledItemId(request.recycledItemId, operation, library.libraryId);
  const { answer, context, meta } = await sendChange(
    caller,
    {
      operation,
      library,
      method: "DELETE",
      path: recycledItemPath(library.libraryId, spaceId, id),
      spaceId,
      grants: [Grant.deleteRecycled],
      retry: RetryRule.always,
    },
    options,
  );
  if (answer.status !== 204 && answer.status !== 200) throw unexpectedStatus(context);
  return meta;
}

export type PurgeRecycledItemsRequest = RecycledItemsRequest;

export interface PurgeRecycledItemsResult extends CallMeta {
  readonly taskId: TaskId | undefined;
}

/**
 * Purges up to 1,000 items for good: `POST /api/v1/recycled/{LibraryId}/{SpaceId}?delete` with
 * the IDs as the body. SMH answers 204 (all purged) or 500 (failed, no per-item detail). Retried
 * only on 429, 408 or a refused connection: after a 500 some items may be gone (`mayHaveApplied`).
 *
 * @example
 * await client.purgeRecycledItems({ libraryId, spaceId: "-", recycledItemIds: [1, 2, 3] });
 */
export async function purgeRecycledItems(
  caller: Caller,
  request: PurgeRecycledItemsRequest,
  options?: CallOptions,
): Promise<PurgeRecycledItemsResult> {
  const { answer, context, meta, wait } = await sendRecycledItemsChange(
    caller,
    "purgeRecycledItems",
    request,
    { flag: "delete", grant: Grant.deleteRecycled },
    options,
  );
  if (answer.status === 204 || answer.status === 200) return { taskId: undefined, ...meta };
  if (answer.status !== 202) throw unexpectedStatus(context);
  // A large purge may run as a task; it has no per-item results to read.
  const { taskId } = await awaitTask(caller, answer, context, wait);
  return { taskId, ...meta };
}
