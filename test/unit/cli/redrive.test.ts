// Redrive never loses a message: what the source queue refused stays in the dead-letter queue.
import { describe, expect, it } from "vitest";
import { redriveByCopy } from "../../../lib/cli/redrive/copy.ts";
import { redriveByMoveTask } from "../../../lib/cli/redrive/move-task.ts";
import { acceptEntries, scriptedSqs } from "./stub-sqs.ts";

const dlq = "http://sqs.local/1/jobs-dlq";
const source = "http://sqs.local/1/jobs";
const message = (id: string) => ({
  MessageId: id,
  ReceiptHandle: `receipt-${id}`,
  Body: `body of ${id}`,
  MessageAttributes: { kind: { DataType: "String", StringValue: "job", StringListValues: [] } },
});

describe("redrive by copy", () => {
  it("deletes from the DLQ only what the source queue accepted, releases the rest and stops", async () => {
    const { sqs, calls } = scriptedSqs({
      ReceiveMessageCommand: (_input, call) =>
        call === 0 ? { Messages: [message("m1"), message("m2"), message("m3")] } : { Messages: [] },
      SendMessageBatchCommand: (input) => {
        const entries = input.Entries as { Id: string; MessageBody: string }[];
        const refused = entries.find((entry) => entry.MessageBody === "body of m2");
        return {
          Successful: entries.filter((e) => e !== refused).map((e) => ({ Id: e.Id })),
          Failed: [{ Id: refused?.Id, Code: "AccessDenied", SenderFault: true, Message: "no" }],
        };
      },
      DeleteMessageBatchCommand: acceptEntries,
      ChangeMessageVisibilityBatchCommand: acceptEntries,
    });
    const result = await redriveByCopy(sqs, dlq, source, { idleSeconds: 0 });

    expect(result).toEqual({
      moved: 2,
      notSent: [{ messageId: "m2", code: "AccessDenied", message: "no" }],
      notDeleted: [],
      interrupted: false,
    });
    const sent = calls.find((c) => c.command === "SendMessageBatchCommand")?.input;
    expect(sent?.QueueUrl).toBe(source);
    expect(
      (sent?.Entries as { MessageAttributes: unknown }[] | undefined)?.[0]?.MessageAttributes,
    ).toEqual({
      kind: { DataType: "String", StringValue: "job" },
      // Marked, so the handler starts a fresh budget and says what its results supersede.
      smhCleanerRedrivenAt: { DataType: "String", StringValue: expect.stringMatching(/^\d{4}-/) },
    });
    const deleted = calls.filter((c) => c.command === "DeleteMessageBatchCommand");
    expect(
      deleted.flatMap((c) =>
        (c.input.Entries as { ReceiptHandle: string }[]).map((e) => e.ReceiptHandle),
      ),
    ).toEqual(["receipt-m1", "receipt-m3"]);
    const released = calls.find((c) => c.command === "ChangeMessageVisibilityBatchCommand")?.input;
    expect(released?.QueueUrl).toBe(dlq);
    expect(released?.Entries).toEqual([
      expect.objectContaining({ ReceiptHandle: "receipt-m2", VisibilityTimeout: 0 }),
    ]);
    // It stopped instead of receiving the refused message again.
    expect(calls.filter((c) => c.command === "ReceiveMessageCommand")).toHaveLength(1);
  });

  it("deletes nothing when the send call itself fails", async () => {
    const { sqs, calls } = scriptedSqs({
      ReceiveMessageCommand: () => ({ Messages: [message("m1")] }),
      SendMessageBatchCommand: () => Object.assign(new Error("socket hang up"), { name: "Error" }),
      ChangeMessageVisibilityBatchCommand: acceptEntries,
    });
    const result = await redriveByCopy(sqs, dlq, source, { idleSeconds: 0 });
    expect(result.moved).toBe(0);
    expect(result.notSent).toEqual([expect.objectContaining({ messageId: "m1" })]);
    expect(
      calls.some(
        (c) =>
          c.command === "DeleteMessageBatchCommand" && (c.input.Entries as unknown[]).length > 0,
      ),
    ).toBe(false);
  });

  it("reports a message sent but not deleted, since it is now in both queues", async () => {
    const { sqs } = scriptedSqs({
      ReceiveMessageCommand: (_input, call) => (call === 0 ? { Messages: [message("m1")] } : {}),
      SendMessageBatchCommand: acceptEntries,
      DeleteMessageBatchCommand: (input) => ({
        Failed: (input.Entries as { Id: string }[]).map((e) => ({
          Id: e.Id,
          Code: "ReceiptHandleIsInvalid",
          SenderFault: true,
          Message: "expired",
        })),
      }),
    });
    const result = await redriveByCopy(sqs, dlq, source, { idleSeconds: 0 });
    expect(result.moved).toBe(0);
    expect(result.notDeleted).toEqual([
      { messageId: "m1", code: "ReceiptHandleIsInvalid", message: "expired" },
    ]);
  });

  it("stops after --max messages", async () => {
    const { sqs, calls } = scriptedSqs({
      ReceiveMessageCommand: (input) => ({
        Messages: Array.from({ length: input.MaxNumberOfMessages as number }, (_, i) =>
          message(`m${calls.length}-${i}`),
        ),
      }),
      SendMessageBatchCommand: acceptEntries,
      DeleteMessageBatchCommand: acceptEntries,
    });
    const result = await redriveByCopy(sqs, dlq, source, { idleSeconds: 0, max: 13 });
    expect(result.moved).toBe(13);
    const asked = calls
      .filter((c) => c.command === "ReceiveMessageCommand")
      .map((c) => c.input.MaxNumberOfMessages);
    expect(asked).toEqual([10, 3]);
  });
});

describe("redrive with a message move task (AWS)", () => {
  const arns = [
    "arn:aws:sqs:eu-west-1:111122223333:jobs-dlq",
    "arn:aws:sqs:eu-west-1:111122223333:jobs",
  ] as const;

  it("starts a task from the DLQ to the source queue and waits until it completes", async () => {
    const { sqs, calls } = scriptedSqs({
      StartMessageMoveTaskCommand: () => ({ TaskHandle: "handle-1" }),
      ListMessageMoveTasksCommand: (_input, call) => ({
        Results: [
          call === 0
            ? {
                Status: "RUNNING",
                ApproximateNumberOfMessagesMoved: 3,
                ApproximateNumberOfMessagesToMove: 10,
                TaskHandle: "handle-1",
              }
            : {
                Status: "COMPLETED",
                ApproximateNumberOfMessagesMoved: 10,
                ApproximateNumberOfMessagesToMove: 10,
              },
        ],
      }),
    });
    const progress: number[] = [];
    const result = await redriveByMoveTask(sqs, ...arns, {
      sleep: async () => undefined,
      onProgress: (moved) => progress.push(moved),
    });
    expect(result).toEqual({
      taskHandle: "handle-1",
      status: "COMPLETED",
      moved: 10,
      toMove: 10,
      interrupted: false,
    });
    expect(calls[0]?.input).toEqual({ SourceArn: arns[0], DestinationArn: arns[1] });
    expect(progress).toEqual([3, 10]);
  });

  it("reports a failed task with SQS's reason", async () => {
    const { sqs } = scriptedSqs({
      StartMessageMoveTaskCommand: () => ({ TaskHandle: "handle-2" }),
      ListMessageMoveTasksCommand: () => ({
        Results: [
          { Status: "FAILED", ApproximateNumberOfMessagesMoved: 1, FailureReason: "AccessDenied" },
        ],
      }),
    });
    const result = await redriveByMoveTask(sqs, ...arns, { sleep: async () => undefined });
    expect(result).toMatchObject({ status: "FAILED", moved: 1, failureReason: "AccessDenied" });
  });

  it("cancels the task on Ctrl-C; messages already moved stay moved", async () => {
    const controller = new AbortController();
    const { sqs, calls } = scriptedSqs({
      StartMessageMoveTaskCommand: () => ({ TaskHandle: "handle-3" }),
      ListMessageMoveTasksCommand: () => ({
        Results: [{ Status: "RUNNING", ApproximateNumberOfMessagesMoved: 4 }],
      }),
      CancelMessageMoveTaskCommand: () => ({ ApproximateNumberOfMessagesMoved: 5 }),
    });
    const result = await redriveByMoveTask(sqs, ...arns, {
      signal: controller.signal,
      sleep: async () => {
        controller.abort();
        throw new Error("aborted");
      },
    });
    expect(result).toMatchObject({ status: "CANCELLING", moved: 5, interrupted: true });
    expect(calls.at(-1)).toEqual({
      command: "CancelMessageMoveTaskCommand",
      input: { TaskHandle: "handle-3" },
    });
  });

  it("returns once the task started with --no-wait", async () => {
    const { sqs, calls } = scriptedSqs({
      StartMessageMoveTaskCommand: () => ({ TaskHandle: "h" }),
    });
    const result = await redriveByMoveTask(sqs, ...arns, { wait: false });
    expect(result).toMatchObject({ taskHandle: "h", status: "RUNNING" });
    expect(calls).toHaveLength(1);
  });
});
