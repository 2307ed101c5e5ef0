// The contract between the local runner and a handler: the event and context it receives, how its
// return value is read, and which configurations the runner refuses — as Lambda does.
import { createHash } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { interpretBatchResponse } from "../../lib/local/batch-response.ts";
import type { RunnerEvent } from "../../lib/local/runner-events.ts";
import { publish } from "../../lib/queues/publish.ts";
import {
  createTestQueues,
  eventually,
  finishedInvocations,
  isDrained,
  mappingFor,
  sendDirectives,
  startTestRunner,
} from "../fixtures/handlers/harness.ts";
import { deliveriesFor, observationsFor } from "../fixtures/handlers/observations.ts";
import { useTestStack } from "./helpers/test-stack.ts";

const stack = await useTestStack();

describe("interpretBatchResponse", () => {
  const ids = ["m-1", "m-2"];

  it.each([
    ["nothing", undefined],
    ["null", null],
    ["an empty object", {}],
    ["a null list", { batchItemFailures: null }],
    ["an empty list", { batchItemFailures: [] }],
  ])("treats %s as success", (_label, response) => {
    expect(interpretBatchResponse(response, ids, true)).toEqual({ kind: "success" });
  });

  it("fails only the listed records, each once", () => {
    const response = { batchItemFailures: [{ itemIdentifier: "m-2" }, { itemIdentifier: "m-2" }] };
    expect(interpretBatchResponse(response, ids, true)).toEqual({
      kind: "partial",
      failed: ["m-2"],
    });
  });

  it.each([
    ["an empty itemIdentifier", { batchItemFailures: [{ itemIdentifier: "" }] }],
    ["a null itemIdentifier", { batchItemFailures: [{ itemIdentifier: null }] }],
    ["a misspelt key", { batchItemFailures: [{ itemIdentifer: "m-1" }] }],
    ["an id not in the batch", { batchItemFailures: [{ itemIdentifier: "m-3" }] }],
    ["a list that is not a list", { batchItemFailures: "m-1" }],
    ["a response that is not an object", "m-1"],
  ])("fails the whole batch for %s", (_label, response) => {
    expect(interpretBatchResponse(response, ids, true).kind).toBe("invalid");
  });

  it("ignores the response entirely without ReportBatchItemFailures", () => {
    const response = { batchItemFailures: [{ itemIdentifier: "" }] };
    expect(interpretBatchResponse(response, ids, false)).toEqual({ kind: "success" });
  });
});

describe("local runner: reading the handler's response", () => {
  it.each([
    ["an empty itemIdentifier", { batchItemFailures: [{ itemIdentifier: "" }] }],
    ["an itemIdentifier naming no record", { batchItemFailures: [{ itemIdentifier: "nope" }] }],
  ])("redelivers the whole batch for %s", async (_label, response) => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs);
    await sendDirectives(sqs, jobs.url, [{ name: "a", response }, { name: "b" }]);
    const events: RunnerEvent[] = [];
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [mappingFor("respond")],
      events,
    });
    onTestFinished(() => runner.stop());

    await eventually("both records redelivered", () => {
      const deliveries = deliveriesFor(jobs.arn);
      return deliveries.a?.length === 2 && deliveries.b?.length === 2;
    });
    await eventually("the queue to drain", () => isDrained(sqs, jobs.url));
    expect(finishedInvocations(events)[0]).toMatchObject({
      outcome: "invalid-response",
      deleted: [],
      reason: expect.stringContaining("itemIdentifier"),
    });
  });

  it("deletes every record when the mapping does not report batch item failures", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs);
    await sendDirectives(sqs, jobs.url, [{ name: "a", fail: "always" }, { name: "b" }]);
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [mappingFor("partial", { reportBatchItemFailures: false })],
    });
    onTestFinished(() => runner.stop());

    await eventually("the queue to drain", () => isDrained(sqs, jobs.url));
    expect(deliveriesFor(jobs.arn)).toEqual({ a: [1], b: [1] });
  });
});

describe("local runner: the event and context a handler receives", () => {
  it("delivers records in Lambda's SQSRecord shape and a context that counts down the timeout", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs);
    const body = JSON.stringify({ name: "shaped" });
    const sent = await publish(sqs, jobs.url, [
      {
        id: "one",
        body,
        attributes: {
          kind: { DataType: "String", StringValue: "delete" },
          blob: { DataType: "Binary", BinaryValue: Buffer.from("hi") },
        },
      },
    ]);
    expect(sent.failed).toEqual([]);
    const events: RunnerEvent[] = [];
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [
        mappingFor("partial", {
          functionName: "smh-delete-directories",
          functionTimeoutSeconds: 1,
        }),
      ],
      events,
    });
    onTestFinished(() => runner.stop());

    const [seen] = await eventually("an invocation", () => {
      const observations = observationsFor(jobs.arn);
      return observations.length > 0 ? observations : undefined;
    });
    const record = seen?.event.Records[0];
    expect(Object.keys(record ?? {}).sort()).toEqual(
      [
        "attributes",
        "awsRegion",
        "body",
        "eventSource",
        "eventSourceARN",
        "md5OfBody",
        "md5OfMessageAttributes",
        "messageAttributes",
        "messageId",
        "receiptHandle",
      ].sort(),
    );
    expect(record).toMatchObject({
      body,
      md5OfBody: createHash("md5").update(body).digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: jobs.arn,
      awsRegion: "us-east-1",
      messageAttributes: {
        kind: {
          stringValue: "delete",
          stringListValues: [],
          binaryListValues: [],
          dataType: "String",
        },
        blob: {
          binaryValue: Buffer.from("hi").toString("base64"),
          stringListValues: [],
          binaryListValues: [],
          dataType: "Binary",
        },
      },
    });
    expect(record?.attributes).toMatchObject({
      ApproximateReceiveCount: "1",
      SenderId: expect.any(String),
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
    });

    expect(seen?.context).toMatchObject({
      functionName: "smh-delete-directories",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:smh-delete-directories",
      logGroupName: "/aws/lambda/smh-delete-directories",
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(seen?.remainingAtStartMs).toBeGreaterThan(0);
    expect(seen?.remainingAtStartMs).toBeLessThanOrEqual(1_000);
    const started = events.find((event) => event.type === "invocation-started");
    expect(started).toMatchObject({
      requestId: seen?.context.awsRequestId,
      messageIds: [record?.messageId],
    });
  });

  it("loads a nested export named by the handler string", async () => {
    const { sqs } = stack;
    const { queues, jobs } = await createTestQueues(sqs);
    await sendDirectives(sqs, jobs.url, [{ name: "nested" }]);
    const runner = await startTestRunner({
      sqs,
      queues,
      mappings: [mappingFor("nested", { handler: "handlers/nested.handlers.record" })],
    });
    onTestFinished(() => runner.stop());
    await eventually("the queue to drain", () => isDrained(sqs, jobs.url));
    expect(observationsFor(jobs.arn).map((observation) => observation.fixture)).toEqual(["nested"]);
  });
});

describe("local runner: configurations Lambda would refuse", () => {
  it.each([
    ["a handler module that does not exist", { handler: "handlers/missing.handler" }, /no .* file/],
    [
      "an export that is not a function",
      { handler: "handlers/nested.notAHandler" },
      /does not export a function/,
    ],
    [
      "a handler string without an export",
      { handler: "handlers/partial" },
      /<module path>\.<export>/,
    ],
    [
      "a batchSize above 10 without a batching window",
      { batchSize: 11 },
      /batching window|maximumBatchingWindowSeconds/,
    ],
    ["a maximumConcurrency below 2", { maximumConcurrency: 1 }, /maximumConcurrency/],
    [
      "a function timeout longer than the visibility timeout",
      { functionTimeoutSeconds: 5 },
      /visibility timeout/,
    ],
    ["a queue that was not created", { queueKey: "recycle-actions" }, /recycle-actions/],
  ])("refuses to start with %s", async (_label, overrides, message) => {
    const { sqs } = stack;
    const { queues } = await createTestQueues(sqs);
    await expect(
      startTestRunner({ sqs, queues, mappings: [mappingFor("partial", overrides)] }),
    ).rejects.toThrow(message);
  });
});
