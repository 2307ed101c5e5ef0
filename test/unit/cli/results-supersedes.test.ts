// A job given up with a `failed` result and redriven by hand: its later result names the failed
// one (`supersedes.dedupKey`), and a consumer keeps only the later one, in either reading order.
import { describe, expect, it } from "vitest";
import { createDeleteJob } from "../../../lib/messages/delete-job.ts";
import { deletionResult } from "../../../lib/messages/deletion-result.ts";
import { ResultSet } from "../../../lib/messages/result-set.ts";

const run = {
  attempts: 1,
  startedAt: new Date("2025-06-01T12:00:00.000Z"),
  finishedAt: new Date("2025-06-01T12:00:01.000Z"),
};
const job = createDeleteJob({ libraryId: "smh1", path: "events/a", source: "bulk" });
const failed = deletionResult(job, { outcome: "failed", error: { message: "gave up" } }, run);
const redriven = { outcome: "failed" as const, failedAt: "2025-06-01T12:00:01.000Z" };
const recycled = deletionResult(job, { outcome: "recycled", recycledItemId: 7 }, run, redriven);

describe("results that supersede a failed one", () => {
  it("name the failed result by its dedupKey", () => {
    expect("supersedes" in recycled && recycled.supersedes).toEqual({
      ...redriven,
      dedupKey: failed.dedupKey,
    });
  });

  it("drop the failed result read before them", () => {
    const set = new ResultSet();
    set.add(failed);
    expect(set.add(recycled)).toBe("new");
    expect(set.results()).toEqual([recycled]);
    expect(set.superseded).toBe(1);
  });

  it("drop the failed result read after them", () => {
    const set = new ResultSet();
    set.add(recycled);
    expect(set.add(failed)).toBe("duplicate");
    expect(set.results()).toEqual([recycled]);
  });

  it("leave a failed result nobody supersedes alone", () => {
    const set = new ResultSet();
    const plain = deletionResult(job, { outcome: "recycled", recycledItemId: 7 }, run);
    set.add(failed);
    set.add(plain);
    expect(set.results()).toEqual([failed, plain]);
  });

  it("keep a redriven job's own second failed result (the same fact: one result)", () => {
    const set = new ResultSet();
    const again = deletionResult(
      job,
      { outcome: "failed", error: { message: "again" } },
      run,
      redriven,
    );
    set.add(failed);
    set.add(again);
    expect(set.results()).toHaveLength(1);
    expect(set.results()).toEqual([failed]);
  });
});
