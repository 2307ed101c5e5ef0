import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SmhInvalidRequestError } from "../../../lib/smh/errors/invalid-request-error.ts";
import { SmhNotFoundError } from "../../../lib/smh/errors/not-found-error.ts";
import { SmhPermissionError } from "../../../lib/smh/errors/permission-error.ts";
import { SmhTimeoutError } from "../../../lib/smh/errors/timeout-error.ts";
import { InvalidPathError } from "../../../lib/smh/paths.ts";
import { inMs, LIBRARY, testClient } from "./helpers/client.ts";
import { SmhTestServer } from "./helpers/smh-test-server.ts";

const BATCH = `/api/v1/batch/${LIBRARY}/-`;
const TASK = `/api/v1/task/${LIBRARY}/-/15`;

let server: SmhTestServer;
beforeEach(async () => {
  server = await SmhTestServer.start();
});
afterEach(async () => {
  await server.close();
});

describe("batchDelete", () => {
  it("sends the paths as documented: POST ?delete with [{ path, permanent? }]", async () => {
    server.on("POST", BATCH, () => ({ status: 200, json: { result: [] } }));
    const { client } = testClient(server);
    await client.batchDelete({
      libraryId: LIBRARY,
      spaceId: "-",
      items: [{ path: "/foo/bar/" }, { path: "foo/2.jpg", permanent: true }],
    });
    const [request] = server.received(BATCH);
    expect(request?.rawQuery.split("&")[0]).toBe("delete");
    expect(request?.body).toEqual([{ path: "foo/bar" }, { path: "foo/2.jpg", permanent: true }]);
    expect(server.tokenRequests()[0]?.query.get("grant")).toBe(
      "delete_directory,delete_directory_permanent",
    );
  });

  it("maps a 207's per-item results back to the requested paths, whatever their order", async () => {
    server.on("POST", BATCH, () => ({
      status: 207,
      headers: { "x-request-id": "req-207" },
      json: {
        result: [
          {
            status: 404,
            code: "DirectoryNotFound",
            message: "Directory not found.",
            path: ["gone"],
          },
          { status: 204, path: ["perm"] },
          { status: 403, code: "NoPermission", message: "no", path: ["locked"] },
          { status: 200, recycledItemId: 124, path: ["b", "c"] },
          { status: 200, recycledItemId: 123, path: ["a"] },
        ],
      },
    }));
    const { client } = testClient(server);
    const result = await client.batchDelete({
      libraryId: LIBRARY,
      spaceId: "-",
      items: [
        { path: "a" },
        { path: "b/c" },
        { path: "perm", permanent: true },
        { path: "gone" },
        { path: "locked" },
        { path: "unmentioned" },
      ],
    });
    expect(result).toMatchObject({ requestId: "req-207", attempts: 1, taskId: undefined });
    const [a, bc, perm, gone, locked, unmentioned] = result.items;
    expect(a).toEqual({ path: "a", permanent: false, outcome: "recycled", recycledItemId: 123 });
    expect(bc).toEqual({ path: "b/c", permanent: false, outcome: "recycled", recycledItemId: 124 });
    expect(perm).toEqual({ path: "perm", permanent: true, outcome: "deleted" });
    expect(gone?.outcome).toBe("failed");
    if (gone?.outcome === "failed") {
      expect(gone.error).toBeInstanceOf(SmhNotFoundError);
      expect(gone.error).toMatchObject({ code: "DirectoryNotFound", requestId: "req-207" });
    }
    if (locked?.outcome === "failed") expect(locked.error).toBeInstanceOf(SmhPermissionError);
    else expect.fail("a refused item must be reported as failed");
    expect(unmentioned).toEqual({ path: "unmentioned", permanent: false, outcome: "unknown" });
  });

  it("sends a repeated path once and reports it for every request", async () => {
    server.on("POST", BATCH, () => ({
      status: 200,
      json: { result: [{ status: 200, recycledItemId: 1, path: ["a"] }] },
    }));
    const { client } = testClient(server);
    const result = await client.batchDelete({
      libraryId: LIBRARY,
      spaceId: "-",
      items: [{ path: "a" }, { path: "/a/" }],
    });
    expect(server.received(BATCH)[0]?.body).toEqual([{ path: "a" }]);
    expect(result.items.map((item) => item.outcome)).toEqual(["recycled", "recycled"]);
  });

  it("refuses the same path both permanently and into the recycle bin", async () => {
    const { client } = testClient(server);
    await expect(
      client.batchDelete({
        libraryId: LIBRARY,
        spaceId: "-",
        items: [{ path: "a" }, { path: "a", permanent: true }],
      }),
    ).rejects.toBeInstanceOf(SmhInvalidRequestError);
  });

  it("refuses the whole batch, sending nothing, when one path must never be sent", async () => {
    const { client } = testClient(server);
    await expect(
      client.batchDelete({
        libraryId: LIBRARY,
        spaceId: "-",
        items: [{ path: "a" }, { path: "/" }],
      }),
    ).rejects.toBeInstanceOf(InvalidPathError);
    expect(server.requests).toHaveLength(0);
  });

  it("polls the task of a 202 until done and maps its per-item results", async () => {
    server.on("POST", BATCH, () => ({ status: 202, json: { taskId: 15 } }));
    server.on("GET", TASK, (_request, index) =>
      index === 0
        ? { status: 200, json: [{ taskId: 15, status: 202 }] }
        : {
            status: 200,
            json: [
              {
                taskId: 15,
                status: 200,
                result: [
                  { status: 200, recycledItemId: 8, path: ["y"] },
                  { status: 200, recycledItemId: 7, path: ["x"] },
                ],
              },
            ],
          },
    );
    const { client } = testClient(server);
    const result = await client.batchDelete({
      libraryId: LIBRARY,
      spaceId: "-",
      items: [{ path: "x" }, { path: "y" }],
    });
    expect(result.taskId).toBe(15);
    expect(
      result.items.map((item) =>
        item.outcome === "recycled" ? item.recycledItemId : item.outcome,
      ),
    ).toEqual([7, 8]);
    expect(server.received(TASK)).toHaveLength(2);
    expect(server.received(TASK)[0]?.query.get("access_token")).toMatch(/^acctk-TOKEN-/);
  });

  it("reports items as unknown when the task finished without per-item detail", async () => {
    server.on("POST", BATCH, () => ({ status: 202, json: { taskId: 15 } }));
    server.on("GET", TASK, () => ({ status: 200, json: [{ taskId: 15, status: 204 }] }));
    const { client } = testClient(server);
    const result = await client.batchDelete({
      libraryId: LIBRARY,
      spaceId: "-",
      items: [{ path: "x" }],
    });
    expect(result.items).toEqual([{ path: "x", permanent: false, outcome: "unknown" }]);
  });

  it("hands back the task ID when the task is still running at the deadline", async () => {
    server.on("POST", BATCH, () => ({ status: 202, json: { taskId: 15 } }));
    server.on("GET", TASK, () => ({ status: 200, json: [{ taskId: 15, status: 202 }] }));
    const { client } = testClient(server);
    const error = await client
      .batchDelete(
        { libraryId: LIBRARY, spaceId: "-", items: [{ path: "x" }] },
        // Long enough for the POST and two polls on a starved machine (400 ms was not, once, at
        // load average 8); the test lasts until the deadline, whatever the machine.
        { deadline: inMs(3_000) },
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhTimeoutError);
    expect(error).toMatchObject({ taskId: 15, mayHaveApplied: true, attempts: 1 });
    expect(server.received(TASK).length).toBeGreaterThan(1);
  });
});
