import { describe, expect, it } from "vitest";
import { FaultState } from "../../../lib/sim/fault-state.ts";
import { DEFAULT_FAULTS } from "../../../lib/sim/faults.ts";
import { createRandom } from "../../../lib/sim/random.ts";
import type { Simulator } from "../../../lib/sim/simulator.ts";
import {
  call,
  directoryPath,
  eventually,
  LIBRARY_ID,
  mintToken,
  SINGLE_ID,
  SINGLE_SECRET,
  SPACE_ID,
  signIn,
  useSimulators,
  withQuery,
} from "./helpers.ts";

const start = useSimulators();
const BATCH = `/api/v1/batch/${LIBRARY_ID}/${SPACE_ID}`;

const setup = async (options: Parameters<typeof start>[0] = {}) => signIn(await start(options));

/** fetch that reports a dropped connection as "reset" instead of throwing. */
async function statusOrReset(
  sim: Simulator,
  method: string,
  path: string,
  query: Record<string, string | number | boolean>,
) {
  try {
    const res = await fetch(`${sim.url}${withQuery(path, query)}`, { method });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return "reset";
  }
}

describe("latency", () => {
  it("delays every SMH request by latencyMs, and batch requests by perItemLatencyMs per item", async () => {
    const { sim, q } = await setup();
    sim.setFaults(LIBRARY_ID, { latencyMs: 40, perItemLatencyMs: 5 });
    await call(sim, "GET", directoryPath("events"), { query: q });
    const body = Array.from({ length: 20 }, (_, i) => ({ path: `nope/${i}` }));
    await call(sim, "POST", BATCH, { query: { ...q, delete: true }, body });
    const [list, batch] = sim.calls(2);
    // The simulator's own record of how long it held each request, not a client-side timing.
    expect(list?.durationMs).toBeGreaterThanOrEqual(39);
    expect(batch?.durationMs).toBeGreaterThanOrEqual(39 + 20 * 5);
  });
});

describe("latency model", () => {
  it("draws jitter in [0, jitterMs) from the seeded stream, the same for the same seed", () => {
    const draws = (seed: string) => {
      const state = new FaultState(
        { ...DEFAULT_FAULTS, latencyMs: 10, jitterMs: 50, perItemLatencyMs: 2 },
        createRandom(seed),
        0,
      );
      return Array.from({ length: 50 }, () => state.latencyMs(3));
    };
    const first = draws("jitter");
    for (const ms of first) {
      expect(ms).toBeGreaterThanOrEqual(10 + 3 * 2);
      expect(ms).toBeLessThan(10 + 50 + 3 * 2);
    }
    expect(new Set(first).size).toBeGreaterThan(40);
    expect(draws("jitter")).toEqual(first);
  });

  it("treats an undefined field in a patch as 'leave unchanged'", async () => {
    const { sim } = await setup({ faults: { latencyMs: 7 } });
    sim.setFaults(LIBRARY_ID, { latencyMs: undefined, jitterMs: 1 });
    expect(sim.faults(LIBRARY_ID)).toMatchObject({ latencyMs: 7, jitterMs: 1 });
  });
});

describe("rate limit", () => {
  it("answers 429 RateLimitExceeded with Retry-After once the bucket is empty", async () => {
    const { sim, q } = await setup();
    sim.setFaults(LIBRARY_ID, { rateLimitPerSecond: 0.5, rateLimitBurst: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await call(sim, "GET", directoryPath("events"), { query: q })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await call(sim, "GET", directoryPath("events"), { query: q });
    expect(limited.body.code).toBe("RateLimitExceeded");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("sends a fixed Retry-After, or none, when configured", async () => {
    const { sim, q } = await setup();
    sim.setFaults(LIBRARY_ID, {
      rateLimitPerSecond: 0.01,
      rateLimitBurst: 1,
      retryAfterSeconds: 7,
    });
    await call(sim, "GET", directoryPath("events"), { query: q });
    expect(
      (await call(sim, "GET", directoryPath("events"), { query: q })).headers.get("retry-after"),
    ).toBe("7");
    sim.setFaults(LIBRARY_ID, { sendRetryAfter: false });
    const limited = await call(sim, "GET", directoryPath("events"), { query: q });
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, null]);
  });

  it("limits each library on its own", async () => {
    const { sim, q } = await setup();
    sim.setFaults(LIBRARY_ID, { rateLimitPerSecond: 0.01, rateLimitBurst: 1 });
    const single = await mintToken(sim, { libraryId: SINGLE_ID, secret: SINGLE_SECRET });
    await call(sim, "GET", directoryPath("events"), { query: q });
    expect((await call(sim, "GET", directoryPath("events"), { query: q })).status).toBe(429);
    const other = await call(sim, "GET", directoryPath("projects", "-", SINGLE_ID), {
      query: { access_token: single },
    });
    expect(other.status).toBe(200);
  });
});

describe("injected errors", () => {
  it("answers 500 InternalServerError without applying the request, except on token routes", async () => {
    const { sim, q } = await setup({ faults: { error500Ratio: 1 } });
    const res = await call(sim, "DELETE", directoryPath("users"), { query: q });
    expect([res.status, res.body.code]).toEqual([500, "InternalServerError"]);
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "users")).toBe(true);
    expect(await mintToken(sim)).toMatch(/^acctk/);
  });

  it("answers ServerOverloaded with 503, or the configured serverOverloadedStatus", async () => {
    const { sim, q } = await setup({ faults: { error503Ratio: 1 } });
    const res = await call(sim, "GET", directoryPath("events"), { query: q });
    expect([res.status, res.body.code]).toEqual([503, "ServerOverloaded"]);
    sim.setOptions({ serverOverloadedStatus: 500 });
    expect((await call(sim, "GET", directoryPath("events"), { query: q })).status).toBe(500);
  });

  it("applies faults only to the selected routes", async () => {
    const { sim, q } = await setup({ faults: { error500Ratio: 1, routes: ["directory.delete"] } });
    expect((await call(sim, "GET", directoryPath("events"), { query: q })).status).toBe(200);
    expect((await call(sim, "DELETE", directoryPath("users"), { query: q })).status).toBe(500);
  });

  it("injects 409 PathConflict on mutating requests without applying them", async () => {
    const { sim, q } = await setup({ faults: { pathConflictRatio: 1 } });
    expect((await call(sim, "GET", directoryPath("events"), { query: q })).status).toBe(200);
    const res = await call(sim, "DELETE", directoryPath("users"), { query: q });
    expect([res.status, res.body.code]).toEqual([409, "PathConflict"]);
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "users")).toBe(true);
  });

  it("resets the connection without an answer and without applying the request", async () => {
    const { sim, q } = await setup({ faults: { resetRatio: 1 } });
    expect(await statusOrReset(sim, "DELETE", directoryPath("users"), q)).toBe("reset");
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "users")).toBe(true);
    expect(sim.calls(1)[0]).toMatchObject({
      status: "reset",
      fault: "reset",
      route: "directory.delete",
    });
  });

  it("trickles a slow body that still arrives complete", async () => {
    const { sim, q } = await setup({
      faults: { slowBodyRatio: 1, slowBodyChunkBytes: 8, slowBodyChunkDelayMs: 1 },
    });
    const res = await call(sim, "GET", directoryPath("events"), { query: q });
    expect(res.status).toBe(200);
    expect(res.body.contents.map((e: { name: string }) => e.name)).toEqual([
      "2024-01-party",
      "2024-02-launch",
    ]);
    expect(sim.calls(1)[0]?.fault).toBe("slowBody");
  });

  it("makes the same fault decisions for the same randomSeed", async () => {
    const run = async () => {
      const { sim, q } = await setup({ randomSeed: "replay-me", faults: { error500Ratio: 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++)
        statuses.push((await call(sim, "GET", directoryPath("events"), { query: q })).status);
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });
});

describe("accept-then-fail", () => {
  it("applies a delete and then answers 500", async () => {
    const { sim, q } = await setup({ faults: { acceptThenFailRatio: 1 } });
    const res = await call(sim, "DELETE", directoryPath("users"), { query: q });
    expect(res.status).toBe(500);
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "users")).toBe(false);
    expect(sim.recycleBin(LIBRARY_ID, SPACE_ID).map((item) => item.originalPath)).toEqual([
      ["users"],
    ]);
  });

  it("applies a batch delete and then drops the connection in reset mode", async () => {
    const { sim, token } = await setup({
      faults: { acceptThenFailRatio: 1, acceptThenFailMode: "reset" },
    });
    let outcome: string | number;
    try {
      const res = await fetch(`${sim.url}${BATCH}?delete&access_token=${token}`, {
        method: "POST",
        body: JSON.stringify([{ path: "users" }, { path: "events" }]),
      });
      outcome = res.status;
    } catch {
      outcome = "reset";
    }
    expect(outcome).toBe("reset");
    expect(sim.groundTruth().deletions.map((d) => d.path.join("/"))).toEqual(["users", "events"]);
  });

  it("applies a restore and a purge and then answers 503", async () => {
    const { sim, q } = await setup();
    const id = (await call(sim, "DELETE", directoryPath("users"), { query: q })).body
      .recycledItemId;
    sim.setFaults(LIBRARY_ID, { acceptThenFailRatio: 1, acceptThenFailMode: "503" });
    const bin = `/api/v1/recycled/${LIBRARY_ID}/${SPACE_ID}`;
    expect(
      (await call(sim, "POST", `${bin}/${id}`, { query: { ...q, restore: true } })).status,
    ).toBe(503);
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "users")).toBe(true);
    sim.setFaults(LIBRARY_ID, { acceptThenFailRatio: 0 });
    const again = (await call(sim, "DELETE", directoryPath("users"), { query: q })).body
      .recycledItemId;
    sim.setFaults(LIBRARY_ID, { acceptThenFailRatio: 1 });
    expect((await call(sim, "DELETE", `${bin}/${again}`, { query: q })).status).toBe(503);
    expect(sim.recycleBin(LIBRARY_ID, SPACE_ID)).toEqual([]);
  });

  it("never fires on reads or on failed requests", async () => {
    const { sim, q } = await setup({ faults: { acceptThenFailRatio: 1 } });
    expect((await call(sim, "GET", directoryPath("events"), { query: q })).status).toBe(200);
    expect((await call(sim, "DELETE", directoryPath("nope"), { query: q })).status).toBe(404);
  });
});

describe("path conflicts", () => {
  it("answers 409 PathConflict for a path whose ancestor has a delete in flight", async () => {
    const { sim, q } = await setup({ faults: { latencyMs: 300 } });
    const slow = call(sim, "DELETE", directoryPath("events"), { query: q });
    await eventually(() => sim.inFlight(LIBRARY_ID, SPACE_ID).includes("events"));
    const child = await call(sim, "DELETE", directoryPath("events/2024-01-party"), { query: q });
    expect([child.status, child.body.code]).toEqual([409, "PathConflict"]);
    const sibling = await call(sim, "DELETE", directoryPath("users"), { query: q });
    expect(sibling.status).toBe(200);
    expect((await slow).status).toBe(200);
    expect(sim.inFlight(LIBRARY_ID, SPACE_ID)).toEqual([]);
    expect(
      (await call(sim, "DELETE", directoryPath("events/2024-01-party"), { query: q })).status,
    ).toBe(404);
  });
});

describe("asynchronous batches", () => {
  it("keeps the paths of a running task in flight until it finishes", async () => {
    const { sim, q } = await setup({ faults: { asyncBatchThreshold: 0, asyncTaskDelayMs: 200 } });
    const res = await call(sim, "POST", BATCH, {
      query: { ...q, delete: true },
      body: [{ path: "users" }],
    });
    expect(res.status).toBe(202);
    const conflict = await call(sim, "DELETE", directoryPath("users/u1"), { query: q });
    expect(conflict.body.code).toBe("PathConflict");
    await eventually(() => !sim.exists(LIBRARY_ID, SPACE_ID, "users"));
    await eventually(() => sim.inFlight(LIBRARY_ID, SPACE_ID).length === 0);
  });
});

describe("token invalidation", () => {
  it("invalidates every token of a library every tokenInvalidationEveryMs of simulated time", async () => {
    const { sim, q } = await setup();
    sim.setFaults(LIBRARY_ID, { tokenInvalidationEveryMs: 60_000 });
    const list = (query: Record<string, string>) =>
      call(sim, "GET", directoryPath("events"), { query });
    expect((await list(q)).status).toBe(200);
    sim.advanceClock(60_000);
    const res = await list(q);
    expect([res.status, res.body.code]).toEqual([403, "InvalidAccessToken"]);
    const fresh = await mintToken(sim);
    expect((await list({ access_token: fresh })).status).toBe(200);
    expect(sim.tokens().find((t) => t.invalidationReason === "periodic")).toBeDefined();
  });

  it("invalidates tokens over HTTP with POST /_sim/tokens/invalidate", async () => {
    const { sim, q } = await setup();
    const res = await call(sim, "POST", "/_sim/tokens/invalidate", {
      query: { library_id: LIBRARY_ID },
    });
    expect(res.body.invalidated).toBeGreaterThanOrEqual(1);
    expect((await call(sim, "GET", directoryPath("events"), { query: q })).status).toBe(403);
  });
});

describe("changing faults while running", () => {
  it("reads and patches a library's faults over HTTP, refusing unknown or invalid fields", async () => {
    const { sim, q } = await setup();
    const put = await call(sim, "PUT", `/_sim/faults/${LIBRARY_ID}`, {
      body: { error503Ratio: 1 },
    });
    expect(put.status).toBe(200);
    expect(put.body.error503Ratio).toBe(1);
    expect((await call(sim, "GET", `/_sim/faults/${LIBRARY_ID}`)).body.error503Ratio).toBe(1);
    expect((await call(sim, "GET", directoryPath("events"), { query: q })).status).toBe(503);
    const typo = await call(sim, "PUT", `/_sim/faults/${LIBRARY_ID}`, {
      body: { error503Ration: 0 },
    });
    expect([typo.status, typo.body.code]).toEqual([400, "ParamInvalid"]);
    const outOfRange = await call(sim, "PUT", `/_sim/faults/${LIBRARY_ID}`, {
      body: { error503Ratio: 2 },
    });
    expect(outOfRange.status).toBe(400);
  });

  it("patches every library with *", async () => {
    const { sim } = await setup();
    await call(sim, "PUT", "/_sim/faults/*", { body: { latencyMs: 5 } });
    expect(sim.faults(LIBRARY_ID).latencyMs).toBe(5);
    expect(sim.faults(SINGLE_ID).latencyMs).toBe(5);
    expect(sim.faults().latencyMs).toBe(5);
  });
});
