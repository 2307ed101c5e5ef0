import { describe, expect, it } from "vitest";
import { IncompleteScanError, ScanStalledError } from "../../../lib/retention/errors.ts";
import { PlanBuilder, planFromListing, type RetentionPlan } from "../../../lib/retention/plan.ts";
import { DAY, daysAgo, dir, onePage, pages, policy, rule, runOf } from "./factories.ts";

const old = daysAgo(400);
const young = daysAgo(30);

function totalSkipped(plan: RetentionPlan): number {
  return Object.values(plan.counts.skipped).reduce((sum, count) => sum + count, 0);
}

describe("a retention plan", () => {
  it("selects the direct child directories older than maxAge, as retention jobs", async () => {
    const plan = await planFromListing(
      runOf(rule()),
      onePage([dir("2024-old", old), dir("2025-new", young)]),
    );
    expect(plan.decision).toBe("enqueue");
    expect(plan.jobs).toEqual([
      {
        v: 1,
        jobId: expect.stringMatching(/^ret-[0-9a-f]{32}$/),
        libraryId: "smh1",
        spaceId: "-",
        path: "events/2024-old",
        permanent: false,
        source: "retention",
        reason:
          'retention rule "events-yearly": creationTime more than 365d before 2026-01-05T02:00:00.000Z',
        ruleId: "events-yearly",
        planId: plan.planId,
      },
    ]);
    expect(plan.counts).toMatchObject({
      listed: 2,
      children: 2,
      matched: 2,
      eligible: 1,
      selected: 1,
      enqueued: 1,
      capped: 0,
    });
    expect(plan.counts.skipped["too-young"]).toBe(1);
  });

  it("counts every listed entry exactly once, under the first check it fails", async () => {
    const strictPolicy = policy({ protectedPaths: ["events/2019-protected"] });
    const entries = [
      dir("2019-a", old),
      dir("photo.jpg", old, { type: "file" }),
      dir("grandchild", old, { path: ["events", "x", "grandchild"] }),
      dir("2019-a", old), // listed twice
      dir("bad/name", old),
      dir("keep-2019", old),
      dir("2025-young", young),
      dir("2099-future", "2099-01-01T00:00:00Z"),
      dir("no-time", undefined),
      dir("2019-protected", old),
    ];
    const plan = await planFromListing(
      runOf(rule({ match: { exclude: ["keep-*"] } }), { policy: strictPolicy }),
      onePage(entries),
    );
    expect(plan.counts).toEqual({
      listed: 10,
      children: 7,
      matched: 5,
      eligible: 2,
      selected: 1,
      enqueued: 1,
      capped: 0,
      skipped: {
        "not-a-directory": 1,
        "not-direct-child": 1,
        duplicate: 1,
        "unsafe-name": 1,
        excluded: 1,
        "too-young": 1,
        "future-time": 1,
        "missing-time": 1,
        "policy-refused": 1,
      },
    });
    expect(totalSkipped(plan) + plan.counts.selected).toBe(plan.counts.listed);
    expect(plan.jobs.map((job) => job.path)).toEqual(["events/2019-a"]);
  });

  it("unselects a directory listed again as young: it was recreated while the scan ran", async () => {
    const plan = await planFromListing(
      runOf(rule()),
      pages([dir("a", old), dir("b", young), dir("c", young), dir("a", young)], 2),
    );
    expect(plan.jobs).toEqual([]);
    expect(plan.counts).toMatchObject({ children: 3, eligible: 0, selected: 0 });
    expect(plan.counts.skipped).toMatchObject({ duplicate: 1, "too-young": 3 });
  });

  it("never turns a directory the policy refuses into a job, and names why", async () => {
    const plan = await planFromListing(
      runOf(rule({ permanent: true }), { policy: policy({ permanentPrefixes: [] }) }),
      onePage([dir("2019-a", old)]),
    );
    expect(plan.jobs).toEqual([]);
    expect(plan.counts.skipped["policy-refused"]).toBe(1);
    expect(plan.refusals).toEqual([
      {
        path: "events/2019-a",
        violations: [
          {
            rule: "permanent-not-allowed",
            message: expect.stringContaining("no permanent deletion"),
          },
        ],
      },
    ]);
  });

  it("names at most 10 refusals, the first by path whatever the listing order", async () => {
    const names = Array.from({ length: 15 }, (_, index) => `n${String(index).padStart(2, "0")}`);
    const refusing = policy({ protectedGlobs: ["events/*"] });
    const forward = await planFromListing(
      runOf(rule(), { policy: refusing }),
      onePage(names.map((n) => dir(n, old))),
    );
    const backward = await planFromListing(
      runOf(rule(), { policy: refusing }),
      onePage([...names].reverse().map((n) => dir(n, old))),
    );
    expect(forward.refusals.map((r) => r.path)).toEqual(
      names.slice(0, 10).map((n) => `events/${n}`),
    );
    expect(backward.refusals).toEqual(forward.refusals);
    expect(forward.counts.skipped["policy-refused"]).toBe(15);
  });

  it("deletes permanently only when the rule says so and the policy allows it", async () => {
    const plan = await planFromListing(
      runOf(rule({ permanent: true }), { policy: policy({ permanentPrefixes: ["events"] }) }),
      onePage([dir("2019-a", old), dir("2025-b", young)]),
    );
    expect(plan.jobs.map((job) => job.permanent)).toEqual([true]);
  });

  it("measures age by modificationTime when the rule says so", async () => {
    const entry = { ...dir("2019-a", old), modificationTime: young };
    const sibling = dir("2025-b", young);
    const byCreation = await planFromListing(runOf(rule()), onePage([entry, sibling]));
    const byModification = await planFromListing(
      runOf(rule({ age: { field: "modificationTime", maxAge: "365d" } })),
      onePage([entry, sibling]),
    );
    expect(byCreation.jobs).toHaveLength(1);
    expect(byModification.jobs).toHaveLength(0);
  });

  it("on the space root selects top-level albums the policy names", async () => {
    const rootRule = rule({ parent: "/", caps: { maxDeletesPerRun: 5, maxFractionPerRun: 0.5 } });
    const rootPolicy = policy({ allowedPrefixes: [], allowedPaths: ["album-2019"] });
    const plan = await planFromListing(
      runOf(rootRule, { policy: rootPolicy }),
      onePage([
        dir("album-2019", old, { parent: [] }),
        dir("album-2018", old, { parent: [] }),
        dir("new", young, { parent: [] }),
      ]),
    );
    expect(plan.parent).toBe("/");
    expect(plan.jobs.map((job) => job.path)).toEqual(["album-2019"]);
    expect(plan.counts.skipped["policy-refused"]).toBe(1);
  });

  it("of an empty directory enqueues nothing and breaks no cap", async () => {
    const plan = await planFromListing(runOf(rule()), onePage([]));
    expect(plan).toMatchObject({
      decision: "enqueue",
      jobs: [],
      counts: { listed: 0, children: 0 },
    });
  });
});

describe("a dry run", () => {
  it("plans the jobs but enqueues none", async () => {
    const plan = await planFromListing(
      runOf(rule({ dryRun: true })),
      onePage([dir("2019-a", old)]),
    );
    expect(plan.decision).toBe("dry-run");
    expect(plan.jobs).toEqual([]);
    expect(plan.selected.map((job) => job.path)).toEqual(["events/2019-a"]);
    expect(plan.counts).toMatchObject({ selected: 1, enqueued: 0, capped: 0 });
    expect(plan.planHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("can be forced on a rule that is not one, but not turned off on one that is", async () => {
    const forced = await planFromListing(
      runOf(rule(), { dryRun: true }),
      onePage([dir("2019-a", old)]),
    );
    const notUnforced = await planFromListing(
      runOf(rule({ dryRun: true }), { dryRun: false }),
      onePage([dir("2019-a", old)]),
    );
    expect(forced.decision).toBe("dry-run");
    expect(notUnforced.decision).toBe("dry-run");
    expect(notUnforced.jobs).toEqual([]);
  });

  it("still reports the caps it would break", async () => {
    const plan = await planFromListing(
      runOf(rule({ dryRun: true, caps: { maxDeletesPerRun: 1 } })),
      onePage([dir("a", old), dir("b", old), dir("c", young), dir("d", young), dir("e", young)]),
    );
    expect(plan.decision).toBe("dry-run");
    expect(plan.caps.breaches.map((breach) => breach.cap)).toEqual(["maxDeletesPerRun"]);
  });
});

describe("a run that breaks a cap", () => {
  const tenChildren = (oldCount: number) =>
    Array.from({ length: 10 }, (_, index) => dir(`d${index}`, index < oldCount ? old : young));

  it("with exactly maxDeletesPerRun selected goes ahead", async () => {
    const plan = await planFromListing(
      runOf(rule({ caps: { maxDeletesPerRun: 3, maxFractionPerRun: 1 } })),
      onePage(tenChildren(3)),
    );
    expect(plan.decision).toBe("enqueue");
    expect(plan.jobs).toHaveLength(3);
  });

  it("with one more than maxDeletesPerRun enqueues nothing and says by how much", async () => {
    const plan = await planFromListing(
      runOf(rule({ caps: { maxDeletesPerRun: 3, maxFractionPerRun: 1 } })),
      onePage(tenChildren(4)),
    );
    expect(plan.decision).toBe("cap-breach");
    expect(plan.jobs).toEqual([]);
    expect(plan.counts).toMatchObject({ selected: 4, enqueued: 0, capped: 4 });
    expect(plan.caps.breaches).toEqual([
      expect.objectContaining({ cap: "maxDeletesPerRun", limit: 3, allowed: 3, selected: 4 }),
    ]);
  });

  it("with exactly maxFractionPerRun of the children selected goes ahead, one more does not", async () => {
    const capped = rule({ caps: { maxDeletesPerRun: 100, maxFractionPerRun: 0.3 } });
    expect((await planFromListing(runOf(capped), onePage(tenChildren(3)))).decision).toBe(
      "enqueue",
    );
    const over = await planFromListing(runOf(capped), onePage(tenChildren(4)));
    expect(over.decision).toBe("cap-breach");
    expect(over.jobs).toEqual([]);
    expect(over.selected).toHaveLength(4); // kept for the record: under maxDeletesPerRun
    expect(over.caps.breaches).toEqual([
      expect.objectContaining({ cap: "maxFractionPerRun", allowed: 3, selected: 4, children: 10 }),
    ]);
  });

  it("counts the parent's other children, excluded or young, in the fraction's base", async () => {
    const plan = await planFromListing(
      runOf(rule({ match: { include: ["d0", "d1"] }, caps: { maxFractionPerRun: 0.2 } })),
      onePage(tenChildren(10)),
    );
    expect(plan.caps).toMatchObject({
      selected: 2,
      children: 10,
      allowedByFraction: 2,
      breaches: [],
    });
  });

  it("does not count directories the policy refuses as deletions", async () => {
    const plan = await planFromListing(
      runOf(rule({ caps: { maxDeletesPerRun: 1, maxFractionPerRun: 1 } }), {
        policy: policy({ protectedPaths: ["events/d1"] }),
      }),
      onePage(tenChildren(2)),
    );
    expect(plan.decision).toBe("enqueue");
    expect(plan.jobs.map((job) => job.path)).toEqual(["events/d0"]);
  });

  it("keeps at most maxDeletesPerRun names: exactly the cap is kept, one more drops them", async () => {
    const capped = rule({ caps: { maxDeletesPerRun: 3, maxFractionPerRun: 1 } });
    const atCap = await planFromListing(runOf(capped), onePage(tenChildren(3)));
    const overCap = await planFromListing(runOf(capped), onePage(tenChildren(4)));
    expect(atCap).toMatchObject({ selectionDropped: false, decision: "enqueue" });
    expect(overCap).toMatchObject({ selectionDropped: true, selected: [], decision: "cap-breach" });
  });

  it("drops the names once more are selected than maxDeletesPerRun, keeping exact counts", async () => {
    const plan = await planFromListing(
      runOf(rule({ caps: { maxDeletesPerRun: 2, maxFractionPerRun: 1 } })),
      onePage(tenChildren(9)),
    );
    expect(plan).toMatchObject({
      decision: "cap-breach",
      selectionDropped: true,
      selected: [],
      jobs: [],
      planHash: undefined,
    });
    expect(plan.counts).toMatchObject({ selected: 9, capped: 9 });
  });
});

describe("a plan builder", () => {
  it("will not finish while the last page had a next marker", () => {
    const builder = new PlanBuilder(runOf(rule()));
    builder.add({ entries: [dir("a", old)], nextMarker: "m1" });
    expect(builder.complete).toBe(false);
    expect(() => builder.finish()).toThrow(IncompleteScanError);
  });

  it("will not finish before any page was added", () => {
    expect(() => new PlanBuilder(runOf(rule())).finish()).toThrow(IncompleteScanError);
  });

  it("reads the listing across pages until a page has no next marker", () => {
    const builder = new PlanBuilder(runOf(rule()));
    for (const page of pages([dir("a", old), dir("b", old), dir("c", young)], 1)) builder.add(page);
    expect(builder.complete).toBe(true);
    expect(builder.finish()).toMatchObject({ pageCount: 3, counts: { selected: 2 } });
  });

  it.each([
    ["empty string", ""],
    ["null", null],
    ["undefined", undefined],
  ])("takes a next marker that is an %s as the end of the listing", (_label, nextMarker) => {
    const builder = new PlanBuilder(runOf(rule()));
    builder.add({ entries: [], nextMarker });
    expect(builder.complete).toBe(true);
  });

  it("takes a numeric marker as a marker", () => {
    const builder = new PlanBuilder(runOf(rule()));
    builder.add({ entries: [], nextMarker: 1013 });
    expect(builder.marker).toBe("1013");
  });

  it("refuses a page answered with the marker it was fetched with: the scan would loop", () => {
    const builder = new PlanBuilder(runOf(rule()));
    builder.add({ entries: [], nextMarker: "m1" });
    expect(() => builder.add({ entries: [], nextMarker: "m1" })).toThrow(ScanStalledError);
  });

  it("refuses pages after the last one", () => {
    const builder = new PlanBuilder(runOf(rule()));
    builder.add({ entries: [], nextMarker: "" });
    expect(() => builder.add({ entries: [dir("a", old)], nextMarker: "" })).toThrow(RangeError);
  });

  it("refuses a disabled rule, and a space the rule does not cover", () => {
    expect(() => new PlanBuilder(runOf(rule({ enabled: false })))).toThrow("disabled");
    expect(() => new PlanBuilder(runOf(rule(), { spaceId: "space2" }))).toThrow("does not apply");
    expect(() => new PlanBuilder(runOf(rule({ spaces: "*" }), { spaceId: "bad space" }))).toThrow(
      "does not apply",
    );
    expect(new PlanBuilder(runOf(rule({ spaces: "*" }), { spaceId: "space2" })).complete).toBe(
      false,
    );
  });

  it("refuses an invalid scheduled time or run ID", () => {
    expect(() => new PlanBuilder(runOf(rule(), { scheduledAt: new Date(Number.NaN) }))).toThrow(
      RangeError,
    );
    expect(() => new PlanBuilder(runOf(rule(), { runId: "has space" }))).toThrow(RangeError);
  });

  it("measures every age at the scheduled time, not at the clock of the invocation", async () => {
    // A run scheduled in 2000: at that moment the entry is 1 ms short of 365 days old; by any
    // clock reading the test could see, it is decades old.
    const scheduledAt = new Date("2000-01-01T00:00:00.000Z");
    const entry = dir("a", new Date(scheduledAt.getTime() - 365 * DAY + 1).toISOString());
    const plan = await planFromListing(runOf(rule(), { scheduledAt }), onePage([entry]));
    expect(plan.counts.skipped["too-young"]).toBe(1);
    expect(plan.jobs).toEqual([]);
  });
});
