import { parseItems } from "../batch-results.ts";
import type { Caller } from "../caller.ts";
import type { TaskId } from "../errors/smh-error.ts";
import { SmhTaskFailedError } from "../errors/task-failed-error.ts";
import type { HttpAnswer } from "../http-call.ts";
import {
  AcceptedSchema,
  type AnswerContext,
  BatchAnswerSchema,
  type BatchItem,
  parseAnswer,
  unexpectedStatus,
} from "../responses.ts";
import type { BatchWait } from "./exchange.ts";
import { pollTask } from "./tasks.ts";

/**
 * The per-item results of a batch answer: the `result[]` of a synchronous 200/207, or, for a 202
 * `{ taskId }`, the result of the task once it finished (see {@link awaitTask}).
 */
export async function settleBatch(
  caller: Caller,
  answer: HttpAnswer,
  context: AnswerContext,
  wait: BatchWait,
): Promise<TaskItems> {
  if (answer.status === 200 || answer.status === 207) {
    return {
      items: parseAnswer(BatchAnswerSchema, answer.body, context).result,
      taskId: undefined,
      context,
    };
  }
  if (answer.status !== 202) throw unexpectedStatus(context);
  return awaitTask(caller, answer, context, wait);
}

/** Per-item results and the task they came from, if any. */
export interface TaskItems {
  /** Undefined when a task finished without per-item detail. */
  readonly items: BatchItem[] | undefined;
  readonly taskId: TaskId | undefined;
  /** The context for errors about these items (with the task ID and every token involved). */
  readonly context: AnswerContext & { readonly taskId?: TaskId | undefined };
}

/**
 * Follows a 202 `{ taskId }`: polls the task within the call's deadline and returns its per-item
 * results. Throws {@link SmhTaskFailedError} when the task failed.
 */
export async function awaitTask(
  caller: Caller,
  answer: HttpAnswer,
  context: AnswerContext,
  wait: BatchWait,
): Promise<TaskItems> {
  const { taskId } = parseAnswer(AcceptedSchema, answer.body, context);
  const { task, secrets } = await pollTask(caller, {
    operation: context.operation,
    ...wait,
    taskId,
    mayHaveApplied: true,
  });
  const taskContext = {
    ...context,
    status: task.status,
    taskId,
    secrets: [...(context.secrets ?? []), ...secrets],
  };
  if (task.state === "failed") throw new SmhTaskFailedError(taskContext);
  if (task.result === undefined || task.result === null) {
    return { items: undefined, taskId, context: taskContext };
  }
  // Task V1 returns the item list itself; tolerate the synchronous `{ result: [...] }` shape too.
  const result = Array.isArray(task.result)
    ? task.result
    : parseAnswer(BatchAnswerSchema, task.result, taskContext).result;
  return { items: parseItems(result, taskContext), taskId, context: taskContext };
}
