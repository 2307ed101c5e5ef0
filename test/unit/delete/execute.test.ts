// The executor: jobs are grouped by (library, space, permanent) into SMH batch deletes or single
// deletes, run under a concurrency bound and the invocation's deadline, and every SMH answer or
// error becomes the job's settlement. SMH is a scripted stub.
import { describe, expect, it } from "vitest";
import { CircuitBreakers } from "../../../lib/batch/circuit.ts";
import { type ExecuteContext, executeDeletions, planUnits } from "../../../lib/delete/execute.ts";
import type { JobState } from "../../../lib/delete/settlement.ts";
import type { BatchDeleteItemResult } from "../../../lib/smh/operations/batch-delete.ts";
import {
  FakeClock,
  jobRecord,
  StubSmh,
  smhError,
  statesOf,
  T0,
  timeoutError,
} from "./factories.ts";

function setup(overrides: Partial<ExecuteContext> = {}) {
  const clock = new FakeClock();
  const smh = new StubSmh();
  const circuits = new CircuitBreakers({ threshold: 3, cooldownMs: 30_000, now: clock.now });
  const context: ExecuteContext = {
    smh,
    circuits,
    concurrency: 4,
    batchDeleteMinJobs: 2,
    batchDeleteMaxItems: 1000,
    stopStartingAt: T0 + 60_000,
    callDeadline: T0 + 100_000,
    now: clock.now,
    ...overrides,
  };
  return { clock, smh, circuits, context };
}

/** Job states for these paths in library smh1, space `-` (extra fields per job optional). */
function jobs(paths: readonly string[], overrides: Record<string, unknown> = {}): JobState[] {
  return statesOf(paths.map((path) => jobRecord(path, overrides)));
}

function paths(count: number, prefix = "events/d"): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index}`);
}

function settlementOf(states: readonly JobState[], path: string) {
  const state = states.find(({ accepted }) => accepted.job.path === path);
  if (!state) throw new Error(`no job for ${path}`);
  return state.settlement;
}

function item(
  path: string,
  outcome: BatchDeleteItemResult["outcome"],
  extra: Partial<BatchDeleteItemResult> = {},
): BatchDeleteItemResult {
  return { path, permanent: false, outcome, ...extra } as BatchDeleteItemResult;
}

describe("grouping jobs into SMH calls", () => {
  it("sends a (library, space, permanent) group of at least BATCH_DELETE_MIN_JOBS through batch delete", () => {
    const units = planUnits(jobs(paths(3)), 3, 1000);
    expect(units.map((unit) => unit.kind)).toEqual(["batch"]);
  });

  it("sends a smaller group as single deletes", () => {
    const units = planUnits(jobs(paths(2)), 3, 1000);
    expect(units.map((unit) => unit.kind)).toEqual(["single", "single"]);
  });

  it("never mixes libraries, spaces or permanent flags in one batch", () => {
    const states = statesOf([
      jobRecord("events/a"),
      jobRecord("events/b", { spaceId: "space2" }),
      jobRecord("events/tmp/c", { permanent: true }),
      jobRecord("scratch/d", { libraryId: "smh2" }),
      jobRecord("events/e"),
    ]);
    const units = planUnits(states, 2, 1000);
    const batches = units.filter((unit) => unit.kind === "batch");
    expect(batches).toHaveLength(1);
    expect(
      batches[0]?.kind === "batch" && batches[0].jobs.map(({ accepted }) => accepted.job.path),
    ).toEqual(["events/a", "events/e"]);
    expect(units.filter((unit) => unit.kind === "single")).toHaveLength(3);
  });

  it("never batches jobs that act as different SMH users together", () => {
    const states = statesOf([
      jobRecord("events/a", { userId: "alice" }),
      jobRecord("events/b", { userId: "bob" }),
      jobRecord("events/c", { userId: "alice" }),
    ]);
    const units = planUnits(states, 2, 1000);
    const batches = units.flatMap((unit) =>
      unit.kind === "batch" ? [unit.jobs.map(({ accepted }) => accepted.job.path)] : [],
    );
    expect(batches).toEqual([["events/a", "events/c"]]);
    expect(units.filter((unit) => unit.kind === "single")).toHaveLength(1);
  });

  it("cuts a big group into chunks of at most BATCH_DELETE_MAX_ITEMS, and sends a trailing chunk too small for a batch as singles", () => {
    const units = planUnits(jobs(paths(7)), 2, 3);
    expect(units.map((unit) => (unit.kind === "batch" ? unit.jobs.length : "single"))).toEqual([
      3,
      3,
      "single",
    ]);
    const even = planUnits(jobs(paths(8)), 2, 3);
    expect(even.map((unit) => (unit.kind === "batch" ? unit.jobs.length : "single"))).toEqual([
      3, 3, 2,
    ]);
  });
});

describe("single deletes", () => {
  it("settles a recycled directory with its recycledItemId, attempts and SMH request id", async () => {
    const { smh, context } = setup({ batchDeleteMinJobs: 99 });
    smh.onDelete = () => ({
      outcome: "recycled",
      recycledItemId: 77,
      requestId: "req-77",
      attempts: 2,
    });
    const states = jobs(["events/a"]);
    await executeDeletions(states, context);
    expect(states[0]?.settlement).toEqual({
      kind: "done",
      facts: { outcome: "recycled", recycledItemId: 77 },
    });
    expect(states[0]).toMatchObject({ attempts: 2, requestId: "req-77" });
    expect(states[0]?.startedAt).toBeInstanceOf(Date);
    expect(states[0]?.finishedAt).toBeInstanceOf(Date);
  });

  it("passes the job's SMH user and the call deadline to SMH", async () => {
    const { smh, context } = setup({ batchDeleteMinJobs: 99 });
    await executeDeletions(jobs(["events/a"], { userId: "alice" }), context);
    const [call] = smh.callsOf("delete");
    expect(call?.request).toEqual({
      libraryId: "smh1",
      spaceId: "-",
      path: "events/a",
      permanent: false,
    });
    expect(call?.options).toEqual({ deadline: T0 + 100_000, userId: "alice" });
  });

  it("settles a 204 as deleted", async () => {
    const { smh, context } = setup({ batchDeleteMinJobs: 99 });
    smh.onDelete = () => ({ outcome: "deleted", requestId: undefined, attempts: 1 });
    const states = jobs(["events/a"]);
    await executeDeletions(states, context);
    expect(states[0]?.settlement).toEqual({ kind: "done", facts: { outcome: "deleted" } });
  });

  it("sends a 404 to the recycle-bin lookup, which decides between recovered and already_absent", async () => {
    const { smh, context } = setup({ batchDeleteMinJobs: 99 });
    smh.onDelete = () => smhError(404, "DirectoryNotFound");
    const states = jobs(["events/a"]);
    await executeDeletions(states, context);
    expect(states[0]?.settlement).toEqual({ kind: "lookup", otherwise: "already_absent" });
  });

  it("sends an asynchronous delete that finished without detail to the lookup, as deleted otherwise", async () => {
    const { smh, context } = setup({ batchDeleteMinJobs: 99 });
    smh.onDelete = () => ({ outcome: "done", taskId: 5, requestId: "r", attempts: 3 });
    const states = jobs(["events/a"]);
    await executeDeletions(states, context);
    expect(states[0]?.settlement).toEqual({ kind: "lookup", otherwise: "deleted" });
  });

  it("fails a job SMH refuses with a non-retryable 4xx at once, with status and code", async () => {
    const { smh, context } = setup({ batchDeleteMinJobs: 99 });
    smh.onDelete = () => smhError(400, "IllegalFileName");
    const states = jobs(["events/a"]);
    await executeDeletions(states, context);
    expect(states[0]?.settlement).toMatchObject({
      kind: "done",
      facts: { outcome: "failed", error: { status: 400, code: "IllegalFileName" } },
    });
  });

  it("hands a 5xx back to the queue (transient) and counts it against the library's circuit", async () => {
    const { smh, circuits, context } = setup({ batchDeleteMinJobs: 99 });
    smh.onDelete = () => smhError(503, "ServerOverloaded", { attempts: 5 });
    const states = jobs(["events/a", "events/b", "events/c"]);
    await executeDeletions(states, context);
    for (const state of states) {
      expect(state.settlement).toMatchObject({
        kind: "transient",
        error: { status: 503, code: "ServerOverloaded", kind: "retryable" },
      });
      expect(state.attempts).toBe(5);
    }
    expect(circuits.state("smh1")).toBe("open");
  });

  it("hands a permission error back to the queue without blaming SMH's health", async () => {
    const { smh, circuits, context } = setup({ batchDeleteMinJobs: 99 });
    smh.onDelete = () => smhError(403, "NoPermission");
    const states = jobs(["events/a", "events/b", "events/c"]);
    await executeDeletions(states, context);
    expect(states.map(({ settlement }) => settlement.kind)).toEqual([
      "transient",
      "transient",
      "transient",
    ]);
    expect(circuits.state("smh1")).toBe("closed");
  });

  it("never throws for an unexpected error: the job goes back to the queue with what happened", async () => {
    const { smh, context } = setup({ batchDeleteMinJobs: 99 });
    smh.onDelete = () => {
      throw new TypeError("boom");
    };
    const states = jobs(["events/a"]);
    await executeDeletions(states, context);
    expect(states[0]?.settlement).toMatchObject({
      kind: "transient",
      error: { kind: "internal", message: "TypeError: boom" },
    });
  });
});

describe("batch deletes", () => {
  it("settles each item by its path, whatever order SMH answers in", async () => {
    const { smh, context } = setup();
    smh.onBatch = (request) => ({
      items: [...request.items].reverse().map((entry, index) =>
        item(entry.path, "recycled", {
          recycledItemId: 500 + index,
        } as Partial<BatchDeleteItemResult>),
      ),
      taskId: undefined,
      requestId: "req-b",
      attempts: 1,
    });
    const states = jobs(["events/a", "events/b", "events/c"]);
    await executeDeletions(states, context);
    expect(smh.callsOf("batch")).toHaveLength(1);
    expect(smh.callsOf("delete")).toHaveLength(0);
    expect(settlementOf(states, "events/c")).toEqual({
      kind: "done",
      facts: { outcome: "recycled", recycledItemId: 500 },
    });
    expect(settlementOf(states, "events/a")).toEqual({
      kind: "done",
      facts: { outcome: "recycled", recycledItemId: 502 },
    });
    expect(states.every((state) => state.requestId === "req-b")).toBe(true);
  });

  it("sends the batch with the group's library, space, permanent flag, SMH user and the call deadline", async () => {
    const { smh, context } = setup();
    await executeDeletions(
      statesOf([
        jobRecord("events/tmp/a", { permanent: true, spaceId: "space2", userId: "alice" }),
        jobRecord("events/tmp/b", { permanent: true, spaceId: "space2", userId: "alice" }),
      ]),
      context,
    );
    const [call] = smh.callsOf("batch");
    expect(call?.request).toEqual({
      libraryId: "smh1",
      spaceId: "space2",
      items: [
        { path: "events/tmp/a", permanent: true },
        { path: "events/tmp/b", permanent: true },
      ],
    });
    expect(call?.options).toEqual({ deadline: T0 + 100_000, userId: "alice" });
  });

  it("sends an item SMH answered 404 to the recycle-bin lookup", async () => {
    const { smh, context } = setup();
    smh.onBatch = (request) => ({
      items: request.items.map((entry) =>
        entry.path === "events/b"
          ? item(entry.path, "failed", { error: smhError(404, "DirectoryNotFound") } as never)
          : item(entry.path, "deleted"),
      ),
      taskId: undefined,
      requestId: "r",
      attempts: 1,
    });
    const states = jobs(["events/a", "events/b"]);
    await executeDeletions(states, context);
    expect(settlementOf(states, "events/b")).toEqual({
      kind: "lookup",
      otherwise: "already_absent",
    });
    expect(settlementOf(states, "events/a")).toEqual({
      kind: "done",
      facts: { outcome: "deleted" },
    });
    expect(smh.callsOf("delete")).toHaveLength(0);
  });

  it("retries an item with a per-item 5xx, or one SMH did not mention, as a single delete", async () => {
    const { smh, context } = setup();
    smh.onBatch = (request) => ({
      items: request.items.flatMap((entry) => {
        if (entry.path === "events/a") {
          return [
            item(entry.path, "failed", { error: smhError(500, "InternalServerError") } as never),
          ];
        }
        if (entry.path === "events/b") return [item(entry.path, "unknown")];
        if (entry.path === "events/c") return [];
        return [item(entry.path, "recycled", { recycledItemId: 9 } as never)];
      }),
      taskId: undefined,
      requestId: "r",
      attempts: 1,
    });
    const states = jobs(["events/a", "events/b", "events/c", "events/d"]);
    await executeDeletions(states, context);
    expect(
      smh
        .callsOf("delete")
        .map(({ request }) => request.path)
        .sort(),
    ).toEqual(["events/a", "events/b", "events/c"]);
    for (const path of ["events/a", "events/b", "events/c"]) {
      expect(settlementOf(states, path)).toMatchObject({
        kind: "done",
        facts: { outcome: "recycled" },
      });
    }
    expect(settlementOf(states, "events/d")).toEqual({
      kind: "done",
      facts: { outcome: "recycled", recycledItemId: 9 },
    });
  });

  it("fails an item SMH refused with a non-retryable 4xx without trying it again", async () => {
    const { smh, context } = setup();
    smh.onBatch = (request) => ({
      items: request.items.map((entry) =>
        item(entry.path, "failed", { error: smhError(400, "IllegalFileName") } as never),
      ),
      taskId: undefined,
      requestId: "r",
      attempts: 1,
    });
    const states = jobs(["events/a", "events/b"]);
    await executeDeletions(states, context);
    expect(smh.callsOf("delete")).toHaveLength(0);
    expect(states.map(({ settlement }) => settlement)).toEqual([
      expect.objectContaining({
        kind: "done",
        facts: expect.objectContaining({ outcome: "failed" }),
      }),
      expect.objectContaining({
        kind: "done",
        facts: expect.objectContaining({ outcome: "failed" }),
      }),
    ]);
  });

  it("retries every item singly when the batch request failed after SMH may have applied it", async () => {
    const { smh, context } = setup();
    smh.onBatch = () => smhError(500, "InternalServerError", { mayHaveApplied: true });
    // The batch was applied: each single delete now finds nothing.
    smh.onDelete = () => smhError(404, "DirectoryNotFound", { mayHaveApplied: false });
    const states = jobs(["events/a", "events/b", "events/c"]);
    await executeDeletions(states, context);
    expect(smh.callsOf("delete")).toHaveLength(3);
    for (const state of states) {
      expect(state.settlement).toEqual({ kind: "lookup", otherwise: "already_absent" });
      // One attempt for the batch, one for the single.
      expect(state.attempts).toBe(2);
    }
  });

  it("settles every item the same way when the batch request failed before SMH applied anything", async () => {
    const { smh, circuits, context } = setup();
    smh.onBatch = () => smhError(429, "RateLimitExceeded", { attempts: 3 });
    const states = jobs(["events/a", "events/b"]);
    await executeDeletions(states, context);
    expect(smh.callsOf("delete")).toHaveLength(0);
    for (const state of states) {
      expect(state.settlement).toMatchObject({ kind: "transient", error: { status: 429 } });
      expect(state.attempts).toBe(3);
    }
    // One failed request is one failure for the circuit, not one per item.
    circuits.recordFailure("smh1");
    expect(circuits.state("smh1")).toBe("closed");
  });
});

describe("time, circuits and concurrency", () => {
  it("starts nothing once the invocation's remaining time is under the margin: jobs are deferred", async () => {
    const { smh, context } = setup({ stopStartingAt: T0 });
    const states = jobs(["events/a", "events/b", "events/c"], {});
    await executeDeletions(states, context);
    expect(smh.calls).toEqual([]);
    for (const state of states) {
      expect(state.settlement).toMatchObject({
        kind: "deferred",
        reason: expect.stringContaining("deadline margin"),
      });
      expect(state.startedAt).toBeUndefined();
    }
  });

  it("defers the units not yet started when the deadline margin is reached mid-batch", async () => {
    const { smh, clock, context } = setup({
      concurrency: 1,
      batchDeleteMinJobs: 99,
      stopStartingAt: T0 + 2_500,
    });
    smh.onDelete = () => {
      clock.advance(1_000);
      return { outcome: "recycled", recycledItemId: smh.nextId++, requestId: "r", attempts: 1 };
    };
    const states = jobs(paths(5));
    await executeDeletions(states, context);
    expect(smh.callsOf("delete")).toHaveLength(3);
    expect(states.map(({ settlement }) => settlement.kind)).toEqual([
      "done",
      "done",
      "done",
      "deferred",
      "deferred",
    ]);
  });

  it("defers a library's jobs while its circuit is open, and still runs other libraries", async () => {
    const { smh, circuits, context } = setup({ batchDeleteMinJobs: 99 });
    for (let i = 0; i < 3; i++) circuits.recordFailure("smh1");
    const states = statesOf([jobRecord("events/a"), jobRecord("scratch/b", { libraryId: "smh2" })]);
    await executeDeletions(states, context);
    expect(smh.callsOf("delete").map(({ request }) => request.libraryId)).toEqual(["smh2"]);
    expect(settlementOf(states, "events/a")).toMatchObject({
      kind: "deferred",
      reason: expect.stringContaining("circuit for library smh1 is open"),
    });
    expect(settlementOf(states, "scratch/b")).toMatchObject({ kind: "done" });
  });

  it("never has more SMH calls in flight than DELETE_CONCURRENCY, and uses all of it", async () => {
    const { smh, context } = setup({ concurrency: 3, batchDeleteMinJobs: 99 });
    smh.callMs = 5;
    const states = jobs(paths(10));
    await executeDeletions(states, context);
    expect(smh.callsOf("delete")).toHaveLength(10);
    expect(smh.maxInFlight).toBe(3);
  });

  it("keeps single fallbacks after a batch under the same bound", async () => {
    const { smh, context } = setup({
      concurrency: 2,
      batchDeleteMaxItems: 4,
      // Three failed batches would open the default test circuit; this test is about the bound.
      circuits: new CircuitBreakers({ threshold: 100, cooldownMs: 1 }),
    });
    smh.callMs = 5;
    smh.onBatch = () => timeoutError(true);
    const states = jobs(paths(12));
    await executeDeletions(states, context);
    expect(smh.callsOf("batch")).toHaveLength(3);
    expect(smh.callsOf("delete")).toHaveLength(12);
    expect(smh.maxInFlight).toBe(2);
    expect(states.every(({ settlement }) => settlement.kind === "done")).toBe(true);
  });
});
