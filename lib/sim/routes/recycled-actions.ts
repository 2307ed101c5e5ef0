import * as z from "zod";
import { SmhError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import { enumParam } from "../http/request.ts";
import type { SimResponse } from "../http/response.ts";
import { emptyRecycleBin as emptyBin, purgeRecycledItem } from "../operations/purge.ts";
import {
  CONFLICT_STRATEGIES,
  type ConflictStrategy,
  RESTORE_PATH_STRATEGIES,
  type RestorePathStrategy,
  requireRecycledItem,
  restoreRecycledItem,
} from "../operations/restore.ts";
import { hasGrant, requireGrant } from "../state/grants.ts";
import { startTask } from "./async-task.ts";
import { recycledItemIdParam } from "./auth.ts";
import { batchStatus, failureEntry, requireBatchArray } from "./batch-body.ts";
import { authorizeRecycleBin } from "./recycled.ts";

const idList = z.array(z.number().int().positive());

/**
 * The strategies of a restore. `defaultConflict` applies when the request names none: the
 * `defaultRestoreConflictStrategy` option for a single restore (its pages disagree), `rename` for
 * a batch restore (its page says "renamed by default", smh-api.md §5.4).
 */
function strategies(
  ctx: RequestContext,
  defaultConflict: ConflictStrategy,
): [ConflictStrategy, RestorePathStrategy] {
  const conflict = enumParam(
    ctx.query,
    "conflict_resolution_strategy",
    CONFLICT_STRATEGIES,
    defaultConflict,
    "InvalidConflictResolutionStrategy",
  ) as ConflictStrategy;
  const pathStrategy = enumParam(
    ctx.query,
    "restore_path_strategy",
    RESTORE_PATH_STRATEGIES,
    "originalPath",
  ) as RestorePathStrategy;
  return [conflict, pathStrategy];
}

async function idsFromBody(ctx: RequestContext): Promise<number[]> {
  const parsed = idList.safeParse(requireBatchArray(await ctx.json()));
  if (!parsed.success) {
    throw new SmhError("ParamInvalid", "Body must be an array of recycled item ids.");
  }
  return parsed.data;
}

/**
 * `POST /api/v1/recycled/{L}/{S}/{RecycledItemId}?restore&conflict_resolution_strategy&restore_path_strategy`
 * → 200 `{path}`. Needs `restore_recycled`. The original path is locked while the restore runs.
 */
export async function restoreRecycled(ctx: RequestContext): Promise<SimResponse> {
  const { library, space, token } = authorizeRecycleBin(ctx);
  requireGrant(token.grants, "restore_recycled");
  const id = recycledItemIdParam(ctx);
  const [conflict, pathStrategy] = strategies(
    ctx,
    ctx.core.behaviour.defaultRestoreConflictStrategy,
  );
  const item = requireRecycledItem(ctx.core, library, space, id);
  const owner = space.locks.newOwner();
  space.locks.acquire(owner, item.originalPath);
  try {
    await ctx.delay();
    const path = restoreRecycledItem(ctx.core, library, space, id, conflict, pathStrategy);
    return { status: 200, body: { path } };
  } finally {
    space.locks.release(owner, item.originalPath);
  }
}

/**
 * `POST /api/v1/recycled/{L}/{S}?restore` body `[ids]` → 200/207 `{result}` or, above
 * `asyncBatchThreshold` items, 202 `{taskId}`.
 */
export async function restoreRecycledBatch(ctx: RequestContext): Promise<SimResponse> {
  const { library, space, token } = authorizeRecycleBin(ctx);
  requireGrant(token.grants, "restore_recycled");
  const [conflict, pathStrategy] = strategies(ctx, "rename");
  const ids = await idsFromBody(ctx);
  const { core } = ctx;
  const owner = space.locks.newOwner();
  const held: Array<readonly string[]> = [];
  const refused = new Map<number, Record<string, unknown>>();
  for (const id of ids) {
    const item = space.recycleBin.get(id);
    if (item === undefined) continue;
    try {
      space.locks.acquire(owner, item.originalPath);
      held.push(item.originalPath);
    } catch (error) {
      refused.set(id, failureEntry(error, { recycledItemId: id }));
    }
  }
  const release = () => {
    for (const path of held) space.locks.release(owner, path);
  };
  const run = () =>
    ids.map((id) => {
      const rejected = refused.get(id);
      if (rejected) return rejected;
      try {
        const path = restoreRecycledItem(core, library, space, id, conflict, pathStrategy);
        return { status: 200, path, recycledItemId: id };
      } catch (error) {
        return failureEntry(error, { recycledItemId: id });
      }
    });
  if (ids.length > library.faultState.faults.asyncBatchThreshold) {
    const task = startTask(core, library, space, "batchRestore", ids.length, run, release);
    await ctx.delay();
    return { status: 202, body: { taskId: task.id } };
  }
  try {
    await ctx.delay(ids.length);
    const result = run();
    return { status: batchStatus(result), body: { result } };
  } finally {
    release();
  }
}

/** `DELETE /api/v1/recycled/{L}/{S}/{RecycledItemId}` → 204. Needs `delete_recycled`. */
export async function purgeRecycled(ctx: RequestContext): Promise<SimResponse> {
  const { library, space, token } = authorizeRecycleBin(ctx);
  requireGrant(token.grants, "delete_recycled");
  const id = recycledItemIdParam(ctx);
  await ctx.delay();
  purgeRecycledItem(ctx.core, library, space, id);
  return { status: 204 };
}

/**
 * `POST /api/v1/recycled/{L}/{S}?delete` body `[ids]` → 204. No per-item results exist; unknown
 * ids are ignored, or fail the whole call with 500 (nothing purged) under
 * `purgeBatchUnknownIds: "fail"`.
 */
export async function purgeRecycledBatch(ctx: RequestContext): Promise<SimResponse> {
  const { library, space, token } = authorizeRecycleBin(ctx);
  requireGrant(token.grants, "delete_recycled");
  const ids = await idsFromBody(ctx);
  await ctx.delay(ids.length);
  const known = ids.filter((id) => space.recycleBin.get(id) !== undefined);
  if (known.length < ids.length && ctx.core.behaviour.purgeBatchUnknownIds === "fail") {
    throw new SmhError("InternalServerError");
  }
  for (const id of new Set(known)) purgeRecycledItem(ctx.core, library, space, id);
  return { status: 204 };
}

/** `DELETE /api/v1/recycled/{L}/{S}` → 204: empties the bin. Needs `delete_recycled`. */
export async function emptyRecycled(ctx: RequestContext): Promise<SimResponse> {
  const { library, space, token } = authorizeRecycleBin(ctx);
  requireGrant(token.grants, "delete_recycled");
  await ctx.delay();
  emptyBin(ctx.core, library, space);
  return { status: 204 };
}

const lifecycleBody = z.object({ retentionDays: z.number().int().min(1).max(10_000) });

/**
 * `POST /api/v1/recycled/{L}/{S}?lifecycle` body `{retentionDays}` → 204. Needs admin rights.
 * Lengthening applies to items already in the bin, shortening only to later deletions (SDK).
 */
export async function setRecycledLifecycle(ctx: RequestContext): Promise<SimResponse> {
  const { space, token } = authorizeRecycleBin(ctx);
  if (!hasGrant(token.grants, "space_admin")) throw new SmhError("NoPermission");
  const parsed = lifecycleBody.safeParse(await ctx.json());
  if (!parsed.success) throw new SmhError("ParamInvalid", "retentionDays must be in 1..10000.");
  await ctx.delay();
  const { retentionDays } = parsed.data;
  if (retentionDays > space.retentionDays)
    space.recycleBin.lengthenRetention(retentionDays * 86_400_000);
  space.retentionDays = retentionDays;
  return { status: 204 };
}
