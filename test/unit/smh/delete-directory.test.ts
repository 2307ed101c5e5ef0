import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SmhConfigurationError } from "../../../lib/smh/errors/configuration-error.ts";
import { SmhNotFoundError } from "../../../lib/smh/errors/not-found-error.ts";
import { SmhRetryableError } from "../../../lib/smh/errors/retryable-error.ts";
import { SmhTaskFailedError } from "../../../lib/smh/errors/task-failed-error.ts";
import { SmhUnexpectedResponseError } from "../../../lib/smh/errors/unexpected-response-error.ts";
import { InvalidPathError } from "../../../lib/smh/paths.ts";
import { LIBRARY, testClient } from "./helpers/client.ts";
import { SmhTestServer } from "./helpers/smh-test-server.ts";

const DIR = `/api/v1/directory/${LIBRARY}/-/events/2019`;

let server: SmhTestServer;
beforeEach(async () => {
  server = await SmhTestServer.start();
});
afterEach(async () => {
  await server.close();
});

describe("deleteDirectory", () => {
  it("returns the recycled item ID when SMH moves the directory to the recycle bin (200)", async () => {
    server.on("DELETE", DIR, () => ({
      status: 200,
      json: { recycledItemId: 123 },
      headers: { "x-request-id": "req-1" },
    }));
    const { client } = testClient(server);
    const result = await client.deleteDirectory({
      libraryId: LIBRARY,
      spaceId: "-",
      path: "/events//2019/",
    });
    expect(result).toEqual({
      outcome: "recycled",
      recycledItemId: 123,
      requestId: "req-1",
      attempts: 1,
    });
    const [request] = server.received(DIR);
    expect(request?.query.get("permanent")).toBe("0");
    expect(request?.query.get("access_token")).toMatch(/^acctk-TOKEN-/);
  });

  it("reports a permanent deletion when SMH answers 204", async () => {
    server.on("DELETE", DIR, () => ({ status: 204 }));
    const { client } = testClient(server);
    const result = await client.deleteDirectory({
      libraryId: LIBRARY,
      spaceId: "-",
      path: "events/2019",
      permanent: true,
    });
    expect(result.outcome).toBe("deleted");
    expect(server.received(DIR)[0]?.query.get("permanent")).toBe("1");
  });

  it("encodes every path segment and leaves the slashes as separators", async () => {
    const path = "相册 #1/50% off?+/🎉";
    server.on("DELETE", /^\/api\/v1\/directory\//, () => ({ status: 204 }));
    const { client } = testClient(server);
    await client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path });
    const [request] = server.received(/^\/api\/v1\/directory\//);
    expect(request?.rawPath).toBe(
      `/api/v1/directory/${LIBRARY}/-/${path.split("/").map(encodeURIComponent).join("/")}`,
    );
    expect(request?.path).toBe(`/api/v1/directory/${LIBRARY}/-/${path}`);
  });

  it("throws a typed not-found for DirectoryNotFound and PathNotFound", async () => {
    for (const code of ["DirectoryNotFound", "PathNotFound"]) {
      server.on("DELETE", DIR, () => ({ status: 404, json: { code, message: "gone" } }));
      const { client } = testClient(server);
      const error = await client
        .deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "events/2019" })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SmhNotFoundError);
      expect(error).toMatchObject({ kind: "notFound", code, status: 404, mayHaveApplied: false });
    }
  });

  it("treats a missing space or library as a configuration error, not a missing directory", async () => {
    for (const code of ["SpaceNotFound", "LibraryNotFound"]) {
      server.on("DELETE", DIR, () => ({ status: 404, json: { code } }));
      const { client } = testClient(server);
      const error = await client
        .deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "events/2019" })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SmhConfigurationError);
      expect(error).not.toBeInstanceOf(SmhNotFoundError);
    }
  });

  it("flags a not-found after a failed attempt as possibly done by that attempt", async () => {
    server.on("DELETE", DIR, (_request, index) =>
      index === 0
        ? { status: 500, json: { code: "InternalServerError" } }
        : { status: 404, json: { code: "DirectoryNotFound" } },
    );
    const { client } = testClient(server);
    const error = await client
      .deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "events/2019" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhNotFoundError);
    expect(error).toMatchObject({ attempts: 2, mayHaveApplied: true });
  });

  it("polls the task of an unexpected 202 and returns the item's recycled ID", async () => {
    server.on("DELETE", DIR, () => ({ status: 202, json: { taskId: 15 } }));
    server.on("GET", `/api/v1/task/${LIBRARY}/-/15`, (_request, index) =>
      index < 2
        ? { status: 200, json: [{ taskId: 15, status: 202 }] }
        : {
            status: 200,
            json: [
              {
                taskId: 15,
                status: 200,
                result: [{ status: 200, recycledItemId: 77, path: ["events", "2019"] }],
              },
            ],
          },
    );
    const { client } = testClient(server);
    const result = await client.deleteDirectory({
      libraryId: LIBRARY,
      spaceId: "-",
      path: "events/2019",
    });
    expect(result).toMatchObject({
      outcome: "recycled",
      recycledItemId: 77,
      taskId: 15,
      attempts: 1,
    });
    expect(server.received(`/api/v1/task/${LIBRARY}/-/15`)).toHaveLength(3);
  });

  it("reports a task that finished without detail as done", async () => {
    server.on("DELETE", DIR, () => ({ status: 202, json: { taskId: 16 } }));
    server.on("GET", `/api/v1/task/${LIBRARY}/-/16`, () => ({
      status: 200,
      json: [{ taskId: 16, status: 204 }],
    }));
    const { client } = testClient(server);
    const result = await client.deleteDirectory({
      libraryId: LIBRARY,
      spaceId: "-",
      path: "events/2019",
    });
    expect(result).toMatchObject({ outcome: "done", taskId: 16 });
  });

  it("throws a task failure carrying the task ID when the task fails", async () => {
    server.on("DELETE", DIR, () => ({ status: 202, json: { taskId: 17 } }));
    server.on("GET", `/api/v1/task/${LIBRARY}/-/17`, () => ({
      status: 200,
      json: [{ taskId: 17, status: 500 }],
    }));
    const { client } = testClient(server);
    const error = await client
      .deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "events/2019" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhTaskFailedError);
    expect(error).toBeInstanceOf(SmhRetryableError);
    expect(error).toMatchObject({ taskId: 17, mayHaveApplied: true });
  });

  it("refuses a malformed success body instead of guessing", async () => {
    server.on("DELETE", DIR, () => ({ status: 200, json: { recycledItemId: "not a number" } }));
    const { client } = testClient(server);
    const error = await client
      .deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "events/2019" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhUnexpectedResponseError);
    expect(error).toMatchObject({ kind: "unexpected", mayHaveApplied: true });
  });

  it("never sends a root, dot-segment or control-character path", async () => {
    const { client } = testClient(server);
    for (const path of ["", "/", " // ", "a/../b", "./a", "a\u0000b"]) {
      await expect(
        client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path }),
      ).rejects.toBeInstanceOf(InvalidPathError);
    }
    expect(server.requests).toHaveLength(0);
  });

  it("refuses a library that is not configured before sending anything", async () => {
    const { client } = testClient(server);
    await expect(
      client.deleteDirectory({ libraryId: "smhother", spaceId: "-", path: "a" }),
    ).rejects.toBeInstanceOf(SmhConfigurationError);
    expect(server.requests).toHaveLength(0);
  });
});
