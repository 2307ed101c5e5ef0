// The local runner emulates Lambda's SQS event source over fauxqs: these tests check that records
// are deleted, redelivered and dead-lettered exactly as Lambda would, with the same handler modules.
import { describe, expect, it, onTestFinished } from "vitest";
import type { RunnerEvent } from "../../lib/local/runner-events.ts";
import { queueDepths } from "../../lib/queues/depths.ts";
import { receive } from "../../lib/queues/receive.ts";
import {
  createTestQueues,
  eventually,
  finishedInvocations,
  isDrained,
  mappingFor,
  sendDirectives,
  startTestRunner,
} from "../fixtures/handlers/harness.ts";
import {
  activeHandlers,
  deliveriesFor,
  observationsFor,
  peakConcurrency,
} from "../fixtures/handlers/observations.ts";
import { useTestStack } from "./helpers/test-stack.ts";

const stack = await useTestStack();

describe("local runner: what happens to a batch after the handler", () => {
  it("deletes the records that succeeded and redelivers only those reported in batchItemFailures", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs);
    await sendDirectives(sqs, jobs.url, [
      { name: "a" },
      { name: "b", fail: "first" },
      { name: "c" },
    ]);
    const events: RunnerEvent[] = [];
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [mappingFor("partial")],
      events,
    });
    onTestFinished(() => runner.stop());

    await eventually(
      "the redelivered record to succeed",
      () => deliveriesFor(jobs.arn).b?.length === 2,
    );
    await eventually("the queue to drain", () => isDrained(sqs, jobs.url));

    expect(deliveriesFor(jobs.arn)).toEqual({ a: [1], b: [1, 2], c: [1] });
    const [first] = finishedInvocations(events);
    expect(first?.outcome).toBe("partial-failure");
    expect(first?.failed).toHaveLength(1);
    expect(first?.deleted).toHaveLength(2);
  });

  it("redelivers the whole batch when the handler throws", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs);
    await sendDirectives(sqs, jobs.url, [{ name: "a" }, { name: "b" }, { name: "c" }]);
    const events: RunnerEvent[] = [];
    const runner = await startTestRunner({ sqs, queues, mappings: [mappingFor("throws")], events });
    onTestFinished(() => runner.stop());

    await eventually(
      "every record to be redelivered",
      () =>
        Object.values(deliveriesFor(jobs.arn)).every((counts) => counts.length === 2) &&
        Object.keys(deliveriesFor(jobs.arn)).length === 3,
    );
    await eventually("the queue to drain", () => isDrained(sqs, jobs.url));

    expect(deliveriesFor(jobs.arn)).toEqual({ a: [1, 2], b: [1, 2], c: [1, 2] });
    const [first] = finishedInvocations(events);
    expect(first).toMatchObject({ outcome: "error", deleted: [] });
    expect(first?.failed).toHaveLength(3);
    expect(String(first?.error)).toContain("fixture failure on first delivery");
  });

  it("deletes nothing from an invocation that timed out, even if its handler later returns success", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs, { visibilityTimeoutSeconds: 2 });
    await sendDirectives(sqs, jobs.url, [{ name: "a" }, { name: "b" }]);
    const events: RunnerEvent[] = [];
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [mappingFor("overrun", { functionTimeoutSeconds: 1 })],
      events,
    });
    onTestFinished(() => runner.stop());

    await eventually("both records to be redelivered and succeed", () => {
      const deliveries = deliveriesFor(jobs.arn);
      return deliveries.a?.length === 2 && deliveries.b?.length === 2;
    });
    await eventually("the queue to drain", () => isDrained(sqs, jobs.url));

    expect(deliveriesFor(jobs.arn)).toEqual({ a: [1, 2], b: [1, 2] });
    const [first] = finishedInvocations(events);
    expect(first).toMatchObject({ outcome: "timeout", deleted: [] });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "timed-out-handler-settled",
        requestId: first?.requestId,
        settled: "returned",
      }),
    );
    // The late "success" of the timed-out handler deleted nothing.
    const deletes = events.filter((event) => event.type === "records-deleted");
    expect(deletes.every((event) => event.requestId !== first?.requestId)).toBe(true);
  });

  it("moves a message that keeps failing to the dead-letter queue after maxReceiveCount deliveries", async () => {
    const { sqs } = stack;
    const { queues, jobs, dlq } = await createTestQueues(sqs, { maxReceiveCount: 2 });
    await sendDirectives(sqs, jobs.url, [{ name: "poison", fail: "always" }, { name: "fine" }]);
    const runner = await startTestRunner({ sqs, queues, mappings: [mappingFor("partial")] });
    onTestFinished(() => runner.stop());

    const [deadLettered] = await eventually("the poison message in the DLQ", async () => {
      const messages = await receive(sqs, dlq.url, { waitTimeSeconds: 1 });
      return messages.length > 0 ? messages : undefined;
    });
    await eventually("the source queue to drain", () => isDrained(sqs, jobs.url));

    expect(JSON.parse(String(deadLettered?.Body))).toEqual({ name: "poison", fail: "always" });
    expect(deliveriesFor(jobs.arn)).toEqual({ poison: [1, 2], fine: [1] });
  });
});

describe("local runner: batching and concurrency", () => {
  it("gathers more than 10 messages into one invocation when batchSize allows (batch full)", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs, { visibilityTimeoutSeconds: 30 });
    const names = Array.from({ length: 25 }, (_, i) => ({ name: `m${i}` }));
    await sendDirectives(sqs, jobs.url, names);
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [mappingFor("partial", { batchSize: 25, maximumBatchingWindowSeconds: 5 })],
    });
    onTestFinished(() => runner.stop());

    const [invocation] = await eventually("an invocation", () => {
      const seen = observationsFor(jobs.arn);
      return seen.length > 0 ? seen : undefined;
    });
    expect(invocation?.records).toHaveLength(25);
    expect(new Set(invocation?.records.map((record) => record.body)).size).toBe(25);
  });

  it("invokes with what it gathered when the batching window ends before the batch is full", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs, { visibilityTimeoutSeconds: 30 });
    await sendDirectives(
      sqs,
      jobs.url,
      Array.from({ length: 12 }, (_, i) => ({ name: `m${i}` })),
    );
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [mappingFor("partial", { batchSize: 100, maximumBatchingWindowSeconds: 1 })],
    });
    onTestFinished(() => runner.stop());

    await eventually("the queue to drain", () => isDrained(sqs, jobs.url));
    expect(observationsFor(jobs.arn).map((observation) => observation.records.length)).toEqual([
      12,
    ]);
  });

  it("never runs more handlers at once than maximumConcurrency, and does run that many", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs, { visibilityTimeoutSeconds: 30 });
    await sendDirectives(
      sqs,
      jobs.url,
      Array.from({ length: 8 }, (_, i) => ({ name: `m${i}` })),
    );
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [
        mappingFor("slow", { batchSize: 1, maximumConcurrency: 2, functionTimeoutSeconds: 5 }),
      ],
    });
    onTestFinished(() => runner.stop());

    await eventually(
      "all messages handled",
      () => observationsFor(jobs.arn).filter((o) => o.finished).length === 8,
    );
    await eventually("the queue to drain", () => isDrained(sqs, jobs.url));
    expect(peakConcurrency(jobs.arn)).toBe(2);
    expect(runner.stats()[0]).toMatchObject({
      functionName: "slow",
      invocations: 8,
      maxConcurrent: 2,
    });
  });
});

describe("local runner: stop()", () => {
  it("waits for the running invocation, acknowledges it, and leaves no poller behind", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs, { visibilityTimeoutSeconds: 30 });
    await sendDirectives(sqs, jobs.url, [{ name: "in-progress", sleepMs: 300 }]);
    const events: RunnerEvent[] = [];
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [mappingFor("slow", { maximumConcurrency: 3, functionTimeoutSeconds: 5 })],
      events,
    });
    await eventually("the invocation to start", () => activeHandlers(jobs.arn) === 1);

    await runner.stop();

    expect(activeHandlers(jobs.arn)).toBe(0);
    expect(observationsFor(jobs.arn).map((observation) => observation.finished)).toEqual([true]);
    expect(finishedInvocations(events).map((event) => event.outcome)).toEqual(["success"]);
    expect(runner.stats()[0]).toMatchObject({ pollers: 0, running: 0 });
    expect(await isDrained(sqs, jobs.url)).toBe(true);

    // Nothing polls any more: a new message stays in the queue for us to receive.
    await sendDirectives(sqs, jobs.url, [{ name: "after-stop" }]);
    const [leftOver] = await receive(sqs, jobs.url, { waitTimeSeconds: 1 });
    expect(JSON.parse(String(leftOver?.Body))).toEqual({ name: "after-stop" });
    expect(observationsFor(jobs.arn)).toHaveLength(1);
  });

  it("makes messages gathered for a batch that never ran visible again at once", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs, { visibilityTimeoutSeconds: 600 });
    await sendDirectives(sqs, jobs.url, [{ name: "a" }, { name: "b" }, { name: "c" }]);
    const events: RunnerEvent[] = [];
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [mappingFor("partial", { batchSize: 50, maximumBatchingWindowSeconds: 300 })],
      events,
    });
    onTestFinished(() => runner.stop());
    await eventually("the poller to hold the messages", async () => {
      const depths = await queueDepths(sqs, jobs.url);
      return depths.inFlight === 3;
    });

    await runner.stop();

    expect(await queueDepths(sqs, jobs.url)).toMatchObject({ visible: 3, inFlight: 0 });
    expect(events.filter((event) => event.type === "invocation-started")).toEqual([]);
    const released = events.filter((event) => event.type === "messages-released");
    expect(released.flatMap((event) => event.messageIds)).toHaveLength(3);
  });
});
