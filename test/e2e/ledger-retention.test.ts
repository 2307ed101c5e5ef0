// End to end through fauxqs's S3: retention plan summaries and alerts are kept in the ledger before
// they go on the results queue; while S3 fails, the run fails (to be run again) and publishes
// nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tallyLedger } from "../../lib/ledger/count.ts";
import { type S3FaultProxy, startS3FaultProxy } from "../../lib/local/s3-fault-proxy.ts";
import { type LocalStack, startLocalStack } from "../../lib/local/stack.ts";
import { parseResultMessage } from "../../lib/messages/result-message.ts";
import { receive } from "../../lib/queues/receive.ts";
import { queueUrl } from "./helpers/stack-io.ts";

describe("retention plan summaries and alerts in the ledger", () => {
  let stack: LocalStack;
  let s3Proxy: S3FaultProxy;

  beforeAll(async () => {
    s3Proxy = await startS3FaultProxy({ randomSeed: "ledger-retention-e2e" });
    stack = await startLocalStack({
      hostEnv: {},
      pollWaitSeconds: 1,
      env: { POWERTOOLS_LOG_LEVEL: "SILENT", S3_ENDPOINT: s3Proxy.url },
    });
    s3Proxy.setUpstream(stack.s3Endpoint);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await s3Proxy?.close();
  });

  /** Every result on the results queue now, by dedupKey, with its type (read and left hidden). */
  async function readResults(): Promise<Map<string, string>> {
    const seen = new Map<string, string>();
    for (let empty = 0; empty < 2; ) {
      const messages = await receive(stack.sqs, queueUrl(stack, "results"), {
        maxMessages: 10,
        waitTimeSeconds: 1,
        visibilityTimeoutSeconds: 600,
      });
      empty = messages.length === 0 ? empty + 1 : 0;
      for (const message of messages) {
        const parsed = parseResultMessage(message.Body ?? "");
        if (parsed.ok) seen.set(parsed.result.dedupKey, parsed.result.type);
      }
    }
    return seen;
  }

  it("keeps a run's plan summaries, and refuses to publish them while S3 fails", async () => {
    s3Proxy.setFaults({ error500Ratio: 1, pathContains: `/${stack.ledger.bucket}/` });
    await expect(
      stack.invoke("retentionScan", { dryRun: true, runId: "ledger-dry-run-failing" }),
    ).rejects.toThrow(/could not be written to the results queue/);
    expect(await readResults()).toEqual(new Map());
    expect((await tallyLedger({ s3: stack.s3, ...stack.ledger })).results.size).toBe(0);

    s3Proxy.setFaults({ error500Ratio: 0 });
    await stack.invoke("retentionScan", { dryRun: true, runId: "ledger-dry-run" });
    const onQueue = await readResults();
    const plans = [...onQueue].filter(([, type]) => type === "retention-plan");
    expect(plans.length).toBeGreaterThan(0);
    const tally = await tallyLedger({ s3: stack.s3, ...stack.ledger });
    for (const [key] of plans) expect(tally.results.get(key)).toBe("retention-plan");
  }, 120_000);

  it("keeps the alert of a refused run", async () => {
    // A manual run asking for a time far in the future is refused with an alert.
    await stack.invoke("retentionScan", { scheduledAt: "2099-01-01T00:00:00.000Z" });
    const tally = await tallyLedger({ s3: stack.s3, ...stack.ledger });
    expect([...tally.results.values()]).toContain("retention-alert");
  }, 60_000);
});
