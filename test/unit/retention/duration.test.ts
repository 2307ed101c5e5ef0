import { describe, expect, it } from "vitest";
import { DurationError, formatDuration, parseDuration } from "../../../lib/retention/duration.ts";
import { DAY, HOUR } from "./factories.ts";

describe("a retention duration", () => {
  it.each([
    ["365d", 365 * DAY],
    ["12h", 12 * HOUR],
    ["1d12h", DAY + 12 * HOUR],
    ["2w", 14 * DAY],
    ["1w2d3h4m5s", 9 * DAY + 3 * HOUR + 4 * 60_000 + 5000],
    ["90m", 90 * 60_000],
    ["3600s", HOUR],
    ["36500d", 36_500 * DAY],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ["0d", "shorter than 1h"],
    ["0h0m", "shorter than 1h"],
    ["59m", "shorter than 1h"],
    ["6m", "m means minutes, not months"],
    ["-1d", "not a duration"],
    ["+1d", "not a duration"],
    ["365", "not a duration"],
    ["d", "not a duration"],
    ["", "not a duration"],
    ["1.5d", "not a duration"],
    ["12h1d", "largest unit first"],
    ["1d1d", "not a duration"],
    ["1 d", "not a duration"],
    ["1D", "not a duration"],
    ["6M", "months and years have no fixed length"],
    ["1y", "months and years have no fixed length"],
    ["36501d", "longer than 36500d"],
    [`${"9".repeat(400)}d`, "longer than 36500d"],
  ])("refuses %j (%s)", (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(message);
  });

  it("is written back largest unit first", () => {
    expect(formatDuration(DAY + 12 * HOUR)).toBe("1d12h");
    expect(formatDuration(365 * DAY)).toBe("365d");
    expect(formatDuration(90 * 60_000 + 1500)).toBe("1h30m1s");
  });
});
