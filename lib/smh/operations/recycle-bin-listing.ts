import type { Caller } from "../caller.ts";
import { READ_ONLY } from "../grants.ts";
import { pages } from "../pagination.ts";
import { normalizePath, samePath } from "../paths.ts";
import { checkPageSize, spacePath } from "../requests.ts";
import { RecycleBinPageSchema, readAnswer } from "../responses.ts";
import type { CallMeta, CallOptions, SpaceRef } from "../types.ts";
import { resolveSpace, sendRead } from "./exchange.ts";
/** One item of the recycle bin. */
export interface RecycledItem {
  readonly recycledItemId: number;
  /** Where it was before deletion, relative to the space root. */
  readonly originalPath: string;
  /** The same, as SMH's segments. */
  readonly originalSegments: readonly string[];
  readonly name: string | undefined;
  /** `dir` (a directory or album), `file`, `image`, `video`. */
  readonly type: string | undefined;
  /** ISO-8601: when it was deleted. */
  readonly removalTime: string | undefined;
  /** Whole days before SMH purges it on its own. */
  readonly remainingTime: number | undefined;
}

export interface ListRecycleBinRequest extends SpaceRef {
  /** By removal time: `desc` (newest first) or `asc`. @default "desc" */
  readonly orderByType?: "asc" | "desc" | undefined;
  /** Items per page, 1 to 100 (`limit`). @default 100 */
  readonly pageSize?: number | undefined;
}

/** One page of the recycle bin. */
export interface RecycleBinPage extends CallMeta {
  readonly items: readonly RecycledItem[];
  readonly nextMarker: string | undefined;
}

/**
 * Lists the recycle bin page by page, ordered by removal time:
 * `GET /api/v1/recycled/{LibraryId}/{SpaceId}?order_by=removalTime&order_by_type=desc&limit=100`.
 *
 * @example
 * for await (const page of client.listRecycleBin({ libraryId, spaceId: "-" })) console.log(page.items.length);
 */
export async function* listRecycleBin(
  caller: Caller,
  request: ListRecycleBinRequest,
  options?: CallOptions,
): AsyncGenerator<RecycleBinPage, void, undefined> {
  const operation = "listRecycleBin";
  const { library, spaceId } = resolveSpace(caller, request, operation);
  const limit = checkPageSize(request.pageSize, 100, 100, operation, library.libraryId);
  yield* pages(undefined, async (marker) => {
    const { answer, context, meta } = await sendRead(
      caller,
      {
        operation,
        library,
        method: "GET",
        path: spacePath("recycled", library.libraryId, spaceId),
        query: {
          order_by: "removalTime",
          order_by_type: request.orderByType ?? "desc",
          limit: String(limit),
          marker,
        },
        spaceId,
        grants: READ_ONLY,
      },
      options,
    );
    const body = readAnswer(RecycleBinPageSchema, answer, context);
    const items = body.contents.map((item) => ({
      recycledItemId: item.recycledItemId,
      originalPath: item.originalPath.join("/"),
      originalSegments: item.originalPath,
      name: item.name,
      type: item.type,
      removalTime: item.removalTime,
      remainingTime: item.remainingTime,
    }));
    return { page: { items, nextMarker: body.nextMarker, ...meta }, context };
  });
}

export interface FindRecycledItemRequest extends SpaceRef {
  /** The original path of the deleted directory. */
  readonly path: string;
  /** Only items of this type (`dir`, `file`, …), or `any`. @default "dir" */
  readonly type?: string | undefined;
  /** Only items removed at or after this instant (epoch ms). */
  readonly removedAfter?: number | undefined;
  /** Only items removed at or before this instant (epoch ms). */
  readonly removedBefore?: number | undefined;
  /** Stop after this many pages of 100. @default 20 */
  readonly maxPages?: number | undefined;
}

export interface FindRecycledItemResult extends CallMeta {
  /** The most recently removed match, if any. */
  readonly item: RecycledItem | undefined;
  readonly pagesScanned: number;
}

/**
 * Finds a deleted directory in the recycle bin by its original path (and removal time window),
 * newest first. This recovers the `recycledItemId` of a delete whose answer was lost: the function
 * died after SMH's 200, or a retry of the same call got 404 (`mayHaveApplied`).
 *
 * Pages are read newest first and reading stops at the first page that is entirely older than
 * `removedAfter`, or after `maxPages`. `attempts` counts the HTTP attempts of every page read;
 * `requestId` is the last page's.
 *
 * @example
 * const { item } = await client.findRecycledItem({ libraryId, spaceId: "-", path: "events/2019", removedAfter: startedAt - 60_000 });
 */
export async function findRecycledItem(
  caller: Caller,
  request: FindRecycledItemRequest,
  options?: CallOptions,
): Promise<FindRecycledItemResult> {
  const path = normalizePath(request.path, "read");
  const type = request.type ?? "dir";
  const maxPages = request.maxPages ?? 20;
  const after = request.removedAfter ?? Number.NEGATIVE_INFINITY;
  const before = request.removedBefore ?? Number.POSITIVE_INFINITY;
  let pagesScanned = 0;
  let attempts = 0;
  let requestId: string | undefined;
  const pages = listRecycleBin(
    caller,
    { libraryId: request.libraryId, spaceId: request.spaceId, orderByType: "desc" },
    options,
  );
  for await (const page of pages) {
    pagesScanned++;
    attempts += page.attempts;
    requestId = page.requestId;
    let best: RecycledItem | undefined;
    let allOlder = page.items.length > 0;
    for (const item of page.items) {
      const removedAt = item.removalTime === undefined ? Number.NaN : Date.parse(item.removalTime);
      if (!(removedAt < after)) allOlder = false;
      if (!samePath(item.originalSegments, path)) continue;
      if (type !== "any" && item.type !== type) continue;
      if (!Number.isNaN(removedAt) && (removedAt < after || removedAt > before)) continue;
      if (!best || removalOf(item) > removalOf(best)) best = item;
    }
    if (best) return { item: best, pagesScanned, requestId, attempts };
    if (allOlder || pagesScanned >= maxPages) break;
  }
  return { item: undefined, pagesScanned, requestId, attempts };
}

function removalOf(item: RecycledItem): number {
  const time = item.removalTime === undefined ? Number.NaN : Date.parse(item.removalTime);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}
