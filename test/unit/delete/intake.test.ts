// Intake: every record is parsed and checked against the policy before anything reaches SMH.
// A refusal is a `rejected` result listing why; one bad record never affects the others; the same
// job delivered twice in one batch is merged, and a jobId reused for another target is refused.
import { describe, expect, it } from "vitest";
import type { QueueRecord } from "../../../lib/batch/records.ts";
import { admitJobs } from "../../../lib/delete/intake.ts";
import type { DeletionResult } from "../../../lib/messages/deletion-result.ts";
import { FakeClock, jobBody, record, T0, testPolicy } from "./factories.ts";

function admit(records: readonly QueueRecord[]) {
  const clock = new FakeClock();
  return admitJobs(records, testPolicy(), () => new Date(clock.now()));
}

/** The `rejected` result of a single refused record. */
function rejectionOf(body: string): Extract<DeletionResult, { outcome: "rejected" }> {
  const { accepted, refused } = admit([record(body)]);
  expect(accepted).toEqual([]);
  expect(refused).toHaveLength(1);
  const result = refused[0]?.result;
  if (result?.outcome !== "rejected") throw new Error(`not rejected: ${JSON.stringify(result)}`);
  return result;
}

function rules(result: { reasons: readonly object[] }): string[] {
  return result.reasons.map((reason) => ("rule" in reason ? String(reason.rule) : "")).sort();
}

function fields(result: { reasons: readonly object[] }): string[] {
  return result.reasons.map((reason) => ("path" in reason ? String(reason.path) : "")).sort();
}

describe("intake: invalid bodies are rejected with their reasons", () => {
  it("rejects a body that is not JSON, naming the whole body, with a stable derived jobId", () => {
    const result = rejectionOf("{not json");
    expect(fields(result)).toEqual([""]);
    expect(result.jobId).toMatch(/^body-[0-9a-f]{32}$/);
    expect(result.attempts).toBe(0);
    expect(rejectionOf("{not json").dedupKey).toBe(result.dedupKey);
  });

  it("rejects a path with a '..' segment, naming the path field", () => {
    const result = rejectionOf(jobBody({ jobId: "j-dotdot", path: "events/../users" }));
    expect(fields(result)).toEqual(["path"]);
    expect(result.reasons[0]?.message).toMatch(/\.\./);
    expect(result.jobId).toBe("j-dotdot");
    expect(result.libraryId).toBe("smh1");
  });

  it("rejects an unknown key by name, so a misspelt option is never silently ignored", () => {
    const result = rejectionOf(jobBody({ permanant: true }));
    expect(fields(result)).toEqual(["permanant"]);
    expect(result.reasons[0]?.message).toMatch(/unknown field/);
  });

  it('rejects permanent "true" as a string: only a JSON boolean may ask for permanent deletion', () => {
    const result = rejectionOf(jobBody({ path: "events/tmp/x", permanent: "true" }));
    expect(fields(result)).toEqual(["permanent"]);
    expect(result.reasons[0]?.message).toMatch(/JSON boolean/);
  });

  it("rejects a path with a lone UTF-16 surrogate, which can never be put in an SMH URL", () => {
    // JSON can carry "\ud800" on its own; encodeURIComponent (and so the SMH client) throws on it.
    // Accepted, such a job fails with a non-SMH error on every delivery until the DLQ, and counts
    // against the library's circuit each time.
    const body =
      '{"v":1,"jobId":"j-surrogate","libraryId":"smh1","path":"events/a\\ud800b","source":"bulk"}';
    expect(() => encodeURIComponent(JSON.parse(body).path)).toThrow(URIError);
    const result = rejectionOf(body);
    expect(fields(result)).toEqual(["path"]);
  });

  it("lists every problem of one body, not only the first", () => {
    const result = rejectionOf(
      JSON.stringify({ v: 2, libraryId: "smh1", path: "events/x", source: "bulk", dryRun: true }),
    );
    expect(fields(result)).toEqual(["dryRun", "v"]);
  });
});

describe("intake: the policy refuses jobs before SMH is called", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["a library the policy does not list", { libraryId: "smh9" }, ["library-not-allowed"]],
    ["a space the library does not allow", { spaceId: "space9" }, ["space-not-allowed"]],
    ["a path outside the allowed prefixes", { path: "users/u1/photos" }, ["prefix-not-allowed"]],
    ["a protected path", { path: "events/keep" }, ["protected-path"]],
    ["a path inside a protected path", { path: "events/keep/sub" }, ["protected-path"]],
    [
      "an ancestor of a protected path (it would delete it)",
      { path: "events/2024/legal" },
      ["protects-descendant"],
    ],
    [
      "permanent deletion outside the permanent prefixes",
      { path: "events/2024/party", permanent: true },
      ["permanent-not-allowed"],
    ],
    [
      "a path too shallow for minDepth, with every other rule it breaks",
      { path: "events" },
      ["path-too-shallow", "prefix-not-allowed", "protects-descendant"],
    ],
    ["a path deeper than maxDepth", { path: "events/a/b/c/d/e/f" }, ["path-too-deep"]],
  ];

  it.each(cases)("rejects %s, naming the rule", (_, overrides, expected) => {
    const result = rejectionOf(jobBody({ jobId: "j-policy", ...overrides }));
    expect(rules(result)).toEqual(expected);
    for (const reason of result.reasons) expect(reason.message.length).toBeGreaterThan(0);
    // A valid job keeps its identity in the result, so the producer can match it.
    expect(result.jobId).toBe("j-policy");
    expect(result.path).toBeDefined();
  });

  it("accepts permanent deletion under a permanent prefix", () => {
    const { accepted, refused } = admit([
      record(jobBody({ path: "events/tmp/cache", permanent: true })),
    ]);
    expect(refused).toEqual([]);
    expect(accepted[0]?.job).toMatchObject({ path: "events/tmp/cache", permanent: true });
  });
});

describe("intake: one batch, many records", () => {
  it("never lets a bad record affect the others: each is judged on its own, in order", () => {
    const records = [
      record(jobBody({ jobId: "ok-1", path: "events/a" })),
      record("garbage"),
      record(jobBody({ jobId: "bad-policy", libraryId: "smh9" })),
      record(jobBody({ jobId: "ok-2", path: "events/b" })),
      record(jobBody({ jobId: "bad-field", path: "events/c", extra: 1 })),
      record(jobBody({ jobId: "ok-3", libraryId: "smh2", path: "scratch/1" })),
    ];
    const { accepted, refused } = admit(records);
    expect(accepted.map(({ job }) => job.jobId)).toEqual(["ok-1", "ok-2", "ok-3"]);
    expect(refused.map(({ record: refusedRecord }) => refusedRecord.messageId)).toEqual([
      records[1]?.messageId,
      records[2]?.messageId,
      records[4]?.messageId,
    ]);
    expect(refused.every(({ result }) => result.outcome === "rejected")).toBe(true);
  });

  it("merges the same job delivered twice: one job, both records, the highest receive count and the earliest send time", () => {
    const first = record(jobBody({ jobId: "dup", path: "events/a" }), {
      receiveCount: 1,
      sentAt: T0 - 5_000,
    });
    const second = record(jobBody({ jobId: "dup", path: "/events//a/" }), {
      receiveCount: 3,
      sentAt: T0 - 9_000,
    });
    const { accepted, refused } = admit([first, second]);
    expect(refused).toEqual([]);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.records.map(({ messageId }) => messageId)).toEqual([
      first.messageId,
      second.messageId,
    ]);
    expect(accepted[0]?.receiveCount).toBe(3);
    expect(accepted[0]?.sentAt).toBe(T0 - 9_000);
  });

  it("keeps a known send time when a duplicate carries none", () => {
    const { accepted } = admit([
      record(jobBody({ jobId: "dup", path: "events/a" }), { sentAt: undefined }),
      record(jobBody({ jobId: "dup", path: "events/a" }), { sentAt: T0 - 1_000 }),
    ]);
    expect(accepted[0]?.sentAt).toBe(T0 - 1_000);
  });

  it("merges duplicates whose derived jobId is the same (no jobId given)", () => {
    const { accepted } = admit([
      record(jobBody({ path: "events/a" })),
      record(jobBody({ path: "events/a", reason: "again" })),
    ]);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.records).toHaveLength(2);
  });

  it("refuses a jobId reused for another path in the same batch, keeping the first job", () => {
    const first = record(jobBody({ jobId: "same", path: "events/a" }));
    const other = record(jobBody({ jobId: "same", path: "events/b" }));
    const { accepted, refused } = admit([first, other]);
    expect(accepted.map(({ job }) => job.path)).toEqual(["events/a"]);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.record.messageId).toBe(other.messageId);
    const result = refused[0]?.result;
    expect(result).toMatchObject({ outcome: "rejected", jobId: "same", path: "events/b" });
    expect(fields(result as { reasons: object[] })).toEqual(["jobId"]);
  });

  it("refuses a jobId reused with another permanent flag in the same batch", () => {
    const { accepted, refused } = admit([
      record(jobBody({ jobId: "same", path: "events/tmp/a" })),
      record(jobBody({ jobId: "same", path: "events/tmp/a", permanent: true })),
    ]);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.job.permanent).toBe(false);
    expect(refused).toHaveLength(1);
  });
});
