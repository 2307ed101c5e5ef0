import { describe, expect, it } from "vitest";
import { createBatchCounters } from "../../../lib/queues/counters.ts";
import { type OutgoingMessage, publish } from "../../../lib/queues/publish.ts";
import { acceptAll, serviceError, stubSqs } from "./stub-sqs.ts";

const QUEUE = "http://sqs.local/000000000000/results";
const noWait = async () => {};

function messages(count: number, body = (i: number) => `{"n":${i}}`): OutgoingMessage[] {
  return Array.from({ length: count }, (_, i) => ({ id: `m${i}`, body: body(i) }));
}

function bodyBytes(entries: { [key: string]: unknown }[]): number {
  return entries.reduce((sum, entry) => sum + Buffer.byteLength(String(entry.MessageBody)), 0);
}

describe("publish: chunking", () => {
  it("sends 25 messages as requests of 10, 10 and 5 and reports them all sent in order", async () => {
    const { sqs, seen } = stubSqs();
    const result = await publish(sqs, QUEUE, messages(25));
    expect(seen.map((request) => request.entries.length)).toEqual([10, 10, 5]);
    expect(seen.every((request) => request.command === "SendMessageBatchCommand")).toBe(true);
    expect(result.sent).toEqual(messages(25).map((message) => message.id));
    expect(result.failed).toEqual([]);
    expect(result.calls).toBe(3);
  });

  it("keeps every request under the byte limit even when 10 entries would not fit", async () => {
    const { sqs, seen } = stubSqs();
    const big = messages(5, () => "x".repeat(100 * 1024));
    const result = await publish(sqs, QUEUE, big);
    expect(seen.map((request) => request.entries.length)).toEqual([2, 2, 1]);
    for (const request of seen) expect(bodyBytes(request.entries)).toBeLessThanOrEqual(256 * 1024);
    expect(result.sent).toHaveLength(5);
  });

  it("counts message attributes towards the byte limit", async () => {
    const { sqs, seen } = stubSqs();
    const withAttribute = messages(2, () => "x".repeat(128 * 1024 - 20)).map((message) => ({
      ...message,
      attributes: { trace: { DataType: "String", StringValue: "y".repeat(100) } },
    }));
    await publish(sqs, QUEUE, withAttribute);
    expect(seen.map((request) => request.entries.length)).toEqual([1, 1]);
  });

  it("reports a message over the size limit as failed for its id and sends the others", async () => {
    const { sqs, seen } = stubSqs();
    const input = [
      { id: "small-1", body: "a" },
      { id: "huge", body: "x".repeat(256 * 1024 + 1) },
      { id: "small-2", body: "b" },
    ];
    const result = await publish(sqs, QUEUE, input);
    expect(result.sent).toEqual(["small-1", "small-2"]);
    expect(result.failed).toEqual([
      expect.objectContaining({
        id: "huge",
        code: "MessageTooLong",
        senderFault: true,
        attempts: 0,
      }),
    ]);
    expect(seen.flatMap((request) => request.entries.map((entry) => entry.MessageBody))).toEqual([
      "a",
      "b",
    ]);
  });

  it("refuses an empty body and an out-of-range delay without sending them", async () => {
    const { sqs, seen } = stubSqs();
    const result = await publish(sqs, QUEUE, [
      { id: "empty", body: "" },
      { id: "late", body: "x", delaySeconds: 901 },
      { id: "ok", body: "x", delaySeconds: 900 },
    ]);
    expect(result.failed.map((failure) => [failure.id, failure.code])).toEqual([
      ["empty", "EmptyMessageBody"],
      ["late", "InvalidDelaySeconds"],
    ]);
    expect(result.sent).toEqual(["ok"]);
    expect(seen[0]?.entries).toEqual([
      { Id: expect.any(String), MessageBody: "x", DelaySeconds: 900 },
    ]);
  });

  it("sends only valid SQS batch entry ids, whatever the caller's ids look like", async () => {
    const { sqs, seen } = stubSqs();
    const ids = ["job/α 1", "x".repeat(200), "", "a.b:c", "m0"];
    const result = await publish(
      sqs,
      QUEUE,
      ids.map((id) => ({ id, body: "b" })),
    );
    const batchIds = seen.flatMap((request) => request.entries.map((entry) => entry.Id));
    for (const id of batchIds) expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(new Set(batchIds).size).toBe(ids.length);
    expect(result.sent).toEqual(ids);
  });

  it("throws before sending anything when two messages share an id", async () => {
    const { sqs, seen } = stubSqs();
    await expect(
      publish(sqs, QUEUE, [
        { id: "same", body: "1" },
        { id: "same", body: "2" },
      ]),
    ).rejects.toThrow(TypeError);
    expect(seen).toHaveLength(0);
  });
});

describe("publish: Failed[] handling", () => {
  it("re-sends only the entries that failed with a receiver fault", async () => {
    const { sqs, seen } = stubSqs((request, call) => {
      if (call > 0) return acceptAll(request, call);
      const [first, second, ...rest] = request.entries;
      return {
        Successful: [first, ...rest].map((entry) => ({ Id: String(entry?.Id) })),
        Failed: [{ Id: String(second?.Id), SenderFault: false, Code: "InternalError" }],
      };
    });
    const result = await publish(sqs, QUEUE, messages(4), { sleep: noWait });
    expect(seen).toHaveLength(2);
    expect(seen[1]?.entries.map((entry) => entry.MessageBody)).toEqual(['{"n":1}']);
    expect(result.sent).toEqual(["m0", "m1", "m2", "m3"]);
    expect(result.failed).toEqual([]);
    expect(result.retried).toBe(1);
  });

  it("reports a sender fault at once and never re-sends it", async () => {
    const { sqs, seen } = stubSqs((request) => {
      const [first, ...rest] = request.entries;
      return {
        Successful: rest.map((entry) => ({ Id: entry.Id })),
        Failed: [
          {
            Id: String(first?.Id),
            SenderFault: true,
            Code: "InvalidMessageContents",
            Message: "Invalid characters found.",
          },
        ],
      };
    });
    const result = await publish(sqs, QUEUE, messages(3), { sleep: noWait });
    expect(seen).toHaveLength(1);
    expect(result.sent).toEqual(["m1", "m2"]);
    expect(result.failed).toEqual([
      {
        id: "m0",
        code: "InvalidMessageContents",
        message: "Invalid characters found.",
        senderFault: true,
        attempts: 1,
      },
    ]);
  });

  it("gives up after maxAttempts when an entry keeps failing, reporting the last error", async () => {
    const { sqs, seen } = stubSqs((request) => ({
      Failed: request.entries.map((entry) => ({
        Id: entry.Id,
        SenderFault: false,
        Code: "ServiceUnavailable",
        Message: "try later",
      })),
    }));
    const delays: number[] = [];
    const result = await publish(sqs, QUEUE, messages(2), {
      maxAttempts: 3,
      baseDelayMs: 100,
      random: () => 0.999,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect(seen).toHaveLength(3);
    expect(result.sent).toEqual([]);
    expect(result.failed.map((failure) => [failure.id, failure.code, failure.attempts])).toEqual([
      ["m0", "ServiceUnavailable", 3],
      ["m1", "ServiceUnavailable", 3],
    ]);
    // A backoff before each re-send, growing, never before the first request.
    expect(delays).toEqual([99, 199]);
    expect(result.retried).toBe(4);
  });

  it("re-sends an entry the response does not mention", async () => {
    const { sqs, seen } = stubSqs((request, call) =>
      call === 0
        ? { Successful: [{ Id: String(request.entries[0]?.Id) }] }
        : acceptAll(request, call),
    );
    const result = await publish(sqs, QUEUE, messages(2), { sleep: noWait });
    expect(seen).toHaveLength(2);
    expect(result.sent).toEqual(["m0", "m1"]);
  });

  it("does not retry a request the SDK already gave up on, and still sends the other requests", async () => {
    const { sqs, seen } = stubSqs((request, call) =>
      call === 0 ? serviceError("InternalError", "server") : acceptAll(request, call),
    );
    const result = await publish(sqs, QUEUE, messages(12), { concurrency: 1, sleep: noWait });
    expect(seen).toHaveLength(2);
    expect(result.sent).toEqual(["m10", "m11"]);
    expect(result.failed).toHaveLength(10);
    expect(result.failed[0]).toEqual({
      id: "m0",
      code: "InternalError",
      message: "InternalError happened",
      senderFault: false,
      attempts: 1,
    });
  });

  it("adds calls, successes, retries and failures to the counters it is given", async () => {
    const counters = createBatchCounters();
    const { sqs } = stubSqs((request, call) => {
      if (call > 0) return acceptAll(request, call);
      return {
        Successful: request.entries.slice(2).map((entry) => ({ Id: entry.Id })),
        Failed: [
          { Id: String(request.entries[0]?.Id), SenderFault: false, Code: "InternalError" },
          { Id: String(request.entries[1]?.Id), SenderFault: true, Code: "InvalidMessageContents" },
        ],
      };
    });
    const input = [...messages(5), { id: "too-big", body: "x".repeat(300 * 1024) }];
    await publish(sqs, QUEUE, input, { counters, sleep: noWait });
    await publish(sqs, QUEUE, messages(1), { counters, sleep: noWait });
    expect(counters).toEqual({ calls: 3, succeeded: 5, retried: 1, failed: 2 });
  });

  it("reports entries not yet accepted as Aborted when stopped during a backoff", async () => {
    const controller = new AbortController();
    const { sqs, seen } = stubSqs((request) => ({
      Failed: request.entries.map((entry) => ({ Id: entry.Id, SenderFault: false, Code: "X" })),
    }));
    const result = await publish(sqs, QUEUE, messages(1), {
      signal: controller.signal,
      sleep: async () => {
        controller.abort();
        throw Object.assign(new Error("aborted"), { name: "AbortError" });
      },
    });
    expect(seen).toHaveLength(1);
    expect(result.failed).toEqual([
      expect.objectContaining({ id: "m0", code: "Aborted", attempts: 1 }),
    ]);
  });
});

describe("publish: concurrency", () => {
  it("keeps at most `concurrency` requests in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const { sqs, seen } = stubSqs(async (request, call) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return acceptAll(request, call);
    });
    const result = await publish(sqs, QUEUE, messages(60), { concurrency: 2 });
    expect(seen).toHaveLength(6);
    expect(peak).toBe(2);
    expect(result.sent).toHaveLength(60);
  });
});
