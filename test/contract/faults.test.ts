import { describe, expect, it } from "vitest";
import type { SmhClient } from "../../lib/smh/client.ts";
import { SmhNetworkError } from "../../lib/smh/errors/network-error.ts";
import { SmhNotFoundError } from "../../lib/smh/errors/not-found-error.ts";
import { SmhRetryableError } from "../../lib/smh/errors/retryable-error.ts";
import { allPages, contractClient, faultForAttempts, rejectionOf } from "./helpers/client.ts";
import { useContractSimulator } from "./helpers/harness.ts";
import { createDirectories, deletionsOf, LIB, SPACE, unique } from "./helpers/simulator.ts";

const { sim } = await useContractSimulator();

function someDirectory(): string {
  const path = unique("victim");
  sim.createDirectory(LIB, SPACE, `${path}/child`);
  return path;
}

function statuses(route: string): Record<string, number> | undefined {
  return sim.stats().byRoute[route];
}

async function recycle(client: SmhClient, path: string): Promise<number> {
  const result = await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });
  if (result.outcome !== "recycled") throw new Error("expected a recycled item");
  return result.recycledItemId;
}

type Fault = Parameters<typeof sim.setFaults>[1];

/**
 * Deletes a fresh directory with a new client whose first `attempts` delete attempts meet `fault`
 * on `directory.delete`.
 */
async function deleteThroughFault(fault: Fault, attempts = 1) {
  const contract = contractClient(sim);
  faultForAttempts(sim, contract, {
    operation: "deleteDirectory",
    attempts,
    fault: { ...fault, routes: ["directory.delete"] },
  });
  const path = someDirectory();
  const result = await contract.client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });
  return { result, path, events: contract.events };
}

/**
 * Lists `count` fresh directories (under `unique(name)`) with a new client whose first listing
 * attempt meets `fault` on `directory.list`.
 */
async function listThroughFault(name: string, count: number, fault: Fault, pageSize?: number) {
  const parent = unique(name);
  createDirectories(sim, parent, count);
  const contract = contractClient(sim);
  faultForAttempts(sim, contract, {
    operation: "listDirectory",
    fault: { ...fault, routes: ["directory.list"] },
  });
  const pages = await allPages(
    contract.client.listDirectory({
      libraryId: LIB,
      spaceId: SPACE,
      path: parent,
      ...(pageSize === undefined ? {} : { pageSize }),
    }),
  );
  return { pages, events: contract.events };
}

/**
 * Batch-deletes `count` fresh directories (under `unique(name)`) while every `batch.delete` meets
 * `fault` (left on); the rejection.
 */
async function batchDeleteThroughFault(name: string, count: number, fault: Fault) {
  sim.setFaults(LIB, { ...fault, routes: ["batch.delete"] });
  const paths = createDirectories(sim, unique(name), count);
  const { client } = contractClient(sim);
  const error = await rejectionOf(
    client.batchDelete({ libraryId: LIB, spaceId: SPACE, items: paths.map((path) => ({ path })) }),
  );
  return { error, paths, client };
}

describe("429 RateLimitExceeded with Retry-After", () => {
  it("waits what Retry-After says, then retries; reports the throttle and slows down", async () => {
    const [first, second] = createDirectories(sim, unique("throttled"), 2);
    const contract = contractClient(sim);
    // A bucket of one request that (practically) never refills: the second delete is throttled.
    faultForAttempts(sim, contract, {
      operation: "deleteDirectory",
      attempts: 2,
      fault: {
        rateLimitPerSecond: 0.001,
        rateLimitBurst: 1,
        retryAfterSeconds: 1,
        routes: ["directory.delete"],
      },
    });
    const { client, events } = contract;

    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: first as string });
    const result = await client.deleteDirectory({
      libraryId: LIB,
      spaceId: SPACE,
      path: second as string,
    });

    expect(result).toMatchObject({ outcome: "recycled", attempts: 2 });
    expect(statuses("directory.delete")).toEqual({ "200": 2, "429": 1 });
    expect(events.filter((event) => event.type === "throttle")).toEqual([
      { type: "throttle", libraryId: LIB, operation: "deleteDirectory", retryAfterMs: 1000 },
    ]);
    const [retry] = events.filter((event) => event.type === "retry");
    expect(retry).toMatchObject({ reason: "HTTP 429 RateLimitExceeded", attempt: 2 });
    // Retry-After is honoured as a floor: never sooner than SMH asked.
    expect(retry?.type === "retry" && retry.waitedMs).toBeGreaterThanOrEqual(990);
    expect(
      events.some((event) => event.type === "rateChanged" && event.reason === "throttled"),
    ).toBe(true);
  });

  it("fails at once, carrying retryAfterMs, when Retry-After is longer than it may wait", async () => {
    sim.setFaults(LIB, {
      rateLimitPerSecond: 0.001,
      rateLimitBurst: 1,
      retryAfterSeconds: 30,
      routes: ["directory.delete"],
    });
    const [first, second] = createDirectories(sim, unique("too-long"), 2);
    const { client } = contractClient(sim);
    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: first as string });

    const error = await rejectionOf(
      client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: second as string }),
    );

    expect(error).toBeInstanceOf(SmhRetryableError);
    expect(error).toMatchObject({
      status: 429,
      code: "RateLimitExceeded",
      throttled: true,
      retryAfterMs: 30_000,
      attempts: 1,
      mayHaveApplied: false,
    });
    expect(sim.exists(LIB, SPACE, second as string)).toBe(true);
  });

  it("retries a throttled batch (rejected before processing) and applies it exactly once", async () => {
    const paths = createDirectories(sim, unique("batch-429"), 3);
    const contract = contractClient(sim);
    const warmup = someDirectory();
    faultForAttempts(sim, contract, {
      operation: "batchDelete",
      attempts: 2,
      fault: {
        rateLimitPerSecond: 0.001,
        rateLimitBurst: 1,
        retryAfterSeconds: 1,
        routes: ["batch.delete"],
      },
    });
    await contract.client.batchDelete({
      libraryId: LIB,
      spaceId: SPACE,
      items: [{ path: warmup }],
    });

    const result = await contract.client.batchDelete({
      libraryId: LIB,
      spaceId: SPACE,
      items: paths.map((path) => ({ path })),
    });

    expect(result.attempts).toBe(2);
    expect(result.items.map((item) => item.outcome)).toEqual(["recycled", "recycled", "recycled"]);
    for (const path of paths) expect(deletionsOf(sim, path)).toHaveLength(1);
  });
});

describe("500 InternalServerError, 503 ServerOverloaded, 408 ReadRequestTimeout, 5xx RequestTimeout", () => {
  for (const [fault, status, code] of [
    [{ error500Ratio: 1 }, 500, "InternalServerError"],
    [{ error503Ratio: 1 }, 503, "ServerOverloaded"],
    [{ requestTimeoutRatio: 1 }, 408, "ReadRequestTimeout"],
    [{ requestTimeoutRatio: 1, requestTimeoutMode: "5xx" }, 503, "RequestTimeout"],
  ] as const) {
    it(`retries a directory delete after ${status} ${code} and succeeds`, async () => {
      const { result, events } = await deleteThroughFault(fault, 2);

      expect(result).toMatchObject({ outcome: "recycled", attempts: 3 });
      expect(statuses("directory.delete")).toEqual({ [String(status)]: 2, "200": 1 });
      expect(events.filter((event) => event.type === "retry")).toMatchObject([
        { reason: `HTTP ${status} ${code}` },
        { reason: `HTTP ${status} ${code}` },
      ]);
    });
  }

  it("still retries ServerOverloaded when SMH sends it with status 500 (serverOverloadedStatus)", async () => {
    sim.setOptions({ serverOverloadedStatus: 500 });
    const { result, events } = await deleteThroughFault({ error503Ratio: 1 });

    expect(result).toMatchObject({ outcome: "recycled", attempts: 2 });
    expect(events.find((event) => event.type === "retry")).toMatchObject({
      reason: "HTTP 500 ServerOverloaded",
    });
  });

  it("retries a listing after 503 and reads every page", async () => {
    const { pages } = await listThroughFault("list-503", 7, { error503Ratio: 1 }, 3);

    expect(pages.flatMap((page) => page.entries)).toHaveLength(7);
    expect(pages[0]?.attempts).toBe(2);
  });

  it("gives up after the retry limit with a retryable error that says the delete may have applied", async () => {
    sim.setFaults(LIB, { error503Ratio: 1, routes: ["directory.delete"] });
    const { client } = contractClient(sim, { retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    const path = someDirectory();

    const error = await rejectionOf(
      client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path }),
    );

    expect(error).toBeInstanceOf(SmhRetryableError);
    expect(error).toMatchObject({ status: 503, code: "ServerOverloaded", attempts: 3 });
    expect(error).toMatchObject({ mayHaveApplied: true });
    expect(sim.exists(LIB, SPACE, path)).toBe(true);
  });

  it("never retries a batch delete after a 5xx: the error says it may have applied", async () => {
    const { error } = await batchDeleteThroughFault("batch-500", 2, { error500Ratio: 1 });

    expect(error).toBeInstanceOf(SmhRetryableError);
    expect(error).toMatchObject({ status: 500, attempts: 1, mayHaveApplied: true });
    expect(statuses("batch.delete")).toEqual({ "500": 1 });
  });

  it("never retries a restore after a 503", async () => {
    const { client } = contractClient(sim);
    const id = await recycle(client, someDirectory());
    sim.setFaults(LIB, { error503Ratio: 1, routes: ["recycled.restore"] });

    const error = await rejectionOf(
      client.restoreRecycledItem({ libraryId: LIB, spaceId: SPACE, recycledItemId: id }),
    );

    expect(error).toMatchObject({ status: 503, attempts: 1, mayHaveApplied: true });
  });
});

describe("connection reset", () => {
  it("retries a listing whose connection was reset", async () => {
    const { pages, events } = await listThroughFault("reset-list", 3, { resetRatio: 1 });

    expect(pages.flatMap((page) => page.entries)).toHaveLength(3);
    expect(events.filter((event) => event.type === "request")).toMatchObject([
      { operation: "mintToken", outcome: "response" },
      { operation: "listDirectory", outcome: "networkError" },
      { operation: "listDirectory", outcome: "response", status: 200 },
    ]);
  });

  it("retries a directory delete whose connection was reset before SMH applied it", async () => {
    const { result, path } = await deleteThroughFault({ resetRatio: 1 });

    expect(result).toMatchObject({ outcome: "recycled", attempts: 2 });
    expect(deletionsOf(sim, path)).toHaveLength(1);
  });

  it("never retries a batch delete whose connection was reset", async () => {
    sim.setFaults(LIB, { resetRatio: 1, routes: ["batch.delete"] });
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      client.batchDelete({ libraryId: LIB, spaceId: SPACE, items: [{ path: someDirectory() }] }),
    );

    expect(error).toBeInstanceOf(SmhNetworkError);
    expect(error).toMatchObject({ kind: "retryable", attempts: 1, mayHaveApplied: true });
    expect((error as SmhNetworkError).networkCode).toBeTruthy();
    expect(statuses("batch.delete")).toEqual({ reset: 1 });
  });
});

describe("slow body", () => {
  it("reads a trickled answer completely", async () => {
    const parent = unique("slow");
    createDirectories(sim, parent, 20);
    sim.setFaults(LIB, {
      slowBodyRatio: 1,
      slowBodyChunkBytes: 256,
      slowBodyChunkDelayMs: 1,
      routes: ["directory.list"],
    });
    const { client } = contractClient(sim);

    const pages = await allPages(
      client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: parent }),
    );

    expect(pages.flatMap((page) => page.entries)).toHaveLength(20);
    expect(pages[0]?.attempts).toBe(1);
    expect(sim.stats().byFault.slowBody).toBe(1);
  });

  it("abandons an answer trickling past the attempt timeout and reads it again", async () => {
    const parent = unique("too-slow");
    createDirectories(sim, parent, 5);
    const contract = contractClient(sim, { attemptTimeoutMs: 500 });
    faultForAttempts(sim, contract, {
      operation: "listDirectory",
      fault: {
        slowBodyRatio: 1,
        slowBodyChunkBytes: 2,
        slowBodyChunkDelayMs: 100,
        routes: ["directory.list"],
      },
    });

    const pages = await allPages(
      contract.client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: parent }),
    );

    expect(pages.flatMap((page) => page.entries)).toHaveLength(5);
    expect(
      contract.events.filter(
        (event) => event.type === "request" && event.operation === "listDirectory",
      ),
    ).toMatchObject([{ outcome: "timeout" }, { outcome: "response", status: 200 }]);
  });
});

describe("accept-then-fail: SMH applied it, then the answer failed", () => {
  for (const mode of ["500", "503", "reset"] as const) {
    it(`a delete answered ${mode} after it was applied: the retry's 404 carries mayHaveApplied, and findRecycledItem recovers the id`, async () => {
      const contract = contractClient(sim);
      faultForAttempts(sim, contract, {
        operation: "deleteDirectory",
        fault: { acceptThenFailRatio: 1, acceptThenFailMode: mode, routes: ["directory.delete"] },
      });
      const path = someDirectory();
      const startedAt = Date.now();

      const error = await rejectionOf(
        contract.client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path }),
      );

      expect(error).toBeInstanceOf(SmhNotFoundError);
      expect(error).toMatchObject({ code: "DirectoryNotFound", attempts: 2, mayHaveApplied: true });
      const { item } = await contract.client.findRecycledItem({
        libraryId: LIB,
        spaceId: SPACE,
        path,
        removedAfter: startedAt - 1_000,
      });
      const [applied] = deletionsOf(sim, path);
      expect(applied?.recycledItemId).toEqual(expect.any(Number));
      expect(item?.recycledItemId).toBe(applied?.recycledItemId);
    });
  }

  it("a delete whose answer is too slow to arrive was applied: the retry's 404 carries mayHaveApplied", async () => {
    const contract = contractClient(sim, { attemptTimeoutMs: 500 });
    faultForAttempts(sim, contract, {
      operation: "deleteDirectory",
      fault: {
        slowBodyRatio: 1,
        slowBodyChunkBytes: 2,
        slowBodyChunkDelayMs: 100,
        routes: ["directory.delete"],
      },
    });
    const path = someDirectory();

    const error = await rejectionOf(
      contract.client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path }),
    );

    expect(error).toMatchObject({ kind: "notFound", attempts: 2, mayHaveApplied: true });
    expect(deletionsOf(sim, path)).toHaveLength(1);
  });

  it("a batch delete answered 500 after it was applied: not retried, every item recoverable", async () => {
    const { error, paths, client } = await batchDeleteThroughFault("batch-atf", 3, {
      acceptThenFailRatio: 1,
    });
    sim.setFaults(LIB, { acceptThenFailRatio: 0 });

    expect(error).toMatchObject({ status: 500, attempts: 1, mayHaveApplied: true });
    for (const path of paths) {
      const { item } = await client.findRecycledItem({ libraryId: LIB, spaceId: SPACE, path });
      expect(item?.recycledItemId).toBe(deletionsOf(sim, path)[0]?.recycledItemId);
    }
  });

  it("a purge answered 503 after it was applied: the retry's RecycledItemNotFound carries mayHaveApplied", async () => {
    const contract = contractClient(sim);
    const id = await recycle(contract.client, someDirectory());
    faultForAttempts(sim, contract, {
      operation: "purgeRecycledItem",
      fault: { acceptThenFailRatio: 1, acceptThenFailMode: "503", routes: ["recycled.purge"] },
    });

    const error = await rejectionOf(
      contract.client.purgeRecycledItem({ libraryId: LIB, spaceId: SPACE, recycledItemId: id }),
    );

    expect(error).toBeInstanceOf(SmhNotFoundError);
    expect(error).toMatchObject({
      code: "RecycledItemNotFound",
      attempts: 2,
      mayHaveApplied: true,
    });
    expect(sim.groundTruth().purges.filter((purge) => purge.recycledItemId === id)).toHaveLength(1);
  });

  it("a restore whose connection dropped after it was applied is not repeated", async () => {
    const { client } = contractClient(sim);
    const path = someDirectory();
    const id = await recycle(client, path);
    sim.setFaults(LIB, {
      acceptThenFailRatio: 1,
      acceptThenFailMode: "reset",
      routes: ["recycled.restore"],
    });

    const error = await rejectionOf(
      client.restoreRecycledItem({ libraryId: LIB, spaceId: SPACE, recycledItemId: id }),
    );

    expect(error).toBeInstanceOf(SmhNetworkError);
    expect(error).toMatchObject({ attempts: 1, mayHaveApplied: true });
    expect(sim.exists(LIB, SPACE, `${path}/child`)).toBe(true);
    expect(sim.groundTruth().restores.filter((r) => r.recycledItemId === id)).toHaveLength(1);
  });
});
