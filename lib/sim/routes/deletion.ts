import { SmhError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import type { SimResponse } from "../http/response.ts";
import { type DeletionTarget, findDeletionTarget, removeEntry } from "../operations/delete.ts";
import { decodePathSegments } from "../paths.ts";
import { deletionGrant, requireGrant } from "../state/grants.ts";
import { countDescendants } from "../state/tree.ts";
import { startTask } from "./async-task.ts";
import { authorizeSpace } from "./auth.ts";

/** `permanent`: `1`/`true` or `0`/`false`/absent (default 0). */
function parsePermanent(query: URLSearchParams): boolean {
  const raw = query.get("permanent");
  if (raw === null || raw === "" || raw === "0" || raw === "false") return false;
  if (raw === "1" || raw === "true") return true;
  throw new SmhError("ParamInvalid", "permanent must be 0 or 1.");
}

async function deleteAt(ctx: RequestContext, target: Exclude<DeletionTarget, "any">) {
  const { library, space, token } = authorizeSpace(ctx);
  const permanent = parsePermanent(ctx.query);
  requireGrant(token.grants, deletionGrant(target, library.recycleBinEnabled, permanent));
  const segments = decodePathSegments(ctx.params.pathSegments);
  if (segments.length === 0) throw new SmhError("EmptyPath");
  // As for create: `.`/`..` is an illegal name, not merely one that is absent.
  const dots = segments.find((segment) => segment === "." || segment === "..");
  if (dots !== undefined) throw new SmhError("IllegalFileName", `Illegal name: ${dots}`);
  const { core } = ctx;
  const via = target === "dir" ? "directory" : "file";
  const owner = space.locks.newOwner();
  space.locks.acquire(owner, segments);
  let releaseLater = false;
  try {
    await ctx.delay();
    const node = findDeletionTarget(core, space, segments, target);
    const asyncAbove = core.behaviour.singleDeleteAsyncAboveEntries;
    if (target === "dir" && asyncAbove > 0 && countDescendants(node, asyncAbove) > asyncAbove) {
      // [GUESS] option: a big subtree is deleted by a task; the path stays locked until it is done.
      releaseLater = true;
      const task = startTask(
        core,
        library,
        space,
        "deleteDirectory",
        1,
        () => {
          try {
            const found = findDeletionTarget(core, space, segments, "dir");
            const outcome = removeEntry(core, library, space, found, segments, {
              permanent,
              via: "task",
            });
            return [
              outcome.recycledItemId === null
                ? { status: 204, path: segments }
                : { status: 200, recycledItemId: outcome.recycledItemId, path: segments },
            ];
          } catch (error) {
            if (!(error instanceof SmhError)) throw error;
            return [
              { status: error.status, code: error.code, message: error.message, path: segments },
            ];
          }
        },
        () => space.locks.release(owner, segments),
      );
      return { status: 202, body: { taskId: task.id } };
    }
    const outcome = removeEntry(core, library, space, node, segments, { permanent, via });
    if (outcome.recycledItemId === null) return { status: 204 };
    return { status: 200, body: { recycledItemId: outcome.recycledItemId } };
  } finally {
    if (!releaseLater) space.locks.release(owner, segments);
  }
}

/**
 * `DELETE /api/v1/directory/{LibraryId}/{SpaceId}/{DirPath}?permanent=0|1`: recursive. 200
 * `{recycledItemId}` when the subtree went to the recycle bin, 204 when the bin is off or
 * `permanent=1`. Needs `delete_directory`, or `delete_directory_permanent` for a permanent delete
 * with the bin on.
 */
export function deleteDirectory(ctx: RequestContext): Promise<SimResponse> {
  return deleteAt(ctx, "dir");
}

/** `DELETE /api/v1/file/{LibraryId}/{SpaceId}/{FilePath}?permanent=0|1`: like the directory delete, for files. */
export function deleteFile(ctx: RequestContext): Promise<SimResponse> {
  return deleteAt(ctx, "file");
}
