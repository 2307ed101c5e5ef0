import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import {
  type DeletionResult,
  DeletionResultSchema,
  deletionResult,
  rejectedDeletion,
} from "../../../lib/messages/deletion-result.ts";
import { parseJobBody } from "../../../lib/messages/job-body.ts";
import { MAX_REASONS } from "../../../lib/messages/reasons.ts";
import { parseResultMessage } from "../../../lib/messages/result-message.ts";
import { job, run, timing } from "./factories.ts";

const jobFields = {
  v: 1,
  type: "deletion",
  libraryId: "smh1",
  spaceId: "-",
  path: "events/2024/party",
  permanent: false,
  source: "bulk",
  attempts: 1,
  requestId: "req-1",
  startedAt: "2025-05-01T12:00:00.000Z",
  finishedAt: "2025-05-01T12:00:01.500Z",
  dedupKey: expect.stringMatching(/^[0-9a-f]{64}$/),
};

/** A result survives the trip through the results queue unchanged. */
function expectReadable(result: DeletionResult): void {
  expect(parseResultMessage(JSON.stringify(result))).toEqual({ ok: true, result });
}

describe("a deletion result", () => {
  const theJob = job({ ruleId: "rule-1", planId: "plan-1", requestedBy: "retention-scan" });
  const provenance = {
    jobId: theJob.jobId,
    ruleId: "rule-1",
    planId: "plan-1",
    requestedBy: "retention-scan",
  };

  it("for a directory moved to the recycle bin carries its recycledItemId", () => {
    const result = deletionResult(theJob, { outcome: "recycled", recycledItemId: 123 }, run);
    expect(result).toEqual({
      ...jobFields,
      ...provenance,
      outcome: "recycled",
      recycledItemId: 123,
    });
    expectReadable(result);
  });

  it("repeats the job's path exactly as the job wrote it, and keys it by the directory it names", () => {
    const written = parseJobBody(
      JSON.stringify({ v: 1, libraryId: "smh1", path: "/events//2024/party/", source: "bulk" }),
    );
    const plain = parseJobBody(
      JSON.stringify({ v: 1, libraryId: "smh1", path: "events/2024/party", source: "bulk" }),
    );
    if (!written.ok || !plain.ok) throw new Error("expected two jobs");
    const facts = { outcome: "recycled", recycledItemId: 7 } as const;
    const result = deletionResult(written.job, facts, run);
    expect(result.path).toBe("/events//2024/party/");
    // One directory, one derived jobId: one fact, one dedupKey.
    expect(result.dedupKey).toBe(deletionResult(plain.job, facts, run).dedupKey);
    expectReadable(result);
  });

  it("for a directory deleted for ever carries no recycledItemId", () => {
    const result = deletionResult(theJob, { outcome: "deleted" }, run);
    expect(result).toEqual({ ...jobFields, ...provenance, outcome: "deleted" });
    expectReadable(result);
  });

  it("for a redelivered job found in the recycle bin carries the recovered item and its removal time", () => {
    const removedAt = new Date("2025-05-01T11:59:59.000Z");
    const result = deletionResult(
      theJob,
      { outcome: "recovered", recycledItemId: 123, removedAt },
      { ...run, attempts: 2 },
    );
    expect(result).toEqual({
      ...jobFields,
      ...provenance,
      outcome: "recovered",
      recycledItemId: 123,
      removedAt: "2025-05-01T11:59:59.000Z",
      attempts: 2,
    });
    expectReadable(result);
  });

  it("for a directory that was already gone says so", () => {
    const result = deletionResult(theJob, { outcome: "already_absent" }, run);
    expect(result).toEqual({ ...jobFields, ...provenance, outcome: "already_absent" });
    expectReadable(result);
  });

  it("for a job given up on carries SMH's status, code, message and request ID", () => {
    const error = { status: 503, code: "ServerOverloaded", message: "server busy" };
    const result = deletionResult(theJob, { outcome: "failed", error }, { ...run, attempts: 4 });
    expect(result).toEqual({ ...jobFields, ...provenance, outcome: "failed", error, attempts: 4 });
    expectReadable(result);
  });

  it("for a job refused by the policy carries every broken rule and no attempts", () => {
    const violations = [
      { rule: "prefix-not-allowed", message: "not under an allowed prefix" },
      { rule: "permanent-not-allowed", message: "no permanent deletion here" },
    ];
    const result = rejectedDeletion(theJob, violations, timing);
    const { requestId: _none, ...withoutRequestId } = jobFields;
    expect(result).toEqual({
      ...withoutRequestId,
      ...provenance,
      outcome: "rejected",
      reasons: violations,
      attempts: 0,
    });
    expect(result).not.toHaveProperty("requestId");
    expectReadable(result);
  });

  it("for a body that was not a valid job carries the field reasons and what identified it", () => {
    const parsed = parseJobBody(
      '{"v":1,"jobId":"j-1","libraryId":"smh1","path":"..","permanent":"yes"}',
    );
    if (parsed.ok) throw new Error("expected a refusal");
    const result = rejectedDeletion(parsed.identity, parsed.reasons, timing);
    expect(result).toEqual({
      v: 1,
      type: "deletion",
      outcome: "rejected",
      jobId: "j-1",
      libraryId: "smh1",
      path: "..",
      reasons: [
        { path: "path", code: "dot-segment", message: expect.stringContaining("dot-segment") },
        { path: "permanent", message: expect.any(String) },
        { path: "source", message: expect.any(String) },
      ],
      attempts: 0,
      startedAt: "2025-05-01T12:00:00.000Z",
      finishedAt: "2025-05-01T12:00:01.500Z",
      dedupKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expectReadable(result);
  });

  it("keeps absent optional fields absent, not undefined", () => {
    const result = deletionResult(job(), { outcome: "deleted" }, { ...timing, attempts: 1 });
    for (const field of ["requestId", "requestedBy", "ruleId", "planId"]) {
      expect(Object.hasOwn(result, field)).toBe(false);
    }
  });
});

describe("building a deletion result", () => {
  it.each([0, -1, 1.5, Number.NaN, 2 ** 53])(
    "refuses recycledItemId %d: recycled requires a positive integer",
    (recycledItemId) => {
      expect(() => deletionResult(job(), { outcome: "recycled", recycledItemId }, run)).toThrow(
        ZodError,
      );
    },
  );

  it("refuses a negative attempt count", () => {
    expect(() => deletionResult(job(), { outcome: "deleted" }, { ...run, attempts: -1 })).toThrow(
      ZodError,
    );
  });

  it("refuses a rejection without a reason", () => {
    expect(() => rejectedDeletion(job(), [], timing)).toThrow(ZodError);
  });

  it("scrubs credentials and control characters from SMH's error text and cuts it to fit", () => {
    const message = `GET https://smh1.api.tencentsmh.cn/api/v1/directory?access_token=acctk0123&library_secret=s3cr3t&x=1 failed\r\n${"y".repeat(5000)}`;
    const result = deletionResult(
      job(),
      { outcome: "failed", error: { status: 500, code: "Internal\tError", message } },
      { ...run, requestId: `req\n${"r".repeat(300)}` },
    );
    const text = JSON.stringify(result);
    expect(text).not.toContain("acctk0123");
    expect(text).not.toContain("s3cr3t");
    expect(text).toContain("access_token=[redacted]");
    if (result.outcome !== "failed") throw new Error("expected failed");
    expect(result.error.message.length).toBe(2048);
    expect(result.error.code).toBe("Internal Error");
    expect(result.requestId?.length).toBe(256);
  });

  it("leaves out an empty request ID rather than refusing the result", () => {
    const result = deletionResult(job(), { outcome: "deleted" }, { ...run, requestId: "  " });
    expect(result).not.toHaveProperty("requestId");
  });

  it(`keeps at most ${MAX_REASONS} reasons, the last one counting the rest, so the result fits on the queue`, () => {
    const reasons = Array.from({ length: 5000 }, (_, index) => ({
      path: `field${index}`,
      message: "m".repeat(5000),
    }));
    const result = rejectedDeletion({ jobId: "j-1" }, reasons, timing);
    expect(result.reasons).toHaveLength(MAX_REASONS);
    expect(result.reasons.at(-1)).toEqual({ path: "", message: "…and 4951 more problems" });
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(64 * 1024);
  });
});

describe("the deletion result schema", () => {
  const valid = deletionResult(job(), { outcome: "recycled", recycledItemId: 9 }, run);

  it("refuses a recycled result without its recycledItemId", () => {
    const { recycledItemId: _omitted, ...withoutId } = valid as Extract<
      DeletionResult,
      { outcome: "recycled" }
    >;
    expect(DeletionResultSchema.safeParse(withoutId).success).toBe(false);
  });

  it("refuses an outcome it does not know", () => {
    expect(DeletionResultSchema.safeParse({ ...valid, outcome: "vanished" }).success).toBe(false);
  });

  it("refuses a rejected result that claims attempts at SMH", () => {
    const rejected = rejectedDeletion(job(), [{ rule: "r", message: "m" }], timing);
    expect(DeletionResultSchema.safeParse({ ...rejected, attempts: 1 }).success).toBe(false);
  });
});
