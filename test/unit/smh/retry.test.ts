import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SmhInvalidRequestError } from "../../../lib/smh/errors/invalid-request-error.ts";
import { SmhNetworkError } from "../../../lib/smh/errors/network-error.ts";
import { SmhRetryableError } from "../../../lib/smh/errors/retryable-error.ts";
import { SmhTimeoutError } from "../../../lib/smh/errors/timeout-error.ts";
import { inMs, LIBRARY, testClient } from "./helpers/client.ts";
import { SmhTestServer } from "./helpers/smh-test-server.ts";

const DIRECTORIES = /^\/api\/v1\/directory\//;
const BATCH = `/api/v1/batch/${LIBRARY}/-`;
const target = { libraryId: LIBRARY, spaceId: "-", path: "a" };
const batch = { libraryId: LIBRARY, spaceId: "-", items: [{ path: "a" }] };
const batchOk = {
  status: 200,
  json: { result: [{ status: 200, recycledItemId: 5, path: ["a"] }] },
};

let server: SmhTestServer;
beforeEach(async () => {
  server = await SmhTestServer.start();
});
afterEach(async () => {
  await server.close();
});

describe("retries of idempotent calls", () => {
  it.each([
    [429, "RateLimitExceeded"],
    [500, "InternalServerError"],
    [502, undefined],
    [503, "ServerOverloaded"],
    [504, undefined],
    [408, "ReadRequestTimeout"],
    [409, "PathConflict"],
  ])("retries HTTP %i %s and reports the attempts", async (status, code) => {
    server.on("DELETE", DIRECTORIES, (_request, index) =>
      index < 2 ? { status, json: code ? { code } : undefined } : { status: 204 },
    );
    const { client, events } = testClient(server);
    const result = await client.deleteDirectory(target);
    expect(result).toMatchObject({ outcome: "deleted", attempts: 3 });
    const retries = events.filter((event) => event.type === "retry");
    expect(retries.map((event) => event.attempt)).toEqual([2, 3]);
    expect(retries[0]).toMatchObject({
      operation: "deleteDirectory",
      reason: `HTTP ${status}${code ? ` ${code}` : ""}`,
    });
  });

  it.each([
    [400, "ParamInvalid"],
    [409, "SameNameDirectoryOrFileExists"],
    [403, "NoPermission"],
    [404, "DirectoryNotFound"],
    [413, "RequestEntityTooLarge"],
  ])("never retries HTTP %i %s", async (status, code) => {
    server.on("DELETE", DIRECTORIES, () => ({ status, json: { code } }));
    const { client } = testClient(server);
    await expect(client.deleteDirectory(target)).rejects.toMatchObject({
      status,
      code,
      attempts: 1,
    });
    expect(server.received(DIRECTORIES)).toHaveLength(1);
  });

  it("gives up after the retry limit with a retryable error", async () => {
    server.on("DELETE", DIRECTORIES, () => ({
      status: 500,
      json: { code: "InternalServerError" },
    }));
    const { client } = testClient(server, { retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    const error = await client.deleteDirectory(target).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhRetryableError);
    expect(error).toMatchObject({ attempts: 3, status: 500, mayHaveApplied: true });
  });

  it("retries a dropped connection of a delete", async () => {
    server.on("DELETE", DIRECTORIES, (_request, index) =>
      index === 0 ? { status: 200, destroy: true } : { status: 204 },
    );
    const { client, events } = testClient(server);
    await expect(client.deleteDirectory(target)).resolves.toMatchObject({ attempts: 2 });
    expect(events.find((event) => event.type === "retry")?.reason).toMatch(/^network /);
  });
});

describe("Retry-After", () => {
  it("waits as long as SMH asks before retrying", async () => {
    server.on("DELETE", DIRECTORIES, (_request, index) =>
      index === 0
        ? { status: 429, json: { code: "RateLimitExceeded" }, headers: { "retry-after": "1" } }
        : { status: 204 },
    );
    const { client, events } = testClient(server);
    await expect(client.deleteDirectory(target)).resolves.toMatchObject({ attempts: 2 });
    const [first, second] = server.received(DIRECTORIES);
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
    expect(events.find((event) => event.type === "throttle")).toMatchObject({ retryAfterMs: 1000 });
  });

  it("fails at once, carrying retryAfterMs, when the wait would not fit in the deadline", async () => {
    server.on("DELETE", DIRECTORIES, () => ({
      status: 429,
      json: { code: "RateLimitExceeded" },
      headers: { "retry-after": "30" },
    }));
    const { client } = testClient(server);
    const deadline = inMs(3000);
    const error = await client
      .deleteDirectory(target, { deadline })
      .catch((caught: unknown) => caught);
    expect(Date.now()).toBeLessThan(deadline);
    expect(error).toBeInstanceOf(SmhRetryableError);
    expect(error).toMatchObject({ throttled: true, retryAfterMs: 30_000, attempts: 1 });
  });

  it("fails at once when SMH asks for a longer wait than maxRetryAfterMs", async () => {
    server.on("DELETE", DIRECTORIES, () => ({
      status: 503,
      json: { code: "ServerOverloaded" },
      headers: { "retry-after": "5" },
    }));
    const { client } = testClient(server, { retry: { maxRetryAfterMs: 1000 } });
    await expect(client.deleteDirectory(target)).rejects.toMatchObject({
      retryAfterMs: 5000,
      attempts: 1,
    });
  });
});

describe("timeouts and deadlines", () => {
  it("times out a slow attempt and retries it", async () => {
    server.on("DELETE", DIRECTORIES, (_request, index) =>
      index === 0 ? { status: 204, delayMs: 1000 } : { status: 204 },
    );
    const { client, events } = testClient(server, { attemptTimeoutMs: 100 });
    await expect(client.deleteDirectory(target)).resolves.toMatchObject({ attempts: 2 });
    expect(
      events.filter((event) => event.type === "request" && event.outcome === "timeout"),
    ).toHaveLength(1);
  });

  it("does not count time spent waiting for the limiter against the attempt timeout", async () => {
    server.on("DELETE", DIRECTORIES, () => ({ status: 204, delayMs: 5 }));
    // 10 requests a second: the last of five deletes waits ~400 ms for its token, well past 150 ms.
    const { client } = testClient(server, {
      attemptTimeoutMs: 150,
      limiter: { initialRate: 10, burst: 1 },
    });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, n) => client.deleteDirectory({ ...target, path: `d${n}` })),
    );
    expect(results.map((result) => result.attempts)).toEqual([1, 1, 1, 1, 1]);
  });

  it("ends the call at its deadline, however many retries were left", async () => {
    server.on("DELETE", DIRECTORIES, () => ({ status: 204, delayMs: 3000 }));
    const { client } = testClient(server, { attemptTimeoutMs: 10_000 });
    const deadline = inMs(300);
    const error = await client
      .deleteDirectory(target, { deadline })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhTimeoutError);
    expect(error).toMatchObject({ attempts: 1, mayHaveApplied: true });
    expect(Date.now()).toBeLessThan(deadline + 1000);
  });

  it("sends nothing when the deadline has already passed", async () => {
    const { client } = testClient(server);
    await expect(
      client.deleteDirectory(target, { deadline: Date.now() - 1 }),
    ).rejects.toBeInstanceOf(SmhTimeoutError);
    expect(server.requests).toHaveLength(0);
  });

  it("stops waiting between retries when the caller aborts", async () => {
    server.on("DELETE", DIRECTORIES, () => ({
      status: 429,
      json: { code: "RateLimitExceeded" },
      headers: { "retry-after": "10" },
    }));
    const { client } = testClient(server);
    const controller = new AbortController();
    const call = client.deleteDirectory(target, {
      signal: controller.signal,
      deadline: inMs(20_000),
    });
    setTimeout(() => controller.abort(new Error("Lambda is shutting down")), 200);
    await expect(call).rejects.toThrow("Lambda is shutting down");
    expect(server.received(DIRECTORIES)).toHaveLength(1);
  });
});

describe("retries of POST batches", () => {
  it("retries a batch that SMH throttled (429 rejects before processing)", async () => {
    server.on("POST", BATCH, (_request, index) =>
      index === 0 ? { status: 429, json: { code: "RateLimitExceeded" } } : batchOk,
    );
    const { client } = testClient(server);
    await expect(client.batchDelete(batch)).resolves.toMatchObject({ attempts: 2 });
  });

  it("does not retry a batch after a 5xx, and says it may have been applied", async () => {
    server.on("POST", BATCH, () => ({ status: 500, json: { code: "InternalServerError" } }));
    const { client } = testClient(server);
    const error = await client.batchDelete(batch).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhRetryableError);
    expect(error).toMatchObject({ status: 500, attempts: 1, mayHaveApplied: true });
    expect(server.received(BATCH)).toHaveLength(1);
  });

  it("does not retry a batch whose attempt timed out", async () => {
    server.on("POST", BATCH, () => ({ ...batchOk, delayMs: 1000 }));
    const { client } = testClient(server, { attemptTimeoutMs: 100 });
    const error = await client.batchDelete(batch).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhTimeoutError);
    expect(error).toMatchObject({ attempts: 1, mayHaveApplied: true });
    expect(server.received(BATCH)).toHaveLength(1);
  });

  it("does not retry a batch whose connection dropped", async () => {
    server.on("POST", BATCH, () => ({ status: 200, destroy: true }));
    const { client } = testClient(server);
    const error = await client.batchDelete(batch).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhNetworkError);
    expect(error).toMatchObject({ attempts: 1, mayHaveApplied: true });
  });

  it("retries a batch whose connection was refused (it never reached SMH)", async () => {
    server.on("DELETE", DIRECTORIES, () => ({ status: 204 }));
    const { client } = testClient(server, { retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    // Warm the token cache, then take the server away.
    await client.batchDelete(batch).catch(() => undefined);
    await server.close();
    // Let the client's connection pool notice that its keep-alive socket is gone (a stale pooled
    // socket fails with UND_ERR_SOCKET, which may have carried the request and is not retried).
    await new Promise((resolve) => setTimeout(resolve, 50));
    const error = await client.batchDelete(batch).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmhNetworkError);
    expect(error).toMatchObject({
      networkCode: "ECONNREFUSED",
      attempts: 3,
      mayHaveApplied: false,
    });
    server = await SmhTestServer.start();
  });

  it("refuses an empty batch or one over 1,000 items before sending", async () => {
    const { client } = testClient(server);
    await expect(client.batchDelete({ ...batch, items: [] })).rejects.toBeInstanceOf(
      SmhInvalidRequestError,
    );
    const items = Array.from({ length: 1001 }, (_, n) => ({ path: `d${n}` }));
    await expect(client.batchDelete({ ...batch, items })).rejects.toMatchObject({
      code: "TooManyItems",
    });
    expect(server.requests).toHaveLength(0);
  });
});
