import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SmhTimeoutError } from "../../../lib/smh/errors/timeout-error.ts";
import { inMs, LIBRARY, testClient } from "./helpers/client.ts";
import { SmhTestServer } from "./helpers/smh-test-server.ts";

let server: SmhTestServer;
beforeEach(async () => {
  server = await SmhTestServer.start();
});
afterEach(async () => {
  await server.close();
});

describe("queryTasks", () => {
  it("asks for several tasks at once and reports their state", async () => {
    server.on("GET", `/api/v1/task/${LIBRARY}/-/10,12,13`, () => ({
      status: 200,
      json: [
        { taskId: 10, status: 202 },
        { taskId: 12, status: 200, result: [] },
        { taskId: 13, status: 500 },
      ],
    }));
    const { client } = testClient(server);
    const { tasks } = await client.queryTasks({
      libraryId: LIBRARY,
      spaceId: "-",
      taskIds: [10, 12, 13],
    });
    expect(tasks.map((task) => [task.taskId, task.state])).toEqual([
      [10, "running"],
      [12, "succeeded"],
      [13, "failed"],
    ]);
  });
});

describe("waitForTask", () => {
  const TASK = `/api/v1/task/${LIBRARY}/-/21`;

  it("polls with growing waits until the task is done", async () => {
    server.on("GET", TASK, (_request, index) => ({
      status: 200,
      json: [index < 4 ? { taskId: 21, status: 202 } : { taskId: 21, status: 204 }],
    }));
    const { client } = testClient(server, {
      taskPolling: { initialDelayMs: 20, factor: 2, maxDelayMs: 1000 },
    });
    const result = await client.waitForTask({ libraryId: LIBRARY, spaceId: "-", taskId: 21 });
    expect(result).toMatchObject({ polls: 5, task: { state: "succeeded", status: 204 } });
    const times = server.received(TASK).map((request) => request.receivedAt);
    const gaps = times.slice(1).map((time, index) => time - (times[index] ?? 0));
    // Equal jitter: the waits before polls 2 to 5 are half to all of 40, 80, 160 and 320 ms.
    expect(gaps[3]).toBeGreaterThanOrEqual(150);
    expect(gaps[3]).toBeGreaterThan(gaps[0] ?? 0);
  });

  it("gives up at the deadline with the task ID, to resume later", async () => {
    server.on("GET", TASK, () => ({ status: 200, json: [{ taskId: 21, status: 202 }] }));
    const { client } = testClient(server);
    const deadline = inMs(500);
    const error = await client
      .waitForTask({ libraryId: LIBRARY, spaceId: "-", taskId: 21 }, { deadline })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhTimeoutError);
    expect(error).toMatchObject({ taskId: 21, kind: "retryable" });
    expect(Date.now()).toBeLessThanOrEqual(deadline + 100);
  });
});
