// How one poller of the local runner gathers a batch, against fauxqs: batch size, Lambda's payload
// cap, and records kept across batches.
import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { gatherBatch } from "../../lib/local/gather.ts";
import { createTestQueues, sendDirectives } from "../fixtures/handlers/harness.ts";
import { useTestStack } from "./helpers/test-stack.ts";

const stack = await useTestStack();

async function setupFor(count: number, padding = 0) {
  const { jobs } = await createTestQueues(stack.sqs, { visibilityTimeoutSeconds: 60 });
  await sendDirectives(
    stack.sqs,
    jobs.url,
    Array.from({ length: count }, (_, i) => ({ name: `m${i}`, pad: "x".repeat(padding) })),
  );
  return {
    sqs: stack.sqs,
    queueUrl: jobs.url,
    source: { eventSourceARN: jobs.arn, awsRegion: "us-east-1" },
    pollWaitSeconds: 1,
    signal: new AbortController().signal,
  };
}

const names = (records: SQSRecord[]) => records.map((record) => JSON.parse(record.body).name);

describe("gatherBatch", () => {
  it("stops at batchSize and leaves the rest in the queue", async () => {
    const setup = await setupFor(15);
    const carry: SQSRecord[] = [];
    const batch = await gatherBatch({ ...setup, batchSize: 12, windowMs: 5_000 }, carry);
    expect(batch).toHaveLength(12);
    expect(carry).toEqual([]);
    const rest = await gatherBatch({ ...setup, batchSize: 12, windowMs: 0 }, carry);
    expect(rest).toHaveLength(3);
  });

  it("keeps records that would pass the payload cap for the next batch instead of dropping them", async () => {
    const setup = await setupFor(5, 5_000);
    const carry: SQSRecord[] = [];
    const cap = 20_000; // room for three ~5.6 KB records, not four
    const first = await gatherBatch(
      { ...setup, batchSize: 10, windowMs: 0, maxEventBytes: cap },
      carry,
    );
    expect(first).toHaveLength(3);
    expect(carry).toHaveLength(2);
    expect(Buffer.byteLength(JSON.stringify({ Records: first }))).toBeLessThanOrEqual(cap);

    const carried = names(carry);
    const second = await gatherBatch(
      { ...setup, batchSize: 10, windowMs: 0, maxEventBytes: cap },
      carry,
    );
    expect(names(second)).toEqual(carried);
    expect(new Set([...names(first), ...names(second)])).toEqual(
      new Set(["m0", "m1", "m2", "m3", "m4"]),
    );
    expect(carry).toEqual([]);
  });

  it("returns carried records without polling once stopped, so the runner can release them", async () => {
    const setup = await setupFor(2);
    const carry: SQSRecord[] = [];
    const first = await gatherBatch({ ...setup, batchSize: 1, windowMs: 0 }, carry);
    expect(first).toHaveLength(1);
    const stopped = new AbortController();
    stopped.abort();
    carry.push(...first);
    const again = await gatherBatch(
      { ...setup, batchSize: 10, windowMs: 0, signal: stopped.signal },
      carry,
    );
    expect(names(again)).toEqual(names(first));
    expect(carry).toEqual([]);
  });
});
