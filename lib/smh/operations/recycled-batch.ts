import type { Caller } from "../caller.ts";
import type { Grant } from "../grants.ts";
import { checkRecycledItemIds, spacePath } from "../requests.ts";
import { RetryRule } from "../retry-policy.ts";
import type { CallOptions, SpaceRef } from "../types.ts";
import { type ChangeExchange, resolveSpace, sendChange } from "./exchange.ts";

/** A batch call on recycle-bin items of one space. */
export interface RecycledItemsRequest extends SpaceRef {
  /** Up to 1,000 recycled item IDs. */
  readonly recycledItemIds: readonly number[];
}

/**
 * Sends a batch call on recycle-bin items (purge, restore):
 * `POST /api/v1/recycled/{LibraryId}/{SpaceId}?<flag>&<query>` with the checked IDs as the body.
 * Retried only on 429, 408 or a refused connection: after any other failure SMH may have acted on
 * some items. Returns the IDs sent with SMH's answer.
 */
export async function sendRecycledItemsChange(
  caller: Caller,
  operation: string,
  request: RecycledItemsRequest,
  change: {
    readonly flag: "delete" | "restore";
    readonly query?: Record<string, string>;
    readonly grant: Grant;
  },
  options: CallOptions | undefined,
): Promise<ChangeExchange & { readonly ids: number[] }> {
  const { library, spaceId } = resolveSpace(caller, request, operation);
  const ids = checkRecycledItemIds(request.recycledItemIds, operation, library.libraryId);
  const exchange = await sendChange(
    caller,
    {
      operation,
      library,
      method: "POST",
      path: spacePath("recycled", library.libraryId, spaceId),
      flags: [change.flag],
      query: change.query,
      json: ids,
      spaceId,
      grants: [change.grant],
      retry: RetryRule.onlyUnprocessed,
    },
    options,
  );
  return { ...exchange, ids };
}
