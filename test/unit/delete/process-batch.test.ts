// The orchestrator's contract with the queue: a record is acknowledged (left out of
// batchItemFailures) once its job's result is written, or once its job is parked (re-sent with a
// delay and its delivery state) or given up (one `failed` result, then the DLQ); a job given up
// says which limit of its retry budget it reached. An open circuit parks its library's jobs
// without spending an attempt; other libraries' jobs in the same batch go on.
import { describe, expect, it } from "vitest";
import type { DeleteObserver } from "../../../lib/delete/observer.ts";
import { processDeleteBatch } from "../../../lib/delete/process-batch.ts";
import { deletionDedupKey } from "../../../lib/messages/dedup.ts";
import type { DeletionResult } from "../../../lib/messages/deletion-result.ts";
import {
  DELIVERY_ATTRIBUTE,
  type DeliveryState,
  REDRIVEN_AT_ATTRIBUTE,
} from "../../../lib/messages/delivery.ts";
import { CapturingParker } from "../batch/factories.ts";
import { binItem, jobRecord, record, smhError, T0, testPipeline } from "./factories.ts";

const DEADLINE = T0 + 120_000;

/** An observer that records every call. */
function recordingObserver() {
  const seen = {
    outcomes: [] as { result: DeletionResult; acknowledged: boolean; deadLettered: boolean }[],
    retryLater: [] as { jobId: string; reason: string; receiveCount: number }[],
    publishFailed: [] as { count: number; codes: string[] }[],
    forwardFailed: [] as { queue: string; count: number; codes: string[] }[],
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
    forwardFailed: (details) => seen.forwardFailed.push(details),
  };
  return { observer, seen };
}

/** A delivery state attribute, as an earlier delivery left it. */
function delivered(state: Partial<DeliveryState> = {}): Record<string, string> {
  const enqueued = new Date(T0 - 60_000).toISOString();
  return {
    [DELIVERY_ATTRIBUTE]: JSON.stringify({
      v: 1,
      attempts: 0,
      firstEnqueuedAt: enqueued,
      budgetFrom: enqueued,
      parkings: 0,
      ...state,
    }),
  };
}

describe("acknowledgement: a record is acknowledged once its result is written or its job parked", () => {
  it("writes a result for every settled or refused record, parks the transient one, and acknowledges all", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    pipeline.smh.onDelete = (request) =>
      request.path === "events/b"
        ? smhError(503, "ServerOverloaded")
        : { outcome: "recycled", recycledItemId: 41, requestId: "r", attempts: 1 };
    const ok = jobRecord("events/a");
    const transient = jobRecord("events/b");
    const refused = record("not json");

    const outcome = await processDeleteBatch([ok, transient, refused], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([]);
    // The failed attempt is parked: the same body, its first delay, one failed attempt counted.
    expect(pipeline.parker.parked).toHaveLength(1);
    const [parked] = pipeline.parker.parked;
    expect(parked?.body).toBe(transient.body);
    expect(parked?.delaySeconds).toBe(30);
    expect(CapturingParker.stateOf(parked)).toMatchObject({
      attempts: 1,
      parkings: 1,
      firstEnqueuedAt: new Date(T0 - 60_000).toISOString(),
    });
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

  it("parks jobs not started before the deadline margin at once, without a result or an attempt", async () => {
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

    expect(outcome.failedMessageIds).toEqual([]);
    expect(pipeline.publisher.published.map(({ jobId }) => jobId)).toEqual(["job-events-a"]);
    // Nothing is wrong with SMH: no delay, no attempt, no parking counted.
    expect(pipeline.parker.parked.map(({ body, delaySeconds }) => [body, delaySeconds])).toEqual([
      [b.body, 0],
    ]);
    expect(CapturingParker.stateOf(pipeline.parker.parked[0])).toMatchObject({
      attempts: 0,
      parkings: 0,
    });
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

  it("reports the records whose parking was refused, so they come back, in the batch's order", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    pipeline.smh.onDelete = () => smhError(503, "ServerOverloaded");
    pipeline.parker.refuse = () => true;
    const { observer, seen } = recordingObserver();
    const records = ["events/c", "events/a", "events/b"].map((path) => jobRecord(path));

    const outcome = await processDeleteBatch(records, { ...pipeline, observer }, DEADLINE);

    expect(outcome.failedMessageIds).toEqual(records.map(({ messageId }) => messageId));
    expect(seen.forwardFailed).toEqual([expect.objectContaining({ count: 3 })]);
  });

  it("parks nothing when the invocation is nearly over: its records come back instead of leaving a copy", async () => {
    const pipeline = testPipeline({
      settings: { batchDeleteMinJobs: 99, publishReserveMs: 5_000 },
    });
    // The call ends within the last half of the publishing reserve (a loaded machine).
    pipeline.smh.onDelete = () => {
      pipeline.clock.advance(118_000);
      return smhError(503, "ServerOverloaded");
    };
    const { observer, seen } = recordingObserver();
    const job = jobRecord("events/a");

    const outcome = await processDeleteBatch([job], { ...pipeline, observer }, DEADLINE);

    expect(pipeline.parker.parked).toEqual([]);
    expect(outcome.failedMessageIds).toEqual([job.messageId]);
    expect(seen.forwardFailed).toEqual([expect.objectContaining({ codes: ["TooLate"], count: 1 })]);
  });

  it("parks work with nothing to write at once, beside a slow publish that ends past the forward deadline", async () => {
    const pipeline = testPipeline({
      settings: { batchDeleteMinJobs: 99, publishReserveMs: 5_000, recoverySkewMs: 60_000 },
    });
    // a: deleted. b: a 404 whose recycle-bin lookup the deadline cuts (the call ran out of time).
    pipeline.smh.onDelete = (request) =>
      request.path === "events/a"
        ? { outcome: "recycled", recycledItemId: 7, requestId: "r", attempts: 1 }
        : smhError(404, "DirectoryNotFound", { mayHaveApplied: true });
    pipeline.smh.bin = Array.from({ length: 200 }, (_, index) =>
      binItem(index + 1, `other/${index}`, T0 - 1_000),
    );
    pipeline.smh.onPage = () => pipeline.clock.advance(116_000);
    // Writing a's result (the ledger under load) takes until after the forward deadline.
    const publish = pipeline.publisher.publish.bind(pipeline.publisher);
    pipeline.publisher.publish = (results) => {
      pipeline.clock.advance(4_000);
      return publish(results);
    };
    const { observer, seen } = recordingObserver();
    const a = jobRecord("events/a");
    const b = jobRecord("events/b");

    const outcome = await processDeleteBatch([a, b], { ...pipeline, observer }, DEADLINE);

    expect(pipeline.publisher.published.map(({ jobId }) => jobId)).toEqual(["job-events-a"]);
    expect(pipeline.parker.parked.map(({ body, delaySeconds }) => [body, delaySeconds])).toEqual([
      [b.body, 0],
    ]);
    expect(outcome.failedMessageIds).toEqual([]);
    expect(seen.forwardFailed).toEqual([]);
  });

  it("finds a parked job's recycle-bin item from its first enqueue, not from its re-send", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99, recoverySkewMs: 60_000 } });
    // An earlier delivery's delete was applied, its answer lost; the job was parked and re-sent.
    pipeline.smh.onDelete = () => smhError(404, "DirectoryNotFound", { mayHaveApplied: true });
    pipeline.smh.bin = [binItem(654, "events/a", T0 - 10 * 60_000)];
    const resent = jobRecord(
      "events/a",
      {},
      {
        sentAt: T0 - 1_000,
        attributes: delivered({ firstEnqueuedAt: new Date(T0 - 11 * 60_000).toISOString() }),
      },
    );

    await processDeleteBatch([resent], pipeline, DEADLINE);

    expect(pipeline.publisher.resultOf("job-events-a")).toMatchObject({
      outcome: "recovered",
      recycledItemId: 654,
    });
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

describe("the retry budget: one failed result saying which limit, then the DLQ", () => {
  it("gives a job up after MAX_SMH_ATTEMPTS failed attempts: its result first, then the DLQ, then the ack", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99, maxSmhAttempts: 5 } });
    pipeline.smh.onDelete = () => smhError(503, "ServerOverloaded", { attempts: 3 });
    const { observer, seen } = recordingObserver();
    const fifth = jobRecord(
      "events/a",
      {},
      { attributes: delivered({ attempts: 4, parkings: 6 }) },
    );

    const outcome = await processDeleteBatch([fifth], { ...pipeline, observer }, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([]);
    const result = pipeline.publisher.resultOf("job-events-a");
    expect(result).toMatchObject({
      outcome: "failed",
      error: { status: 503, code: "ServerOverloaded" },
    });
    expect(result.outcome === "failed" && result.error.message).toMatch(
      /given up after 5 failed SMH attempts \(MAX_SMH_ATTEMPTS 5\); moving to the DLQ: .*ServerOverloaded/,
    );
    expect(pipeline.parker.parked).toEqual([]);
    expect(pipeline.parker.deadLettered.map(({ body }) => body)).toEqual([fifth.body]);
    expect(CapturingParker.stateOf(pipeline.parker.deadLettered[0])).toMatchObject({
      attempts: 5,
      gaveUpAt: new Date(T0).toISOString(),
    });
    expect(seen.outcomes).toEqual([
      expect.objectContaining({ acknowledged: true, deadLettered: true }),
    ]);
    expect(outcome.counts.failed).toBe(1);
  });

  it("never gives up a job SMH answered 404 for because its recycle-bin lookup failed: parked, attempts unchanged", async () => {
    // An earlier delivery deleted the directory (its result may be out): this one gets a 404, and
    // the lookup of the handle fails. A `failed` result now would contradict the earlier one.
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99, maxSmhAttempts: 5 } });
    pipeline.smh.onDelete = () => smhError(404, "DirectoryNotFound", { mayHaveApplied: true });
    pipeline.smh.listError = smhError(429, "RateLimitExceeded", { operation: "listRecycleBin" });
    const fifth = jobRecord(
      "events/a",
      {},
      { attributes: delivered({ attempts: 4, parkings: 4 }) },
    );

    const outcome = await processDeleteBatch([fifth], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([]);
    expect(pipeline.publisher.published).toEqual([]);
    expect(pipeline.parker.deadLettered).toEqual([]);
    expect(pipeline.parker.parked).toHaveLength(1);
    expect(CapturingParker.stateOf(pipeline.parker.parked[0])).toMatchObject({
      attempts: 4,
      parkings: 5,
    });
  });

  it("parks, writing no result, while the budget lasts; the delay doubles per parking up to the cap", async () => {
    const pipeline = testPipeline({
      settings: { batchDeleteMinJobs: 99, parkBaseDelaySeconds: 30, parkMaxDelaySeconds: 900 },
    });
    pipeline.smh.onDelete = () => smhError(503, "ServerOverloaded");
    const third = jobRecord(
      "events/a",
      {},
      { attributes: delivered({ attempts: 2, parkings: 2 }) },
    );
    const later = jobRecord(
      "events/b",
      {},
      { attributes: delivered({ attempts: 1, parkings: 9 }) },
    );

    const outcome = await processDeleteBatch([third, later], pipeline, DEADLINE);

    expect(pipeline.publisher.published).toEqual([]);
    expect(outcome.failedMessageIds).toEqual([]);
    expect(outcome.counts.retryLater).toBe(2);
    expect(pipeline.parker.parked.map(({ delaySeconds }) => delaySeconds)).toEqual([120, 900]);
    expect(pipeline.parker.parked.map((m) => CapturingParker.stateOf(m)?.attempts)).toEqual([3, 2]);
  });

  it("gives a job up after MAX_JOB_AGE_SECONDS, however few attempts failed", async () => {
    const pipeline = testPipeline({ settings: { maxJobAgeSeconds: 3_600 } });
    pipeline.circuits.recordFailure("smh1");
    for (let i = 1; i < pipeline.settings.circuitFailureThreshold; i++) {
      pipeline.circuits.recordFailure("smh1");
    }
    const old = new Date(T0 - 3_601_000).toISOString();
    const aged = jobRecord(
      "events/a",
      {},
      {
        attributes: delivered({ firstEnqueuedAt: old, budgetFrom: old, parkings: 12 }),
      },
    );

    await processDeleteBatch([aged], pipeline, DEADLINE);

    const result = pipeline.publisher.resultOf("job-events-a");
    expect(result.outcome === "failed" && result.error.message).toMatch(
      /given up after waiting 3601 s .*MAX_JOB_AGE_SECONDS 3600.*0 failed SMH attempts.*circuit for library smh1 is open/,
    );
    expect(pipeline.parker.deadLettered).toHaveLength(1);
  });

  it("gives up a message received maxReceiveCount times without being finished or parked", async () => {
    const pipeline = testPipeline({ settings: { maxReceiveCount: 3 } });
    for (let i = 0; i < pipeline.settings.circuitFailureThreshold; i++) {
      pipeline.circuits.recordFailure("smh1");
    }
    const last = jobRecord("events/a", {}, { receiveCount: 3 });

    const outcome = await processDeleteBatch([last], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([]);
    const result = pipeline.publisher.resultOf("job-events-a");
    expect(result.outcome === "failed" && result.error.message).toMatch(
      /given up after 3 deliveries of one message.*not started/,
    );
    expect(pipeline.parker.deadLettered).toHaveLength(1);
  });

  it("on that last receive with no time left, writes the failed result and lets SQS move the record", async () => {
    const pipeline = testPipeline({ settings: { maxReceiveCount: 3 } });
    const last = jobRecord("events/a", {}, { receiveCount: 3 });

    // Its invocation has no time left: nothing starts, nothing can be sent on in time.
    const outcome = await processDeleteBatch([last], pipeline, T0);

    expect(outcome.failedMessageIds).toEqual([last.messageId]);
    expect(pipeline.publisher.resultOf("job-events-a").outcome).toBe("failed");
    expect(pipeline.parker.deadLettered).toEqual([]);
  });

  it("leaves a given-up job on the queue when its failed result could not be written: nothing in the DLQ yet", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99, maxSmhAttempts: 1 } });
    pipeline.smh.onDelete = () => smhError(503, "ServerOverloaded");
    pipeline.publisher.refuse = () => true;
    const job = jobRecord("events/a");

    const outcome = await processDeleteBatch([job], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([job.messageId]);
    expect(pipeline.parker.deadLettered).toEqual([]);
  });

  it("leaves a given-up job on the queue when the DLQ refused it: its result is written, and the same again next time", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99, maxSmhAttempts: 1 } });
    pipeline.smh.onDelete = () => smhError(503, "ServerOverloaded");
    pipeline.parker.refuse = (_message, queue) => queue === "dead-letter";
    const job = jobRecord("events/a");

    const first = await processDeleteBatch([job], pipeline, DEADLINE);
    await processDeleteBatch([{ ...job, receiveCount: 2 }], pipeline, DEADLINE);

    expect(first.failedMessageIds).toEqual([job.messageId]);
    const keys = new Set(pipeline.publisher.published.map(({ dedupKey }) => dedupKey));
    expect(pipeline.publisher.published.map(({ outcome }) => outcome)).toEqual([
      "failed",
      "failed",
    ]);
    expect(keys.size).toBe(1);
  });

  it("acknowledges a job that succeeds on its last attempt like any other", async () => {
    const pipeline = testPipeline({ settings: { maxSmhAttempts: 5 } });
    const last = jobRecord("events/a", {}, { attributes: delivered({ attempts: 4 }) });

    const outcome = await processDeleteBatch([last], pipeline, DEADLINE);

    expect(outcome.failedMessageIds).toEqual([]);
    expect(pipeline.publisher.resultOf("job-events-a").outcome).toBe("recycled");
    expect(pipeline.parker.deadLettered).toEqual([]);
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
    expect(pipeline.parker.deadLettered).toEqual([]);
  });
});

describe("an open circuit parks its library's jobs", () => {
  function openCircuit(pipeline: ReturnType<typeof testPipeline>, libraryId = "smh1") {
    for (let i = 0; i < pipeline.settings.circuitFailureThreshold; i++) {
      pipeline.circuits.recordFailure(libraryId);
    }
  }

  it("parks them without calling SMH or counting an attempt; another library's job is done", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    openCircuit(pipeline);
    const { observer, seen } = recordingObserver();
    const blocked = jobRecord(
      "events/a",
      {},
      { attributes: delivered({ attempts: 4, parkings: 1 }) },
    );
    const done = jobRecord("scratch/b", { libraryId: "smh2" });
    const refused = record("not json");

    const outcome = await processDeleteBatch(
      [blocked, done, refused],
      { ...pipeline, observer },
      DEADLINE,
    );

    expect(outcome.failedMessageIds).toEqual([]);
    expect(pipeline.smh.callsOf("delete").map(({ request }) => request.libraryId)).toEqual([
      "smh2",
    ]);
    expect(pipeline.publisher.published.map(({ outcome: o }) => o).sort()).toEqual([
      "recycled",
      "rejected",
    ]);
    expect(pipeline.parker.parked.map(({ body, delaySeconds }) => [body, delaySeconds])).toEqual([
      [blocked.body, 60],
    ]);
    // Four failed attempts and MAX_SMH_ATTEMPTS 5: a turned-away job is not given up.
    expect(CapturingParker.stateOf(pipeline.parker.parked[0])).toMatchObject({
      attempts: 4,
      parkings: 2,
    });
    expect(seen.retryLater).toEqual([
      expect.objectContaining({
        jobId: "job-events-a",
        parkedForSeconds: 60,
        failedAttempts: 4,
        reason: expect.stringContaining("circuit for library smh1 is open"),
      }),
    ]);
  });

  it("counts the failed attempt of a batch request whose single retries the circuit it opened turned away", async () => {
    const pipeline = testPipeline({ settings: { circuitFailureThreshold: 1 } });
    pipeline.smh.onBatch = () => smhError(503, "ServerOverloaded", { mayHaveApplied: true });
    const records = [jobRecord("events/a"), jobRecord("events/b")];

    await processDeleteBatch(records, pipeline, DEADLINE);

    // The batch reached SMH and failed; its singles never started: parked, one attempt each.
    expect(pipeline.smh.callsOf("batch")).toHaveLength(1);
    expect(pipeline.smh.callsOf("delete")).toEqual([]);
    expect(pipeline.parker.parked.map((m) => CapturingParker.stateOf(m)?.attempts)).toEqual([1, 1]);
  });

  it("does not count the failure of a probe against the job's budget: SMH is still down, the job may be fine", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    openCircuit(pipeline);
    pipeline.clock.advance(pipeline.settings.circuitCooldownMs);
    pipeline.smh.onDelete = () => smhError(503, "ServerOverloaded");
    const probed = jobRecord(
      "events/a",
      {},
      { attributes: delivered({ attempts: 4, parkings: 3 }) },
    );

    await processDeleteBatch([probed], pipeline, pipeline.clock.now() + 120_000);

    expect(pipeline.smh.callsOf("delete")).toHaveLength(1);
    expect(pipeline.publisher.published).toEqual([]);
    expect(CapturingParker.stateOf(pipeline.parker.parked[0])).toMatchObject({
      attempts: 4,
      parkings: 4,
    });
  });

  it("never fails an empty batch", async () => {
    const pipeline = testPipeline();
    openCircuit(pipeline);
    const outcome = await processDeleteBatch([], pipeline, DEADLINE);
    expect(outcome.failedMessageIds).toEqual([]);
  });
});

describe("a job redriven by hand", () => {
  it("starts a fresh budget and says its results supersede its failed one", async () => {
    const pipeline = testPipeline();
    const gaveUpAt = new Date(T0 - 3_600_000).toISOString();
    const redrivenAt = new Date(T0 - 5_000).toISOString();
    const redriven = jobRecord(
      "events/a",
      {},
      {
        attributes: {
          ...delivered({ attempts: 5, parkings: 8, gaveUpAt }),
          [REDRIVEN_AT_ATTRIBUTE]: redrivenAt,
        },
      },
    );

    await processDeleteBatch([redriven], pipeline, DEADLINE);

    const result = pipeline.publisher.resultOf("job-events-a");
    expect(result).toMatchObject({
      outcome: "recycled",
      supersedes: {
        outcome: "failed",
        failedAt: gaveUpAt,
        redrivenAt,
        dedupKey: deletionDedupKey({
          jobId: "job-events-a",
          libraryId: "smh1",
          spaceId: "-",
          path: "events/a",
          permanent: false,
          outcome: "failed",
        }),
      },
    });
  });

  it("parks a redriven job with a fresh budget, carrying what it supersedes and dropping the redrive mark", async () => {
    const pipeline = testPipeline({ settings: { batchDeleteMinJobs: 99 } });
    pipeline.smh.onDelete = () => smhError(503, "ServerOverloaded");
    const gaveUpAt = new Date(T0 - 3_600_000).toISOString();
    const redriven = jobRecord(
      "events/a",
      {},
      {
        attributes: delivered({ attempts: 5, parkings: 8, gaveUpAt }),
      },
    );

    await processDeleteBatch([redriven], pipeline, DEADLINE);

    const [parked] = pipeline.parker.parked;
    expect(parked?.attributes[REDRIVEN_AT_ATTRIBUTE]).toBeUndefined();
    expect(CapturingParker.stateOf(parked)).toEqual({
      v: 1,
      attempts: 1,
      parkings: 1,
      firstEnqueuedAt: new Date(T0 - 60_000).toISOString(),
      budgetFrom: new Date(T0).toISOString(),
      supersedes: { outcome: "failed", failedAt: gaveUpAt },
    });
  });
});
