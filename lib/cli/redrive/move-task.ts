/**
 * Redrive on AWS with a message move task (StartMessageMoveTask): SQS itself moves the messages
 * from the dead-letter queue to the source queue, up to 500 per second, without the messages ever
 * passing through this process. One task per queue at a time.
 */
import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { abortableSleep } from "../../queues/sleep.ts";
import type { SqsSender } from "../../queues/sqs-sender.ts";

/** Outcome of {@link redriveByMoveTask}. */
export interface MoveTaskResult {
  taskHandle: string;
  /** The task's last known status: RUNNING (not waited for, or interrupted), COMPLETED, FAILED, CANCELLED, … */
  status: string;
  /** Messages moved, as SQS reports it (approximate). */
  moved: number;
  /** Messages SQS planned to move when the task started, when it said. */
  toMove?: number;
  failureReason?: string;
  /** True when Ctrl-C stopped the wait and the task was asked to cancel. */
  interrupted: boolean;
}

/** Options for {@link redriveByMoveTask}. */
export interface MoveTaskOptions {
  /** Wait for the task to finish (default true); otherwise resolve once it started. */
  wait?: boolean;
  /** Between two ListMessageMoveTasks calls, in ms (default 2000). */
  pollIntervalMs?: number;
  /** Stops waiting and cancels the task (messages already moved stay moved). */
  signal?: AbortSignal;
  /** Called with the moved count and planned total each time the task is polled. */
  onProgress?: (moved: number, toMove: number | undefined) => void;
  /** Test seam. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Starts a move task from `deadLetterArn` to `sourceArn` and (by default) waits for its end. */
export async function redriveByMoveTask(
  sqs: SqsSender,
  deadLetterArn: string,
  sourceArn: string,
  options: MoveTaskOptions = {},
): Promise<MoveTaskResult> {
  const started = await sqs.send(
    new StartMessageMoveTaskCommand({ SourceArn: deadLetterArn, DestinationArn: sourceArn }),
  );
  const taskHandle = started.TaskHandle ?? "";
  const result: MoveTaskResult = { taskHandle, status: "RUNNING", moved: 0, interrupted: false };
  if (options.wait === false) return result;
  const sleep = options.sleep ?? abortableSleep;
  for (;;) {
    const listed = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: deadLetterArn, MaxResults: 1 }),
    );
    // The most recent task comes first; TaskHandle is only reported while it runs.
    const task = listed.Results?.[0];
    if (task !== undefined) {
      result.status = task.Status ?? result.status;
      result.moved = task.ApproximateNumberOfMessagesMoved ?? result.moved;
      if (task.ApproximateNumberOfMessagesToMove !== undefined) {
        result.toMove = task.ApproximateNumberOfMessagesToMove;
      }
      if (task.FailureReason) result.failureReason = task.FailureReason;
      options.onProgress?.(result.moved, result.toMove);
    }
    if (result.status !== "RUNNING") return result;
    try {
      await sleep(options.pollIntervalMs ?? 2000, options.signal);
    } catch {
      // Only the signal interrupts the sleep.
    }
    if (options.signal?.aborted) {
      result.interrupted = true;
      await sqs
        .send(new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle }))
        .then((cancelled) => {
          result.status = "CANCELLING";
          result.moved = cancelled.ApproximateNumberOfMessagesMoved ?? result.moved;
        })
        .catch(() => undefined);
      return result;
    }
  }
}
