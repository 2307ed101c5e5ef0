import { describe, expect, it } from "vitest";
import type { TaskId } from "../../lib/smh/errors/smh-error.ts";
import { SmhTimeoutError } from "../../lib/smh/errors/timeout-error.ts";
import { contractClient, rejectionOf } from "./helpers/client.ts";
import { useContractSimulator } from "./helpers/harness.ts";
import { createDirectories, DAY_MS, LIB, SPACE, unique } from "./helpers/simulator.ts";

const { sim } = await useContractSimulator();

/**
 * Starts an asynchronous batch delete of `count` new directories and gives up waiting at once: the
 * client's timeout carries the task id, as a worker near the end of its Lambda budget would see it.
 * The starting client's first poll would come after a minute, so it gives up as soon as the 202
 * arrives, however long the request (and its token) took on a busy machine.
 */
async function startTask(count = 3): Promise<TaskId> {
  const { client } = contractClient(sim, { taskPolling: { initialDelayMs: 60_000 } });
  const paths = createDirectories(sim, unique("task"), count);
  const error = await rejectionOf(
    client.batchDelete(
      { libraryId: LIB, spaceId: SPACE, items: paths.map((path) => ({ path })) },
      { deadline: Date.now() + 10_000 },
    ),
  );
  if (!(error instanceof SmhTimeoutError) || error.taskId === undefined) throw error;
  expect(error).toMatchObject({ mayHaveApplied: true });
  return error.taskId;
}

describe("queryTasks and waitForTask", () => {
  it("reports a running task as running, then as succeeded with its per-item result", async () => {
    // Long enough to be seen running even on a loaded machine.
    sim.setFaults(LIB, { asyncBatchThreshold: 1, asyncTaskDelayMs: 1_000 });
    const { client } = contractClient(sim);
    const taskId = await startTask();

    const running = await client.queryTasks({ libraryId: LIB, spaceId: SPACE, taskIds: [taskId] });
    const waited = await client.waitForTask({ libraryId: LIB, spaceId: SPACE, taskId });

    expect(running.tasks).toEqual([{ taskId, status: 202, state: "running", result: undefined }]);
    expect(waited.task).toMatchObject({ taskId, status: 200, state: "succeeded" });
    expect(waited.task.result).toEqual(sim.tasks(LIB).find((task) => task.id === taskId)?.result);
    expect(waited.polls).toBeGreaterThanOrEqual(1);
  });

  it("queries several tasks in one request", async () => {
    sim.setFaults(LIB, { asyncBatchThreshold: 1, asyncTaskDelayMs: 0 });
    const { client } = contractClient(sim);
    const first = await startTask(2);
    const second = await startTask(2);
    await client.waitForTask({ libraryId: LIB, spaceId: SPACE, taskId: second });
    sim.resetStats();

    const { tasks } = await client.queryTasks({
      libraryId: LIB,
      spaceId: SPACE,
      taskIds: [first, second],
    });

    expect(tasks.map((task) => [task.taskId, task.state])).toEqual([
      [first, "succeeded"],
      [second, "succeeded"],
    ]);
    expect(sim.stats().byRoute["task.query"]).toEqual({ "200": 1 });
  });

  it("gives up at the deadline with a timeout that carries the task id, to resume later", async () => {
    sim.setFaults(LIB, { asyncBatchThreshold: 1, asyncTaskDelayMs: 5_000 });
    const { client } = contractClient(sim);
    const taskId = await startTask();

    const error = await rejectionOf(
      client.waitForTask(
        { libraryId: LIB, spaceId: SPACE, taskId },
        { deadline: Date.now() + 400 },
      ),
    );

    expect(error).toBeInstanceOf(SmhTimeoutError);
    expect(error).toMatchObject({ kind: "retryable", taskId, mayHaveApplied: false });
  });

  for (const [status, kind, code] of [
    [404, "unexpected", "TaskNotFound"],
    [400, "invalid", "ParamInvalid"],
    [403, "permission", "NoPermission"],
  ] as const) {
    it(`reports an unknown task id (SMH answering ${status}) as ${kind}, without retrying`, async () => {
      sim.setOptions({ unknownTaskIdStatus: status });
      const { client } = contractClient(sim);

      const error = await rejectionOf(
        client.queryTasks({ libraryId: LIB, spaceId: SPACE, taskIds: [99_999] }),
      );

      expect(error).toMatchObject({ kind, status, code, attempts: 1 });
    });
  }

  it("refuses to query more than 100 tasks at once, before sending", async () => {
    const { client } = contractClient(sim);
    const taskIds = Array.from({ length: 101 }, (_, i) => i + 1);

    const error = await rejectionOf(client.queryTasks({ libraryId: LIB, spaceId: SPACE, taskIds }));

    expect(error).toMatchObject({ kind: "invalid", attempts: 0 });
    expect(sim.stats().total).toBe(0);
  });

  // Runs last: it moves this simulator's clock past the task retention.
  it("can no longer see a task that finished more than 30 days ago", async () => {
    sim.setFaults(LIB, { asyncBatchThreshold: 1, asyncTaskDelayMs: 0 });
    const { client } = contractClient(sim);
    const taskId = await startTask(2);
    await client.waitForTask({ libraryId: LIB, spaceId: SPACE, taskId });

    sim.advanceClock(31 * DAY_MS);
    const error = await rejectionOf(
      client.queryTasks({ libraryId: LIB, spaceId: SPACE, taskIds: [taskId] }),
    );

    expect(error).toMatchObject({ status: 404, code: "TaskNotFound" });
  });
});
