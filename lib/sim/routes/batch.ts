import * as z from "zod";
import { SmhError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import type { SimResponse } from "../http/response.ts";
import { findDeletionTarget, removeEntry } from "../operations/delete.ts";
import { splitPath } from "../paths.ts";
import { deletionGrant, requireGrant } from "../state/grants.ts";
import { startTask } from "./async-task.ts";
import { authorizeSpace } from "./auth.ts";
import { batchStatus, failureEntry, requireBatchArray } from "./batch-body.ts";

/** One body item: `{path, permanent?}`; `permanent` is a boolean (older SDKs send 0/1). */
const batchItem = z
  .object({
    path: z.string(),
    permanent: z.union([z.boolean(), z.literal(0), z.literal(1)]).optional(),
  })
  .loose();

interface PlannedItem {
  readonly segments: string[];
  readonly permanent: boolean;
  /** Set when the item could not even be started (path conflict). */
  readonly refused: Record<string, unknown> | null;
}

/**
 * `POST /api/v1/batch/{LibraryId}/{SpaceId}?delete` body `[{path, permanent?}]` (1..1000 items)
 * → 200/207 `{result: [{status, recycledItemId?, path, code?, message?}]}`, or 202 `{taskId}` above
 * `asyncBatchThreshold` items. Items are applied in order; each needs the grant for its own kind
 * (directory or file, recycle or permanent), so one batch can partly fail with 403.
 */
export async function batchDelete(ctx: RequestContext): Promise<SimResponse> {
  const { library, space, token } = authorizeSpace(ctx);
  const parsed = z.array(batchItem).safeParse(requireBatchArray(await ctx.json()));
  if (!parsed.success) {
    throw new SmhError("ParamInvalid", "Each item must be an object with a string path.");
  }
  const { core } = ctx;
  const owner = space.locks.newOwner();
  const held: string[][] = [];
  const plan: PlannedItem[] = parsed.data.map((item) => {
    const segments = splitPath(item.path);
    const permanent = item.permanent === true || item.permanent === 1;
    if (segments.length === 0) return { segments, permanent, refused: null };
    try {
      space.locks.acquire(owner, segments);
      held.push(segments);
      return { segments, permanent, refused: null };
    } catch (error) {
      return { segments, permanent, refused: failureEntry(error, { path: segments }) };
    }
  });
  const release = () => {
    for (const segments of held) space.locks.release(owner, segments);
  };
  const run = (via: "batch" | "task") =>
    plan.map(({ segments, permanent, refused }) => {
      if (refused) return refused;
      try {
        const node = findDeletionTarget(core, space, segments, "any");
        requireGrant(token.grants, deletionGrant(node.kind, library.recycleBinEnabled, permanent));
        const outcome = removeEntry(core, library, space, node, segments, { permanent, via });
        return outcome.recycledItemId === null
          ? { status: 204, path: segments }
          : { status: 200, recycledItemId: outcome.recycledItemId, path: segments };
      } catch (error) {
        return failureEntry(error, { path: segments });
      }
    });
  if (plan.length > library.faultState.faults.asyncBatchThreshold) {
    const task = startTask(
      core,
      library,
      space,
      "batchDelete",
      plan.length,
      () => run("task"),
      release,
    );
    await ctx.delay();
    return { status: 202, body: { taskId: task.id } };
  }
  try {
    await ctx.delay(plan.length);
    const result = run("batch");
    return { status: batchStatus(result), body: { result } };
  } finally {
    release();
  }
}
