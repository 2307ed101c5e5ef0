// biome-ignore-all lint/suspicious/noTemplateCurlyInString: osls ${…} variables are what some tests refuse.
import { describe, expect, it } from "vitest";
import { parseTopology, readTopology, TopologyError } from "../../../lib/local/topology.ts";

/** A small valid topology, in the file's own shape, to break one rule at a time. */
function topologyText(patch: { queues?: string; functions?: string; environment?: string } = {}) {
  return `
queues:
${
  patch.queues ??
  `  work:
    visibilityTimeoutSeconds: 60
    messageRetentionSeconds: 345600
    deadLetter: { queue: work-dlq, maxReceiveCount: &receives 3 }
  work-dlq:
    visibilityTimeoutSeconds: 30
    messageRetentionSeconds: 1209600`
}
functions:
${
  patch.functions ??
  `  worker:
    handler: handlers/worker.handler
    timeoutSeconds: 10
    schedule: rate(1 hour)
    sqs: { queue: work, batchSize: 20, maximumBatchingWindowSeconds: 2, maximumConcurrency: 3 }`
}
environment:
${patch.environment ?? "  MAX_RECEIVE_COUNT: *receives\n  NODE_OPTIONS: --enable-source-maps"}
`;
}

describe("readTopology on the repository's topology.yml", () => {
  const topology = readTopology();
  const queue = (key: string) => topology.queues.find((q) => q.key === key);

  it("finds the seven queues, each consumed queue redriven to its dead-letter queue", () => {
    expect(topology.queues.map(({ key }) => key)).toEqual([
      "jobs",
      "jobs-dlq",
      "results",
      "recycle-actions",
      "recycle-actions-dlq",
      "retention-continuations",
      "retention-continuations-dlq",
    ]);
    for (const key of ["jobs", "recycle-actions", "retention-continuations"]) {
      expect(queue(key)?.deadLetter, key).toEqual({ key: `${key}-dlq`, maxReceiveCount: 5 });
    }
    expect(queue("results")?.messageRetentionSeconds).toBe(14 * 24 * 3600);
  });

  it("feeds each function from its queue with the event source mapping the deployment gets", () => {
    expect(topology.sqsFunctions).toEqual([
      {
        functionName: "deleteDirectories",
        handler: "handlers/delete-directories.handler",
        queueKey: "jobs",
        batchSize: 100,
        maximumBatchingWindowSeconds: 5,
        reportBatchItemFailures: true,
        maximumConcurrency: 5,
        functionTimeoutSeconds: 120,
      },
      {
        functionName: "recycleActions",
        handler: "handlers/recycle-actions.handler",
        queueKey: "recycle-actions",
        batchSize: 10,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: true,
        maximumConcurrency: 2,
        functionTimeoutSeconds: 120,
      },
      {
        functionName: "retentionScan",
        handler: "handlers/retention-scan.handler",
        queueKey: "retention-continuations",
        batchSize: 1,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: true,
        maximumConcurrency: 2,
        functionTimeoutSeconds: 900,
      },
    ]);
    expect(topology.scheduledFunctions).toEqual([
      {
        functionName: "retentionScan",
        handler: "handlers/retention-scan.handler",
        schedules: ["cron(0 2 * * ? *)"],
        functionTimeoutSeconds: 900,
      },
    ]);
  });

  it("tells each handler its own queue's maxReceiveCount, so its last receive is the one before the DLQ", () => {
    expect(topology.environment).toMatchObject({
      MAX_RECEIVE_COUNT: String(queue("jobs")?.deadLetter?.maxReceiveCount),
      RECYCLE_MAX_RECEIVE_COUNT: String(queue("recycle-actions")?.deadLetter?.maxReceiveCount),
      RETENTION_MAX_RECEIVE_COUNT: String(
        queue("retention-continuations")?.deadLetter?.maxReceiveCount,
      ),
      NODE_OPTIONS: "--enable-source-maps",
    });
  });
});

describe("parseTopology", () => {
  it("reads queues, mappings, schedules and the environment, anchors resolved", () => {
    const topology = parseTopology(topologyText());
    expect(topology.queues[0]).toEqual({
      key: "work",
      visibilityTimeoutSeconds: 60,
      messageRetentionSeconds: 345600,
      deadLetter: { key: "work-dlq", maxReceiveCount: 3 },
    });
    expect(topology.sqsFunctions[0]).toMatchObject({ queueKey: "work", maximumConcurrency: 3 });
    expect(topology.scheduledFunctions[0]?.schedules).toEqual(["rate(1 hour)"]);
    expect(topology.environment).toEqual({
      MAX_RECEIVE_COUNT: "3",
      NODE_OPTIONS: "--enable-source-maps",
    });
  });

  it("refuses an osls variable: the file is plain data, read without osls", () => {
    const text = topologyText({ environment: "  STAGE: ${sls:stage}" });
    expect(() => parseTopology(text)).toThrow(TopologyError);
    expect(() => parseTopology(text)).toThrow(/not osls variables: found \$\{sls:stage\}/);
  });

  it("refuses a visibility timeout under 6 × the timeout of the function it feeds", () => {
    const text = topologyText().replace("timeoutSeconds: 10", "timeoutSeconds: 11");
    expect(() => parseTopology(text)).toThrow(/below 6 × the 11 s timeout of worker/);
  });

  it("refuses a batch of more than 10 records without a batching window", () => {
    const text = topologyText().replace(
      "maximumBatchingWindowSeconds: 2",
      "maximumBatchingWindowSeconds: 0",
    );
    expect(() => parseTopology(text)).toThrow(/batching window of at least 1 s/);
  });

  it("refuses a dead-letter queue that keeps messages for less time than its source", () => {
    const text = topologyText().replace(
      "messageRetentionSeconds: 1209600",
      "messageRetentionSeconds: 60",
    );
    expect(() => parseTopology(text)).toThrow(/keeps messages for less time than "work"/);
  });

  it("refuses a dead-letter queue or a consumed queue that is not in the file", () => {
    expect(() =>
      parseTopology(topologyText().replace("queue: work-dlq", "queue: nowhere")),
    ).toThrow(/names no queue/);
    expect(() => parseTopology(topologyText().replace("queue: work,", "queue: nowhere,"))).toThrow(
      /names no queue/,
    );
  });

  it("refuses a misspelt setting instead of ignoring it", () => {
    const text = topologyText().replace("batchSize: 20", "batchsize: 20");
    expect(() => parseTopology(text)).toThrow(/batchsize/);
  });
});
