import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SmhInvalidRequestError } from "../../../lib/smh/errors/invalid-request-error.ts";
import { SmhNotFoundError } from "../../../lib/smh/errors/not-found-error.ts";
import type { DirectoryPage } from "../../../lib/smh/operations/list-directory.ts";
import type { SpacePage } from "../../../lib/smh/operations/spaces.ts";
import { collect, LIBRARY, testClient } from "./helpers/client.ts";
import { SmhTestServer } from "./helpers/smh-test-server.ts";

let server: SmhTestServer;
beforeEach(async () => {
  server = await SmhTestServer.start();
});
afterEach(async () => {
  await server.close();
});

const entry = (name: string, path?: string[]) => ({
  name,
  type: "dir",
  ...(path ? { path } : {}),
  creationTime: "2020-09-22T07:43:01.000Z",
  modificationTime: "2020-09-23T07:43:01.000Z",
});

describe("listDirectory", () => {
  it("lists directories only, 100 a page, in the requested order, following markers", async () => {
    const DIR = `/api/v1/directory/${LIBRARY}/-/events`;
    server.on("GET", DIR, (request) =>
      request.query.get("marker") === null
        ? { status: 200, json: { nextMarker: 7, contents: [entry("2019", ["events", "2019"])] } }
        : { status: 200, json: { contents: [entry("2020")] } },
    );
    const { client } = testClient(server);
    const pages: DirectoryPage[] = await collect(
      client.listDirectory({
        libraryId: LIBRARY,
        spaceId: "-",
        path: "events/",
        orderBy: "creationTime",
        orderByType: "asc",
      }),
    );
    expect(pages.flatMap((page) => page.entries.map((item) => item.path))).toEqual([
      "events/2019",
      "events/2020",
    ]);
    expect(pages[0]?.entries[0]).toMatchObject({
      name: "2019",
      type: "dir",
      creationTime: "2020-09-22T07:43:01.000Z",
      modificationTime: "2020-09-23T07:43:01.000Z",
    });
    const [first, second] = server.received(DIR);
    expect(Object.fromEntries(first?.query ?? [])).toMatchObject({
      filter: "onlyDir",
      order_by: "creationTime",
      order_by_type: "asc",
      limit: "100",
    });
    expect(first?.query.has("marker")).toBe(false);
    expect(second?.query.get("marker")).toBe("7");
    expect(server.tokenRequests()[0]?.query.has("grant")).toBe(false);
  });

  it("lists the space root for an empty path or '/'", async () => {
    const ROOT = `/api/v1/directory/${LIBRARY}/-/`;
    server.on("GET", ROOT, () => ({ status: 200, json: { contents: [entry("top")] } }));
    const { client } = testClient(server);
    for (const path of [undefined, "", "/"]) {
      const [page] = await collect(
        client.listDirectory({ libraryId: LIBRARY, spaceId: "-", path }),
      );
      expect(page?.entries[0]?.path).toBe("top");
    }
    expect(server.received(ROOT)).toHaveLength(3);
  });

  it("sends no filter for 'all' and refuses a page size over 100", async () => {
    server.on("GET", /^\/api\/v1\/directory\//, () => ({ status: 200, json: { contents: [] } }));
    const { client } = testClient(server);
    await collect(
      client.listDirectory({ libraryId: LIBRARY, spaceId: "-", filter: "all", pageSize: 20 }),
    );
    expect(server.requests.at(-1)?.query.has("filter")).toBe(false);
    expect(server.requests.at(-1)?.query.get("limit")).toBe("20");
    await expect(
      collect(client.listDirectory({ libraryId: LIBRARY, spaceId: "-", pageSize: 101 })),
    ).rejects.toBeInstanceOf(SmhInvalidRequestError);
  });

  it("refuses a space ID that could change the URL", async () => {
    const { client } = testClient(server);
    await expect(
      collect(client.listDirectory({ libraryId: LIBRARY, spaceId: "../x" })),
    ).rejects.toMatchObject({ code: "SpaceIdInvalid" });
    expect(server.requests).toHaveLength(0);
  });
});

describe("directoryInfo and directoryExists", () => {
  const DIR = `/api/v1/directory/${LIBRARY}/-/events/2019`;

  it("reads details with ?info", async () => {
    server.on("GET", DIR, () => ({
      status: 200,
      json: {
        type: "dir",
        path: ["events", "2019"],
        creationTime: "2020-01-01T00:00:00.000Z",
        fileCount: 3,
      },
    }));
    const { client } = testClient(server);
    const { info } = await client.directoryInfo({
      libraryId: LIBRARY,
      spaceId: "-",
      path: "events/2019",
    });
    expect(info).toMatchObject({ type: "dir", path: "events/2019", fileCount: 3 });
    expect(server.received(DIR)[0]?.rawQuery.split("&")[0]).toBe("info");
  });

  it("throws a not-found for a missing directory", async () => {
    server.on("GET", DIR, () => ({ status: 404, json: { code: "DirectoryNotFound" } }));
    const { client } = testClient(server);
    await expect(
      client.directoryInfo({ libraryId: LIBRARY, spaceId: "-", path: "events/2019" }),
    ).rejects.toBeInstanceOf(SmhNotFoundError);
  });

  it("answers exists from HEAD: 200 true, 404 false", async () => {
    server.on("HEAD", DIR, () => ({ status: 200 }));
    server.on("HEAD", `/api/v1/directory/${LIBRARY}/-/missing`, () => ({ status: 404 }));
    const { client } = testClient(server);
    const request = { libraryId: LIBRARY, spaceId: "-" };
    await expect(
      client.directoryExists({ ...request, path: "events/2019" }),
    ).resolves.toMatchObject({ exists: true });
    await expect(client.directoryExists({ ...request, path: "missing" })).resolves.toMatchObject({
      exists: false,
    });
  });
});

describe("listSpaces", () => {
  const SPACES = `/api/v1/space/${LIBRARY}/list`;

  it("pages through the spaces with a token bound to no space", async () => {
    server.on("GET", SPACES, (request) =>
      request.query.get("marker") === null
        ? {
            status: 200,
            json: {
              list: [{ spaceId: "spaceA", userId: "u1", creationTime: "2024-01-01" }],
              nextMarker: "m",
            },
          }
        : { status: 200, json: { list: [{ spaceId: "spaceB" }] } },
    );
    const { client } = testClient(server);
    const pages: SpacePage[] = await collect(client.listSpaces({ libraryId: LIBRARY }));
    expect(pages.flatMap((page) => page.spaces.map((space) => space.spaceId))).toEqual([
      "spaceA",
      "spaceB",
    ]);
    const [mint] = server.tokenRequests();
    expect(mint?.query.has("space_id")).toBe(false);
    expect(mint?.query.has("grant")).toBe(false);
  });

  it("asks for space_admin only when every space is wanted", async () => {
    server.on("GET", SPACES, () => ({ status: 200, json: { list: [] } }));
    const { client } = testClient(server);
    await collect(client.listSpaces({ libraryId: LIBRARY, all: true }));
    expect(server.tokenRequests()[0]?.query.get("grant")).toBe("space_admin");
  });
});
