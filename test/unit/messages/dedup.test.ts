import { describe, expect, it } from "vitest";
import { deletionResult, rejectedDeletion } from "../../../lib/messages/deletion-result.ts";
import { parseJobBody } from "../../../lib/messages/job-body.ts";
import { recycleActionResult } from "../../../lib/messages/recycle-action-result.ts";
import { job, purgeCommand, restoreCommand, run, timing } from "./factories.ts";

const later = {
  attempts: 3,
  requestId: "req-2",
  startedAt: new Date("2025-05-01T13:00:00.000Z"),
  finishedAt: new Date("2025-05-01T13:00:02.000Z"),
};

describe("the dedupKey of a deletion result", () => {
  it("is the same when a job delivered twice is recycled, then recovered from the recycle bin", () => {
    const first = deletionResult(job(), { outcome: "recycled", recycledItemId: 5 }, run);
    const second = deletionResult(
      job(),
      { outcome: "recovered", recycledItemId: 5, removedAt: timing.startedAt },
      later,
    );
    expect(second.dedupKey).toBe(first.dedupKey);
  });

  it("is the same when a permanent job delivered twice is deleted, then found already absent", () => {
    const permanent = job({ permanent: true });
    const first = deletionResult(permanent, { outcome: "deleted" }, run);
    const second = deletionResult(permanent, { outcome: "already_absent" }, later);
    expect(second.dedupKey).toBe(first.dedupKey);
  });

  it("is the same for the same outcome whatever the attempts, timings and request IDs", () => {
    const first = deletionResult(job(), { outcome: "failed", error: { message: "a" } }, run);
    const second = deletionResult(job(), { outcome: "failed", error: { message: "b" } }, later);
    expect(second.dedupKey).toBe(first.dedupKey);
  });

  it("is the same when a job the policy refuses is delivered twice", () => {
    const violation = [{ rule: "protected-path", message: "protected" }];
    expect(rejectedDeletion(job(), violation, timing).dedupKey).toBe(
      rejectedDeletion(job(), violation, later).dedupKey,
    );
  });

  it("is the same when an invalid body is delivered twice", () => {
    const keyOf = () => {
      const parsed = parseJobBody('{"v":1,"path":"../x"}');
      if (parsed.ok) throw new Error("expected a refusal");
      return rejectedDeletion(parsed.identity, parsed.reasons, timing).dedupKey;
    };
    expect(keyOf()).toBe(keyOf());
  });

  it("differs when a job that failed or was refused later succeeds: the success is news", () => {
    const success = deletionResult(job(), { outcome: "recycled", recycledItemId: 5 }, later);
    const failed = deletionResult(job(), { outcome: "failed", error: { message: "x" } }, run);
    const rejected = rejectedDeletion(job(), [{ rule: "r", message: "m" }], timing);
    expect(new Set([success.dedupKey, failed.dedupKey, rejected.dedupKey]).size).toBe(3);
  });

  it("differs between jobs with different jobIds for the same path", () => {
    const one = deletionResult(job({ jobId: "a" }), { outcome: "deleted" }, run);
    const other = deletionResult(job({ jobId: "b" }), { outcome: "deleted" }, run);
    expect(one.dedupKey).not.toBe(other.dedupKey);
  });

  it("differs when a caller reuses a jobId for another target", () => {
    const keys = [
      job({ jobId: "a" }),
      job({ jobId: "a", path: "other" }),
      job({ jobId: "a", spaceId: "space1" }),
      job({ jobId: "a", libraryId: "smh2" }),
      job({ jobId: "a", permanent: true }),
    ].map((each) => deletionResult(each, { outcome: "deleted" }, run).dedupKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("the dedupKey of a recycle-action result", () => {
  it("is the same when a purge delivered twice is purged, then found expired", () => {
    const command = purgeCommand();
    const first = recycleActionResult(command, 21, { outcome: "purged" }, run);
    const second = recycleActionResult(command, 21, { outcome: "expired" }, later);
    expect(second.dedupKey).toBe(first.dedupKey);
  });

  it("differs per item of the same command", () => {
    const command = purgeCommand();
    expect(recycleActionResult(command, 21, { outcome: "purged" }, run).dedupKey).not.toBe(
      recycleActionResult(command, 22, { outcome: "purged" }, run).dedupKey,
    );
  });

  it("differs between a conflict and the restore that succeeds after it", () => {
    const command = restoreCommand();
    const conflict = recycleActionResult(
      command,
      11,
      {
        outcome: "conflict",
        error: { status: 409, code: "SameNameDirectoryOrFileExists", message: "exists" },
      },
      run,
    );
    const restored = recycleActionResult(
      command,
      11,
      { outcome: "restored", restoredPath: ["a"] },
      later,
    );
    expect(conflict.dedupKey).not.toBe(restored.dedupKey);
  });

  it("never equals a deletion result's key", () => {
    const deletion = deletionResult(job({ jobId: "same" }), { outcome: "deleted" }, run);
    const action = recycleActionResult(purgeCommand(), 21, { outcome: "purged" }, run);
    expect(deletion.dedupKey).not.toBe(action.dedupKey);
  });
});
