// The SQS fault proxy in front of fauxqs: transparent without faults, and when asked, failing
// SendMessageBatch entries (really not written) or whole calls, the way SQS can.
import {
  CreateQueueCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  type SqsFaultProxy,
  type SqsFaultProxyOptions,
  startSqsFaultProxy,
} from "../../../lib/local/sqs-fault-proxy.ts";
import { type LocalSqs, startLocalSqs } from "../../../lib/local/sqs-server.ts";
import { createSqsClient, sqsClientConfig } from "../../../lib/queues/client.ts";
import { publish } from "../../../lib/queues/publish.ts";
import { receive } from "../../../lib/queues/receive.ts";

let fauxqs: LocalSqs;
let direct: SQSClient;
let queueCounter = 0;

beforeAll(async () => {
  fauxqs = await startLocalSqs();
  direct = createSqsClient({ endpoint: fauxqs.endpoint, env: {} });
});

afterAll(async () => {
  direct.destroy();
  await fauxqs.stop();
});

/** A proxy in front of fauxqs and an SDK client pointed at it, both closed after the test. */
async function proxied(
  options: Omit<SqsFaultProxyOptions, "upstream"> = {},
  client: { maxAttempts?: number } = {},
): Promise<{ proxy: SqsFaultProxy; sqs: SQSClient }> {
  const proxy = await startSqsFaultProxy({ upstream: fauxqs.endpoint, ...options });
  const sqs = sdkClient(proxy.url, client.maxAttempts);
  onTestFinished(async () => {
    sqs.destroy();
    await proxy.close();
  });
  return { proxy, sqs };
}

/** An SDK client for `endpoint`, as the project builds it, with its own retry count when given. */
function sdkClient(endpoint: string, maxAttempts?: number): SQSClient {
  return new SQSClient({
    ...sqsClientConfig({ endpoint, env: {} }),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
}

async function newQueue(): Promise<string> {
  queueCounter++;
  const created = await direct.send(
    new CreateQueueCommand({ QueueName: `proxy-test-${queueCounter}` }),
  );
  if (!created.QueueUrl) throw new Error("fauxqs returned no queue URL");
  return created.QueueUrl;
}

function entries(count: number, prefix = "m") {
  return Array.from({ length: count }, (_, index) => ({
    Id: `${prefix}${index}`,
    MessageBody: `${prefix}-body-${index}`,
  }));
}

/** Every body on the queue, read straight from fauxqs (not through the proxy). */
async function bodiesOn(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const batch = await receive(direct, queueUrl, { waitTimeSeconds: 0 });
    if (batch.length === 0) return bodies.sort();
    bodies.push(...batch.map((message) => String(message.Body)));
  }
}

function failedIds(output: SendMessageBatchCommandOutput): string[] {
  return (output.Failed ?? []).map((failure) => String(failure.Id)).sort();
}

describe("SQS fault proxy: without faults", () => {
  it("is transparent: queues, batches and receives behave as on fauxqs itself", async () => {
    const { proxy, sqs } = await proxied();
    const created = await sqs.send(new CreateQueueCommand({ QueueName: "through-the-proxy" }));
    const queueUrl = String(created.QueueUrl);

    const sent = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(4) }),
    );
    expect(sent.Failed ?? []).toEqual([]);
    expect(sent.Successful?.map((entry) => entry.Id).sort()).toEqual(["m0", "m1", "m2", "m3"]);

    const received = await receive(sqs, queueUrl, { waitTimeSeconds: 0 });
    expect(received.map((message) => message.Body).sort()).toEqual([
      "m-body-0",
      "m-body-1",
      "m-body-2",
      "m-body-3",
    ]);
    expect(proxy.counters()).toMatchObject({
      partialFailures: 0,
      failedEntries: 0,
      errors500: 0,
    });
    expect(proxy.counters().forwarded).toBe(proxy.counters().requests);
  });
});

describe("SQS fault proxy: partial SendMessageBatch failures", () => {
  it("fails k entries of a call that succeeds: listed in Failed[] as retryable InternalError, and really not written", async () => {
    const queueUrl = await newQueue();
    const { proxy, sqs } = await proxied({
      faults: { partialFailureRatio: 1, failedEntriesPerCall: 2 },
    });

    const sent = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(5) }),
    );

    expect(sent.Failed).toHaveLength(2);
    for (const failure of sent.Failed ?? []) {
      expect(failure).toMatchObject({ SenderFault: false, Code: "InternalError" });
      expect(failure.Message).toContain("not written");
    }
    const failed = new Set(failedIds(sent));
    const succeeded = (sent.Successful ?? []).map((entry) => String(entry.Id));
    expect(succeeded).toHaveLength(3);
    expect(succeeded.some((id) => failed.has(id))).toBe(false);
    // Exactly the entries reported successful are on the queue.
    expect(await bodiesOn(queueUrl)).toEqual(succeeded.map((id) => `m-body-${id.slice(1)}`).sort());
    expect(proxy.counters()).toMatchObject({
      selected: 1,
      partialFailures: 1,
      failedEntries: 2,
    });
  });

  it("answers a call that loses every entry itself, without writing anything", async () => {
    const queueUrl = await newQueue();
    const { proxy, sqs } = await proxied({
      faults: { partialFailureRatio: 1, failedEntriesPerCall: 10 },
    });

    const sent = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(3) }),
    );

    expect(sent.Successful ?? []).toEqual([]);
    expect(failedIds(sent)).toEqual(["m0", "m1", "m2"]);
    expect(await bodiesOn(queueUrl)).toEqual([]);
    expect(proxy.counters().forwarded).toBe(0);
  });

  it("faults only the queues it is configured for", async () => {
    const faulted = await newQueue();
    const spared = await newQueue();
    const { proxy, sqs } = await proxied({
      faults: { queueUrls: [faulted], partialFailureRatio: 1, failedEntriesPerCall: 1 },
    });

    const toSpared = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: spared, Entries: entries(3) }),
    );
    const toFaulted = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: faulted, Entries: entries(3) }),
    );

    expect(toSpared.Failed ?? []).toEqual([]);
    expect(await bodiesOn(spared)).toHaveLength(3);
    expect(toFaulted.Failed).toHaveLength(1);
    expect(await bodiesOn(faulted)).toHaveLength(2);
    expect(proxy.counters().selected).toBe(1);
  });

  it("draws faults from its seed: the same seed fails the same entries of the same calls", async () => {
    const queueUrl = await newQueue();
    const run = async (randomSeed: string): Promise<string[][]> => {
      const { sqs } = await proxied({
        randomSeed,
        faults: { partialFailureRatio: 0.5, failedEntriesPerCall: 2 },
      });
      const pattern: string[][] = [];
      for (let call = 0; call < 12; call++) {
        const sent = await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(6) }),
        );
        pattern.push(failedIds(sent));
      }
      return pattern;
    };

    const first = await run("seed-a");
    expect(await run("seed-a")).toEqual(first);
    // With p = 0.5 some calls are spared and some are not.
    expect(first.some((failed) => failed.length === 0)).toBe(true);
    expect(first.some((failed) => failed.length === 2)).toBe(true);
    expect(await run("seed-b")).not.toEqual(first);
  });

  it("changes faults while running, and refuses an invalid change", async () => {
    const queueUrl = await newQueue();
    const { proxy, sqs } = await proxied();
    const send = () =>
      sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(2) }));

    expect((await send()).Failed ?? []).toEqual([]);
    proxy.setFaults({ partialFailureRatio: 1 });
    expect((await send()).Failed).toHaveLength(1);
    proxy.setFaults({ partialFailureRatio: 0 });
    expect((await send()).Failed ?? []).toEqual([]);

    expect(() => proxy.setFaults({ partialFailureRatio: 2 })).toThrow(/partialFailureRatio/);
    expect(() => proxy.setFaults({ failedEntriesPerCall: 0 })).toThrow(/failedEntriesPerCall/);
    expect(proxy.faults().partialFailureRatio).toBe(0);
  });

  it("makes the project's publisher re-send failed entries, and report the ones that never got through", async () => {
    const queueUrl = await newQueue();
    const { proxy, sqs } = await proxied({
      faults: { partialFailureRatio: 1, failedEntriesPerCall: 1 },
    });

    // Every call loses one entry: 3 messages shrink by one per round until one is left, which is
    // then lost on every attempt.
    const outcome = await publish(
      sqs,
      queueUrl,
      ["a", "b", "c"].map((id) => ({ id, body: `body-${id}` })),
      { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    );

    expect(outcome.sent).toHaveLength(2);
    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0]).toMatchObject({ code: "InternalError", senderFault: false });
    expect(await bodiesOn(queueUrl)).toEqual(outcome.sent.map((id) => `body-${id}`).sort());
    expect(proxy.counters().failedEntries).toBeGreaterThanOrEqual(4);
  });
});

describe("SQS fault proxy: faulting only some messages", () => {
  it("with bodyContains, fails only entries whose body contains the text and spares calls without one", async () => {
    const queueUrl = await newQueue();
    const { proxy, sqs } = await proxied({
      faults: { bodyContains: "lib-b", partialFailureRatio: 1, failedEntriesPerCall: 10 },
    });
    const mixed = [
      { Id: "a1", MessageBody: '{"libraryId":"lib-a","n":1}' },
      { Id: "b1", MessageBody: '{"libraryId":"lib-b","n":1}' },
      { Id: "a2", MessageBody: '{"libraryId":"lib-a","n":2}' },
      { Id: "b2", MessageBody: '{"libraryId":"lib-b","n":2}' },
    ];

    const sent = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: mixed }),
    );
    const spared = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: mixed.filter(({ Id }) => Id.startsWith("a")),
      }),
    );

    expect(failedIds(sent)).toEqual(["b1", "b2"]);
    expect(spared.Failed ?? []).toEqual([]);
    expect(await bodiesOn(queueUrl)).toEqual([
      '{"libraryId":"lib-a","n":1}',
      '{"libraryId":"lib-a","n":1}',
      '{"libraryId":"lib-a","n":2}',
      '{"libraryId":"lib-a","n":2}',
    ]);
    expect(proxy.counters().selected).toBe(1);
  });

  it("with a list for bodyContains, fails only entries whose body contains every text of it", async () => {
    const queueUrl = await newQueue();
    const { proxy, sqs } = await proxied({
      faults: {
        bodyContains: ["lib-b", '"outcome":"recycled"'],
        partialFailureRatio: 1,
        failedEntriesPerCall: 10,
      },
    });
    const entries = [
      { Id: "a", MessageBody: '{"libraryId":"lib-a","outcome":"recycled"}' },
      { Id: "b1", MessageBody: '{"libraryId":"lib-b","outcome":"recycled"}' },
      { Id: "b2", MessageBody: '{"libraryId":"lib-b","outcome":"recovered"}' },
    ];

    const sent = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
    );
    const spared = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: entries.filter(({ Id }) => Id !== "b1"),
      }),
    );

    expect(failedIds(sent)).toEqual(["b1"]);
    expect(spared.Failed ?? []).toEqual([]);
    expect(proxy.counters().selected).toBe(1);
  });
});

describe("SQS fault proxy: latency", () => {
  it("holds a selected call while others go through, and ends it when the proxy closes", async () => {
    const slowQueue = await newQueue();
    const fastQueue = await newQueue();
    const proxy = await startSqsFaultProxy({
      upstream: fauxqs.endpoint,
      faults: { queueUrls: [slowQueue], latencyMs: 60_000 },
    });
    const sqs = sdkClient(proxy.url, 1);
    onTestFinished(() => sqs.destroy());

    let slowEnded = false;
    const slow = sqs
      .send(new SendMessageBatchCommand({ QueueUrl: slowQueue, Entries: entries(1) }))
      .then(
        () => "written",
        () => "failed",
      )
      .finally(() => {
        slowEnded = true;
      });
    const fast = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: fastQueue, Entries: entries(1) }),
    );

    expect(fast.Failed ?? []).toEqual([]);
    expect(slowEnded).toBe(false);
    await proxy.close();
    expect(await slow).toBe("failed");
    expect(await bodiesOn(slowQueue)).toEqual([]);
  });

  it("answers a held call with a 500 when asked: a publish that hangs, then fails, writing nothing", async () => {
    const queueUrl = await newQueue();
    const { proxy, sqs } = await proxied(
      { faults: { latencyMs: 50, error500Ratio: 1 } },
      { maxAttempts: 2 },
    );

    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(2) })),
    ).rejects.toMatchObject({ name: "InternalError" });

    expect(proxy.counters()).toMatchObject({ selected: 2, errors500: 2, forwarded: 0 });
    expect(await bodiesOn(queueUrl)).toEqual([]);
  });
});

describe("SQS fault proxy: whole-call 500 errors", () => {
  it("answers 500 InternalError without forwarding, which the AWS SDK surfaces when it may not retry", async () => {
    const queueUrl = await newQueue();
    const { proxy, sqs } = await proxied({ faults: { error500Ratio: 1 } }, { maxAttempts: 1 });

    const failure = await sqs
      .send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(2) }))
      .then(
        () => undefined,
        (error: unknown) => error as { name: string; $metadata?: { httpStatusCode?: number } },
      );

    expect(failure?.name).toBe("InternalError");
    expect(failure?.$metadata?.httpStatusCode).toBe(500);
    expect(await bodiesOn(queueUrl)).toEqual([]);
    expect(proxy.counters()).toMatchObject({ errors500: 1, forwarded: 0 });
  });

  it("lets the AWS SDK's own retries get every call through, each message written once", async () => {
    const queueUrl = await newQueue();
    const { proxy, sqs } = await proxied(
      { randomSeed: "retries", faults: { error500Ratio: 0.4 } },
      { maxAttempts: 10 },
    );

    for (let call = 0; call < 8; call++) {
      const sent = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(2, `c${call}-`) }),
      );
      expect(sent.Failed ?? []).toEqual([]);
    }

    expect(proxy.counters().errors500).toBeGreaterThan(0);
    expect(await bodiesOn(queueUrl)).toHaveLength(16);
  });

  it("faults only the configured actions", async () => {
    const queueUrl = await newQueue();
    const { proxy, sqs } = await proxied(
      { faults: { error500Ratio: 1, actions: ["ReceiveMessage"] } },
      { maxAttempts: 1 },
    );

    const sent = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(1) }),
    );
    expect(sent.Failed ?? []).toEqual([]);
    await expect(receive(sqs, queueUrl, { waitTimeSeconds: 0 })).rejects.toMatchObject({
      name: "InternalError",
    });
    expect(proxy.counters().errors500).toBe(1);
  });
});

describe("SQS fault proxy: lifecycle", () => {
  it("listens on 127.0.0.1 only, and close() ends a pending long poll", async () => {
    const queueUrl = await newQueue();
    const proxy = await startSqsFaultProxy({ upstream: fauxqs.endpoint });
    const sqs = sdkClient(proxy.url, 1);
    onTestFinished(() => sqs.destroy());
    expect(new URL(proxy.url).hostname).toBe("127.0.0.1");

    const polling = receive(sqs, queueUrl, { waitTimeSeconds: 20 }).then(
      () => "answered",
      () => "ended",
    );
    // Let the poll reach fauxqs before closing.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await proxy.close();
    await proxy.close();

    expect(await polling).toBe("ended");
  });

  it("can be configured before its upstream exists, answering 502 until the upstream is set", async () => {
    const queueUrl = await newQueue();
    const proxy = await startSqsFaultProxy();
    const sqs = sdkClient(proxy.url, 1);
    onTestFinished(async () => {
      sqs.destroy();
      await proxy.close();
    });

    await expect(receive(sqs, queueUrl, { waitTimeSeconds: 0 })).rejects.toMatchObject({
      $metadata: { httpStatusCode: 502 },
    });
    proxy.setUpstream(fauxqs.endpoint);
    await expect(receive(sqs, queueUrl, { waitTimeSeconds: 0 })).resolves.toEqual([]);
  });

  it("answers 502 when the upstream endpoint cannot be reached", async () => {
    const gone = await startLocalSqs();
    const upstream = gone.endpoint;
    await gone.stop();
    const proxy = await startSqsFaultProxy({ upstream });
    onTestFinished(() => proxy.close());

    const response = await fetch(proxy.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AmazonSQS.ListQueues",
      },
      body: "{}",
    });

    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ __type: expect.stringContaining("Unavailable") });
  });
});
