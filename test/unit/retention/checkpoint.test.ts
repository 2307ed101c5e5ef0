import { describe, expect, it } from "vitest";
import type { DeletionPolicy } from "../../../lib/policy/config.ts";
import {
  encodeContinuation,
  parseContinuationBody,
  type RetentionContinuation,
} from "../../../lib/retention/checkpoint.ts";
import {
  ContinuationMismatchError,
  ContinuationTooLargeError,
  ScanStalledError,
} from "../../../lib/retention/errors.ts";
import type { ListingEntry } from "../../../lib/retention/match.ts";
import {
  type ListingPage,
  PlanBuilder,
  type PlanRun,
  planFromListing,
  type RetentionPlan,
} from "../../../lib/retention/plan.ts";
import type { RetentionRule } from "../../../lib/retention/rules.ts";
import { daysAgo, dir, pages, policy, rule, runOf } from "./factories.ts";

const old = daysAgo(400);
const young = daysAgo(3);

/**
 * Runs a scan the way the handler does when every invocation has time for `pagesPerInvocation`
 * pages: each continuation goes through JSON, as it would through the queue.
 */
function scanInInvocations(
  run: PlanRun,
  listing: readonly ListingPage[],
  pagesPerInvocation: number,
  next: { rule?: RetentionRule; policy?: DeletionPolicy } = {},
): { plan: RetentionPlan; continuations: RetentionContinuation[] } {
  const continuations: RetentionContinuation[] = [];
  let builder = new PlanBuilder(run);
  let page = 0;
  for (;;) {
    for (let read = 0; read < pagesPerInvocation && !builder.complete; read++) {
      const current = listing[page++];
      if (current === undefined) throw new Error("the listing ended before its last page");
      builder.add(current);
    }
    if (builder.complete) return { plan: builder.finish(), continuations };
    const parsed = parseContinuationBody(encodeContinuation(builder.checkpoint()));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.reasons));
    continuations.push(parsed.continuation);
    builder = PlanBuilder.resume(parsed.continuation, {
      rule: next.rule ?? run.rule,
      policy: next.policy ?? run.policy,
    });
  }
}

const entries: ListingEntry[] = Array.from({ length: 40 }, (_, index) =>
  dir(`d${String(index).padStart(2, "0")}`, index % 4 === 0 ? old : young),
);

describe("a scan continued across invocations", () => {
  it("reaches the very plan a single invocation would", async () => {
    const run = runOf(rule());
    const single = await planFromListing(run, pages(entries, 5));
    const { plan, continuations } = scanInInvocations(run, pages(entries, 5), 2);
    expect(continuations).toHaveLength(3);
    expect(plan.jobs).toEqual(single.jobs);
    expect(plan.planHash).toBe(single.planHash);
    expect(plan.counts).toEqual(single.counts);
    expect(plan.decision).toBe("enqueue");
    expect(plan).toMatchObject({ pageCount: 8, invocations: 4 });
  });

  it("carries the marker to read from, and the exact counts so far", () => {
    const builder = new PlanBuilder(runOf(rule()));
    builder.add({ entries: [dir("a", old), dir("b", young)], nextMarker: "eyJtIjoxfQ==" });
    expect(builder.checkpoint()).toMatchObject({
      v: 1,
      type: "retention-continuation",
      ruleId: "events-yearly",
      libraryId: "smh1",
      spaceId: "-",
      runId: "run-1",
      runDate: "2026-01-05",
      scheduledAt: "2026-01-05T02:00:00.000Z",
      marker: "eyJtIjoxfQ==",
      pageCount: 1,
      invocations: 1,
      counts: { listed: 2, children: 2, matched: 2, eligible: 1, selected: 1 },
      selected: ["a"],
      selectionDropped: false,
    });
  });

  it("enqueues nothing when the cap is only broken on the last page", () => {
    const capped = rule({ caps: { maxDeletesPerRun: 10, maxFractionPerRun: 1 } });
    // 10 old directories in the first 8 pages (exactly the cap), an 11th alone on the 9th page.
    const listing = pages([...entries, dir("z-last", old)], 5);
    const { plan, continuations } = scanInInvocations(runOf(capped), listing, 1);
    expect(continuations).toHaveLength(8);
    expect(continuations.at(-1)).toMatchObject({
      counts: { selected: 10 },
      selectionDropped: false,
    });
    expect(plan.decision).toBe("cap-breach");
    expect(plan.jobs).toEqual([]);
    expect(plan.counts).toMatchObject({ selected: 11, capped: 11 });
  });

  it("stops carrying names once the count cap is certain to be broken, and still refuses", () => {
    const capped = rule({ caps: { maxDeletesPerRun: 2, maxFractionPerRun: 1 } });
    const { plan, continuations } = scanInInvocations(runOf(capped), pages(entries, 5), 1);
    expect(continuations.at(-1)).toMatchObject({ selected: [], selectionDropped: true });
    expect(plan).toMatchObject({ decision: "cap-breach", jobs: [], counts: { selected: 10 } });
  });

  it("keeps a forced dry run a dry run", () => {
    const { plan } = scanInInvocations(runOf(rule(), { dryRun: true }), pages(entries, 5), 3);
    expect(plan.decision).toBe("dry-run");
    expect(plan.jobs).toEqual([]);
  });

  it("re-checks the carried names against the policy as it is when the plan finishes", () => {
    const tightened = policy({ protectedPaths: ["events/d00"] });
    const { plan } = scanInInvocations(runOf(rule()), pages(entries, 5), 1, { policy: tightened });
    expect(plan.jobs.map((job) => job.path)).not.toContain("events/d00");
    expect(plan.counts.skipped["policy-refused"]).toBe(1);
    expect(plan.refusals.map((refusal) => refusal.path)).toEqual(["events/d00"]);
  });

  it("counts a selected entry repeated across invocations once", () => {
    const listing: ListingPage[] = [
      { entries: [dir("a", old), dir("b", young), dir("c", young)], nextMarker: "m1" },
      { entries: [dir("a", old)], nextMarker: "" },
    ];
    const { plan } = scanInInvocations(runOf(rule()), listing, 1);
    expect(plan.counts).toMatchObject({ children: 3, selected: 1 });
    expect(plan.counts.skipped.duplicate).toBe(1);
  });
});

describe("resuming a continuation", () => {
  function continuationOf(run: PlanRun): RetentionContinuation {
    const builder = new PlanBuilder(run);
    builder.add({ entries: [dir("a", old)], nextMarker: "m1" });
    return builder.checkpoint();
  }

  it("under a changed rule is refused: counts of two rules are never mixed", () => {
    const continuation = continuationOf(runOf(rule()));
    expect(() =>
      PlanBuilder.resume(continuation, {
        rule: rule({ age: { maxAge: "30d" } }),
        policy: policy(),
      }),
    ).toThrow(ContinuationMismatchError);
  });

  it("under another rule or library is refused", () => {
    const continuation = continuationOf(runOf(rule()));
    expect(() =>
      PlanBuilder.resume(continuation, { rule: rule({ id: "other" }), policy: policy() }),
    ).toThrow(ContinuationMismatchError);
    expect(() =>
      PlanBuilder.resume(
        { ...continuation, libraryId: "smh2" },
        { rule: rule(), policy: policy() },
      ),
    ).toThrow(ContinuationMismatchError);
  });

  it("for a space the rule no longer covers is refused", () => {
    const continuation = continuationOf(runOf(rule({ spaces: "*" }), { spaceId: "space9" }));
    expect(() =>
      PlanBuilder.resume(continuation, { rule: rule({ spaces: "*" }), policy: policy() }),
    ).not.toThrow();
    expect(() => PlanBuilder.resume(continuation, { rule: rule(), policy: policy() })).toThrow();
  });

  it("whose run date is not its scheduled date is refused", () => {
    const continuation = continuationOf(runOf(rule()));
    expect(() =>
      PlanBuilder.resume(
        { ...continuation, runDate: "2026-01-04" },
        { rule: rule(), policy: policy() },
      ),
    ).toThrow(ContinuationMismatchError);
  });
});

describe("checkpointing", () => {
  it("without a page since the scan resumed is refused: it would loop for ever", () => {
    const builder = new PlanBuilder(runOf(rule()));
    expect(() => builder.checkpoint()).toThrow(ScanStalledError);
    builder.add({ entries: [], nextMarker: "m1" });
    const resumed = PlanBuilder.resume(builder.checkpoint(), { rule: rule(), policy: policy() });
    expect(() => resumed.checkpoint()).toThrow(ScanStalledError);
  });

  it("a resumed scan that SMH answers with the marker it resumed from is refused", () => {
    const builder = new PlanBuilder(runOf(rule()));
    builder.add({ entries: [], nextMarker: "m1" });
    const resumed = PlanBuilder.resume(builder.checkpoint(), { rule: rule(), policy: policy() });
    expect(() => resumed.add({ entries: [], nextMarker: "m1" })).toThrow(ScanStalledError);
  });

  it("a complete listing is refused: finish it instead", () => {
    const builder = new PlanBuilder(runOf(rule()));
    builder.add({ entries: [], nextMarker: "" });
    expect(() => builder.checkpoint()).toThrow(RangeError);
  });

  it("is refused before sending when the selected names would not fit in a queue message", () => {
    const capped = rule({ caps: { maxDeletesPerRun: 1000, maxFractionPerRun: 1 } });
    const longNames = Array.from({ length: 300 }, (_, index) =>
      dir(`${index}-${"😀".repeat(250)}`, old),
    );
    const builder = new PlanBuilder(runOf(capped));
    builder.add({ entries: longNames, nextMarker: "m1" });
    expect(() => builder.checkpoint()).toThrow(ContinuationTooLargeError);
    expect(() => builder.checkpoint()).toThrow("lower caps.maxDeletesPerRun");
  });
});

describe("a continuation message", () => {
  function body(): Record<string, unknown> {
    const builder = new PlanBuilder(runOf(rule()));
    builder.add({ entries: [dir("a", old), dir("b", young)], nextMarker: "m1" });
    return JSON.parse(encodeContinuation(builder.checkpoint()));
  }

  it("round-trips through JSON", () => {
    const parsed = parseContinuationBody(JSON.stringify(body()));
    expect(parsed.ok).toBe(true);
  });

  it.each([
    [
      "counts that do not add up",
      (b: Record<string, unknown>) => ({ ...b, counts: { ...(b.counts as object), selected: 5 } }),
      "counts",
    ],
    [
      "a selection that does not match the count",
      (b: Record<string, unknown>) => ({ ...b, selected: ["a", "x"] }),
      "selected",
    ],
    ["an unknown field", (b: Record<string, unknown>) => ({ ...b, extra: true }), "extra"],
    ["an empty marker", (b: Record<string, unknown>) => ({ ...b, marker: "" }), "marker"],
    [
      "a run date that is not the schedule's",
      (b: Record<string, unknown>) => ({ ...b, runDate: "2026-01-04" }),
      "runDate",
    ],
  ])("with %s is refused, naming the field", (_label, tamper, path) => {
    const parsed = parseContinuationBody(JSON.stringify(tamper(body())));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reasons.map((reason) => reason.path)).toContain(path);
  });

  it("that is not JSON is refused without throwing", () => {
    expect(parseContinuationBody("{").ok).toBe(false);
  });
});
