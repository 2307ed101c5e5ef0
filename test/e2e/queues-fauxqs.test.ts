import { describe, expect, it } from "vitest";
import { fauxqsOldestMessageAge } from "../../lib/local/fauxqs-age.ts";
import { createQueues } from "../../lib/local/queues.ts";
import type { QueueDefinition } from "../../lib/local/topology.ts";
import { changeVisibilityBatch, deleteBatch } from "../../lib/queues/acknowledge.ts";
import { readQueueAttributes } from "../../lib/queues/attributes.ts";
import { queueDepths } from "../../lib/queues/depths.ts";
import { publish } from "../../lib/queues/publish.ts";
import { receive } from "../../lib/queues/receive.ts";
import { QueueNotFoundError, resolveQueueUrl } from "../../lib/queues/urls.ts";
import { useTestStack } from "./helpers/test-stack.ts";

const { server, sqs } = await useTestStack();

const plain = (key: string): QueueDefinition => ({
  key,
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 3_600,
});

async function queueUrl(prefix: string): Promise<string> {
  const queues = await createQueues(sqs, [plain("results")], { namePrefix: prefix });
  const url = queues.get("results")?.url;
  if (!url) throw new Error("queue not created");
  return url;
}

async function receiveAll(url: string, count: number) {
  const received = [];
  while (received.length < count) {
    const batch = await receive(sqs, url, { waitTimeSeconds: 1 });
    if (batch.length === 0) break;
    received.push(...batch);
  }
  return received;
}

describe("queue helpers over the SQS wire protocol", () => {
  it("publishes in batches, reports the entry SQS rejects and the one too large to send", async () => {
    const url = await queueUrl("publish-");
    const good = Array.from({ length: 23 }, (_, i) => ({
      id: `result/${i}`,
      body: JSON.stringify({ n: i }),
      attributes: { kind: { DataType: "String", StringValue: "result" } },
    }));
    const result = await publish(sqs, url, [
      ...good,
      { id: "control-char", body: "bad\u0000body" },
      { id: "huge", body: "x".repeat(300 * 1024) },
    ]);
    expect(result.sent).toEqual(good.map((message) => message.id));
    expect(
      result.failed.map(({ id, code, senderFault, attempts }) => ({
        id,
        code,
        senderFault,
        attempts,
      })),
    ).toEqual([
      { id: "control-char", code: "InvalidMessageContents", senderFault: true, attempts: 1 },
      { id: "huge", code: "MessageTooLong", senderFault: true, attempts: 0 },
    ]);
    expect(result.calls).toBe(3);

    const received = await receiveAll(url, 23);
    expect(received.map((message) => message.Body).sort()).toEqual(good.map((m) => m.body).sort());
    for (const message of received) {
      expect(message.Attributes).toMatchObject({ ApproximateReceiveCount: "1" });
      expect(Number(message.Attributes?.SentTimestamp)).toBeGreaterThan(0);
      expect(Number(message.Attributes?.ApproximateFirstReceiveTimestamp)).toBeGreaterThan(0);
      expect(message.MessageAttributes?.kind?.StringValue).toBe("result");
    }

    const deleted = await deleteBatch(
      sqs,
      url,
      received.map((message) => ({
        id: String(message.MessageId),
        receiptHandle: String(message.ReceiptHandle),
      })),
    );
    expect(deleted.deleted).toHaveLength(23);
    expect(deleted.failed).toEqual([]);
    expect(await queueDepths(sqs, url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("reports visible, in-flight and delayed messages, and the oldest message's age on fauxqs", async () => {
    const url = await queueUrl("depths-");
    await publish(sqs, url, [
      { id: "now-1", body: "a" },
      { id: "now-2", body: "b" },
      { id: "later", body: "c", delaySeconds: 600 },
    ]);
    const [taken] = await receive(sqs, url, { maxMessages: 1, waitTimeSeconds: 0 });
    expect(taken).toBeDefined();
    const tenSecondsLater = () => Date.now() + 10_000;
    const depths = await queueDepths(sqs, url, {
      oldestMessageAge: fauxqsOldestMessageAge(server.endpoint, tenSecondsLater),
    });
    expect(depths).toMatchObject({ visible: 1, inFlight: 1, delayed: 1 });
    expect(depths.oldestMessageAgeSeconds).toBeGreaterThanOrEqual(10);
    expect(depths.oldestMessageAgeSeconds).toBeLessThan(60);
  });

  it("makes a message visible again at once when its visibility is changed to 0", async () => {
    const url = await queueUrl("release-");
    await publish(sqs, url, [{ id: "only", body: "again" }]);
    const [first] = await receive(sqs, url, { waitTimeSeconds: 1 });
    const changed = await changeVisibilityBatch(sqs, url, [
      { id: "only", receiptHandle: String(first?.ReceiptHandle), visibilityTimeoutSeconds: 0 },
    ]);
    expect(changed.changed).toEqual(["only"]);
    const [second] = await receive(sqs, url, { waitTimeSeconds: 1 });
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe("2");
  });

  it("reports a stale receipt handle in Failed[] when changing visibility", async () => {
    const url = await queueUrl("stale-");
    const result = await changeVisibilityBatch(sqs, url, [
      { id: "ghost", receiptHandle: "not-a-handle", visibilityTimeoutSeconds: 0 },
    ]);
    expect(result.changed).toEqual([]);
    expect(result.failed).toEqual([
      expect.objectContaining({ id: "ghost", code: "ReceiptHandleIsInvalid", senderFault: true }),
    ]);
  });

  it("ends an empty long poll with no messages", async () => {
    const url = await queueUrl("empty-");
    expect(await receive(sqs, url, { waitTimeSeconds: 1 })).toEqual([]);
  });

  it("resolves a queue URL by name, and says which queue is missing", async () => {
    const url = await queueUrl("resolve-");
    expect(await resolveQueueUrl(sqs, "resolve-results")).toBe(url);
    await expect(resolveQueueUrl(sqs, "no-such-queue")).rejects.toThrow(QueueNotFoundError);
  });
});

describe("createQueues", () => {
  const jobs: QueueDefinition = {
    key: "jobs",
    visibilityTimeoutSeconds: 720,
    messageRetentionSeconds: 1_209_600,
    deadLetter: { key: "jobs-dlq", maxReceiveCount: 5 },
  };
  const jobsDlq: QueueDefinition = { ...plain("jobs-dlq") };

  it("creates the dead-letter queue first and points the source queue's RedrivePolicy at it", async () => {
    const queues = await createQueues(sqs, [jobs, jobsDlq], { namePrefix: "cq1-" });
    expect([...queues.keys()]).toEqual(["jobs-dlq", "jobs"]);
    const dlq = queues.get("jobs-dlq");
    expect(dlq).toMatchObject({
      name: "cq1-jobs-dlq",
      arn: expect.stringMatching(/:cq1-jobs-dlq$/),
    });
    const attributes = await readQueueAttributes(sqs, String(queues.get("jobs")?.url), [
      "RedrivePolicy",
      "VisibilityTimeout",
      "MessageRetentionPeriod",
    ]);
    expect(JSON.parse(String(attributes.RedrivePolicy))).toEqual({
      deadLetterTargetArn: dlq?.arn,
      maxReceiveCount: 5,
    });
    expect(attributes.VisibilityTimeout).toBe("720");
    expect(attributes.MessageRetentionPeriod).toBe("1209600");
  });

  it("is idempotent and brings existing queues to the definition, visibility override included", async () => {
    const first = await createQueues(sqs, [jobs, jobsDlq], {
      namePrefix: "cq2-",
      visibilityTimeoutOverrideSeconds: 3,
    });
    const again = await createQueues(sqs, [jobs, jobsDlq], {
      namePrefix: "cq2-",
      visibilityTimeoutOverrideSeconds: 5,
    });
    expect(again).toEqual(first);
    const url = String(again.get("jobs")?.url);
    expect((await readQueueAttributes(sqs, url, ["VisibilityTimeout"])).VisibilityTimeout).toBe(
      "5",
    );

    const { deadLetter: _dropped, ...withoutDlq } = jobs;
    await createQueues(sqs, [withoutDlq, jobsDlq], { namePrefix: "cq2-" });
    expect((await readQueueAttributes(sqs, url, ["RedrivePolicy"])).RedrivePolicy).toBeUndefined();
  });

  it("refuses a dead-letter key that is not defined, before creating anything", async () => {
    await expect(createQueues(sqs, [jobs], { namePrefix: "cq3-" })).rejects.toThrow(/jobs-dlq/);
    await expect(resolveQueueUrl(sqs, "cq3-jobs")).rejects.toThrow(QueueNotFoundError);
  });

  it("refuses a name SQS would reject", async () => {
    await expect(createQueues(sqs, [plain("jobs")], { namePrefix: "bad prefix." })).rejects.toThrow(
      /queue name/,
    );
  });
});
