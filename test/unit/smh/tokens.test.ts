import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SmhAuthError } from "../../../lib/smh/errors/auth-error.ts";
import { SmhConfigurationError } from "../../../lib/smh/errors/configuration-error.ts";
import { SmhTimeoutError } from "../../../lib/smh/errors/timeout-error.ts";
import type { SmhTokenRefreshedEvent } from "../../../lib/smh/events.ts";
import { inMs, LIBRARY, SECRET, testClient } from "./helpers/client.ts";
import { SmhTestServer } from "./helpers/smh-test-server.ts";

let server: SmhTestServer;
beforeEach(async () => {
  server = await SmhTestServer.start();
  server.on("DELETE", /^\/api\/v1\/directory\//, () => ({
    status: 200,
    json: { recycledItemId: 1 },
  }));
  server.on("GET", /^\/api\/v1\/directory\//, () => ({ status: 200, json: { contents: [] } }));
  server.on("POST", /^\/api\/v1\/recycled\/.*\/\d+$/, () => ({
    status: 200,
    json: { path: ["a"] },
  }));
  server.on("DELETE", /^\/api\/v1\/recycled\//, () => ({ status: 204 }));
});
afterEach(async () => {
  await server.close();
});

const target = { libraryId: LIBRARY, spaceId: "-", path: "a" };

async function listOnce(client: ReturnType<typeof testClient>["client"], spaceId = "-") {
  for await (const _page of client.listDirectory({ libraryId: LIBRARY, spaceId })) {
    // one page
  }
}

describe("token minting", () => {
  it("asks for the least grant each operation needs", async () => {
    const { client } = testClient(server);
    await client.deleteDirectory(target);
    await client.deleteDirectory({ ...target, permanent: true });
    await client.restoreRecycledItem({ libraryId: LIBRARY, spaceId: "-", recycledItemId: 1 });
    await client.purgeRecycledItem({ libraryId: LIBRARY, spaceId: "-", recycledItemId: 1 });
    await listOnce(client);
    const grants = server.tokenRequests().map((request) => request.query.get("grant"));
    expect(grants).toEqual([
      "delete_directory",
      "delete_directory,delete_directory_permanent",
      "restore_recycled",
      "delete_recycled",
      null,
    ]);
  });

  it("sends the library ID, secret and period, and the user when one is configured", async () => {
    const { client } = testClient(server, { userId: "cleaner-bot", tokenPeriodSeconds: 900 });
    await client.deleteDirectory(target);
    const [mint] = server.tokenRequests();
    expect(mint?.query.get("library_id")).toBe(LIBRARY);
    expect(mint?.query.get("library_secret")).toBe(SECRET);
    expect(mint?.query.get("period")).toBe("900");
    expect(mint?.query.get("user_id")).toBe("cleaner-bot");
  });

  it("binds tokens to the space in a multi-tenant library and omits space_id for '-'", async () => {
    const { client } = testClient(server);
    await client.deleteDirectory(target);
    await client.deleteDirectory({ ...target, spaceId: "space04fzo07fdq61b" });
    const [single, multi] = server.tokenRequests();
    expect(single?.query.has("space_id")).toBe(false);
    expect(multi?.query.get("space_id")).toBe("space04fzo07fdq61b");
  });

  it("caches one token per library, space, grant set and user", async () => {
    const { client } = testClient(server);
    await client.deleteDirectory(target);
    await client.deleteDirectory({ ...target, path: "b" });
    expect(server.tokenRequests()).toHaveLength(1);
    await client.deleteDirectory({ ...target, spaceId: "spaceA" });
    await client.deleteDirectory(target, { userId: "someone" });
    await listOnce(client);
    await client.deleteDirectory({ ...target, spaceId: "spaceA", path: "c" });
    await client.deleteDirectory({ ...target, path: "d" }, { userId: "someone" });
    expect(server.tokenRequests()).toHaveLength(4);
    expect(server.tokenRequests()[2]?.query.get("user_id")).toBe("someone");
  });

  it("shares one token request among concurrent callers (no stampede)", async () => {
    server.on("POST", "/api/v1/token", () => ({
      status: 200,
      json: { accessToken: "acctk-SLOW", expiresIn: 3600 },
      delayMs: 50,
    }));
    const { client, events } = testClient(server);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, n) => client.deleteDirectory({ ...target, path: `d${n}` })),
    );
    expect(results.every((result) => result.outcome === "recycled")).toBe(true);
    expect(server.tokenRequests()).toHaveLength(1);
    expect(events.filter((event) => event.type === "tokenMinted")).toHaveLength(1);
  });

  it("refreshes a token before it expires, once for all concurrent callers", async () => {
    let offset = 0;
    const { client, events } = testClient(server, {
      now: () => Date.now() + offset,
      tokenRefreshMarginSeconds: 300,
    });
    await client.deleteDirectory(target);
    offset = 3599 * 1000 - 300 * 1000 - 1000; // just before the refresh point
    await client.deleteDirectory(target);
    expect(server.tokenRequests()).toHaveLength(1);
    offset = 3600 * 1000 - 300 * 1000 + 1000; // inside the refresh margin
    await Promise.all(Array.from({ length: 10 }, () => client.deleteDirectory(target)));
    expect(server.tokenRequests()).toHaveLength(2);
    const refreshed = events.filter((event) => event.type === "tokenRefreshed");
    expect(refreshed).toEqual([
      expect.objectContaining({ reason: "expiring", libraryId: LIBRARY }),
    ]);
    const deletes = server.received(/^\/api\/v1\/directory\//, "DELETE");
    expect(deletes.at(-1)?.query.get("access_token")).toBe("acctk-TOKEN-2");
  });

  it("keeps a short-lived token for at most half its life", async () => {
    server.on("POST", "/api/v1/token", (_request, index) => ({
      status: 200,
      json: { accessToken: `acctk-SHORT-${index}`, expiresIn: 60 },
    }));
    let offset = 0;
    const { client } = testClient(server, { now: () => Date.now() + offset });
    await client.deleteDirectory(target);
    offset = 29_000;
    await client.deleteDirectory(target);
    expect(server.tokenRequests()).toHaveLength(1);
    offset = 31_000;
    await client.deleteDirectory(target);
    expect(server.tokenRequests()).toHaveLength(2);
  });

  it("uses the period as the lifetime when SMH does not say expiresIn", async () => {
    server.on("POST", "/api/v1/token", () => ({
      status: 200,
      json: { accessToken: "acctk-NOEXP" },
    }));
    const { client, events } = testClient(server, { tokenPeriodSeconds: 120 });
    await client.deleteDirectory(target);
    expect(events.find((event) => event.type === "tokenMinted")).toMatchObject({
      expiresInSeconds: 120,
    });
  });
});

describe("a refused token (403 InvalidAccessToken)", () => {
  it("is replaced once and the call is sent once more", async () => {
    server.on("DELETE", /^\/api\/v1\/directory\//, (request) =>
      request.query.get("access_token") === "acctk-TOKEN-1"
        ? { status: 403, json: { code: "InvalidAccessToken", message: "expired" } }
        : { status: 200, json: { recycledItemId: 9 } },
    );
    const { client, events } = testClient(server);
    const result = await client.deleteDirectory(target);
    expect(result).toMatchObject({ outcome: "recycled", recycledItemId: 9, attempts: 2 });
    expect(server.tokenRequests()).toHaveLength(2);
    const refreshed = events.find(
      (event) => event.type === "tokenRefreshed",
    ) as SmhTokenRefreshedEvent;
    expect(refreshed.reason).toBe("rejected");
  });

  it("fails as an auth error when the fresh token is refused too, after exactly one re-mint", async () => {
    server.on("DELETE", /^\/api\/v1\/directory\//, () => ({
      status: 403,
      json: { code: "InvalidAccessToken" },
    }));
    const { client } = testClient(server);
    const error = await client.deleteDirectory(target).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhAuthError);
    expect(error).toMatchObject({ attempts: 2, code: "InvalidAccessToken" });
    expect(server.tokenRequests()).toHaveLength(2);
    expect(server.received(/^\/api\/v1\/directory\//)).toHaveLength(2);
  });

  it("is replaced by one mint when many concurrent calls are refused", async () => {
    server.on("DELETE", /^\/api\/v1\/directory\//, (request) =>
      request.query.get("access_token") === "acctk-TOKEN-1"
        ? { status: 403, json: { code: "InvalidAccessToken" }, delayMs: 10 }
        : { status: 204 },
    );
    const { client } = testClient(server);
    await client.deleteDirectory({ ...target, path: "warm" }).catch(() => undefined);
    const before = server.tokenRequests().length;
    await Promise.all(
      Array.from({ length: 10 }, (_, n) => client.deleteDirectory({ ...target, path: `p${n}` })),
    );
    expect(before).toBe(2);
    expect(server.tokenRequests()).toHaveLength(2);
  });

  it("is not re-minted for permission errors, which a new token cannot fix", async () => {
    server.on("DELETE", /^\/api\/v1\/directory\//, () => ({
      status: 403,
      json: { code: "NoPermission" },
    }));
    const { client } = testClient(server);
    await expect(client.deleteDirectory(target)).rejects.toMatchObject({
      kind: "permission",
      attempts: 1,
    });
    expect(server.tokenRequests()).toHaveLength(1);
  });
});

describe("minting failures and secrets", () => {
  it("reports a wrong secret as a configuration error and does not cache the failure", async () => {
    server.on("POST", "/api/v1/token", (_request, index) =>
      index === 0
        ? { status: 404, json: { code: "WrongLibraryIdOrSecret", message: "wrong secret" } }
        : { status: 200, json: { accessToken: "acctk-OK", expiresIn: 3600 } },
    );
    const { client } = testClient(server);
    const error = await client.deleteDirectory(target).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhConfigurationError);
    expect(error).toMatchObject({ operation: "mintToken", code: "WrongLibraryIdOrSecret" });
    await expect(client.deleteDirectory(target)).resolves.toMatchObject({ outcome: "recycled" });
    expect(server.tokenRequests()).toHaveLength(2);
  });

  it("resolves the secret lazily, once per mint, asynchronously", async () => {
    let reads = 0;
    const { client } = testClient(server, {
      libraries: [
        {
          libraryId: LIBRARY,
          baseUrl: server.url,
          librarySecret: async () => {
            reads++;
            return SECRET;
          },
        },
      ],
    });
    expect(reads).toBe(0);
    await client.deleteDirectory(target);
    await client.deleteDirectory({ ...target, path: "b" });
    expect(reads).toBe(1);
    await client.deleteDirectory({ ...target, permanent: true });
    expect(reads).toBe(2);
  });

  it("reports a secret that cannot be read as a configuration error, before any request", async () => {
    const { client } = testClient(server, {
      libraries: [
        {
          libraryId: LIBRARY,
          baseUrl: server.url,
          librarySecret: () => {
            throw new Error("parameter /smh/secret not found");
          },
        },
      ],
    });
    await expect(client.deleteDirectory(target)).rejects.toBeInstanceOf(SmhConfigurationError);
    expect(server.requests).toHaveLength(0);
  });

  it("lets a caller with a short deadline give up on a slow shared mint without failing the others", async () => {
    server.on("POST", "/api/v1/token", () => ({
      status: 200,
      json: { accessToken: "acctk-SLOW", expiresIn: 3600 },
      delayMs: 300,
    }));
    const { client } = testClient(server);
    const patient = client.deleteDirectory(target, { deadline: inMs(5000) });
    const hurried = client.deleteDirectory({ ...target, path: "b" }, { deadline: inMs(100) });
    await expect(hurried).rejects.toBeInstanceOf(SmhTimeoutError);
    await expect(patient).resolves.toMatchObject({ outcome: "recycled" });
    expect(server.tokenRequests()).toHaveLength(1);
  });
});
