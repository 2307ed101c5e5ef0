import { describe, expect, it } from "vitest";
import { scheduledEvent } from "../../../lib/local/scheduled-event.ts";
import { TriggerProblem } from "../../../lib/messages/retention-result.ts";
import {
  DEFAULT_TRIGGER_BOUNDS,
  manualTrigger,
  parseTrigger,
  TriggerError,
} from "../../../lib/retention/trigger.ts";

const now = new Date("2026-01-05T09:30:00.000Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function refusal(run: () => unknown): TriggerError {
  try {
    run();
  } catch (error) {
    if (error instanceof TriggerError) return error;
    throw error;
  }
  throw new Error("expected a TriggerError");
}

describe("what starts a retention run", () => {
  it("is the scheduled event: its time is the run's scheduled time, its id the run ID", () => {
    const event = scheduledEvent("retentionScan", {
      time: new Date("2026-01-05T02:00:00.000Z"),
      id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    });
    expect(parseTrigger(event, now)).toEqual({
      scheduledAt: new Date("2026-01-05T02:00:00.000Z"),
      runId: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
      dryRun: false,
    });
  });

  it("names the same run when EventBridge delivers the same event twice, an hour apart", () => {
    const event = scheduledEvent("retentionScan", { time: now, id: "same" });
    expect(parseTrigger(structuredClone(event), new Date(now.getTime() + HOUR))).toEqual(
      parseTrigger(event, now),
    );
  });

  it("may be an operator's request: a dry run of some rules at an earlier time, which it says is theirs", () => {
    expect(
      parseTrigger(
        { dryRun: true, rules: ["events-after-2y"], scheduledAt: "2026-01-05T02:00:00+08:00" },
        now,
      ),
    ).toEqual({
      scheduledAt: new Date("2026-01-04T18:00:00.000Z"),
      runId: "manual-2026-01-04T18:00:00.000Z",
      dryRun: true,
      ruleIds: ["events-after-2y"],
      manual: { receivedAt: now },
    });
  });

  it("measures ages at the moment of an operator's request that gives no time", () => {
    expect(parseTrigger({}, now)).toMatchObject({
      scheduledAt: now,
      dryRun: false,
      manual: { receivedAt: now },
    });
  });

  it.each([
    ["a misspelt dryRun, which must never turn a preview into a real run", { dryrun: true }],
    ["a dryRun that is not a boolean", { dryRun: "true" }],
    [
      "another AWS event",
      { source: "aws.s3", "detail-type": "Object Created", id: "x", time: "2026-01-05T00:00:00Z" },
    ],
    ["a time without an offset", { scheduledAt: "2026-01-05T02:00:00" }],
  ])("refuses %s as malformed", (_label, event) => {
    expect(refusal(() => parseTrigger(event, now)).problem).toBe(TriggerProblem.malformed);
  });
});

describe("the retention clock is not the invoker's to choose", () => {
  const at = (offsetMs: number) =>
    scheduledEvent("retentionScan", { time: new Date(now.getTime() + offsetMs), id: "e1" });

  it.each([
    ["on time", 0],
    ["4 minutes early (clocks differ)", 4 * MINUTE],
    ["an hour late (a Lambda retry)", -HOUR],
    ["23 hours late (EventBridge's last retry)", -23 * HOUR],
  ])("believes a scheduled event %s", (_label, offset) => {
    expect(parseTrigger(at(offset), now).scheduledAt.getTime()).toBe(
      Math.floor((now.getTime() + offset) / 1000) * 1000,
    );
  });

  it.each([
    ["6 minutes ahead", 6 * MINUTE, "360 s ahead of now"],
    ["in 2099", Date.parse("2099-01-01T00:00:00Z") - now.getTime(), "ahead of now"],
    ["25 hours behind", -25 * HOUR, "90000 s behind now"],
  ])("refuses a scheduled event %s, naming its time and the bounds", (_label, offset, words) => {
    const error = refusal(() => parseTrigger(at(offset), now));
    expect(error.problem).toBe(TriggerProblem.scheduleOutOfRange);
    expect(error.message).toContain(words);
    expect(error.message).toContain("from 86400 s behind to 300 s ahead");
    expect(error.claimed).toMatchObject({ origin: "schedule", runId: "e1" });
  });

  it("refuses the forged event of the issue: source aws.events, time 2099", () => {
    const forged = {
      source: "aws.events",
      "detail-type": "Scheduled Event",
      id: "forged",
      time: "2099-06-01T00:00:00Z",
    };
    expect(refusal(() => parseTrigger(forged, now))).toMatchObject({
      problem: TriggerProblem.scheduleOutOfRange,
      claimed: { origin: "schedule", time: "2099-06-01T00:00:00.000Z", runId: "forged" },
    });
  });

  it("uses the bounds it is given", () => {
    const bounds = { maxFutureMs: 0, maxPastMs: MINUTE };
    expect(() => parseTrigger(at(1000), now, bounds)).toThrow(TriggerError);
    expect(() => parseTrigger(at(-2 * MINUTE), now, bounds)).toThrow(TriggerError);
    expect(parseTrigger(at(-MINUTE + 1000), now, bounds).runId).toBe("e1");
    expect(DEFAULT_TRIGGER_BOUNDS).toEqual({ maxFutureMs: 5 * MINUTE, maxPastMs: 24 * HOUR });
  });

  it.each([
    ["a second later", new Date(now.getTime() + 1000)],
    ["in 2099", new Date("2099-01-01T00:00:00Z")],
  ])("refuses a manual run asking to measure ages %s, dry run or not", (_label, scheduledAt) => {
    for (const dryRun of [false, true]) {
      const error = refusal(() =>
        parseTrigger({ scheduledAt: scheduledAt.toISOString(), dryRun }, now),
      );
      expect(error.problem).toBe(TriggerProblem.manualInFuture);
      expect(error.message).toContain("never a later one");
      expect(error.claimed.origin).toBe("manual");
    }
  });

  it("lets a manual run measure ages at any earlier time, or now", () => {
    expect(manualTrigger({ scheduledAt: new Date(0), dryRun: false }, now).scheduledAt).toEqual(
      new Date(0),
    );
    expect(manualTrigger({ scheduledAt: now, dryRun: false }, now).scheduledAt).toEqual(now);
  });
});
