import type { Caller } from "../caller.ts";
import { sleep } from "../deadline.ts";
import type { TaskId } from "../errors/smh-error.ts";
import { SmhTimeoutError } from "../errors/timeout-error.ts";
import { SmhUnexpectedResponseError } from "../errors/unexpected-response-error.ts";
import { READ_ONLY } from "../grants.ts";
import { AttemptLog, type CallBudget } from "../http-call.ts";
import type { Library } from "../library.ts";
import { invalidRequest, spacePath } from "../requests.ts";
import { readAnswer, TaskListSchema } from "../responses.ts";
import { RetryRule } from "../retry-policy.ts";
import type { CallMeta, CallOptions, SpaceRef } from "../types.ts";
import { resolveSpace, sendRequest } from "./exchange.ts";

/** Where a task is: SMH's status 202 is `running`, other 2xx `succeeded`, anything else `failed`. */
export type TaskState = "running" | "succeeded" | "failed";

/** One task as `GET /api/v1/task/…` reports it. */
export interface TaskStatus {
  readonly taskId: TaskId;
  /** SMH's task status: 202 running, 200 done with `result`, 204 done without, 500 failed. */
  readonly status: number;
  readonly state: TaskState;
  /** The task's result as SMH sent it (for batch deletes and restores, per-item results). */
  readonly result: unknown;
}

export interface QueryTasksRequest extends SpaceRef {
  readonly taskIds: readonly TaskId[];
}

export interface QueryTasksResult extends CallMeta {
  readonly tasks: readonly TaskStatus[];
}

/** A task query's answer, with the token it used (internal: to scrub texts in task results). */
interface TaskAnswer extends QueryTasksResult {
  readonly secrets: readonly string[];
}

export interface WaitForTaskRequest extends SpaceRef {
  readonly taskId: TaskId;
}

export interface WaitForTaskResult extends CallMeta {
  /** The finished task (`succeeded` or `failed`). */
  readonly task: TaskStatus;
  /** How many times the task was queried. */
  readonly polls: number;
}

/** Polls of a task start a little after it was accepted: it has just been queued. */
const MIN_POLL_BUDGET_MS = 250;

/**
 * `GET /api/v1/task/{LibraryId}/{SpaceId}/{TaskIdList}`: the status of up to 100 tasks at once.
 * Only tasks that finished within the last 30 days can be queried.
 */
export async function queryTasks(
  caller: Caller,
  request: QueryTasksRequest,
  options?: CallOptions,
): Promise<QueryTasksResult> {
  const operation = "queryTasks";
  const { library, spaceId } = resolveSpace(caller, request, operation);
  if (request.taskIds.length === 0 || request.taskIds.length > 100) {
    throw invalidRequest(operation, library.libraryId, "ParamInvalid", "query 1 to 100 tasks");
  }
  const { tasks, requestId, attempts } = await fetchTasks(
    caller,
    library,
    spaceId,
    request.taskIds,
    caller.budget(options),
    options?.userId,
  );
  return { tasks, requestId, attempts };
}

/**
 * Polls a task with exponential backoff (the client's `taskPolling` settings, with jitter) until it
 * is no longer running, or until the deadline: then an {@link SmhTimeoutError} carrying `taskId`
 * lets the caller resume waiting later.
 *
 * @example
 * const { task } = await client.waitForTask({ libraryId, spaceId: "-", taskId: 15 }, { deadline });
 * if (task.state === "failed") …
 */
export async function waitForTask(
  caller: Caller,
  request: WaitForTaskRequest,
  options?: CallOptions,
): Promise<WaitForTaskResult> {
  const operation = "waitForTask";
  const { library, spaceId } = resolveSpace(caller, request, operation);
  const log = new AttemptLog();
  const { task, polls, requestId } = await pollTask(caller, {
    operation,
    library,
    spaceId,
    taskId: request.taskId,
    budget: caller.budget(options),
    userId: options?.userId,
    log,
    mayHaveApplied: false,
  });
  return { task, polls, requestId, attempts: log.attempts };
}

/** What {@link pollTask} needs to know about the call that is waiting. */
export interface PollContext {
  readonly operation: string;
  readonly library: Library;
  readonly spaceId: string;
  readonly taskId: TaskId;
  readonly budget: CallBudget;
  readonly userId: string | undefined;
  /** The log of the request that started the task, for the attempts reported on timeout. */
  readonly log: AttemptLog;
  /** Whether the task changes state (a delete, a restore) rather than only being observed. */
  readonly mayHaveApplied: boolean;
}

/** Polls until the task is no longer running; see {@link waitForTask}. */
export async function pollTask(
  caller: Caller,
  context: PollContext,
): Promise<{
  task: TaskStatus;
  polls: number;
  requestId: string | undefined;
  secrets: readonly string[];
}> {
  const { taskPolling, now } = caller.options;
  let delay = taskPolling.initialDelayMs;
  let polls = 0;
  for (;;) {
    // Equal jitter: workers that started together do not poll together.
    const wait = delay / 2 + (Math.random() * delay) / 2;
    if (context.budget.deadline - now() < wait + MIN_POLL_BUDGET_MS) {
      throw new SmhTimeoutError(
        {
          operation: context.operation,
          libraryId: context.library.libraryId,
          attempts: context.log.attempts,
          taskId: context.taskId,
          mayHaveApplied: context.mayHaveApplied,
        },
        "the task was still running at the deadline",
      );
    }
    await sleep(wait, context.budget.signal);
    const answer = await fetchTasks(
      caller,
      context.library,
      context.spaceId,
      [context.taskId],
      context.budget,
      context.userId,
    );
    polls++;
    const task = answer.tasks.find(
      (candidate) => String(candidate.taskId) === String(context.taskId),
    );
    if (!task) {
      throw new SmhUnexpectedResponseError(
        {
          operation: context.operation,
          libraryId: context.library.libraryId,
          requestId: answer.requestId,
          attempts: context.log.attempts,
          taskId: context.taskId,
          mayHaveApplied: context.mayHaveApplied,
        },
        "the task is missing from the task query answer",
      );
    }
    if (task.state !== "running") {
      return { task, polls, requestId: answer.requestId, secrets: answer.secrets };
    }
    delay = Math.min(taskPolling.maxDelayMs, delay * taskPolling.factor);
  }
}

async function fetchTasks(
  caller: Caller,
  library: Library,
  spaceId: string,
  taskIds: readonly TaskId[],
  budget: CallBudget,
  userId: string | undefined,
): Promise<TaskAnswer> {
  const operation = "queryTasks";
  const ids = taskIds.map((id) => encodeURIComponent(String(id))).join(",");
  const { answer, context, meta } = await sendRequest(
    caller,
    {
      operation,
      library,
      method: "GET",
      path: `${spacePath("task", library.libraryId, spaceId)}/${ids}`,
      spaceId,
      grants: READ_ONLY,
      userId,
      retry: RetryRule.always,
      mutating: false,
    },
    budget,
  );
  const tasks = readAnswer(TaskListSchema, answer, context).map((task) => ({
    taskId: task.taskId,
    status: task.status,
    state: stateOf(task.status),
    result: task.result,
  }));
  return { tasks, ...meta, secrets: answer.secrets };
}

function stateOf(status: number): TaskState {
  if (status === 202) return "running";
  return status >= 200 && status < 300 ? "succeeded" : "failed";
}
