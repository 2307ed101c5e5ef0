// The orchestrator's contract with the queue: a record is acknowledged (left out of
// batchItemFailures) only once its job's result is written; on the last receive a failing job gets
// a `failed` result and is still reported, so it dead-letters with its result written; the whole
// batch fails on purpose only when a library's circuit is open and nothing could be done.
import { describe, expect, it } from "vitest";
import { BatchProcessingError, FullBatchFailureError } from "../../../lib/batch/errors.ts";
import type { DeleteObserver } from "../../../lib/delete/observer.ts";
import { processDeleteBatch } from "../../../lib/delete/process-batch.ts";
import type { DeletionResult } from "../../../lib/messages/deletion-result.ts";
import { binItem, jobRecord, record, smhError, T0, testPipeline } from "./factories.ts";

const DEADLINE = T0 + 120_000;

/** An observer that records every call. */
function recordingObserver() {
  const seen = {
    outcomes: [] as { result: DeletionResult; acknowledged: boolean; deadLettered: boolean }[],
    retryLater: [] as { jobId: string; reason: string; receiveCount: number }[],
    publishFailed: [] as { count: number; codes: string[] }[],
    batchFailed: [] as { reason: string; records: number }[],
  };
  const observer: DeleteObserver = {
    outcome: (result, details) =>
      seen.outcomes.push({
        result,
        acknowledged: details.acknowledged,
        deadLettered: details.deadLettered,
      }),
    retryLater: (details) => seen.retryLater.push(details),
    publishFailed: (details) => seen.publishFailed.push(details),
    batchFailed: (details) => seen.batchFailed.push(details),
  };
  return { observer, seen };
}

describe("acknowledgement: a record is acknowledged only once its result is written", () => {
  it("writes a result for every settled or refused record and acknowledges exactly those", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    pipeline.smh.onDelete = (request) =>
      request.path === "events/b"
        ? smhError(503, "ServerOverloaded")
        : { outcome: "recycled", recycledItemId: 41, requestId: "r", attempts: 1 };
    const ok = jobRecord("events/a");
    const transient = jobRecord("events/b");
    const refused = record("not json");

    const outcome = await processDeleteBatch([ok, transient, refused], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([transient.messageId]);
    expect(outcome.fullBatchFailure).toBeUndefined();
    expect(pipeline.publisher.published.map(({ outcome: o }) => o).sort()).toEqual([
      "recycled",
      "rejected",
    ]);
    expect(pipeline.publisher.resultOf("job-events-a")).toMatchObject({
      outcome: "recycled",
      recycledItemId: 41,
      attempts: 1,
    });
    expect(outcome.counts).toMatchObject({ recycled: 1, rejected: 1, retryLater: 1, failed: 0 });
  });

  it("reports the records whose results could not be written, so they come back", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    pipeline.publisher.refuse = (result) => result.jobId === "job-events-b";
    const { observer, seen } = recordingObserver();
    const a = jobRecord("events/a");
    const b = jobRecord("events/b");

    const outcome = await processDeleteBatch([a, b], { ...pipeline, observer }, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([b.messageId]);
    expect(pipeline.publisher.refused.map(({ jobId }) => jobId)).toEqual(["job-events-b"]);
    expect(seen.publishFailed).toEqual([{ count: 1, codes: ["InternalError"] }]);
    // Only written results are reported as outcomes, and counted.
    expect(seen.outcomes.map(({ result }) => result.jobId)).toEqual(["job-events-a"]);
    expect(outcome.counts.recycled).toBe(1);
  });

  it("reports a refused record whose rejected result could not be written", async () => {
    const pipeline = testPipeline();
    pipeline.publisher.refuse = (result) => result.outcome === "rejected";
    const bad = record("not json");

    const outcome = await processDeleteBatch([bad], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([bad.messageId]);
    expect(outcome.counts.rejected).toBe(0);
  });

  it("answers the same job delivered twice once, and acknowledges both records with it", async () => {
    const pipeline = testPipeline();
    const first = jobRecord("events/a", {}, { receiveCount: 1 });
    const second = jobRecord("events/a", {}, { receiveCount: 2 });

    const outcome = await processDeleteBatch([first, second], pipeline, DEADLINE);

    expect(pipeline.smh.callsOf("delete")).toHaveLength(1);
    expect(pipeline.smh.callsOf("batch")).toHaveLength(0);
    expect(pipeline.publisher.published).toHaveLength(1);
    expect(outcome.failedMessageIds).toEqual([]);
  });

  it("reports both records of a merged job when its one result could not be written", async () => {
    const pipeline = testPipeline();
    pipeline.publisher.refuse = () => true;
    const first = jobRecord("events/a");
    const second = jobRecord("events/a");

    const outcome = await processDeleteBatch([first, second], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([first.messageId, second.messageId]);
  });

  it("hands back jobs not started before the deadline margin, without a result", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99, concurrency: 1 } });
    // A 1 s invocation keeps its last quarter back: the second delete would start after it.
    pipeline.smh.onDelete = () => {
      pipeline.clock.advance(800);
      return { outcome: "recycled", recycledItemId: 1, requestId: "r", attempts: 1 };
    };
    const { observer, seen } = recordingObserver();
    const a = jobRecord("events/a");
    const b = jobRecord("events/b");

    const outcome = await processDeleteBatch([a, b], { ...pipeline, observer }, T0 + 1_000);

    expect(outcome.failedMessageIds).toEqual([b.messageId]);
    expect(pipeline.publisher.published.map(({ jobId }) => jobId)).toEqual(["job-events-a"]);
    expect(seen.retryLater).toEqual([
      expect.objectContaining({
        jobId: "job-events-b",
        reason: expect.stringContaining("deadline margin"),
      }),
    ]);
  });

  it("gives SMH calls the invocation's deadline less the publishing reserve", async () => {
    const pipeline = testPipeline({
      settings: { batchDeleteMinJobs: 99, publishReserveMs: 5_000 },
    });
    await processDeleteBatch([jobRecord("events/a")], pipeline, DEADLINE);
    expect(pipeline.smh.callsOf("delete")[0]?.options?.deadline).toBe(DEADLINE - 5_000);
  });

  it("keeps the batch's order in batchItemFailures", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    pipeline.smh.onDelete = () => smhError(503, "ServerOverloaded");
    const records = ["events/c", "events/a", "events/b"].map((path) => jobRecord(path));

    const outcome = await processDeleteBatch(records, pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual(records.map(({ messageId }) => messageId));
  });

  it("publishes a recovered result with the recycledItemId found in the recycle bin after a 404", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    pipeline.smh.onDelete = () => smhError(404, "DirectoryNotFound", { mayHaveApplied: true });
    pipeline.smh.bin = [binItem(321, "events/a", T0 - 1_000)];

    const outcome = await processDeleteBatch([jobRecord("events/a")], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([]);
    expect(pipeline.publisher.resultOf("job-events-a")).toMatchObject({
      outcome: "recovered",
      recycledItemId: 321,
      removedAt: new Date(T0 - 1_000).toISOString(),
    });
  });
});

describe("the last receive: a failed result, and the DLQ", () => {
  it("writes a failed result saying why on the last receive, and still reports the record so it dead-letters", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99, maxReceiveCount: 5 } });
    pipeline.smh.onDelete = () => smhError(503, "ServerOverloaded", { attempts: 5 });
    const { observer, seen } = recordingObserver();
    const last = jobRecord("events/a", {}, { receiveCount: 5 });

    const outcome = await processDeleteBatch([last], { ...pipeline, observer }, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([last.messageId]);
    const result = pipeline.publisher.resultOf("job-events-a");
    expect(result).toMatchObject({
      outcome: "failed",
      error: { status: 503, code: "ServerOverloaded" },
    });
    expect(result.outcome === "failed" && result.error.message).toMatch(
      /given up after 5 deliveries \(moving to the DLQ\)/,
    );
    expect(seen.outcomes).toEqual([
      expect.objectContaining({ acknowledged: false, deadLettered: true }),
    ]);
    expect(outcome.counts.failed).toBe(1);
  });

  it("writes no result before the last receive", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99, maxReceiveCount: 5 } });
    pipeline.smh.onDelete = () => smhError(503, "ServerOverloaded");

    const outcome = await processDeleteBatch(
      [jobRecord("events/a", {}, { receiveCount: 4 })],
      pipeline,
      DEADLINE,
    );

    expect(pipeline.publisher.published).toEqual([]);
    expect(outcome.counts.retryLater).toBe(1);
  });

  it("says why a job that could not even start is given up on its last receive", async () => {
    const pipeline = testPipeline({ settings: { maxReceiveCount: 3 } });
    const last = jobRecord("events/a", {}, { receiveCount: 3 });

    const outcome = await processDeleteBatch([last], pipeline, T0);

    expect(outcome.failedMessageIds).toEqual([last.messageId]);
    const result = pipeline.publisher.resultOf("job-events-a");
    expect(result.outcome === "failed" && result.error.message).toMatch(
      /given up after 3 deliveries.*not started/,
    );
  });

  it("acknowledges a job that succeeds on its last receive like any other", async () => {
    const pipeline = testPipeline({ settings: { maxReceiveCount: 5 } });
    const last = jobRecord("events/a", {}, { receiveCount: 5 });

    const outcome = await processDeleteBatch([last], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([]);
    expect(pipeline.publisher.resultOf("job-events-a").outcome).toBe("recycled");
  });

  it("acknowledges a job SMH refused with a non-retryable 4xx: failed at once, not dead-lettered", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    pipeline.smh.onDelete = () => smhError(400, "IllegalFileName");

    const outcome = await processDeleteBatch([jobRecord("events/a")], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([]);
    expect(pipeline.publisher.resultOf("job-events-a")).toMatchObject({
      outcome: "failed",
      error: { status: 400, code: "IllegalFileName" },
    });
  });
});

describe("failing the whole batch on purpose (open circuit)", () => {
  function openCircuit(pipeline: ReturnType<typeof testPipeline>, libraryId = "smh1") {
    for (let i = 0; i < pipeline.settings.circuitFailureThreshold; i++) {
      pipeline.circuits.recordFailure(libraryId);
    }
  }

  it("fails the whole batch, writing nothing, when a circuit is open and nothing could be done", async () => {
    const pipeline = testPipeline();
    openCircuit(pipeline);
    const { observer, seen } = recordingObserver();
    const records = [jobRecord("events/a"), jobRecord("events/b")];

    const outcome = await processDeleteBatch(records, { ...pipeline, observer }, DEADLINE);

    expect(outcome.fullBatchFailure).toBeInstanceOf(FullBatchFailureError);
    expect(outcome.fullBatchFailure).toBeInstanceOf(BatchProcessingError);
    expect(outcome.fullBatchFailure?.message).toMatch(/circuit open/);
    expect(outcome.fullBatchFailure).toMatchObject({
      kind: "full-batch-failure",
      libraryId: "smh1",
      messageIds: records.map(({ messageId }) => messageId),
    });
    expect(outcome.failedMessageIds).toEqual(records.map(({ messageId }) => messageId));
    expect(pipeline.smh.calls).toEqual([]);
    expect(pipeline.publisher.published).toEqual([]);
    expect(seen.batchFailed).toEqual([expect.objectContaining({ records: 2 })]);
  });

  it("does not fail the whole batch when another library's job was done", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    openCircuit(pipeline);
    const blocked = jobRecord("events/a");
    const done = jobRecord("scratch/b", { libraryId: "smh2" });

    const outcome = await processDeleteBatch([blocked, done], pipeline, DEADLINE);

    expect(outcome.fullBatchFailure).toBeUndefined();
    expect(outcome.failedMessageIds).toEqual([blocked.messageId]);
  });

  it("does not fail the whole batch when a refused record got its rejected result", async () => {
    const pipeline = testPipeline();
    openCircuit(pipeline);
    const blocked = jobRecord("events/a");
    const refused = record("not json");

    const outcome = await processDeleteBatch([blocked, refused], pipeline, DEADLINE);

    expect(outcome.fullBatchFailure).toBeUndefined();
    expect(outcome.failedMessageIds).toEqual([blocked.messageId]);
    expect(pipeline.publisher.published.map(({ outcome: o }) => o)).toEqual(["rejected"]);
  });

  it("still writes the failed result of a job on its last receive while the circuit is open", async () => {
    const pipeline = testPipeline({ settings: { maxReceiveCount: 5 } });
    openCircuit(pipeline);
    const last = jobRecord("events/a", {}, { receiveCount: 5 });
    const early = jobRecord("events/b", {}, { receiveCount: 1 });

    const outcome = await processDeleteBatch([last, early], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([last.messageId, early.messageId]);
    const result = pipeline.publisher.resultOf("job-events-a");
    expect(result.outcome === "failed" && result.error.message).toMatch(
      /given up after 5 deliveries.*circuit/,
    );
  });

  it("never fails an empty batch", async () => {
    const pipeline = testPipeline();
    openCircuit(pipeline);
    const outcome = await processDeleteBatch([], pipeline, DEADLINE);
    expect(outcome.failedMessageIds).toEqual([]);
    expect(outcome.fullBatchFailure).toBeUndefined();
  });
});
