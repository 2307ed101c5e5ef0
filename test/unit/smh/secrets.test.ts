import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmhError } from "../../../lib/smh/errors/smh-error.ts";
import type { SmhEvent } from "../../../lib/smh/events.ts";
import { inMs, LIBRARY, SECRET, testClient } from "./helpers/client.ts";
import { SmhTestServer } from "./helpers/smh-test-server.ts";

/**
 * Drives every kind of failure (and some successes) with a server that echoes the request URL,
 * the token and the secret back in its messages, then scans everything the client produced.
 */

const TOKEN = /acctk-[A-Z]+-\d+/;

let server: SmhTestServer;
const produced: unknown[] = [];
const events: SmhEvent[] = [];

/**
 * An error body that quotes the request back, URL and token included, as a careless server might.
 * (Business requests never carry the library secret, so they cannot echo it; the token endpoint,
 * which does receive it, echoes it below.)
 */
function echo(
  request: { rawPath: string; rawQuery: string; query: URLSearchParams },
  code: string,
) {
  return {
    code,
    message: `failed ${request.rawPath}?${request.rawQuery}, token ${request.query.get("access_token")}`,
  };
}

beforeAll(async () => {
  server = await SmhTestServer.start();
  const routes: Array<[string, number, string]> = [
    ["notfound", 404, "DirectoryNotFound"],
    ["config", 404, "SpaceNotFound"],
    ["permission", 403, "NoPermission"],
    ["auth", 403, "InvalidAccessToken"],
    ["invalid", 400, "ParamInvalid"],
    ["throttled", 429, "RateLimitExceeded"],
    ["broken", 500, "InternalServerError"],
  ];
  for (const [name, status, code] of routes) {
    server.on("DELETE", `/api/v1/directory/${LIBRARY}/-/${name}`, (request) => ({
      status,
      json: echo(request, code),
      headers: { "retry-after": "0" },
    }));
  }
  server.on("DELETE", `/api/v1/directory/${LIBRARY}/-/slow`, () => ({
    status: 204,
    delayMs: 2000,
  }));
  server.on("DELETE", `/api/v1/directory/${LIBRARY}/-/dropped`, () => ({
    status: 200,
    destroy: true,
  }));
  server.on("DELETE", `/api/v1/directory/${LIBRARY}/-/garbled`, (request) => ({
    status: 200,
    json: { recycledItemId: request.query.get("access_token") },
  }));
  server.on("DELETE", `/api/v1/directory/${LIBRARY}/-/notjson`, (request) => ({
    status: 200,
    text: `<html>${request.rawQuery}</html>`,
  }));
  server.on("DELETE", `/api/v1/directory/${LIBRARY}/-/ok`, () => ({
    status: 200,
    json: { recycledItemId: 1 },
  }));
  server.on("POST", `/api/v1/batch/${LIBRARY}/-`, (request) => ({
    status: 207,
    json: { result: [{ status: 403, ...echo(request, "NoPermission"), path: ["x"] }] },
  }));

  const { client, events: seen } = testClient(server, {
    attemptTimeoutMs: 100,
    retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 2 },
  });
  const calls: Array<() => Promise<unknown>> = [
    ...routes.map(
      ([name]) =>
        () =>
          client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: name }),
    ),
    () =>
      client.deleteDirectory(
        { libraryId: LIBRARY, spaceId: "-", path: "slow" },
        { deadline: inMs(150) },
      ),
    () => client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "slow" }),
    () => client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "dropped" }),
    () => client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "garbled" }),
    () => client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "notjson" }),
    () => client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "ok" }),
    () => client.batchDelete({ libraryId: LIBRARY, spaceId: "-", items: [{ path: "x" }] }),
  ];
  for (const call of calls) produced.push(await call().catch((error: unknown) => error));

  // A token endpoint that refuses the secret and quotes it back.
  const refusing = testClient(server, { retry: { limit: 0 } });
  server.on("POST", "/api/v1/token", (request) => ({
    status: 404,
    json: {
      code: "WrongLibraryIdOrSecret",
      message: `bad secret ${request.query.get("library_secret")} in ${request.rawPath}?${request.rawQuery}`,
    },
  }));
  produced.push(
    await refusing.client
      .deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "ok" }, { userId: "other" })
      .catch((error: unknown) => error),
  );
  // A library whose server is gone: the token request fails at the network level.
  const gone = await SmhTestServer.start();
  const url = gone.url;
  await gone.close();
  const unreachable = testClient(server, {
    libraries: [{ libraryId: LIBRARY, baseUrl: url, librarySecret: SECRET }],
    retry: { limit: 0 },
  });
  produced.push(
    await unreachable.client
      .deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "ok" })
      .catch((error: unknown) => error),
  );
  events.push(...seen, ...refusing.events, ...unreachable.events);
});

afterAll(async () => {
  await server.close();
});

/** Every text a log pipeline could get out of `value`. */
function renderings(value: unknown): string[] {
  const texts = [
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    String(value),
  ];
  try {
    texts.push(JSON.stringify(value) ?? "");
  } catch {
    // Not serialisable: inspect covers it.
  }
  let current: unknown = value;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    texts.push(current.message, current.stack ?? "", inspect(current, { showHidden: true }));
    current = current.cause;
  }
  return texts;
}

describe("secrets", () => {
  it("the scenario produced every kind of failure", () => {
    const kinds = new Set(
      produced.filter((value) => value instanceof SmhError).map((error) => error.name),
    );
    expect([...kinds].sort()).toEqual([
      "SmhAuthError",
      "SmhConfigurationError",
      "SmhInvalidRequestError",
      "SmhNetworkError",
      "SmhNotFoundError",
      "SmhPermissionError",
      "SmhRetryableError",
      "SmhTimeoutError",
      "SmhUnexpectedResponseError",
    ]);
    expect(server.tokenRequests().length).toBeGreaterThan(1);
    expect(events.length).toBeGreaterThan(20);
  });

  it("never appear in errors, results or events: messages, stacks, JSON, inspect, causes", () => {
    const texts = [...produced, ...events].flatMap(renderings);
    for (const text of texts) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(encodeURIComponent(SECRET));
      expect(text).not.toMatch(TOKEN);
    }
  });

  it("keeps what support needs: status, code and the redacted server message", () => {
    const notFound = produced.find(
      (value) => value instanceof SmhError && value.code === "DirectoryNotFound",
    );
    expect(notFound).toMatchObject({ status: 404, kind: "notFound" });
    expect((notFound as SmhError).serverMessage).toContain("access_token=REDACTED");
  });
});
