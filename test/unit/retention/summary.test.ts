import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  RetentionAlertSchema,
  RetentionPlanSummarySchema,
} from "../../../lib/messages/retention-result.ts";
import { IncompleteScanError } from "../../../lib/retention/errors.ts";
import { planFromListing } from "../../../lib/retention/plan.ts";
import {
  alertLogLine,
  capBreachAlert,
  planSummary,
  scanFailedAlert,
} from "../../../lib/retention/summary.ts";
import { daysAgo, dir, onePage, rule, runOf, SCHEDULED_AT } from "./factories.ts";

const finishedAt = new Date("2026-01-05T02:05:00.000Z");
const listing = [
  dir("2019-a", daysAgo(700)),
  dir("2019-b", daysAgo(500)),
  dir("2025-c", daysAgo(3)),
  dir("2025-d", daysAgo(2)),
  dir("2025-e", daysAgo(1)),
];

describe("the plan summary on the results queue", () => {
  it("reports matched, enqueued, skipped and capped, with the plan hash", async () => {
    const plan = await planFromListing(runOf(rule()), onePage(listing));
    const summary = planSummary(plan, finishedAt);
    expect(summary).toMatchObject({
      v: 1,
      type: "retention-plan",
      decision: "enqueue",
      planId: plan.planId,
      planHash: plan.planHash,
      ruleId: "events-yearly",
      libraryId: "smh1",
      spaceId: "-",
      parent: "events",
      runDate: "2026-01-05",
      counts: { matched: 5, selected: 2, enqueued: 2, capped: 0, skipped: { "too-young": 3 } },
      caps: { maxDeletesPerRun: 100, maxFractionPerRun: 0.5, allowedByFraction: 2, breaches: [] },
      sample: ["events/2019-a", "events/2019-b"],
      finishedAt: "2026-01-05T02:05:00.000Z",
    });
    expect(RetentionPlanSummarySchema.parse(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
  });

  it("of a dry run says so and enqueued nothing", async () => {
    const plan = await planFromListing(runOf(rule({ dryRun: true })), onePage(listing));
    expect(planSummary(plan, finishedAt)).toMatchObject({
      decision: "dry-run",
      dryRun: true,
      counts: { selected: 2, enqueued: 0 },
      sample: ["events/2019-a", "events/2019-b"],
    });
  });

  it("carries the same dedupKey for a re-triggered run reaching the same plan, another for another", async () => {
    const first = planSummary(await planFromListing(runOf(rule()), onePage(listing)), finishedAt);
    const again = planSummary(
      await planFromListing(runOf(rule(), { runId: "run-2" }), onePage(listing)),
      new Date(),
    );
    const other = planSummary(
      await planFromListing(runOf(rule()), onePage(listing.slice(1))),
      finishedAt,
    );
    expect(again.dedupKey).toBe(first.dedupKey);
    expect(other.dedupKey).not.toBe(first.dedupKey);
  });

  it("lists at most 20 selected paths, while counting all of them", async () => {
    const many = Array.from({ length: 30 }, (_, index) => dir(`d${index}`, daysAgo(400)));
    const plan = await planFromListing(runOf(rule({ dryRun: true })), onePage(many));
    const summary = planSummary(plan, finishedAt);
    expect(summary.sample).toHaveLength(20);
    expect(summary.counts.selected).toBe(30);
  });
});

describe("a cap-breach alert", () => {
  it("names the rule, where it ran and the figures, and says nothing was enqueued", async () => {
    const plan = await planFromListing(
      runOf(rule({ caps: { maxDeletesPerRun: 1, maxFractionPerRun: 0.2 } })),
      onePage(listing),
    );
    const alert = capBreachAlert(plan, finishedAt);
    expect(alert).toMatchObject({
      type: "retention-alert",
      alert: "cap-breach",
      ruleId: "events-yearly",
      planId: plan.planId,
      breaches: [
        { cap: "maxDeletesPerRun", limit: 1, allowed: 1, selected: 2, children: 5 },
        { cap: "maxFractionPerRun", limit: 0.2, allowed: 1, selected: 2, children: 5 },
      ],
      counts: { selected: 2, children: 5 },
    });
    const line = alertLogLine(alert);
    expect(line).not.toContain("\n");
    expect(line).toContain(
      'retention rule "events-yearly" (smh1/-, under "events", run of 2026-01-05)',
    );
    expect(line).toContain("2 directories selected; maxDeletesPerRun allows 1");
    expect(line).toContain(
      "2 of 5 child directories selected (40.0%); maxFractionPerRun 0.2 allows 1",
    );
    expect(line).toContain("Nothing was enqueued.");
    expect(RetentionAlertSchema.parse(JSON.parse(JSON.stringify(alert)))).toEqual(alert);
  });

  it("is refused for a plan that broke no cap", async () => {
    const plan = await planFromListing(runOf(rule()), onePage(listing));
    expect(() => capBreachAlert(plan, finishedAt)).toThrow(RangeError);
  });
});

describe("a scan-failed alert", () => {
  it("names the rule and the error, with credentials scrubbed", () => {
    const error = new Error(
      "GET https://smh1.api.tencentsmh.cn/api/v1/directory/smh1/-/events?access_token=acctk0secret&marker=x: 503 ServerOverloaded",
    );
    const alert = scanFailedAlert(
      { rule: rule(), spaceId: "-", runId: "run-1", scheduledAt: SCHEDULED_AT, pageCount: 12 },
      error,
      finishedAt,
    );
    expect(alert).toMatchObject({ alert: "scan-failed", pageCount: 12, error: { name: "Error" } });
    expect(JSON.stringify(alert)).not.toContain("acctk0secret");
    expect(alertLogLine(alert)).toContain('retention rule "events-yearly"');
    expect(alertLogLine(alert)).toContain("stopped after 12 page(s)");
    expect(alertLogLine(alert)).toContain("access_token=[redacted]");
  });

  it("shares its plan ID with the plan the run would have made", async () => {
    const plan = await planFromListing(runOf(rule()), onePage(listing));
    const alert = scanFailedAlert(
      { rule: rule(), spaceId: "-", runId: "run-1", scheduledAt: SCHEDULED_AT },
      new IncompleteScanError("listing ended early"),
      finishedAt,
    );
    expect(alert.planId).toBe(plan.planId);
    expect(alert.message).toContain("IncompleteScanError: listing ended early");
  });
});

describe("the result schemas' module", () => {
  /** Relative modules `file` imports at run time (`import type` is erased), recursively. */
  function runtimeImports(file: URL, seen = new Set<string>()): Set<string> {
    const source = readFileSync(file, "utf8");
    const pattern = /^import\s+(?!type\s)[^;]*?from\s+"(\.[^"]+)";/gms;
    for (const [, specifier] of source.matchAll(pattern)) {
      const target = new URL(specifier ?? "", file);
      if (seen.has(target.pathname)) continue;
      seen.add(target.pathname);
      runtimeImports(target, seen);
    }
    return seen;
  }

  it("lives in lib/messages and imports nothing outside it, so the ResultMessage union needs no retention code", () => {
    const reached = [
      ...runtimeImports(new URL("../../../lib/messages/retention-result.ts", import.meta.url)),
    ];
    expect(reached.some((path) => path.endsWith("/lib/messages/fields.ts"))).toBe(true);
    expect(reached.filter((path) => !/\/lib\/(messages|smh)\//.test(path))).toEqual([]);
  });
});
