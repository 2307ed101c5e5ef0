import { describe, expect, it } from "vitest";
import { scheduledEvent } from "../../../lib/local/scheduled-event.ts";
import { parseTrigger, TriggerError } from "../../../lib/retention/trigger.ts";

const now = new Date("2026-01-05T09:30:00.000Z");

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

  it("names the same run when EventBridge delivers the same event twice", () => {
    const event = scheduledEvent("retentionScan", { time: now, id: "same" });
    expect(parseTrigger(structuredClone(event), new Date(0))).toEqual(parseTrigger(event, now));
  });

  it("may be an operator's request: a dry run of some rules at a given time", () => {
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
    });
  });

  it("measures ages at the moment of an operator's request that gives no time", () => {
    expect(parseTrigger({}, now)).toMatchObject({ scheduledAt: now, dryRun: false });
  });

  it.each([
    ["a misspelt dryRun, which must never turn a preview into a real run", { dryrun: true }],
    ["a dryRun that is not a boolean", { dryRun: "true" }],
    [
      "another AWS event",
      { source: "aws.s3", "detail-type": "Object Created", id: "x", time: "2026-01-05T00:00:00Z" },
    ],
    ["a time without an offset", { scheduledAt: "2026-01-05T02:00:00" }],
  ])("refuses %s", (_label, event) => {
    expect(() => parseTrigger(event, now)).toThrow(TriggerError);
  });
});
