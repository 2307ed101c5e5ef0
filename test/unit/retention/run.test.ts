import { describe, expect, it } from "vitest";
import type { RetentionAlert } from "../../../lib/messages/retention-result.ts";
import type { RetentionContinuation } from "../../../lib/retention/checkpoint.ts";
import type { ListingEntry } from "../../../lib/retention/match.ts";
import { RetentionPublishError } from "../../../lib/retention/outbox.ts";
import { planFromListing } from "../../../lib/retention/plan.ts";
import {
  continueRetention,
  processContinuations,
  type RetentionDeps,
  runRetention,
} from "../../../lib/retention/run.ts";
import { alertLogLine } from "../../../lib/retention/summary.ts";
import type { RetentionTrigger } from "../../../lib/retention/trigger.ts";
import { TriggerError } from "../../../lib/retention/trigger.ts";
import { SmhTimeoutError } from "../../../lib/smh/errors/timeout-error.ts";
import { daysAgo, dir, pages, policy, rule, runOf, SCHEDULED_AT } from "./factories.ts";
import {
  depsOf,
  FakeClock,
  RecordingOutbox,
  recordOf,
  rulesOf,
  StubSource,
} from "./runtime-factories.ts";

const old = daysAgo(400);
const young = daysAgo(30);
const trigger: RetentionTrigger = { scheduledAt: SCHEDULED_AT, runId: "run-1", dryRun: false };
const events = { libraryId: "smh1", spaceId: "-", parent: ["events"] };

/** `count` directories, every `oldEvery`-th one old: d000, d001, … */
function directories(count: number, oldEvery = 4): ListingEntry[] {
  return Array.from({ length: count }, (_, index) =>
    dir(`d${String(index).padStart(3, "0")}`, index % oldEvery === 0 ? old : young),
  );
}

function setup(entries: ListingEntry[] = directories(12), ...rules: Record<string, unknown>[]) {
  const clock = new FakeClock();
  const source = new StubSource().add(events, entries);
  const outbox = new RecordingOutbox();
  const deps = depsOf({
    rules: rulesOf(...(rules.length > 0 ? rules : [{}])),
    source,
    outbox,
    clock,
  });
  return { clock, source, outbox, deps };
}

/** A timeout the SMH client throws when a call outlives its deadline. */
function smhTimeout(): SmhTimeoutError {
  return new SmhTimeoutError({ operation: "listDirectory", libraryId: "smh1", attempts: 1 });
}

describe("a scheduled retention run", () => {
  it("enqueues the selected directories' jobs, then writes the plan summary saying so", async () => {
    const { outbox, deps } = setup();
    const report = await runRetention(trigger, deps);

    const expected = await planFromListing(runOf(rule()), pages(directories(12), 2));
    expect(outbox.jobs).toEqual(expected.jobs);
    expect(outbox.writes.map((write) => write.queue)).toEqual(["jobs", "results"]);
    expect(outbox.summaries).toEqual([
      expect.objectContaining({
        decision: "enqueue",
        planHash: expected.planHash,
        counts: expect.objectContaining({ listed: 12, selected: 3, enqueued: 3, capped: 0 }),
        invocations: 1,
      }),
    ]);
    expect(report.scans.map((scan) => scan.kind)).toEqual(["finished"]);
  });

  it("runs every enabled rule in each of its spaces, and skips disabled rules", async () => {
    const { source, outbox, deps } = setup(
      directories(4),
      { id: "on" },
      { id: "off", enabled: false },
      { id: "two-spaces", spaces: ["-", "s2"] },
    );
    source.add({ ...events, spaceId: "s2" }, directories(2));
    const spaced = { ...deps, policy: policy({ spaces: ["-", "s2"] }) };
    await runRetention(trigger, spaced);
    expect(outbox.summaries.map((s) => `${s.ruleId}@${s.spaceId}`).sort()).toEqual([
      "on@-",
      "two-spaces@-",
      "two-spaces@s2",
    ]);
  });

  it("writes only the plan of a forced dry run, and of a rule that is a dry run", async () => {
    const forced = setup();
    await runRetention({ ...trigger, dryRun: true }, forced.deps);
    expect(forced.outbox.jobs).toEqual([]);
    expect(forced.outbox.summaries).toEqual([
      expect.objectContaining({
        decision: "dry-run",
        counts: expect.objectContaining({ selected: 3, enqueued: 0 }),
      }),
    ]);

    const byRule = setup(directories(12), { dryRun: true });
    await runRetention(trigger, byRule.deps);
    expect(byRule.outbox.jobs).toEqual([]);
    expect(byRule.outbox.summaries[0]?.decision).toBe("dry-run");
  });

  it("on a cap breach enqueues nothing, and writes and logs an alert naming the rule and the figures", async () => {
    const alerts: RetentionAlert[] = [];
    const { outbox, deps } = setup(directories(12), {
      caps: { maxDeletesPerRun: 2, maxFractionPerRun: 0.5 },
    });
    await runRetention(trigger, { ...deps, observer: { alert: (alert) => alerts.push(alert) } });

    expect(outbox.jobs).toEqual([]);
    expect(outbox.summaries).toEqual([
      expect.objectContaining({
        decision: "cap-breach",
        counts: expect.objectContaining({ selected: 3, enqueued: 0, capped: 3 }),
      }),
    ]);
    expect(outbox.alerts).toEqual([
      expect.objectContaining({ alert: "cap-breach", ruleId: "events-yearly" }),
    ]);
    expect(alerts).toEqual(outbox.alerts);
    const line = alertLogLine(alerts[0] as RetentionAlert);
    expect(line).toContain('retention rule "events-yearly"');
    expect(line).toContain("3 directories selected; maxDeletesPerRun allows 2");
  });

  it("runs only the rules a manual trigger names, and refuses a name that is not an enabled rule", async () => {
    const { outbox, deps } = setup(
      directories(4),
      { id: "a" },
      { id: "b" },
      { id: "c", enabled: false },
    );
    await runRetention({ ...trigger, ruleIds: ["b"] }, deps);
    expect(outbox.summaries.map((s) => s.ruleId)).toEqual(["b"]);

    await expect(runRetention({ ...trigger, ruleIds: ["nope", "c"] }, deps)).rejects.toThrow(
      TriggerError,
    );
    await expect(runRetention({ ...trigger, ruleIds: ["c"] }, deps)).rejects.toThrow(/disabled/);
  });

  it("scans a rule on every space in the spaces the policy allows, without listing spaces", async () => {
    const { source, outbox, deps } = setup(directories(2), { spaces: "*" });
    source.add({ ...events, spaceId: "s2" }, directories(2));
    await runRetention(trigger, { ...deps, policy: policy({ spaces: ["s2", "-"] }) });
    expect(source.spaceListings).toBe(0);
    expect(outbox.summaries.map((s) => s.spaceId)).toEqual(["-", "s2"]);
  });

  it("lists the spaces only for a rule on every space where the policy allows every space", async () => {
    const { source, outbox, deps } = setup(directories(2), { spaces: "*" });
    source.spacesOf.set("smh1", ["-"]);
    await runRetention(trigger, { ...deps, policy: policy({ spaces: "*" }) });
    expect(source.spaceListings).toBe(1);
    expect(outbox.summaries.map((s) => s.spaceId)).toEqual(["-"]);
  });

  it("writes a scan-failed alert for a rule whose spaces cannot be listed, and still runs the others", async () => {
    const { source, outbox, deps } = setup(
      directories(2),
      { id: "every", spaces: "*" },
      { id: "one" },
    );
    source.spacesFailure = new Error("SMH said no");
    await runRetention(trigger, { ...deps, policy: policy({ spaces: "*" }) });
    expect(outbox.alerts).toEqual([
      expect.objectContaining({ alert: "scan-failed", ruleId: "every", spaceId: "*" }),
    ]);
    expect(outbox.summaries.map((s) => s.ruleId)).toEqual(["one"]);
  });

  it("writes a scan-failed alert naming the pages read when the listing fails; nothing is enqueued", async () => {
    const { source, outbox, deps } = setup(directories(12));
    source.failPage(events, 3, new Error("SMH kept answering 503"));
    const report = await runRetention(trigger, deps);
    expect(report.scans.map((scan) => scan.kind)).toEqual(["failed"]);
    expect(outbox.jobs).toEqual([]);
    expect(outbox.summaries).toEqual([]);
    expect(outbox.alerts).toEqual([
      expect.objectContaining({
        alert: "scan-failed",
        pageCount: 3,
        error: { name: "Error", message: "SMH kept answering 503" },
      }),
    ]);
  });

  it("fails the invocation when a queue refuses a write, once every scan has ended", async () => {
    const { outbox, deps, source } = setup(directories(4), { id: "a" }, { id: "b" });
    outbox.refuse.add("jobs");
    await expect(runRetention(trigger, deps)).rejects.toThrow(RetentionPublishError);
    expect(source.starts.map((start) => start.key)).toHaveLength(2);
    expect(outbox.summaries).toEqual([]);
  });

  it("keeps at most RETENTION_SCAN_CONCURRENCY scans listing at once", async () => {
    const ids = Array.from({ length: 6 }, (_, index) => ({ id: `r${index}` }));
    const { source, deps } = setup(directories(8), ...ids);
    source.realDelayMs = 5;
    await runRetention(trigger, { ...deps, settings: { ...deps.settings, concurrency: 2 } });
    expect(source.starts).toHaveLength(6);
    expect(source.maxListing).toBe(2);
  });
});

describe("a scan that runs short of time", () => {
  /** A deadline 1 s after the clock: listing stops at 900 ms; each page takes 100 ms. */
  function timed(entries = directories(40, 5), ...rules: Record<string, unknown>[]) {
    const context = setup(entries, ...rules);
    context.source.clock = context.clock;
    context.source.msPerPage = 100;
    return context;
  }

  /** Runs the trigger, then every continuation, each invocation with a 1 s deadline. */
  async function runToTheEnd(deps: RetentionDeps, clock: FakeClock, outbox: RecordingOutbox) {
    await runRetention(trigger, deps, clock.now + 1000);
    for (let sent = 0; outbox.continuations.length > sent; sent++) {
      const continuation = outbox.continuations[sent] as RetentionContinuation;
      const batch = await processContinuations([recordOf(continuation)], deps, clock.now + 1000);
      expect(batch.failedMessageIds).toEqual([]);
    }
  }

  it("sends a continuation carrying the marker and the exact counts, and enqueues nothing yet", async () => {
    const { clock, outbox, deps } = timed();
    const report = await runRetention(trigger, deps, clock.now + 1000);
    expect(report.scans.map((scan) => scan.kind)).toEqual(["continued"]);
    expect(outbox.jobs).toEqual([]);
    expect(outbox.results).toEqual([]);
    expect(outbox.continuations).toEqual([
      expect.objectContaining({
        ruleId: "events-yearly",
        parent: "events",
        marker: "p9",
        pageCount: 9,
        counts: expect.objectContaining({ listed: 18, selected: 4 }),
      }),
    ]);
  });

  it("carried on from continuation to continuation reaches the very plan one invocation would", async () => {
    const { clock, outbox, deps, source } = timed();
    await runToTheEnd(deps, clock, outbox);

    const single = await planFromListing(runOf(rule()), pages(directories(40, 5), 2));
    expect(outbox.continuations.map((c) => c.marker)).toEqual(["p9", "p18"]);
    // Each invocation lists from the marker it was handed, never from the first page again.
    expect(source.starts.map((start) => start.marker)).toEqual([undefined, "p9", "p18"]);
    expect(source.pagesServed).toBe(20);
    expect(outbox.jobs).toEqual(single.jobs);
    expect(outbox.summaries).toEqual([
      expect.objectContaining({
        planHash: single.planHash,
        counts: { ...single.counts },
        pageCount: 20,
        invocations: 3,
      }),
    ]);
  });

  it("on a cap broken only on the last page enqueues nothing, whatever the earlier invocations saw", async () => {
    const entries = [...directories(38, 100), dir("z98", old), dir("z99", old)];
    const { clock, outbox, deps } = timed(entries, {
      caps: { maxDeletesPerRun: 2, maxFractionPerRun: 1 },
    });
    await runToTheEnd(deps, clock, outbox);
    expect(outbox.continuations.length).toBeGreaterThan(0);
    expect(outbox.jobs).toEqual([]);
    expect(outbox.summaries[0]).toMatchObject({ decision: "cap-breach", counts: { selected: 3 } });
    expect(outbox.alerts.map((a) => a.alert)).toEqual(["cap-breach"]);
  });

  it("defers a scan that had no time to read a page; the next invocation starts it from the first page", async () => {
    const { clock, outbox, deps, source } = timed(
      directories(40, 5),
      { id: "first" },
      { id: "second" },
    );
    // One scan at a time: "second" waits until the clock is past the time to stop listing.
    await runToTheEnd({ ...deps, settings: { ...deps.settings, concurrency: 1 } }, clock, outbox);
    const deferred = outbox.continuations.find((c) => c.ruleId === "second");
    expect(deferred).toMatchObject({ pageCount: 0, counts: { listed: 0 } });
    expect(deferred).not.toHaveProperty("marker");
    expect(source.starts.filter((start) => start.marker === undefined)).toHaveLength(2);
    expect(outbox.summaries.map((s) => [s.ruleId, s.counts.listed])).toEqual(
      expect.arrayContaining([
        ["first", 40],
        ["second", 40],
      ]),
    );
  });

  it("checkpoints, not fails, when the page in flight at the deadline times out", async () => {
    const { clock, outbox, deps, source } = timed();
    source.failPage(events, 9, smhTimeout());
    source.msPerPage = 95; // page 9 starts before the 900 ms stop and fails after it
    await runRetention(trigger, deps, clock.now + 1000);
    expect(outbox.alerts).toEqual([]);
    expect(outbox.continuations).toEqual([expect.objectContaining({ marker: "p9", pageCount: 9 })]);
  });

  it("ends a continuation whose first page times out in an alert, instead of sending it again to loop", async () => {
    const { clock, outbox, deps, source } = timed();
    await runRetention(trigger, deps, clock.now + 1000);
    const [continuation] = outbox.continuations as [RetentionContinuation];
    source.failPage(events, 9, smhTimeout());
    source.msPerPage = 950;
    await processContinuations([recordOf(continuation)], deps, clock.now + 1000);
    expect(outbox.continuations).toHaveLength(1);
    expect(outbox.alerts).toEqual([
      expect.objectContaining({
        alert: "scan-failed",
        pageCount: 9,
        error: expect.objectContaining({ name: "SmhTimeoutError" }),
      }),
    ]);
  });
});

describe("a continuation message", () => {
  async function firstContinuation(ruleOverrides: Record<string, unknown> = {}) {
    const context = setup(directories(40, 5), ruleOverrides);
    context.source.clock = context.clock;
    context.source.msPerPage = 100;
    await runRetention(trigger, context.deps, context.clock.now + 1000);
    return { ...context, continuation: context.outbox.continuations[0] as RetentionContinuation };
  }

  it.each([
    [
      "removed",
      (deps: RetentionDeps) => ({ ...deps, rules: rulesOf({ id: "other" }) }),
      "is no longer in the rules",
    ],
    [
      "disabled",
      (deps: RetentionDeps) => ({ ...deps, rules: rulesOf({ enabled: false }) }),
      "was disabled",
    ],
    [
      "changed",
      (deps: RetentionDeps) => ({ ...deps, rules: rulesOf({ age: { maxAge: "30d" } }) }),
      "changed since its scan started",
    ],
  ])(
    "whose rule was %s since the scan started ends in a scan-failed alert naming it",
    async (_label, change, why) => {
      const { continuation, clock, outbox, deps } = await firstContinuation();
      await continueRetention(continuation, change(deps), clock.now + 1000);
      expect(outbox.jobs).toEqual([]);
      expect(outbox.alerts).toEqual([
        expect.objectContaining({
          alert: "scan-failed",
          ruleId: "events-yearly",
          parent: "events",
        }),
      ]);
      expect(outbox.alerts[0]?.message).toContain(why);
    },
  );

  it("that cannot be read is reported and dropped: it never will be", async () => {
    const { deps, outbox } = setup();
    const invalid: string[][] = [];
    const batch = await processContinuations(
      [
        {
          messageId: "bad",
          body: '{"v":1,"type":"retention-continuation"}',
          receiveCount: 1,
          sentAt: undefined,
        },
      ],
      { ...deps, observer: { invalidContinuation: (details) => invalid.push(details.reasons) } },
      Date.now() + 10_000,
    );
    expect(batch.failedMessageIds).toEqual([]);
    expect(invalid).toHaveLength(1);
    expect(outbox.writes).toEqual([]);
  });

  it("whose writes a queue refuses comes back, and on its last receive raises a scan-failed alert first", async () => {
    const { continuation, clock, outbox, deps } = await firstContinuation();
    outbox.refuse.add("continuations");
    const early = await processContinuations([recordOf(continuation, 1)], deps, clock.now + 1000);
    expect(early.failedMessageIds).toHaveLength(1);
    expect(outbox.alerts).toEqual([]);

    const last = await processContinuations([recordOf(continuation, 5)], deps, clock.now + 1000);
    expect(last.failedMessageIds).toHaveLength(1);
    expect(outbox.alerts).toEqual([expect.objectContaining({ alert: "scan-failed" })]);
    expect(outbox.alerts[0]?.message).toContain("dead-letter queue");
  });

  it("is not started when no time is left, and comes back as it is", async () => {
    const { continuation, clock, outbox, deps, source } = await firstContinuation();
    const started = source.starts.length;
    const batch = await processContinuations([recordOf(continuation)], deps, clock.now);
    expect(batch.failedMessageIds).toHaveLength(1);
    expect(source.starts).toHaveLength(started);
    expect(outbox.writes.filter((w) => w.queue !== "continuations")).toEqual([]);
  });
});
