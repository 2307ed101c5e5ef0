import { describe, expect, it } from "vitest";
import { changeVisibilityBatch, deleteBatch } from "../../../lib/queues/acknowledge.ts";
import { acceptAll, stubSqs } from "./stub-sqs.ts";

const QUEUE = "http://sqs.local/000000000000/jobs";
const receipts = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `msg-${i}`, receiptHandle: `handle-${i}` }));

describe("deleteBatch", () => {
  it("deletes in requests of at most 10 and reports every id deleted", async () => {
    const { sqs, seen } = stubSqs();
    const result = await deleteBatch(sqs, QUEUE, receipts(23));
    expect(seen.map((request) => [request.command, request.entries.length])).toEqual([
      ["DeleteMessageBatchCommand", 10],
      ["DeleteMessageBatchCommand", 10],
      ["DeleteMessageBatchCommand", 3],
    ]);
    expect(result.deleted).toEqual(receipts(23).map((entry) => entry.id));
  });

  it("reports a receipt handle SQS rejects instead of counting it as deleted", async () => {
    const { sqs } = stubSqs((request) => ({
      Successful: request.entries.slice(1).map((entry) => ({ Id: entry.Id })),
      Failed: [
        { Id: String(request.entries[0]?.Id), SenderFault: true, Code: "ReceiptHandleIsInvalid" },
      ],
    }));
    const result = await deleteBatch(sqs, QUEUE, receipts(3));
    expect(result.deleted).toEqual(["msg-1", "msg-2"]);
    expect(result.failed).toEqual([
      expect.objectContaining({ id: "msg-0", code: "ReceiptHandleIsInvalid", senderFault: true }),
    ]);
  });
});

describe("changeVisibilityBatch", () => {
  it("sends each entry's receipt handle and timeout", async () => {
    const { sqs, seen } = stubSqs(acceptAll);
    const result = await changeVisibilityBatch(
      sqs,
      QUEUE,
      receipts(2).map((entry) => ({ ...entry, visibilityTimeoutSeconds: 0 })),
    );
    expect(seen[0]?.command).toBe("ChangeMessageVisibilityBatchCommand");
    expect(
      seen[0]?.entries.map(({ ReceiptHandle, VisibilityTimeout }) => [
        ReceiptHandle,
        VisibilityTimeout,
      ]),
    ).toEqual([
      ["handle-0", 0],
      ["handle-1", 0],
    ]);
    expect(result.changed).toEqual(["msg-0", "msg-1"]);
  });

  it("refuses a timeout SQS would reject, before sending anything", async () => {
    const { sqs, seen } = stubSqs();
    await expect(
      changeVisibilityBatch(sqs, QUEUE, [
        { id: "a", receiptHandle: "h", visibilityTimeoutSeconds: 43_201 },
      ]),
    ).rejects.toThrow(RangeError);
    expect(seen).toHaveLength(0);
  });
});
