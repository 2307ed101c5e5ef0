import type { SimCore } from "../core.ts";
import type { Library } from "../state/library.ts";
import type { Space } from "../state/space.ts";
import type { TaskKind, TaskRecord } from "../state/tasks.ts";

/**
 * Starts an asynchronous task that runs `work` after `asyncTaskDelayMs + perItemLatencyMs × items`
 * (real time) and then calls `done` (which releases path locks). The task reports 202 until then,
 * 200 with `work`'s result after (204 when the result is empty), 500 if `work` threw.
 */
export function startTask(
  core: SimCore,
  library: Library,
  space: Space,
  kind: TaskKind,
  items: number,
  work: () => unknown[],
  done: () => void,
): TaskRecord {
  const task = library.tasks.create(library.id, space.id, kind, core.clock.now());
  const { asyncTaskDelayMs, perItemLatencyMs } = library.faultState.faults;
  core.scheduler.after(asyncTaskDelayMs + perItemLatencyMs * items, () => {
    try {
      const result = work();
      task.result = result;
      task.status = result.length > 0 ? 200 : 204;
    } catch (error) {
      task.status = 500;
      task.result = [{ status: 500, code: "InternalServerError", message: String(error) }];
    } finally {
      task.finishedAt = core.clock.now();
      done();
    }
  });
  return task;
}
