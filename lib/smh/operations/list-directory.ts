import type { Caller } from "../caller.ts";
import { READ_ONLY } from "../grants.ts";
import { pages } from "../pagination.ts";
import { isRootPath, normalizePath } from "../paths.ts";
import { checkPageSize, directoryPath } from "../requests.ts";
import { DirectoryPageSchema, readAnswer } from "../responses.ts";
import type { CallMeta, CallOptions, SpaceRef } from "../types.ts";
import { resolveSpace, sendRead } from "./exchange.ts";
export interface ListDirectoryRequest extends SpaceRef {
  /** The directory to list; empty or `/` lists the space root. @default "" */
  readonly path?: string | undefined;
  /** `onlyDir` (directories and albums), `onlyFile`, or `all`. @default "onlyDir" */
  readonly filter?: "onlyDir" | "onlyFile" | "all" | undefined;
  /** Sort field (`order_by`). @default SMH's order */
  readonly orderBy?:
    | "name"
    | "modificationTime"
    | "size"
    | "creationTime"
    | "localCreationTime"
    | "localModificationTime"
    | undefined;
  /** @default SMH's default */
  readonly orderByType?: "asc" | "desc" | undefined;
  /** Entries per page, 1 to 100 (`limit`). @default 100 */
  readonly pageSize?: number | undefined;
  /**
   * Start at this page: a `nextMarker` from an earlier listing of the same directory with the same
   * filter and order (a scan that continues in another invocation). @default the first page
   */
  readonly marker?: string | undefined;
}

/** One entry of a directory listing. */
export interface DirectoryEntry {
  readonly name: string;
  /** The entry's path relative to the space root. */
  readonly path: string;
  /** `dir` (a directory or an album), `file`, `image`, `video`, `symlink`, … */
  readonly type: string;
  /** ISO-8601: when the directory was created (files: uploaded). */
  readonly creationTime: string | undefined;
  /** ISO-8601. For a directory: when a direct child was last added or removed. */
  readonly modificationTime: string | undefined;
  /** Bytes, as a string (SMH avoids precision loss). */
  readonly size: string | undefined;
}

/** One page of a directory listing. */
export interface DirectoryPage extends CallMeta {
  readonly entries: readonly DirectoryEntry[];
  /** The marker of the next page; undefined on the last page. */
  readonly nextMarker: string | undefined;
}

/**
 * Lists a directory page by page (marker paging, `limit` ≤ 100), directories only by default:
 * `GET /api/v1/directory/{LibraryId}/{SpaceId}/{path}?filter=onlyDir&limit=100&marker=…`.
 * Each page request gets the call's deadline (or a fresh default budget when there is none).
 *
 * @example
 * for await (const page of client.listDirectory({ libraryId, spaceId: "-", path: "events", orderBy: "creationTime" })) {
 *   for (const entry of page.entries) console.log(entry.path, entry.creationTime);
 * }
 */
export async function* listDirectory(
  caller: Caller,
  request: ListDirectoryRequest,
  options?: CallOptions,
): AsyncGenerator<DirectoryPage, void, undefined> {
  const operation = "listDirectory";
  const { library, spaceId } = resolveSpace(caller, request, operation);
  const path =
    request.path === undefined || isRootPath(request.path)
      ? ""
      : normalizePath(request.path, "read");
  const limit = checkPageSize(request.pageSize, 100, 100, operation, library.libraryId);
  const filter = request.filter ?? "onlyDir";
  const start = request.marker === "" ? undefined : request.marker;
  yield* pages(start, async (marker) => {
    const { answer, context, meta } = await sendRead(
      caller,
      {
        operation,
        library,
        method: "GET",
        path: directoryPath(library.libraryId, spaceId, path, "read"),
        query: {
          filter: filter === "all" ? undefined : filter,
          order_by: request.orderBy,
          order_by_type: request.orderByType,
          limit: String(limit),
          marker,
        },
        spaceId,
        grants: READ_ONLY,
      },
      options,
    );
    const body = readAnswer(DirectoryPageSchema, answer, context);
    const entries = body.contents.map((entry) => ({
      name: entry.name,
      path: entry.path ? entry.path.join("/") : path === "" ? entry.name : `${path}/${entry.name}`,
      type: entry.type,
      creationTime: entry.creationTime,
      modificationTime: entry.modificationTime,
      size: entry.size === undefined ? undefined : String(entry.size),
    }));
    return { page: { entries, nextMarker: body.nextMarker, ...meta }, context };
  });
}
