import { describe, expect, it } from "vitest";
import type { Simulator } from "../../../lib/sim/simulator.ts";
import {
  call,
  directoryPath,
  eventually,
  LIBRARY_ID,
  mintToken,
  SPACE_ID,
  signIn,
  useSimulators,
} from "./helpers.ts";

const start = useSimulators();
const BATCH = `/api/v1/batch/${LIBRARY_ID}/${SPACE_ID}`;
const BIN = `/api/v1/recycled/${LIBRARY_ID}/${SPACE_ID}`;

const setup = async (options: Parameters<typeof start>[0] = {}) => signIn(await start(options));

async function waitForTask(sim: Simulator, token: string, taskId: number) {
  let task: { taskId: number; status: number; result?: unknown[] } | undefined;
  await eventually(async () => {
    const res = await call(sim, "GET", `/api/v1/task/${LIBRARY_ID}/${SPACE_ID}/${taskId}`, {
      query: { access_token: token },
    });
    task = res.body[0];
    return task?.status !== 202;
  });
  return task;
}

describe("batch delete", () => {
  it("answers 200 with one result per path when every item succeeds", async () => {
    const { sim, q } = await setup();
    const res = await call(sim, "POST", BATCH, {
      query: { ...q, delete: true },
      body: [{ path: "events/2024-01-party" }, { path: "users/u1", permanent: true }],
    });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual([
      { status: 200, recycledItemId: expect.any(Number), path: ["events", "2024-01-party"] },
      { status: 204, path: ["users", "u1"] },
    ]);
  });

  it("answers 207 with code and message on the items that failed", async () => {
    const { sim, q } = await setup();
    const res = await call(sim, "POST", BATCH, {
      query: { ...q, delete: 1 },
      body: [{ path: "users" }, { path: "missing/dir" }, { path: "users" }],
    });
    expect(res.status).toBe(207);
    expect(res.body.result.map((r: { status: number }) => r.status)).toEqual([200, 404, 404]);
    expect(res.body.result[1]).toMatchObject({
      code: "DirectoryNotFound",
      message: expect.any(String),
      path: ["missing", "dir"],
    });
  });

  it("checks each item's own grant: a directory-only token fails on files with 403", async () => {
    const { sim } = await setup();
    const token = await mintToken(sim, { grant: "delete_directory", spaceId: SPACE_ID });
    const res = await call(sim, "POST", BATCH, {
      query: { access_token: token, delete: true },
      body: [{ path: "events/2024-01-party/a.jpg" }, { path: "users" }],
    });
    expect(res.status).toBe(207);
    expect(
      res.body.result.map((r: { status: number; code?: string }) => [r.status, r.code]),
    ).toEqual([
      [403, "NoPermission"],
      [200, undefined],
    ]);
  });

  it("refuses an empty batch, more than 1000 items, and a body that is not an array", async () => {
    const { sim, q } = await setup();
    const send = (body: unknown) =>
      call(sim, "POST", BATCH, { query: { ...q, delete: true }, body });
    const empty = await send([]);
    expect([empty.status, empty.body.code]).toEqual([400, "NoItemsProvided"]);
    const tooMany = await send(Array.from({ length: 1001 }, (_, i) => ({ path: `x${i}` })));
    expect([tooMany.status, tooMany.body.code]).toEqual([400, "TooManyItems"]);
    const notArray = await send({ path: "users" });
    expect([notArray.status, notArray.body.code]).toEqual([400, "ParamInvalid"]);
  });

  it("answers 202 {taskId} above asyncBatchThreshold and applies the deletes when the task finishes", async () => {
    const { sim, token, q } = await setup({
      faults: { asyncBatchThreshold: 2, asyncTaskDelayMs: 50 },
    });
    for (let i = 0; i < 3; i++) sim.createDirectory(LIBRARY_ID, SPACE_ID, `bulk/d${i}`);
    const res = await call(sim, "POST", BATCH, {
      query: { ...q, delete: true },
      body: [{ path: "bulk/d0" }, { path: "bulk/d1" }, { path: "bulk/nope" }],
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ taskId: expect.any(Number) });
    const task = await waitForTask(sim, token, res.body.taskId);
    expect(task).toMatchObject({ taskId: res.body.taskId, status: 200 });
    expect(task?.result?.map((r) => (r as { status: number }).status)).toEqual([200, 200, 404]);
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "bulk/d0")).toBe(false);
    expect(sim.groundTruth().deletions.filter((d) => d.via === "task")).toHaveLength(2);
  });
});

describe("task query", () => {
  async function twoTasks() {
    const { sim, token, q } = await setup({
      faults: { asyncBatchThreshold: 0, asyncTaskDelayMs: 0 },
    });
    const one = await call(sim, "POST", BATCH, {
      query: { ...q, delete: true },
      body: [{ path: "users" }],
    });
    const two = await call(sim, "POST", BATCH, {
      query: { ...q, delete: true },
      body: [{ path: "events" }],
    });
    await waitForTask(sim, token, two.body.taskId);
    return { sim, token, ids: [one.body.taskId as number, two.body.taskId as number] };
  }

  it("answers a comma list of task ids, raw or encoded, and the library-level variant", async () => {
    const { sim, token, ids } = await twoTasks();
    for (const list of [ids.join(","), ids.join("%2C")]) {
      const res = await call(sim, "GET", `/api/v1/task/${LIBRARY_ID}/${SPACE_ID}/${list}`, {
        query: { access_token: token },
      });
      expect(res.body.map((t: { taskId: number; status: number }) => [t.taskId, t.status])).toEqual(
        ids.map((id) => [id, 200]),
      );
    }
    const library = await call(sim, "GET", `/api/v1/task/${LIBRARY_ID}/${ids.join(",")}`, {
      query: { access_token: token },
    });
    expect(library.body).toHaveLength(2);
  });

  it("answers an unknown task id with 404 TaskNotFound, or the configured status", async () => {
    const { sim, token } = await twoTasks();
    const path = `/api/v1/task/${LIBRARY_ID}/${SPACE_ID}/424242`;
    const res = await call(sim, "GET", path, { query: { access_token: token } });
    expect([res.status, res.body.code]).toEqual([404, "TaskNotFound"]);
    sim.setOptions({ unknownTaskIdStatus: 400 });
    expect((await call(sim, "GET", path, { query: { access_token: token } })).status).toBe(400);
  });
});

describe("batch restore", () => {
  it("answers 200 when every item is restored and 207 with per-item codes otherwise", async () => {
    const { sim, q } = await setup();
    const a = (await call(sim, "DELETE", directoryPath("users"), { query: q })).body.recycledItemId;
    const b = (await call(sim, "DELETE", directoryPath("events"), { query: q })).body
      .recycledItemId;
    const ok = await call(sim, "POST", BIN, { query: { ...q, restore: true }, body: [a] });
    expect(ok.status).toBe(200);
    expect(ok.body.result).toEqual([{ status: 200, path: ["users"], recycledItemId: a }]);
    const partial = await call(sim, "POST", BIN, {
      query: { ...q, restore: true },
      body: [b, 999],
    });
    expect(partial.status).toBe(207);
    expect(partial.body.result[1]).toMatchObject({
      status: 404,
      code: "RecycledItemNotFound",
      recycledItemId: 999,
    });
  });

  it("answers 202 {taskId} above asyncBatchThreshold", async () => {
    const { sim, token, q } = await setup({
      faults: { asyncBatchThreshold: 1, asyncTaskDelayMs: 0 },
    });
    const a = (await call(sim, "DELETE", directoryPath("users"), { query: q })).body.recycledItemId;
    const b = (await call(sim, "DELETE", directoryPath("events"), { query: q })).body
      .recycledItemId;
    const res = await call(sim, "POST", BIN, { query: { ...q, restore: true }, body: [a, b] });
    expect(res.status).toBe(202);
    const task = await waitForTask(sim, token, res.body.taskId);
    expect(task?.status).toBe(200);
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "events/2024-01-party/a.jpg")).toBe(true);
  });
});

describe("single delete as a task ([GUESS] option)", () => {
  it("never answers 202 by default, and answers 202 above singleDeleteAsyncAboveEntries", async () => {
    const { sim, token, q } = await setup({ faults: { asyncTaskDelayMs: 0 } });
    expect((await call(sim, "DELETE", directoryPath("users"), { query: q })).status).toBe(200);
    sim.setOptions({ singleDeleteAsyncAboveEntries: 3 });
    const res = await call(sim, "DELETE", directoryPath("events"), { query: q });
    expect(res.status).toBe(202);
    const task = await waitForTask(sim, token, res.body.taskId);
    expect(task?.result).toEqual([
      { status: 200, recycledItemId: expect.any(Number), path: ["events"] },
    ]);
  });
});
