/**
 * The recycle-actions pipeline: every item of a command gets exactly one result, batch and single
 * calls are chosen as SMH allows, and a record is acknowledged only once all its items' results are
 * on the results queue.
 */
import { describe, expect, it } from "vitest";
import { DELIVERY_ATTRIBUTE } from "../../../lib/messages/delivery.ts";
import { processRecycleBatch } from "../../../lib/recycle/process-batch.ts";
import { CapturingParker } from "../batch/factories.ts";
import {
  CapturingPublisher,
  deadlineOf,
  deliveredAttempts,
  FakeClock,
  pipelineOf,
  purgeBody,
  record,
  restoreBody,
  StubRecycleBin,
  smhError,
  T0,
} from "./factories.ts";

const ALBUMS = { 11: "albums/2019-05 Beach", 12: "albums/2019-06 Hike", 13: "albums/2019-07 Zoo" };

describe("restoring recycle-bin items", () => {
  it("restores every item of a multi-item command with ONE batch call and reports each final path", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    const rec = record(restoreBody([11, 12, 13]));
    const outcome = await processRecycleBatch([rec], pipelineOf(smh, publisher), deadlineOf());

    expect(smh.count("restoreBatch")).toBe(1);
    expect(smh.count("restore")).toBe(0);
    expect(publisher.published.map((r) => r.type === "recycle-action" && r.outcome)).toEqual([
      "restored",
      "restored",
      "restored",
    ]);
    const paths = publisher.published.map((r) => ("restoredPath" in r ? r.restoredPath : ""));
    expect(paths).toEqual(Object.values(ALBUMS));
    expect([...smh.tree]).toEqual(expect.arrayContaining(Object.values(ALBUMS)));
    expect(outcome.failedMessageIds).toEqual([]);
    expect(outcome.counts.restored).toBe(3);
  });

  it("restores a single item with the single call, sending both strategies explicitly", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    await processRecycleBatch(
      [record(restoreBody([12], { restorePathStrategy: "fallbackToRoot" }))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(smh.calls).toEqual([
      {
        kind: "restore",
        request: {
          libraryId: "smh1",
          spaceId: "-",
          recycledItemId: 12,
          conflictResolution: "rename",
          restorePath: "fallbackToRoot",
        },
      },
    ]);
    expect(publisher.outcomes()).toEqual({ 12: "restored" });
  });

  it("restores the items of an `ask` command one by one (batch restore always renames) and reports a same-name clash as conflict", async () => {
    const smh = new StubRecycleBin(ALBUMS, ["albums", "albums/2019-06 Hike"]);
    const publisher = new CapturingPublisher();
    const outcome = await processRecycleBatch(
      [record(restoreBody([11, 12], { conflictStrategy: "ask" }))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(smh.count("restoreBatch")).toBe(0);
    expect(smh.count("restore")).toBe(2);
    expect(publisher.outcomes()).toEqual({ 11: "restored", 12: "conflict" });
    const conflict = publisher.byItem().get(12)?.[0];
    expect(conflict && "error" in conflict && conflict.error).toMatchObject({
      status: 409,
      code: "SameNameDirectoryOrFileExists",
    });
    // A conflict is an answer: nothing is left to retry, the record is acknowledged.
    expect(outcome.failedMessageIds).toEqual([]);
  });

  it("renames on a same-name clash when the command asks for rename, and reports the new path", async () => {
    const smh = new StubRecycleBin(ALBUMS, ["albums", "albums/2019-06 Hike"]);
    const publisher = new CapturingPublisher();
    await processRecycleBatch(
      [record(restoreBody([11, 12]))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    const restored = publisher.byItem().get(12)?.[0];
    expect(restored && "restoredPath" in restored && restored.restoredPath).toBe(
      "albums/2019-06 Hike (1)",
    );
  });

  it("reports an item SMH no longer knows (404 RecycledItemNotFound) as expired, in a batch and alone", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    await processRecycleBatch(
      [record(restoreBody([11, 99])), record(restoreBody([98]))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(publisher.outcomes()).toEqual({ 11: "restored", 99: "expired", 98: "expired" });
  });

  it("fails at once, saying how to fix it, a restore whose original parent directory is gone", async () => {
    const smh = new StubRecycleBin(ALBUMS, []);
    const publisher = new CapturingPublisher();
    const outcome = await processRecycleBatch(
      [record(restoreBody([11]))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    const [result] = publisher.published;
    expect(result?.outcome).toBe("failed");
    expect(result && "error" in result && result.error.message).toContain("fallbackToRoot");
    expect(outcome.failedMessageIds).toEqual([]);
  });

  it("retries singly, in the same invocation, an item whose batch entry failed with a 5xx", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    smh.batchItem = (id) =>
      id === 12
        ? { recycledItemId: 12, outcome: "failed", error: smhError(503, "ServerOverloaded") }
        : undefined;
    const publisher = new CapturingPublisher();
    await processRecycleBatch(
      [record(restoreBody([11, 12, 13]))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(
      smh.calls.filter((c) => c.kind === "restore").map((c) => c.request.recycledItemId),
    ).toEqual([12]);
    expect(publisher.outcomes()).toEqual({ 11: "restored", 12: "restored", 13: "restored" });
  });

  it("retries singly an item the batch answer does not mention", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    smh.batchItem = (id) => (id === 13 ? { recycledItemId: 13, outcome: "unknown" } : undefined);
    const publisher = new CapturingPublisher();
    await processRecycleBatch(
      [record(restoreBody([11, 12, 13]))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(smh.count("restore")).toBe(1);
    expect(publisher.outcomes()).toEqual({ 11: "restored", 12: "restored", 13: "restored" });
  });

  it("falls back to single restores when a batch request failed after SMH may have applied part of it", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    smh.failBatch = () => smhError(500, "InternalServerError", { mayHaveApplied: true });
    smh.applyBeforeBatchError = 2;
    const publisher = new CapturingPublisher();
    const outcome = await processRecycleBatch(
      [record(restoreBody([11, 12, 13]))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    // 11 and 12 were restored by the failed batch: SMH no longer knows them.
    expect(publisher.outcomes()).toEqual({ 11: "expired", 12: "expired", 13: "restored" });
    expect(smh.bin.size).toBe(0);
    expect(outcome.failedMessageIds).toEqual([]);
  });

  it("a redelivered restore reports the item it already restored as expired, under the same dedupKey as restored", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    const body = restoreBody([11], { commandId: "cmd-redelivered" });
    await processRecycleBatch([record(body)], pipelineOf(smh, publisher), deadlineOf());
    await processRecycleBatch(
      [record(body, { receiveCount: 2 })],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    const [first, second] = publisher.published;
    expect([first?.outcome, second?.outcome]).toEqual(["restored", "expired"]);
    expect(second?.dedupKey).toBe(first?.dedupKey);
  });
});

describe("purging recycle-bin items", () => {
  it("purges a multi-item command with ONE batch call: 204 means every item is purged", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    const outcome = await processRecycleBatch(
      [record(purgeBody([11, 12, 13]))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(smh.count("purgeBatch")).toBe(1);
    expect(smh.count("purge")).toBe(0);
    expect(publisher.outcomes()).toEqual({ 11: "purged", 12: "purged", 13: "purged" });
    expect(smh.bin.size).toBe(0);
    expect(outcome.failedMessageIds).toEqual([]);
  });

  it("when a purge batch answers 500 (no per-item detail), learns each item's fate with single purges", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    smh.failBatch = () =>
      smhError(500, "InternalServerError", { mayHaveApplied: true, operation: "purge" });
    smh.applyBeforeBatchError = 1;
    const publisher = new CapturingPublisher();
    await processRecycleBatch(
      [record(purgeBody([11, 12, 13]))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(smh.count("purge")).toBe(3);
    // 11 went with the failed batch: gone before the single purge asked.
    expect(publisher.outcomes()).toEqual({ 11: "expired", 12: "purged", 13: "purged" });
    expect(smh.bin.size).toBe(0);
  });

  it("reports a single purge of an unknown item as expired", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    await processRecycleBatch([record(purgeBody([77]))], pipelineOf(smh, publisher), deadlineOf());
    expect(publisher.outcomes()).toEqual({ 77: "expired" });
  });
});

describe("the acknowledgement rule", () => {
  it("writes the settled items' results at once, and parks the whole command while an item is pending", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    smh.failSingle = (id) => (id === 12 ? smhError(503, "ServerOverloaded") : undefined);
    smh.batchItem = (id) =>
      id === 12
        ? { recycledItemId: 12, outcome: "failed", error: smhError(503, "ServerOverloaded") }
        : undefined;
    const publisher = new CapturingPublisher();
    const rec = record(restoreBody([11, 12, 13]));
    const pipeline = pipelineOf(smh, publisher);
    const outcome = await processRecycleBatch([rec], pipeline, deadlineOf());
    expect(publisher.outcomes()).toEqual({ 11: "restored", 13: "restored" });
    expect(outcome.failedMessageIds).toEqual([]);
    expect(outcome.counts.retryLater).toBe(1);
    // Re-sent whole: a redelivery of a restored item answers `expired`, the same settlement.
    expect(pipeline.parker.parked.map(({ body, delaySeconds }) => [body, delaySeconds])).toEqual([
      [rec.body, 30],
    ]);
    expect(CapturingParker.stateOf(pipeline.parker.parked[0])).toMatchObject({ attempts: 1 });
  });

  it("does not park a command whose settled items' results could not be written: it comes back", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    smh.failSingle = (id) => (id === 12 ? smhError(503, "ServerOverloaded") : undefined);
    smh.batchItem = (id) =>
      id === 12
        ? { recycledItemId: 12, outcome: "failed", error: smhError(503, "ServerOverloaded") }
        : undefined;
    const publisher = new CapturingPublisher();
    publisher.refuse = (result) => result.type === "recycle-action" && result.recycledItemId === 11;
    const rec = record(restoreBody([11, 12]));
    const pipeline = pipelineOf(smh, publisher);
    const outcome = await processRecycleBatch([rec], pipeline, deadlineOf());
    expect(outcome.failedMessageIds).toEqual([rec.messageId]);
    expect(pipeline.parker.parked).toEqual([]);
  });

  it("after MAX_SMH_ATTEMPTS failed attempts gives each pending item a failed result saying why, then sends the command to the DLQ", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    smh.failSingle = () => smhError(503, "ServerOverloaded");
    const publisher = new CapturingPublisher();
    const rec = record(restoreBody([12]), { attributes: deliveredAttempts(4) });
    const pipeline = pipelineOf(smh, publisher);
    const outcome = await processRecycleBatch([rec], pipeline, deadlineOf());
    const [result] = publisher.published;
    expect(result?.outcome).toBe("failed");
    expect(result && "error" in result && result.error).toMatchObject({
      status: 503,
      code: "ServerOverloaded",
      message: expect.stringContaining("given up after 5 failed SMH attempts (MAX_SMH_ATTEMPTS 5)"),
    });
    expect(outcome.failedMessageIds).toEqual([]);
    expect(pipeline.parker.deadLettered.map(({ body }) => body)).toEqual([rec.body]);
  });

  it("does not acknowledge a command one of whose results could not be written", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    publisher.refuse = (result) => result.type === "recycle-action" && result.recycledItemId === 13;
    const ok = record(restoreBody([11]));
    const partial = record(restoreBody([12, 13]));
    const outcome = await processRecycleBatch(
      [ok, partial],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(outcome.failedMessageIds).toEqual([partial.messageId]);
  });

  it("starts no SMH call once the deadline margin is reached: the commands not started are parked without results", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    const clock = new FakeClock();
    // The first call is slow: when it ends, less than the 15 s margin is left of the 120 s.
    smh.onCall = () => clock.advance(110_000);
    const started = record(restoreBody([11]));
    const notStarted = record(restoreBody([12, 13]));
    const pipeline = pipelineOf(smh, publisher, { clock, settings: { concurrency: 1 } });
    const outcome = await processRecycleBatch([started, notStarted], pipeline, deadlineOf(clock));
    expect(smh.calls).toHaveLength(1);
    expect(publisher.outcomes()).toEqual({ 11: "restored" });
    expect(outcome.failedMessageIds).toEqual([]);
    expect(outcome.counts.retryLater).toBe(2);
    expect(pipeline.parker.parked.map(({ body, delaySeconds }) => [body, delaySeconds])).toEqual([
      [notStarted.body, 0],
    ]);
  });

  it("says, for every item of a command redriven by hand, which failed result it supersedes", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    const gaveUpAt = new Date(T0 - 60_000).toISOString();
    const attributes = deliveredAttempts(5);
    const state = JSON.parse(attributes[DELIVERY_ATTRIBUTE] ?? "{}");
    const rec = record(restoreBody([11, 12]), {
      attributes: { [DELIVERY_ATTRIBUTE]: JSON.stringify({ ...state, gaveUpAt }) },
    });
    await processRecycleBatch([rec], pipelineOf(smh, publisher), deadlineOf());
    expect(publisher.published).toHaveLength(2);
    for (const result of publisher.published) {
      expect(result.type === "recycle-action" && result.outcome).toBe("restored");
      expect("supersedes" in result && result.supersedes).toMatchObject({
        outcome: "failed",
        failedAt: gaveUpAt,
        dedupKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }
    const keys = publisher.published.map((r) => ("supersedes" in r ? r.supersedes?.dedupKey : ""));
    expect(new Set(keys).size).toBe(2);
  });

  it("parks the commands of a library whose circuit is open, without calling SMH or counting an attempt", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    smh.failSingle = () => smhError(503, "ServerOverloaded");
    const publisher = new CapturingPublisher();
    const pipeline = pipelineOf(smh, publisher, { settings: { circuitFailureThreshold: 1 } });
    await processRecycleBatch([record(restoreBody([11]))], pipeline, deadlineOf());
    const outcome = await processRecycleBatch(
      [record(restoreBody([12])), record(restoreBody([13]))],
      pipeline,
      deadlineOf(),
    );
    expect(outcome.failedMessageIds).toEqual([]);
    expect(smh.calls).toHaveLength(1);
    expect(publisher.published).toEqual([]);
    const turnedAway = pipeline.parker.parked.slice(1);
    expect(turnedAway).toHaveLength(2);
    for (const message of turnedAway) {
      expect(CapturingParker.stateOf(message)).toMatchObject({ attempts: 0, parkings: 1 });
    }
  });

  it("runs a command delivered twice in one batch once, and acknowledges both records", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    const body = restoreBody([11, 12], { commandId: "cmd-twice" });
    const first = record(body);
    const second = record(body);
    const outcome = await processRecycleBatch(
      [first, second],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(smh.count("restoreBatch")).toBe(1);
    expect(publisher.published).toHaveLength(2);
    expect(outcome.failedMessageIds).toEqual([]);
  });
});

describe("refusals", () => {
  it("rejects an invalid body with every reason, acknowledges it and never calls SMH", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    const rec = record(purgeBody([11, 11], { conflictStrategy: "ask", surprise: true }));
    const outcome = await processRecycleBatch([rec], pipelineOf(smh, publisher), deadlineOf());
    expect(smh.calls).toEqual([]);
    expect(publisher.published).toHaveLength(1);
    const [result] = publisher.published;
    expect(result?.outcome).toBe("rejected");
    const paths =
      result && "reasons" in result
        ? result.reasons.map((r) => ("path" in r ? r.path : r.rule))
        : [];
    expect(paths).toEqual(
      expect.arrayContaining(["recycledItemIds.1", "conflictStrategy", "surprise"]),
    );
    expect(outcome.failedMessageIds).toEqual([]);
  });

  it("rejects every item of a purge in a library whose policy does not allow purging, and never calls SMH", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    const outcome = await processRecycleBatch(
      [record(purgeBody([11, 12], { libraryId: "smh2" }))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(smh.calls).toEqual([]);
    expect(publisher.outcomes()).toEqual({ 11: "rejected", 12: "rejected" });
    const [result] = publisher.published;
    expect(result && "reasons" in result && result.reasons).toEqual([
      { rule: "purge-not-allowed", message: expect.stringContaining("allowPurge") },
    ]);
    expect(outcome.failedMessageIds).toEqual([]);
  });

  it("rejects a command for a library the policy does not list", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    await processRecycleBatch(
      [record(restoreBody([11], { libraryId: "smhother" }))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(smh.calls).toEqual([]);
    expect(publisher.outcomes()).toEqual({ 11: "rejected" });
  });

  it("rejects a second command reusing a commandId for different work, and runs the first", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    const publisher = new CapturingPublisher();
    await processRecycleBatch(
      [
        record(restoreBody([11], { commandId: "cmd-reused" })),
        record(purgeBody([12], { commandId: "cmd-reused" })),
      ],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(publisher.outcomes()).toEqual({ 11: "restored", 12: "rejected" });
    expect(smh.bin.has(12)).toBe(true);
  });
});

describe("a path SMH does not report", () => {
  it("still reports the item as restored, saying that SMH gave no path", async () => {
    const smh = new StubRecycleBin(ALBUMS);
    smh.batchItem = (id) => ({ recycledItemId: id, outcome: "restored", path: undefined });
    const publisher = new CapturingPublisher();
    await processRecycleBatch(
      [record(restoreBody([11, 12]))],
      pipelineOf(smh, publisher),
      deadlineOf(),
    );
    expect(publisher.published.map((r) => r.outcome)).toEqual(["restored", "restored"]);
    expect(publisher.published.every((r) => !("restoredPath" in r))).toBe(true);
  });
});
