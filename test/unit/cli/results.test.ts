// Reading the results queue: one entry per message, duplicates dropped by dedupKey keeping the
// restore handle, invalid messages kept aside, and the CSV export's fixed columns.
import { describe, expect, it } from "vitest";
import { ResultCollector } from "../../../lib/cli/results/collector.ts";
import { RESULT_CSV_COLUMNS, resultCsvRow } from "../../../lib/cli/results/csv-row.ts";
import { countOutcomes } from "../../../lib/cli/results/summary.ts";
import { createDeleteJob } from "../../../lib/messages/delete-job.ts";
import { deletionResult, rejectedDeletion } from "../../../lib/messages/deletion-result.ts";
import { recycleActionResult } from "../../../lib/messages/recycle-action-result.ts";
import { createRecycleCommand } from "../../../lib/messages/recycle-command.ts";
import { ResultSet } from "../../../lib/messages/result-set.ts";

const run = {
  attempts: 2,
  requestId: "req-9",
  startedAt: new Date("2025-05-01T12:00:00Z"),
  finishedAt: new Date("2025-05-01T12:00:02Z"),
};
const job = createDeleteJob({
  libraryId: "smh1",
  spaceId: "space1",
  path: "events/2024",
  source: "bulk",
});
const recycled = deletionResult(job, { outcome: "recycled", recycledItemId: 42 }, run);
const absent = deletionResult(job, { outcome: "already_absent" }, run);
const recovered = deletionResult(
  job,
  { outcome: "recovered", recycledItemId: 42, removedAt: new Date("2025-05-01T11:59:59Z") },
  run,
);
const failed = deletionResult(
  job,
  { outcome: "failed", error: { status: 429, message: "slow down" } },
  run,
);
const restore = createRecycleCommand({
  action: "restore",
  libraryId: "smh1",
  recycledItemIds: [42],
});
const restored = recycleActionResult(
  restore,
  42,
  { outcome: "restored", restoredPath: ["events", "2024 (1)"] },
  run,
);
const expired = recycleActionResult(restore, 42, { outcome: "expired" }, run);

const message = (id: string, body: unknown, receipt = `r-${id}`) => ({
  MessageId: id,
  ReceiptHandle: receipt,
  Body: typeof body === "string" ? body : JSON.stringify(body),
  Attributes: { SentTimestamp: "1746100800000" },
});

describe("duplicate results", () => {
  it("keeps the one with the recycledItemId, whichever arrives first", () => {
    const set = new ResultSet();
    expect(set.add(absent)).toBe("new");
    expect(set.add(recycled)).toBe("replaced");
    expect(set.add(recovered)).toBe("duplicate");
    expect(set.results()).toEqual([recycled]);
    expect(set.duplicates).toBe(2);
  });

  it("keeps the restore that carries restoredPath over an expired one for the same item", () => {
    const set = new ResultSet();
    set.add(expired);
    set.add(restored);
    expect(set.results()).toEqual([restored]);
  });

  it("keeps a failure and a later success of the same job: the success is news", () => {
    const set = new ResultSet();
    set.add(failed);
    set.add(recycled);
    expect(set.results()).toEqual([failed, recycled]);
    expect(countOutcomes(set.results())).toEqual({
      deletion: { failed: 1, recycled: 1 },
      "recycle-action": {},
    });
  });
});

describe("collecting received messages", () => {
  it("counts a message received twice once, and deletes it with the latest receipt handle", () => {
    const collector = new ResultCollector();
    expect(collector.add(message("m1", recycled, "old")).kind).toBe("new");
    expect(collector.add(message("m1", recycled, "new")).kind).toBe("again");
    expect(collector.received).toBe(1);
    expect(collector.results.duplicates).toBe(0);
    expect(collector.receipts()).toEqual([{ id: "m1", receiptHandle: "new" }]);
  });

  it("keeps messages that are not results, with why, and never counts them as results", () => {
    const collector = new ResultCollector();
    collector.add(message("m1", "{oops"));
    collector.add(message("m2", { ...recycled, outcome: "vanished" }));
    expect(collector.results.size).toBe(0);
    expect(collector.invalid).toEqual([
      expect.objectContaining({
        messageId: "m1",
        body: "{oops",
        sentAt: "2025-05-01T12:00:00.000Z",
      }),
      expect.objectContaining({
        messageId: "m2",
        reasons: [expect.objectContaining({ path: "outcome" })],
      }),
    ]);
    expect(collector.receipts().map((r) => r.id)).toEqual(["m1", "m2"]);
  });
});

describe("the CSV export", () => {
  it("has a fixed set of columns", () => {
    expect(RESULT_CSV_COLUMNS).toEqual([
      "type",
      "outcome",
      "jobId",
      "commandId",
      "libraryId",
      "spaceId",
      "path",
      "permanent",
      "action",
      "recycledItemId",
      "restoredPath",
      "removedAt",
      "error",
      "reasons",
      "attempts",
      "startedAt",
      "finishedAt",
      "requestedBy",
      "dedupKey",
      "planId",
    ]);
    for (const result of [recycled, failed, restored]) {
      expect(Object.keys(resultCsvRow(result))).toEqual([...RESULT_CSV_COLUMNS]);
    }
  });

  it("flattens a deletion, a failure, a rejection and a restore", () => {
    expect(resultCsvRow(recovered)).toMatchObject({
      type: "deletion",
      outcome: "recovered",
      jobId: job.jobId,
      commandId: "",
      libraryId: "smh1",
      spaceId: "space1",
      path: "events/2024",
      permanent: "false",
      recycledItemId: "42",
      removedAt: "2025-05-01T11:59:59.000Z",
      attempts: "2",
      dedupKey: recovered.dedupKey,
    });
    expect(resultCsvRow(failed).error).toBe("429: slow down");
    const rejected = rejectedDeletion(
      { jobId: "body-x" },
      [
        { path: "", message: "body is not JSON" },
        { rule: "protected-path", message: "events is protected" },
      ],
      run,
    );
    expect(resultCsvRow(rejected)).toMatchObject({
      reasons: "(body): body is not JSON; protected-path: events is protected",
      path: "",
    });
    expect(resultCsvRow(restored)).toMatchObject({
      type: "recycle-action",
      jobId: "",
      commandId: restore.commandId,
      action: "restore",
      restoredPath: "events/2024 (1)",
    });
  });
});
