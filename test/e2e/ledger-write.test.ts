// End to end through fauxqs's S3: every deletion result is kept in the ledger before it goes on
// the results queue. With S3 failing (the S3 fault proxy between the handler and fauxqs), nothing
// is published and nothing acknowledged: the records come back, and once S3 answers again every
// result on the queue is in the ledger. (Retention: ledger-retention.test.ts, a process of its own,
// since a handler module's cold start reads the environment once per process.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tallyLedger } from "../../lib/ledger/count.ts";
import type { S3FaultProxy } from "../../lib/local/s3-fault-proxy.ts";
import type { LocalStack } from "../../lib/local/stack.ts";
import { queueDepths } from "../../lib/queues/depths.ts";
import {
  jobFor,
  type PipelineStack,
  startPipelineStack,
  testLibrary,
} from "./helpers/pipeline-stack.ts";

const LIBRARY = testLibrary(
  "ledger",
  Array.from({ length: 8 }, (_, index) => `jobs/d${index}`),
);

async function ledgerKeys(stack: LocalStack): Promise<ReadonlySet<string>> {
  const tally = await tallyLedger({ s3: stack.s3, ...stack.ledger });
  expect(tally.invalidLines).toBe(0);
  return new Set(tally.results.keys());
}

describe("deletion results in the ledger", () => {
  let p: PipelineStack;
  let s3Proxy: S3FaultProxy;

  beforeAll(async () => {
    p = await startPipelineStack({
      libraries: [LIBRARY],
      captureLogs: true,
      // A function timeout of 4 s: room for the S3 client's retries inside one invocation.
      visibilityTimeoutSeconds: 30,
    });
    s3Proxy = p.s3Proxy;
  }, 60_000);

  afterAll(async () => {
    await p?.stop();
  });

  it("keeps each result in the ledger, one object per batch and kind, under the layout's keys", async () => {
    await p.send([0, 1, 2].map((index) => jobFor(LIBRARY, `jobs/d${index}`)));
    await p.until("three results", () =>
      [0, 1, 2].every((i) => p.resultsOf(`${LIBRARY.libraryId}:jobs/d${i}`).length > 0),
    );
    const keys = await ledgerKeys(p.stack);
    for (const index of [0, 1, 2]) {
      for (const result of p.resultsOf(`${LIBRARY.libraryId}:jobs/d${index}`)) {
        expect(keys.has(result.dedupKey)).toBe(true);
      }
    }
    const tally = await tallyLedger({ s3: p.stack.s3, ...p.stack.ledger });
    expect([...tally.results.values()].every((kind) => kind === "deletion")).toBe(true);
  });

  it("with S3 failing, publishes nothing and acknowledges nothing; the records come back and end in the ledger", async () => {
    s3Proxy.setFaults({ error500Ratio: 1, pathContains: `/${p.stack.ledger.bucket}/` });
    const before = s3Proxy.counters().errors500;
    const ids = await p.send([3, 4, 5].map((index) => jobFor(LIBRARY, `jobs/d${index}`)));
    const jobIds = [3, 4, 5].map((index) => `${LIBRARY.libraryId}:jobs/d${index}`);

    // Each record is handled, fails to keep its result, and is handed to the handler again.
    await p.until(
      "every record delivered twice",
      () => ids.every((id) => p.deliveries(id) >= 2),
      60_000,
    );
    expect(s3Proxy.counters().errors500).toBeGreaterThan(before);
    for (const jobId of jobIds) expect(p.resultsOf(jobId)).toEqual([]);
    const whileFailing = await ledgerKeys(p.stack);
    expect(p.logLines.some((line) => line.includes("ledger object could not be written"))).toBe(
      true,
    );
    expect(p.logLines.join("\n")).not.toContain(LIBRARY.secret);

    s3Proxy.setFaults({ error500Ratio: 0 });
    await p.until(
      "a result for every job once S3 answers",
      () => jobIds.every((jobId) => p.resultsOf(jobId).length > 0),
      60_000,
    );
    const keys = await ledgerKeys(p.stack);
    for (const jobId of jobIds) {
      for (const result of p.resultsOf(jobId)) {
        expect(whileFailing.has(result.dedupKey)).toBe(false);
        expect(keys.has(result.dedupKey)).toBe(true);
      }
    }
    // Every result ever published is in the ledger.
    for (const { result } of p.results) expect(keys.has(result.dedupKey)).toBe(true);
  }, 150_000);

  it("with S3 throttling half the writes, every result on the queue is in the ledger", async () => {
    s3Proxy.setFaults({ slowDownRatio: 0.5, error500Ratio: 0 });
    const jobIds = [6, 7].map((index) => `${LIBRARY.libraryId}:jobs/d${index}`);
    await p.send([6, 7].map((index) => jobFor(LIBRARY, `jobs/d${index}`)));
    await p.until(
      "a result for every job",
      () => jobIds.every((jobId) => p.resultsOf(jobId).length > 0),
      90_000,
    );
    s3Proxy.setFaults({ slowDownRatio: 0 });
    const keys = await ledgerKeys(p.stack);
    for (const { result } of p.results) expect(keys.has(result.dedupKey)).toBe(true);
    const depths = await queueDepths(p.stack.sqs, p.dlqUrl);
    expect(depths.visible + depths.inFlight).toBe(0);
  }, 120_000);
});
