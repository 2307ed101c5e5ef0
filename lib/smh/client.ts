import { Caller } from "./caller.ts";
import type { LimiterStats } from "./limiter/limiter.ts";
import {
  type BatchDeleteRequest,
  type BatchDeleteResult,
  batchDelete,
} from "./operations/batch-delete.ts";
import {
  type DeleteDirectoryRequest,
  type DeleteDirectoryResult,
  deleteDirectory,
} from "./operations/delete-directory.ts";
import {
  type DirectoryExistsResult,
  type DirectoryInfoResult,
  type DirectoryRequest,
  directoryExists,
  directoryInfo,
} from "./operations/directory-info.ts";
import {
  type DirectoryPage,
  type ListDirectoryRequest,
  listDirectory,
} from "./operations/list-directory.ts";
import {
  type PurgeRecycledItemRequest,
  type PurgeRecycledItemsRequest,
  type PurgeRecycledItemsResult,
  purgeRecycledItem,
  purgeRecycledItems,
} from "./operations/purge.ts";
import {
  type FindRecycledItemRequest,
  type FindRecycledItemResult,
  findRecycledItem,
  type ListRecycleBinRequest,
  listRecycleBin,
  type RecycleBinPage,
} from "./operations/recycle-bin-listing.ts";
import {
  type RestoreRecycledItemRequest,
  type RestoreRecycledItemResult,
  type RestoreRecycledItemsRequest,
  type RestoreRecycledItemsResult,
  restoreRecycledItem,
  restoreRecycledItems,
} from "./operations/restore.ts";
import { type ListSpacesRequest, listSpaces, type SpacePage } from "./operations/spaces.ts";
import {
  type QueryTasksRequest,
  type QueryTasksResult,
  queryTasks,
  type WaitForTaskRequest,
  type WaitForTaskResult,
  waitForTask,
} from "./operations/tasks.ts";
import { resolveOptions, type SmhClientOptions } from "./options.ts";
import type { CallMeta, CallOptions } from "./types.ts";

/**
 * The SMH business-API client. One instance serves every configured library; each library has
 * one limiter shared by all operations, and tokens are cached per library, space, grant set and
 * user. Create it once per process (per Lambda cold start) and share it.
 *
 * Every operation takes {@link CallOptions} (`deadline`, `signal`, `userId`), resolves to a result
 * carrying `requestId` and `attempts`, and rejects with an `SmhError` subclass (or, before
 * anything is sent, an `InvalidPathError` for a path that must never reach SMH).
 *
 * @example
 * const client = createSmhClient({
 *   libraries: [{ libraryId: "smh1a2b", librarySecret: secretFromEnvironment("SMH_SECRET") }],
 *   onEvent: (event) => metrics.count(event.type),
 * });
 * const deadline = Date.now() + context.getRemainingTimeInMillis() - 2_000;
 * const result = await client.deleteDirectory({ libraryId: "smh1a2b", spaceId: "-", path: "events/2019" }, { deadline });
 */
export class SmhClient {
  readonly #caller: Caller;

  constructor(options: SmhClientOptions) {
    this.#caller = new Caller(resolveOptions(options));
  }

  /** See {@link deleteDirectory}. */
  deleteDirectory(
    request: DeleteDirectoryRequest,
    options?: CallOptions,
  ): Promise<DeleteDirectoryResult> {
    return deleteDirectory(this.#caller, request, options);
  }

  /** See {@link batchDelete}. */
  batchDelete(request: BatchDeleteRequest, options?: CallOptions): Promise<BatchDeleteResult> {
    return batchDelete(this.#caller, request, options);
  }

  /** See {@link listDirectory}. */
  listDirectory(
    request: ListDirectoryRequest,
    options?: CallOptions,
  ): AsyncGenerator<DirectoryPage> {
    return listDirectory(this.#caller, request, options);
  }

  /** See {@link directoryInfo}. */
  directoryInfo(request: DirectoryRequest, options?: CallOptions): Promise<DirectoryInfoResult> {
    return directoryInfo(this.#caller, request, options);
  }

  /** See {@link directoryExists}. */
  directoryExists(
    request: DirectoryRequest,
    options?: CallOptions,
  ): Promise<DirectoryExistsResult> {
    return directoryExists(this.#caller, request, options);
  }

  /** See {@link listRecycleBin}. */
  listRecycleBin(
    request: ListRecycleBinRequest,
    options?: CallOptions,
  ): AsyncGenerator<RecycleBinPage> {
    return listRecycleBin(this.#caller, request, options);
  }

  /** See {@link findRecycledItem}. */
  findRecycledItem(
    request: FindRecycledItemRequest,
    options?: CallOptions,
  ): Promise<FindRecycledItemResult> {
    return findRecycledItem(this.#caller, request, options);
  }

  /** See {@link restoreRecycledItem}. */
  restoreRecycledItem(
    request: RestoreRecycledItemRequest,
    options?: CallOptions,
  ): Promise<RestoreRecycledItemResult> {
    return restoreRecycledItem(this.#caller, request, options);
  }

  /** See {@link purgeRecycledItem}. */
  purgeRecycledItem(request: PurgeRecycledItemRequest, options?: CallOptions): Promise<CallMeta> {
    return purgeRecycledItem(this.#caller, request, options);
  }

  /** See {@link restoreRecycledItems}. */
  restoreRecycledItems(
    request: RestoreRecycledItemsRequest,
    options?: CallOptions,
  ): Promise<RestoreRecycledItemsResult> {
    return restoreRecycledItems(this.#caller, request, options);
  }

  /** See {@link purgeRecycledItems}. */
  purgeRecycledItems(
    request: PurgeRecycledItemsRequest,
    options?: CallOptions,
  ): Promise<PurgeRecycledItemsResult> {
    return purgeRecycledItems(this.#caller, request, options);
  }

  /** See {@link queryTasks}. */
  queryTasks(request: QueryTasksRequest, options?: CallOptions): Promise<QueryTasksResult> {
    return queryTasks(this.#caller, request, options);
  }

  /** See {@link waitForTask}. */
  waitForTask(request: WaitForTaskRequest, options?: CallOptions): Promise<WaitForTaskResult> {
    return waitForTask(this.#caller, request, options);
  }

  /** See {@link listSpaces}. */
  listSpaces(request: ListSpacesRequest, options?: CallOptions): AsyncGenerator<SpacePage> {
    return listSpaces(this.#caller, request, options);
  }

  /** The current rate, in-flight count and queue lengths of a library's limiter. */
  limiterStats(libraryId: string): LimiterStats {
    return this.#caller.library(libraryId, "limiterStats").limiter.stats();
  }
}

/**
 * Creates an {@link SmhClient}. Options are checked at once (a bad base URL or duplicate library
 * fails here, at cold start); secrets are not read until a token is minted.
 *
 * @example
 * const client = createSmhClient({
 *   libraries: [{ libraryId: "smh1a2b", librarySecret: secretFromEnvironment("SMH_SECRET") }],
 * });
 */
export function createSmhClient(options: SmhClientOptions): SmhClient {
  return new SmhClient(options);
}
