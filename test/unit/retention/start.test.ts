// An invocation of the retention-scan function that is not a continuation batch: a believable
// trigger runs the rules; anything else is refused with an alert, and nothing is listed or enqueued.
import { describe, expect, it } from "vitest";
import { scheduledEvent } from "../../../lib/local/scheduled-event.ts";
import {
  type RetentionAlert,
  RetentionAlertSchema,
} from "../../../lib/messages/retention-result.ts";
import type { ListingEntry } from "../../../lib/retention/match.ts";
import { startRetention } from "../../../lib/retention/start.ts";
import { alertLogLine } from "../../../lib/retention/summary.ts";
import { daysAgo, dir, SCHEDULED_AT } from "./factories.ts";
import { depsOf, FakeClock, RecordingOutbox, rulesOf, StubSource } from "./runtime-factories.ts";

const HOUR = 3_600_000;
const events = { libraryId: "smh1", spaceId: "-", parent: ["events"] };

function setup(now: number) {
  const clock = new FakeClock();
  clock.now = now;
  const entries: ListingEntry[] = [dir("old-1", daysAgo(400)), dir("young-1", daysAgo(30))];
  const source = new StubSource().add(events, entries);
  const outbox = new RecordingOutbox();
  const alerts: RetentionAlert[] = [];
  const deps = depsOf({
    rules: rulesOf({}),
    source,
    outbox,
    clock,
    observer: { alert: (alert) => alerts.push(alert) },
  });
  return { source, outbox, deps, alerts };
}

/** The one alert a refused invocation wrote (and logged), checked against the schema. */
function onlyRefusal(outbox: RecordingOutbox, alerts: RetentionAlert[]) {
  expect(outbox.alerts).toHaveLength(1);
  const [alert] = outbox.alerts;
  expect(alerts).toEqual([alert]);
  expect(RetentionAlertSchema.parse(JSON.parse(JSON.stringify(alert)))).toEqual(alert);
  if (alert?.alert !== "trigger-refused") throw new Error(`not a refusal: ${alert?.alert}`);
  return alert;
}

describe("starting a retention run", () => {
  it("runs the rules for a scheduled event on time, measuring ages at the event's time", async () => {
    const { outbox, deps } = setup(SCHEDULED_AT.getTime() + 30_000);
    const started = await startRetention(
      scheduledEvent("retentionScan", { time: SCHEDULED_AT }),
      deps,
    );
    expect(started.kind).toBe("ran");
    expect(outbox.jobs.map((job) => job.path)).toEqual(["events/old-1"]);
    expect(outbox.summaries[0]).toMatchObject({ scheduledAt: SCHEDULED_AT.toISOString() });
    expect(outbox.summaries[0]).not.toHaveProperty("manual");
  });

  it("refuses a forged scheduled event dated 2099: an alert, nothing listed, nothing enqueued", async () => {
    const { source, outbox, deps, alerts } = setup(SCHEDULED_AT.getTime());
    const forged = {
      source: "aws.events",
      "detail-type": "Scheduled Event",
      id: "forged-1",
      time: "2099-01-01T00:00:00Z",
    };
    const started = await startRetention(forged, deps);
    expect(started.kind).toBe("refused");
    expect(source.starts).toEqual([]);
    expect(outbox.jobs).toEqual([]);
    expect(outbox.summaries).toEqual([]);
    const alert = onlyRefusal(outbox, alerts);
    expect(alert).toMatchObject({
      problem: "schedule-out-of-range",
      claimed: { origin: "schedule", time: "2099-01-01T00:00:00.000Z", runId: "forged-1" },
      bounds: { maxFutureSeconds: 300, maxPastSeconds: 86_400 },
      raisedAt: SCHEDULED_AT.toISOString(),
    });
    expect(alert.message).toMatch(
      /^retention run refused \(schedule-out-of-range\): .*nothing was enqueued\.$/,
    );
    expect(alertLogLine(alert)).toMatch(
      /^RETENTION ALERT trigger-refused problem=schedule-out-of-range run=forged-1: /,
    );
  });

  it("refuses a scheduled event delivered more than a day late", async () => {
    const { outbox, deps, alerts } = setup(SCHEDULED_AT.getTime() + 25 * HOUR);
    const started = await startRetention(
      scheduledEvent("retentionScan", { time: SCHEDULED_AT }),
      deps,
    );
    expect(started.kind).toBe("refused");
    expect(outbox.jobs).toEqual([]);
    expect(onlyRefusal(outbox, alerts).problem).toBe("schedule-out-of-range");
  });

  it("uses the skew bounds of its settings", async () => {
    const { outbox, deps } = setup(SCHEDULED_AT.getTime() + 2 * HOUR);
    const tight = {
      ...deps,
      settings: { ...deps.settings, triggerBounds: { maxFutureMs: 0, maxPastMs: HOUR } },
    };
    const event = scheduledEvent("retentionScan", { time: SCHEDULED_AT });
    expect((await startRetention(event, tight)).kind).toBe("refused");
    expect((await startRetention(event, deps)).kind).toBe("ran");
    expect(outbox.alerts.map((alert) => alert.alert === "trigger-refused" && alert.bounds)).toEqual(
      [{ maxFutureSeconds: 0, maxPastSeconds: 3600 }],
    );
  });

  it("refuses a manual run asking for a later time, even a dry run", async () => {
    const { outbox, deps, alerts } = setup(SCHEDULED_AT.getTime());
    const later = new Date(SCHEDULED_AT.getTime() + 400 * 24 * HOUR).toISOString();
    const started = await startRetention({ scheduledAt: later, dryRun: true }, deps);
    expect(started.kind).toBe("refused");
    expect(outbox.summaries).toEqual([]);
    expect(onlyRefusal(outbox, alerts)).toMatchObject({
      problem: "manual-in-future",
      claimed: { origin: "manual", time: later },
    });
  });

  it("runs a manual request for an earlier time, and its plan summary says the operator chose it", async () => {
    const now = SCHEDULED_AT.getTime() + 48 * HOUR;
    const { outbox, deps } = setup(now);
    const started = await startRetention({ scheduledAt: SCHEDULED_AT.toISOString() }, deps);
    expect(started.kind).toBe("ran");
    expect(outbox.summaries[0]?.manual).toEqual({
      receivedAt: new Date(now).toISOString(),
      earlier: true,
      note: `a manual run: ages measured at ${SCHEDULED_AT.toISOString()}, earlier than the request (${new Date(now).toISOString()}), as the operator chose`,
    });
  });

  it("says of a manual run without a time that ages were measured when it was asked for", async () => {
    const { outbox, deps } = setup(SCHEDULED_AT.getTime());
    await startRetention({ dryRun: true }, deps);
    expect(outbox.summaries[0]?.manual).toMatchObject({ earlier: false });
  });

  it.each([
    ["a misspelt dryRun", { dryrun: true }, "malformed"],
    ["another AWS event", { source: "aws.s3", id: "x" }, "malformed"],
    ["an unknown rule", { rules: ["nope"], runId: "ops-1" }, "unknown-rule"],
  ])("refuses %s with an alert naming the problem", async (_label, event, problem) => {
    const { outbox, deps, alerts } = setup(SCHEDULED_AT.getTime());
    expect((await startRetention(event, deps)).kind).toBe("refused");
    expect(outbox.jobs).toEqual([]);
    expect(onlyRefusal(outbox, alerts).problem).toBe(problem);
  });

  it("refuses a retried invocation of the same event with the same dedupKey", async () => {
    const event = scheduledEvent("retentionScan", {
      time: new Date("2099-01-01T00:00:00Z"),
      id: "e",
    });
    const first = setup(SCHEDULED_AT.getTime());
    const second = setup(SCHEDULED_AT.getTime() + 1000);
    await startRetention(event, first.deps);
    await startRetention(event, second.deps);
    expect(first.outbox.alerts[0]?.dedupKey).toBe(second.outbox.alerts[0]?.dedupKey);
  });

  it("fails the invocation when the refusal's alert cannot be written, so it is retried", async () => {
    const { outbox, deps } = setup(SCHEDULED_AT.getTime());
    outbox.refuse.add("results");
    await expect(startRetention({ scheduledAt: "2099-01-01T00:00:00Z" }, deps)).rejects.toThrow(
      /refused/,
    );
  });
});
