import { describe, expect, it } from "vitest";
import { readRetentionSettings } from "../../../lib/retention/settings.ts";

describe("the retention scan's settings", () => {
  it("believes a scheduled event from 24 hours behind to 5 minutes ahead of now, by default", () => {
    expect(readRetentionSettings({}).triggerBounds).toEqual({
      maxFutureMs: 300_000,
      maxPastMs: 86_400_000,
    });
  });

  it("takes other bounds from RETENTION_TRIGGER_MAX_FUTURE_SECONDS and RETENTION_TRIGGER_MAX_PAST_SECONDS", () => {
    expect(
      readRetentionSettings({
        RETENTION_TRIGGER_MAX_FUTURE_SECONDS: "60",
        RETENTION_TRIGGER_MAX_PAST_SECONDS: "7200",
      }).triggerBounds,
    ).toEqual({ maxFutureMs: 60_000, maxPastMs: 7_200_000 });
  });

  it.each([
    ["RETENTION_TRIGGER_MAX_FUTURE_SECONDS", "3601"],
    ["RETENTION_TRIGGER_MAX_FUTURE_SECONDS", "-1"],
    ["RETENTION_TRIGGER_MAX_PAST_SECONDS", "604801"],
    ["RETENTION_TRIGGER_MAX_PAST_SECONDS", "a day"],
  ])(
    "refuses to start with %s=%s: wide bounds would let a forged event choose the clock",
    (name, value) => {
      expect(() => readRetentionSettings({ [name]: value })).toThrow(name);
    },
  );
});
