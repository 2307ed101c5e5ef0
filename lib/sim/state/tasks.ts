/** The kinds of asynchronous work the simulator runs as tasks. */
export type TaskKind = "batchDelete" | "batchRestore" | "deleteDirectory";

/** Task states as the task API reports them: 202 running, 200 done with result, 204 done without, 500 failed. */
export type TaskStatus = 202 | 200 | 204 | 500;

/** One asynchronous task (a batch that answered 202). */
export interface TaskRecord {
  readonly id: number;
  readonly libraryId: string;
  readonly spaceId: string;
  readonly kind: TaskKind;
  status: TaskStatus;
  result: unknown[] | null;
  readonly createdAt: number;
  finishedAt: number | null;
}

/** SMH keeps task results queryable for 30 days after they finish. */
export const TASK_RETENTION_MS = 30 * 86_400_000;

/** The tasks of one library, numbered from 1. */
export class TaskRegistry {
  readonly #tasks = new Map<number, TaskRecord>();
  #nextId = 1;

  /** Registers a running task. */
  create(libraryId: string, spaceId: string, kind: TaskKind, now: number): TaskRecord {
    const task: TaskRecord = {
      id: this.#nextId++,
      libraryId,
      spaceId,
      kind,
      status: 202,
      result: null,
      createdAt: now,
      finishedAt: null,
    };
    this.#tasks.set(task.id, task);
    return task;
  }

  /** A task that is running or finished within the retention window, else undefined. */
  get(id: number, now: number): TaskRecord | undefined {
    const task = this.#tasks.get(id);
    if (task?.finishedAt != null && now - task.finishedAt > TASK_RETENTION_MS) {
      this.#tasks.delete(id);
      return undefined;
    }
    return task;
  }

  /** Every task, for inspection. */
  all(): TaskRecord[] {
    return [...this.#tasks.values()];
  }
}
