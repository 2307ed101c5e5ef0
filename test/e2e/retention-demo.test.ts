// The embedded demo (npm start) with its retention part: the dry-run plan a newcomer sees, the
// scheduled run that carries it out, and every job of that run accounted for by exactly one result.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DemoSummary,
  demoComplete,
  demoJobs,
  describeRetentionDemo,
  prepareLostResult,
  runDemo,
} from "../../lib/local/demo.ts";
import { type LocalStack, startLocalStack } from "../../lib/local/stack.ts";

let stack: LocalStack;
let summary: DemoSummary;

beforeAll(async () => {
  stack = await startLocalStack({ hostEnv: {}, env: { POWERTOOLS_LOG_LEVEL: "SILENT" } });
  if (!stack.sim) throw new Error("the demo needs the simulator");
  const startedAt = Date.now();
  const jobs = demoJobs(stack.sim);
  await prepareLostResult(stack.sim, jobs);
  summary = await runDemo(stack, jobs, {
    timeoutMs: 90_000,
    startedAt,
    retention: { rulesFile: "examples/retention-rules.yml" },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the embedded demo's retention run", () => {
  it("keeps the summary's keys, adding the retention run", () => {
    expect(Object.keys(summary)).toEqual([
      "jobs",
      "results",
      "byOutcome",
      "missing",
      "duplicates",
      "missingRecycledIds",
      "rows",
      "retention",
      "ledger",
    ]);
  });

  it("shows each enabled rule's dry-run plan, then the scheduled run carrying out the same plan", () => {
    const retention = summary.retention;
    expect(retention?.dryRun.map((scan) => [scan.ruleId, scan.decision])).toEqual([
      ["events-older-than-2y", "dry-run"],
      ["albums-older-than-900d", "dry-run"],
    ]);
    expect(retention?.run.map((scan) => [scan.ruleId, scan.decision])).toEqual([
      ["events-older-than-2y", "enqueue"],
      ["albums-older-than-900d", "dry-run"],
    ]);
    const [planned] = retention?.dryRun ?? [];
    const [ran] = retention?.run ?? [];
    expect(ran?.planHash).toBe(planned?.planHash);
    expect(ran?.counts?.enqueued).toBe(planned?.counts?.selected);
    expect(planned?.counts?.selected).toBeGreaterThan(0);
    expect(planned?.sample?.length).toBeGreaterThan(0);
  });

  it("accounts for every job of the run with exactly one result, and for every recycled directory", () => {
    const retention = summary.retention;
    expect(retention?.jobs).toBe(retention?.run[0]?.counts?.enqueued);
    expect(retention).toMatchObject({ missing: 0, duplicates: 0 });
    expect(retention?.results).toBe(retention?.jobs);
    expect(retention?.byOutcome).toEqual({ recycled: retention?.jobs });
    expect(summary.missingRecycledIds).toBe(0);
    expect(demoComplete(summary)).toBe(true);
  });

  it("keeps every result the queue carried in the ledger, plan summaries included, and nothing else", () => {
    const ledger = summary.ledger;
    expect(ledger).toMatchObject({
      location: "s3://smh-local-ledger/results/",
      s3Endpoint: stack.s3Endpoint,
      missingFromLedger: 0,
      ledgerOnly: 0,
    });
    // The demo's results, the retention run's deletions, and the plan summaries (a plan written by
    // the dry run and again by the scheduled run is one result: the same dedupKey).
    expect(ledger.results).toBeGreaterThan(summary.results + (summary.retention?.results ?? 0));
    expect(ledger.resultsOnQueue).toBe(ledger.results);
    expect(ledger.objects).toBeGreaterThan(0);
  });

  it("prints the dry run with what it would delete, and the run with its results", () => {
    const text = describeRetentionDemo(
      summary.retention as NonNullable<DemoSummary["retention"]>,
    ).join("\n");
    expect(text).toContain("dry run (the plans; nothing enqueued):");
    expect(text).toMatch(/would delete events\/20\d\d-\d\d-/);
    expect(text).toMatch(/recycled +\d+ +events\//);
    expect(text).toMatch(/retention jobs, \d+ results \(recycled \d+\); missing 0, duplicates 0/);
  });
});
