import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SmhNotFoundError } from "../../../lib/smh/errors/not-found-error.ts";
import { SmhRetryableError } from "../../../lib/smh/errors/retryable-error.ts";
import { SmhTaskFailedError } from "../../../lib/smh/errors/task-failed-error.ts";
import { SmhUnexpectedResponseError } from "../../../lib/smh/errors/unexpected-response-error.ts";
import type { RecycleBinPage } from "../../../lib/smh/operations/recycle-bin-listing.ts";
import { collect, LIBRARY, testClient } from "./helpers/client.ts";
import { SmhTestServer } from "./helpers/smh-test-server.ts";

const BIN = `/api/v1/recycled/${LIBRARY}/-`;
const space = { libraryId: LIBRARY, spaceId: "-" };

function item(id: number, path: string[], removalTime: string, type = "dir") {
  return {
    recycledItemId: id,
    originalPath: path,
    name: path.at(-1),
    type,
    removalTime,
    remainingTime: 30,
  };
}

let server: SmhTestServer;
beforeEach(async () => {
  server = await SmhTestServer.start();
});
afterEach(async () => {
  await server.close();
});

describe("listRecycleBin", () => {
  it("pages through the bin newest first, following markers until there is none", async () => {
    server.on("GET", BIN, (request) => {
      const marker = request.query.get("marker");
      if (marker === null) {
        return {
          status: 200,
          json: { nextMarker: 1013, contents: [item(3, ["c"], "2024-03-01T00:00:00.000Z")] },
        };
      }
      if (marker === "1013") {
        return {
          status: 200,
          json: { nextMarker: "abc", contents: [item(2, ["b"], "2024-02-01T00:00:00.000Z")] },
        };
      }
      return {
        status: 200,
        json: { nextMarker: "", contents: [item(1, ["a", "x"], "2024-01-01T00:00:00.000Z")] },
      };
    });
    const { client } = testClient(server);
    const pages: RecycleBinPage[] = await collect(client.listRecycleBin(space));
    expect(pages.flatMap((page) => page.items.map((entry) => entry.recycledItemId))).toEqual([
      3, 2, 1,
    ]);
    expect(pages[2]?.items[0]).toMatchObject({
      originalPath: "a/x",
      originalSegments: ["a", "x"],
      type: "dir",
    });
    const [first] = server.received(BIN);
    expect(first?.query.get("order_by")).toBe("removalTime");
    expect(first?.query.get("order_by_type")).toBe("desc");
    expect(first?.query.get("limit")).toBe("100");
    expect(server.received(BIN).map((request) => request.query.get("marker"))).toEqual([
      null,
      "1013",
      "abc",
    ]);
  });

  it("stops with an error instead of paging forever when SMH repeats a marker", async () => {
    server.on("GET", BIN, () => ({ status: 200, json: { nextMarker: "same", contents: [] } }));
    const { client } = testClient(server);
    await expect(collect(client.listRecycleBin(space))).rejects.toBeInstanceOf(
      SmhUnexpectedResponseError,
    );
    expect(server.received(BIN)).toHaveLength(2);
  });
});

describe("findRecycledItem", () => {
  const pages = [
    [
      item(9, ["events", "2019"], "2024-05-03T00:00:00.000Z", "file"),
      item(8, ["other"], "2024-05-02T00:00:00.000Z"),
    ],
    [
      item(7, ["events", "2019"], "2024-05-01T00:00:00.000Z"),
      item(6, ["events", "2019"], "2024-04-01T00:00:00.000Z"),
    ],
    [item(5, ["events", "2019"], "2023-01-01T00:00:00.000Z")],
  ];
  beforeEach(() => {
    server.on("GET", BIN, (request) => {
      const index = Number(request.query.get("marker") ?? "0");
      return {
        status: 200,
        json: {
          nextMarker: index + 1 < pages.length ? String(index + 1) : undefined,
          contents: pages[index],
        },
      };
    });
  });

  it("finds the most recently removed directory with that original path", async () => {
    const { client } = testClient(server);
    const found = await client.findRecycledItem({ ...space, path: "/events/2019/" });
    expect(found.item?.recycledItemId).toBe(7);
    expect(found.pagesScanned).toBe(2);
  });

  it("honours the removal time window", async () => {
    const { client } = testClient(server);
    const found = await client.findRecycledItem({
      ...space,
      path: "events/2019",
      removedBefore: Date.parse("2024-04-15T00:00:00.000Z"),
    });
    expect(found.item?.recycledItemId).toBe(6);
  });

  it("stops reading at the first page entirely older than the window", async () => {
    const { client } = testClient(server);
    const found = await client.findRecycledItem({
      ...space,
      path: "nowhere",
      removedAfter: Date.parse("2024-06-01T00:00:00.000Z"),
    });
    expect(found).toMatchObject({ item: undefined, pagesScanned: 1, attempts: 1 });
  });

  it("reads at most maxPages pages", async () => {
    const { client } = testClient(server);
    expect(await client.findRecycledItem({ ...space, path: "nowhere", maxPages: 2 })).toMatchObject(
      {
        item: undefined,
        pagesScanned: 2,
        attempts: 2,
      },
    );
  });

  it("matches any type when asked to", async () => {
    const { client } = testClient(server);
    const found = await client.findRecycledItem({ ...space, path: "events/2019", type: "any" });
    expect(found.item?.recycledItemId).toBe(9);
  });
});

describe("restoreRecycledItem", () => {
  const RESTORE = `${BIN}/123`;

  it("always sends both strategies, safe ones by default", async () => {
    server.on("POST", RESTORE, () => ({ status: 200, json: { path: ["foo", "bar (1)"] } }));
    const { client } = testClient(server);
    const result = await client.restoreRecycledItem({ ...space, recycledItemId: 123 });
    expect(result).toMatchObject({ path: "foo/bar (1)", attempts: 1 });
    await client.restoreRecycledItem({
      ...space,
      recycledItemId: 123,
      conflictResolution: "rename",
      restorePath: "fallbackToRoot",
    });
    const [first, second] = server.received(RESTORE);
    expect(first?.rawQuery.split("&")[0]).toBe("restore");
    expect(first?.query.get("conflict_resolution_strategy")).toBe("ask");
    expect(first?.query.get("restore_path_strategy")).toBe("originalPath");
    expect(second?.query.get("conflict_resolution_strategy")).toBe("rename");
    expect(second?.query.get("restore_path_strategy")).toBe("fallbackToRoot");
    expect(server.tokenRequests()[0]?.query.get("grant")).toBe("restore_recycled");
  });

  it("accepts a 204 without a path", async () => {
    server.on("POST", RESTORE, () => ({ status: 204 }));
    const { client } = testClient(server);
    await expect(
      client.restoreRecycledItem({ ...space, recycledItemId: 123 }),
    ).resolves.toMatchObject({
      path: undefined,
    });
  });

  it("throws a not-found for an unknown or expired item", async () => {
    server.on("POST", RESTORE, () => ({ status: 404, json: { code: "RecycledItemNotFound" } }));
    const { client } = testClient(server);
    await expect(
      client.restoreRecycledItem({ ...space, recycledItemId: 123 }),
    ).rejects.toBeInstanceOf(SmhNotFoundError);
  });

  it("is not retried after a 5xx (a second restore could race the first)", async () => {
    server.on("POST", RESTORE, () => ({ status: 500, json: { code: "InternalServerError" } }));
    const { client } = testClient(server);
    await expect(
      client.restoreRecycledItem({ ...space, recycledItemId: 123 }),
    ).rejects.toMatchObject({
      attempts: 1,
      mayHaveApplied: true,
    });
  });
});

describe("purgeRecycledItem", () => {
  it("purges with the delete_recycled grant and retries a 5xx (a second purge finds nothing)", async () => {
    server.on("DELETE", `${BIN}/5`, (_request, index) =>
      index === 0 ? { status: 500, json: { code: "InternalServerError" } } : { status: 204 },
    );
    const { client } = testClient(server);
    await expect(client.purgeRecycledItem({ ...space, recycledItemId: 5 })).resolves.toMatchObject({
      attempts: 2,
    });
    expect(server.tokenRequests()[0]?.query.get("grant")).toBe("delete_recycled");
  });
});

describe("restoreRecycledItems", () => {
  it("maps 207 results back by recycled item ID", async () => {
    server.on("POST", BIN, () => ({
      status: 207,
      json: {
        result: [
          {
            status: 404,
            code: "RecycledItemNotFound",
            message: "Recycled item not found.",
            recycledItemId: 2,
          },
          { status: 200, path: ["foo", "bar"], recycledItemId: 1 },
        ],
      },
    }));
    const { client } = testClient(server);
    const result = await client.restoreRecycledItems({ ...space, recycledItemIds: [1, 2, 3, 1] });
    const [request] = server.received(BIN);
    expect(request?.body).toEqual([1, 2, 3]);
    expect(request?.rawQuery.split("&")[0]).toBe("restore");
    expect(request?.query.get("restore_path_strategy")).toBe("originalPath");
    expect(result.items[0]).toEqual({ recycledItemId: 1, outcome: "restored", path: "foo/bar" });
    expect(result.items[1]?.outcome).toBe("failed");
    if (result.items[1]?.outcome === "failed")
      expect(result.items[1].error).toBeInstanceOf(SmhNotFoundError);
    expect(result.items[2]).toEqual({ recycledItemId: 3, outcome: "unknown" });
  });

  it("polls the task of a 202", async () => {
    server.on("POST", BIN, () => ({ status: 202, json: { taskId: 4 } }));
    server.on("GET", `/api/v1/task/${LIBRARY}/-/4`, () => ({
      status: 200,
      json: [{ taskId: 4, status: 200, result: [{ status: 200, path: ["a"], recycledItemId: 1 }] }],
    }));
    const { client } = testClient(server);
    const result = await client.restoreRecycledItems({ ...space, recycledItemIds: [1] });
    expect(result).toMatchObject({
      taskId: 4,
      items: [{ recycledItemId: 1, outcome: "restored", path: "a" }],
    });
  });
});

describe("purgeRecycledItems", () => {
  it("purges a batch with 204", async () => {
    server.on("POST", BIN, () => ({ status: 204 }));
    const { client } = testClient(server);
    await expect(
      client.purgeRecycledItems({ ...space, recycledItemIds: [1, 2] }),
    ).resolves.toMatchObject({
      attempts: 1,
      taskId: undefined,
    });
    const [request] = server.received(BIN);
    expect(request?.rawQuery.split("&")[0]).toBe("delete");
    expect(request?.body).toEqual([1, 2]);
  });

  it("waits for the task of a large batch purge and fails if the task fails", async () => {
    server.on("POST", BIN, () => ({ status: 202, json: { taskId: 31 } }));
    server.on("GET", `/api/v1/task/${LIBRARY}/-/31`, (_request, index) => ({
      status: 200,
      json: [{ taskId: 31, status: index === 0 ? 202 : 204 }],
    }));
    const { client } = testClient(server);
    await expect(
      client.purgeRecycledItems({ ...space, recycledItemIds: [1] }),
    ).resolves.toMatchObject({
      taskId: 31,
    });
    server.on("GET", `/api/v1/task/${LIBRARY}/-/31`, () => ({
      status: 200,
      json: [{ taskId: 31, status: 500 }],
    }));
    await expect(
      client.purgeRecycledItems({ ...space, recycledItemIds: [1] }),
    ).rejects.toBeInstanceOf(SmhTaskFailedError);
  });

  it("does not retry a failed batch purge (500), which may have purged some items", async () => {
    server.on("POST", BIN, () => ({ status: 500, json: { code: "InternalServerError" } }));
    const { client } = testClient(server);
    const error = await client
      .purgeRecycledItems({ ...space, recycledItemIds: [1] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhRetryableError);
    expect(error).toMatchObject({ attempts: 1, mayHaveApplied: true });
  });
});
