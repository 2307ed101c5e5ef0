import { SmhError } from "../errors.ts";
import type { RequestContext } from "../http/context.ts";
import { decodeSegment } from "../http/request.ts";
import type { SimResponse } from "../http/response.ts";
import type { TaskRecord } from "../state/tasks.ts";
import { authorizeLibrary, authorizeSpace, tokenCoversSpace } from "./auth.ts";

/** Parses a `TaskIdList` (`10,12,13`, commas possibly encoded as `%2C`). */
function parseTaskIds(raw: string): number[] {
  const ids = decodeSegment(raw)
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (ids.length === 0 || ids.some((id) => !/^\d{1,15}$/.test(id))) {
    throw new SmhError("ParamInvalid", "TaskIdList must be comma-separated task ids.");
  }
  return ids.map(Number);
}

function taskJson(task: TaskRecord): Record<string, unknown> {
  const json: Record<string, unknown> = { taskId: task.id, status: task.status };
  if (task.result !== null) json.result = task.result;
  return json;
}

function unknownTask(ctx: RequestContext, id: number): SmhError {
  const status = ctx.core.behaviour.unknownTaskIdStatus;
  const message = `Task ${id} not found.`;
  if (status === 400) return new SmhError("ParamInvalid", message);
  if (status === 403) return new SmhError("NoPermission", message);
  return new SmhError("TaskNotFound", message);
}

/**
 * `GET /api/v1/task/{LibraryId}/{SpaceId}/{TaskIdList}` → 200 `[{taskId, status, result?}]`.
 * Status 202 running, 200 done with result, 204 done without, 500 failed. An unknown (or
 * expired, > 30 days) id fails the whole call per `unknownTaskIdStatus`.
 */
export async function queryTasks(ctx: RequestContext): Promise<SimResponse> {
  const { library, space } = authorizeSpace(ctx);
  const ids = parseTaskIds(ctx.params.id ?? "");
  await ctx.delay();
  const now = ctx.core.clock.now();
  const tasks = ids.map((id) => {
    const task = library.tasks.get(id, now);
    if (task === undefined || task.spaceId !== space.id) throw unknownTask(ctx, id);
    return taskJson(task);
  });
  return { status: 200, body: tasks };
}

/** `GET /api/v1/task/{LibraryId}/{TaskIdList}`: the library-level variant, any space the token covers. */
export async function queryLibraryTasks(ctx: RequestContext): Promise<SimResponse> {
  const { library, token } = authorizeLibrary(ctx);
  const ids = parseTaskIds(ctx.params.id ?? "");
  await ctx.delay();
  const now = ctx.core.clock.now();
  const tasks = ids.map((id) => {
    const task = library.tasks.get(id, now);
    if (task === undefined || !tokenCoversSpace(library, token, task.spaceId)) {
      throw unknownTask(ctx, id);
    }
    return taskJson(task);
  });
  return { status: 200, body: tasks };
}
