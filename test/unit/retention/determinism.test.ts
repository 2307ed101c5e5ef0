import { describe, expect, it } from "vitest";
import {
  planHash,
  retentionJobId,
  retentionPlanId,
  ruleFingerprint,
} from "../../../lib/retention/ids.ts";
import { planFromListing } from "../../../lib/retention/plan.ts";
import {
  DAY,
  daysAgo,
  dir,
  onePage,
  pages,
  policy,
  rule,
  runOf,
  SCHEDULED_AT,
} from "./factories.ts";

const listing = [
  dir("2019-a", daysAgo(700)),
  dir("2019-b", daysAgo(600)),
  dir("2020-c", daysAgo(400)),
  dir("2025-d", daysAgo(10)),
  dir("2025-e", daysAgo(5)),
  dir("2025-f", daysAgo(1)),
];
const key = {
  ruleId: "events-yearly",
  libraryId: "smh1",
  spaceId: "-",
  path: "events/2019-a",
  permanent: false,
  runDate: "2026-01-05",
};

describe("a re-run of the same scheduled run", () => {
  it("yields identical job IDs, plan ID and plan hash", async () => {
    const first = await planFromListing(runOf(rule()), onePage(listing));
    const again = await planFromListing(
      runOf(rule(), { runId: "run-2", startedAt: new Date() }),
      onePage(listing),
    );
    expect(first.jobs.length).toBe(3);
    expect(again.jobs).toEqual(first.jobs);
    expect(again.planId).toBe(first.planId);
    expect(again.planHash).toBe(first.planHash);
  });

  it("is not changed by how the listing was paged, nor the order it came in", async () => {
    const whole = await planFromListing(runOf(rule()), onePage(listing));
    const paged = await planFromListing(runOf(rule()), pages([...listing].reverse(), 2));
    expect(paged.jobs).toEqual(whole.jobs);
    expect(paged.planHash).toBe(whole.planHash);
    expect(paged.counts).toEqual(whole.counts);
  });

  it("triggered later the same UTC day keeps the job IDs of the directories it selects again", async () => {
    const morning = await planFromListing(runOf(rule()), onePage(listing));
    const evening = await planFromListing(
      runOf(rule(), { scheduledAt: new Date(SCHEDULED_AT.getTime() + 20 * 3_600_000) }),
      onePage(listing),
    );
    expect(evening.runDate).toBe(morning.runDate);
    expect(evening.jobs.map((job) => job.jobId)).toEqual(morning.jobs.map((job) => job.jobId));
  });
});

describe("the next day's run", () => {
  it("yields new job IDs and a new plan ID for the same directories", async () => {
    const today = await planFromListing(runOf(rule()), onePage(listing));
    const tomorrow = await planFromListing(
      runOf(rule(), { scheduledAt: new Date(SCHEDULED_AT.getTime() + DAY) }),
      onePage(listing),
    );
    expect(tomorrow.jobs.map((job) => job.path)).toEqual(today.jobs.map((job) => job.path));
    for (const [index, job] of tomorrow.jobs.entries()) {
      expect(job.jobId).not.toBe(today.jobs[index]?.jobId);
    }
    expect(tomorrow.planId).not.toBe(today.planId);
  });
});

describe("a retention job ID", () => {
  it("is ret- and 32 hex characters", () => {
    expect(retentionJobId(key)).toMatch(/^ret-[0-9a-f]{32}$/);
  });

  it.each([
    ["rule", { ruleId: "other" }],
    ["library", { libraryId: "smh2" }],
    ["space", { spaceId: "space1" }],
    ["path", { path: "events/2019-b" }],
    ["permanent flag", { permanent: true }],
    ["run date", { runDate: "2026-01-06" }],
  ])("changes with the %s", (_label, change) => {
    expect(retentionJobId({ ...key, ...change })).not.toBe(retentionJobId(key));
  });

  it("cannot be forged by moving text between parts", () => {
    expect(retentionJobId({ ...key, ruleId: "a", libraryId: "bsmh1" })).not.toBe(
      retentionJobId({ ...key, ruleId: "ab", libraryId: "smh1" }),
    );
  });
});

describe("a plan hash", () => {
  const jobs = [
    { path: "events/a", jobId: "ret-1" },
    { path: "events/b", jobId: "ret-2" },
  ];

  it("does not depend on the order of the jobs", () => {
    expect(planHash("plan-1", [...jobs].reverse())).toBe(planHash("plan-1", jobs));
  });

  it("changes when a job is added, removed or replaced, or the plan is another", () => {
    const base = planHash("plan-1", jobs);
    expect(planHash("plan-1", jobs.slice(1))).not.toBe(base);
    expect(planHash("plan-1", [...jobs, { path: "events/c", jobId: "ret-3" }])).not.toBe(base);
    const replaced = [
      { path: "events/a", jobId: "ret-1" },
      { path: "events/x", jobId: "ret-2" },
    ];
    expect(planHash("plan-1", replaced)).not.toBe(base);
    expect(planHash("plan-2", jobs)).not.toBe(base);
  });

  it("of a plan changes when the selection does", async () => {
    const before = await planFromListing(runOf(rule()), onePage(listing));
    const after = await planFromListing(
      runOf(rule()),
      onePage([...listing, dir("2018-z", daysAgo(900))]),
    );
    expect(after.planHash).not.toBe(before.planHash);
  });
});

describe("a plan ID", () => {
  it("names one rule, library, space and run date", () => {
    const base = { ruleId: "r", libraryId: "smh1", spaceId: "-", runDate: "2026-01-05" };
    expect(retentionPlanId(base)).toMatch(/^plan-[0-9a-f]{32}$/);
    expect(retentionPlanId({ ...base, spaceId: "s1" })).not.toBe(retentionPlanId(base));
    expect(retentionPlanId({ ...base, runDate: "2026-01-06" })).not.toBe(retentionPlanId(base));
  });
});

describe("a rule fingerprint", () => {
  it("is the same for the same rule read twice", () => {
    expect(ruleFingerprint(rule())).toBe(ruleFingerprint(rule()));
  });

  it.each([
    ["maxAge", { age: { maxAge: "366d" } }],
    ["age field", { age: { field: "modificationTime", maxAge: "365d" } }],
    ["include", { match: { include: ["2019-*"] } }],
    ["include, glob versus regex", { match: { include: [{ regex: "2019-*" }] } }],
    ["exclude", { match: { exclude: ["x"] } }],
    ["parent", { parent: "events/2019" }],
    ["permanent", { permanent: true }],
    ["caps", { caps: { maxDeletesPerRun: 99 } }],
    ["dryRun", { dryRun: true }],
    ["spaces", { spaces: "*" }],
  ])("changes with the %s", (_label, change) => {
    expect(ruleFingerprint(rule(change))).not.toBe(ruleFingerprint(rule()));
  });

  it("ignores the description", () => {
    expect(ruleFingerprint(rule({ description: "why" }))).toBe(ruleFingerprint(rule()));
  });

  it("is independent of the policy the plan is checked against", async () => {
    const loose = await planFromListing(runOf(rule()), onePage(listing));
    const strict = await planFromListing(
      runOf(rule(), { policy: policy({ protectedPaths: ["events/2019-a"] }) }),
      onePage(listing),
    );
    expect(strict.ruleFingerprint).toBe(loose.ruleFingerprint);
  });
});
