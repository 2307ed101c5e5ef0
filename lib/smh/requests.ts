import { isValidId } from "./config.ts";
import { SmhInvalidRequestError } from "./errors/invalid-request-error.ts";
import { encodePath, type PathUse } from "./paths.ts";

/** SMH's documented maximum of items in one batch request (400 `TooManyItems` above it). */
export const MAX_BATCH_ITEMS = 1000;

/** A request the client refuses before sending it. */
export function invalidRequest(
  operation: string,
  libraryId: string,
  code: string,
  summary: string,
): SmhInvalidRequestError {
  return new SmhInvalidRequestError({ operation, libraryId, code, attempts: 0 }, summary);
}

/** Checks a space ID (`-` for single-tenant) before it goes into a URL. */
export function checkSpaceId(spaceId: string, operation: string, libraryId: string): string {
  if (!isValidId(spaceId)) {
    throw invalidRequest(operation, libraryId, "SpaceIdInvalid", "the space ID is not valid");
  }
  return spaceId;
}

/** Checks a page size against `1…max`; `undefined` gives `fallback`. */
export function checkPageSize(
  value: number | undefined,
  max: number,
  fallback: number,
  operation: string,
  libraryId: string,
): number {
  const size = value ?? fallback;
  if (!(Number.isInteger(size) && size >= 1 && size <= max)) {
    throw invalidRequest(operation, libraryId, "ParamInvalid", `the page size must be 1 to ${max}`);
  }
  return size;
}

/** Checks the item count of a batch: at least one, at most {@link MAX_BATCH_ITEMS}. */
export function checkBatchSize(count: number, operation: string, libraryId: string): void {
  if (count === 0) {
    throw invalidRequest(operation, libraryId, "NoItemsProvided", "the batch is empty");
  }
  if (count > MAX_BATCH_ITEMS) {
    throw invalidRequest(
      operation,
      libraryId,
      "TooManyItems",
      `a batch takes at most ${MAX_BATCH_ITEMS} items, got ${count}`,
    );
  }
}

/** Checks a recycled item ID (a non-negative integer). */
export function checkRecycledItemId(id: number, operation: string, libraryId: string): number {
  if (!(Number.isSafeInteger(id) && id >= 0)) {
    throw invalidRequest(operation, libraryId, "ParamInvalid", "the recycled item ID is not valid");
  }
  return id;
}

/** The distinct IDs of a batch of recycled items: 1 to {@link MAX_BATCH_ITEMS}, each one valid. */
export function checkRecycledItemIds(
  ids: readonly number[],
  operation: string,
  libraryId: string,
): number[] {
  const unique = [...new Set(ids)];
  checkBatchSize(unique.length, operation, libraryId);
  for (const id of unique) checkRecycledItemId(id, operation, libraryId);
  return unique;
}

/** `/api/v1/{area}/{LibraryId}/{SpaceId}`, each ID URL-encoded. */
export function spacePath(area: string, libraryId: string, spaceId: string): string {
  return `/api/v1/${area}/${encodeURIComponent(libraryId)}/${encodeURIComponent(spaceId)}`;
}

/** `/api/v1/recycled/{LibraryId}/{SpaceId}/{RecycledItemId}`: one item of the recycle bin. */
export function recycledItemPath(libraryId: string, spaceId: string, id: number): string {
  return `${spacePath("recycled", libraryId, spaceId)}/${id}`;
}

/**
 * `/api/v1/directory/{LibraryId}/{SpaceId}/{DirPath}` with each path segment URL-encoded; an
 * empty `path` names the space root (for listing only: {@link normalizePath} refuses the root).
 */
export function directoryPath(
  libraryId: string,
  spaceId: string,
  path: string,
  use: PathUse,
): string {
  return `${spacePath("directory", libraryId, spaceId)}/${path === "" ? "" : encodePath(path, use)}`;
}
