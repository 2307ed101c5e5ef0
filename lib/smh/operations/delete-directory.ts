import { deleteOutcome } from "../batch-results.ts";
import type { Caller } from "../caller.ts";
import type { TaskId } from "../errors/smh-error.ts";
import { grantsForDelete } from "../grants.ts";
import { normalizePath, samePath } from "../paths.ts";
import { directoryPath } from "../requests.ts";
import { parseAnswer, RecycledSchema, unexpectedStatus } from "../responses.ts";
import { RetryRule } from "../retry-policy.ts";
import type { CallMeta, CallOptions, SpaceRef } from "../types.ts";
import { awaitTask } from "./batch-answers.ts";
import { resolveSpace, sendChange } from "./exchange.ts";
export interface DeleteDirectoryRequest extends SpaceRef {
  /** The directory or album, relative to the space root (`events/2024/party`). Never the root. */
  readonly path: string;
  /**
   * Delete for good instead of moving to the recycle bin (`permanent=1`); the token then carries
   * `delete_directory_permanent` as well. @default false
   */
  readonly permanent?: boolean | undefined;
}

/** The result of {@link deleteDirectory}. */
export type DeleteDirectoryResult = CallMeta & {
  /** Set when SMH ran the delete as an asynchronous task (202). */
  readonly taskId?: TaskId | undefined;
} & (
    | { readonly outcome: "recycled"; readonly recycledItemId: number }
    | { readonly outcome: "deleted" }
    /**
     * An asynchronous task finished without per-item detail: the directory is gone, possibly into
     * the recycle bin; `findRecycledItem` recovers its ID.
     */
    | { readonly outcome: "done" }
  );

/**
 * Deletes a directory or album, recursively: `DELETE /api/v1/directory/{LibraryId}/{SpaceId}/{path}`.
 *
 * - 200 → `{ outcome: "recycled", recycledItemId }` (the recycle bin is on).
 * - 204 → `{ outcome: "deleted" }` (permanent, or no recycle bin).
 * - 202 `{ taskId }` (undocumented for this endpoint, handled anyway) → the task is polled until
 *   done or the deadline.
 * - 404 `DirectoryNotFound`/`PathNotFound` → {@link SmhNotFoundError}; with `mayHaveApplied`, an
 *   earlier attempt of this call may have moved it to the recycle bin: see `findRecycledItem`.
 *
 * Retried on 429, 5xx, 408, 409 `PathConflict`, timeouts and network errors: a repeat cannot delete
 * twice. Throws {@link InvalidPathError} for a path that must never be sent (root, `..`, …).
 *
 * @example
 * const result = await client.deleteDirectory({ libraryId: "smh1a2b", spaceId: "-", path: "events/2019" });
 * if (result.outcome === "recycled") saveForRestore(result.recycledItemId);
 */
export async function deleteDirectory(
  caller: Caller,
  request: DeleteDirectoryRequest,
  options?: CallOptions,
): Promise<DeleteDirectoryResult> {
  const operation = "deleteDirectory";
  const { library, spaceId } = resolveSpace(caller, request, operation);
  const path = normalizePath(request.path);
  const permanent = request.permanent ?? false;
  const { answer, context, meta, wait } = await sendChange(
    caller,
    {
      operation,
      library,
      method: "DELETE",
      path: directoryPath(library.libraryId, spaceId, path, "delete"),
      query: { permanent: permanent ? "1" : "0" },
      spaceId,
      grants: grantsForDelete(permanent),
      retry: RetryRule.always,
    },
    options,
  );
  switch (answer.status) {
    case 200: {
      const { recycledItemId } = parseAnswer(RecycledSchema, answer.body, context);
      return { outcome: "recycled", recycledItemId, ...meta };
    }
    case 204:
      return { outcome: "deleted", ...meta };
    case 202: {
      const settled = await awaitTask(caller, answer, context, wait);
      const { taskId } = settled;
      // The item for this path; a single item without a path can only be this one.
      const items = settled.items ?? [];
      const only = items.length === 1 && items[0]?.path === undefined ? items[0] : undefined;
      const item =
        items.find((candidate) => candidate.path && samePath(candidate.path, path)) ?? only;
      if (!item) return { outcome: "done", taskId, ...meta };
      const outcome = deleteOutcome(item, settled.context);
      if (outcome.outcome === "failed") throw outcome.error;
      return { ...outcome, taskId, ...meta };
    }
    default:
      throw unexpectedStatus(context);
  }
}
