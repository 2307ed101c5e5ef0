// What a retention run writes to the results queue, read by the same readers as every result.
import { describe, expect, it } from "vitest";
import { resultCsvRow } from "../../../lib/cli/results/csv-row.ts";
import { describeResult } from "../../../lib/cli/results/describe.ts";
import { countOutcomes } from "../../../lib/cli/results/summary.ts";
import {
  isOutcomeResult,
  parseResultMessage,
  resultMessageAttributes,
} from "../../../lib/messages/result-message.ts";
import { ResultSet } from "../../../lib/messages/result-set.ts";
import { encodeContinuation } from "../../../lib/retention/checkpoint.ts";
import { PlanBuilder, planFromListing } from "../../../lib/retention/plan.ts";
import { capBreachAlert, planSummary, scanFailedAlert } from "../../../lib/retention/summary.ts";
import { daysAgo, dir, onePage, rule, runOf, SCHEDULED_AT } from "./factories.ts";

const finishedAt = new Date("2026-01-05T02:05:00.000Z");
const listing = onePage([
  dir("2019-a", daysAgo(700)),
  dir("2019-b", daysAgo(500)),
  dir("2025-c", daysAgo(3)),
  dir("2025-d", daysAgo(2)),
]);

async function results() {
  const enqueued = await planFromListing(runOf(rule()), listing);
  const breached = await planFromListing(
    runOf(rule({ caps: { maxDeletesPerRun: 1, maxFractionPerRun: 1 } })),
    listing,
  );
  return {
    summary: planSummary(enqueued, finishedAt),
    breach: capBreachAlert(breached, finishedAt),
    failed: scanFailedAlert(
      { rule: rule(), spaceId: "*", runId: "run-1", scheduledAt: SCHEDULED_AT },
      new Error("listing spaces failed"),
      finishedAt,
    ),
  };
}

describe("a retention plan summary or alert on the results queue", () => {
  it("is a result message every reader parses, dropping fields it does not know", async () => {
    const { summary, breach, failed } = await results();
    for (const result of [summary, breach, failed]) {
      const parsed = parseResultMessage(JSON.stringify({ ...result, addedLater: 1 }));
      expect(parsed).toEqual({ ok: true, result });
      if (parsed.ok) expect(isOutcomeResult(parsed.result)).toBe(false);
    }
  });

  it("carries its type and decision, or its alert, as message attributes", async () => {
    const { summary, breach } = await results();
    expect(resultMessageAttributes(summary)).toEqual({
      type: { DataType: "String", StringValue: "retention-plan" },
      decision: { DataType: "String", StringValue: "enqueue" },
    });
    expect(resultMessageAttributes(breach)).toEqual({
      type: { DataType: "String", StringValue: "retention-alert" },
      alert: { DataType: "String", StringValue: "cap-breach" },
    });
  });

  it("is counted by decision and by alert in a results export's summary", async () => {
    const { summary, breach, failed } = await results();
    expect(countOutcomes([summary, breach, failed])).toEqual({
      deletion: {},
      "recycle-action": {},
      "retention-plan": { enqueue: 1 },
      "retention-alert": { "cap-breach": 1, "scan-failed": 1 },
    });
  });

  it("fills the CSV export's outcome column with its decision or alert", async () => {
    const { summary, failed } = await results();
    expect(resultCsvRow(summary)).toMatchObject({
      type: "retention-plan",
      outcome: "enqueue",
      planId: summary.planId,
      libraryId: "smh1",
    });
    expect(resultCsvRow(failed)).toMatchObject({ type: "retention-alert", outcome: "scan-failed" });
  });

  it("is one line in results --tail, naming the rule and the figures", async () => {
    const { summary, breach } = await results();
    expect(describeResult(summary)).toContain("rule events-yearly");
    expect(describeResult(summary)).toContain("selected 2 of 4, enqueued 2, capped 0");
    expect(describeResult(breach)).toContain("ALERT cap-breach");
  });

  it("written twice by a re-run of the same plan is one result after dedup", async () => {
    const { summary } = await results();
    const set = new ResultSet();
    set.add(summary);
    set.add({ ...summary, runId: "run-2", finishedAt: "2026-01-05T03:00:00.000Z" });
    expect(set.size).toBe(1);
    expect(set.duplicates).toBe(1);
  });
});

describe("a continuation message", () => {
  it("is not a result: a reader of the results queue refuses it", () => {
    const builder = new PlanBuilder(runOf(rule()));
    builder.add({ entries: [dir("a", daysAgo(700))], nextMarker: "m1" });
    const parsed = parseResultMessage(encodeContinuation(builder.checkpoint()));
    expect(parsed.ok).toBe(false);
  });
});
