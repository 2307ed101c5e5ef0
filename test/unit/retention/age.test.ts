import { describe, expect, it } from "vitest";
import { evaluateAge, parseInstant } from "../../../lib/retention/age.ts";
import { DAY } from "./factories.ts";

const asOf = Date.parse("2026-01-05T00:00:00.000Z");
const maxAge = 365 * DAY;
const at = (ms: number) => new Date(ms).toISOString();

describe('"older than maxAge"', () => {
  it("keeps an entry exactly maxAge old", () => {
    expect(evaluateAge(at(asOf - maxAge), maxAge, asOf)).toEqual({
      eligible: false,
      reason: "too-young",
      ageMs: maxAge,
    });
  });

  it("deletes an entry one millisecond older than maxAge", () => {
    expect(evaluateAge(at(asOf - maxAge - 1), maxAge, asOf)).toEqual({
      eligible: true,
      ageMs: maxAge + 1,
    });
  });

  it("keeps an entry one millisecond younger than maxAge", () => {
    expect(evaluateAge(at(asOf - maxAge + 1), maxAge, asOf).eligible).toBe(false);
  });

  it("compares instants, not wall-clock text: +08:00 and Z name the same moment", () => {
    // 2025-01-05T08:00:00+08:00 is 2025-01-05T00:00:00Z, exactly 365 days before asOf.
    const plusEight = "2025-01-05T08:00:00+08:00";
    expect(parseInstant(plusEight)).toBe(parseInstant("2025-01-05T00:00:00Z"));
    expect(evaluateAge(plusEight, maxAge, asOf).eligible).toBe(false);
    expect(evaluateAge("2025-01-05T07:59:59.999+08:00", maxAge, asOf).eligible).toBe(true);
  });

  it("honours negative offsets and offsets written without a colon", () => {
    expect(parseInstant("2025-01-04T19:00:00-05:00")).toBe(parseInstant("2025-01-05T00:00:00Z"));
    expect(parseInstant("2025-01-05T05:30:00+0530")).toBe(parseInstant("2025-01-05T00:00:00Z"));
  });

  it("never deletes an entry from the future, however far", () => {
    expect(evaluateAge(at(asOf + 1), maxAge, asOf)).toEqual({
      eligible: false,
      reason: "future-time",
      ageMs: -1,
    });
    expect(evaluateAge("2999-01-01T00:00:00Z", maxAge, asOf)).toMatchObject({
      reason: "future-time",
    });
  });

  it("measures an entry created at the very moment of the run as too young, not future", () => {
    expect(evaluateAge(at(asOf), maxAge, asOf)).toMatchObject({ reason: "too-young", ageMs: 0 });
  });

  it.each([
    ["absent", undefined],
    ["null", null],
    ["a number", 1_600_000_000_000],
    ["empty", ""],
    ["without an offset (local time of an unknown zone)", "2019-01-01T00:00:00"],
    ["a date only", "2019-01-01"],
    ["February 30th", "2019-02-30T00:00:00Z"],
    ["hour 24", "2019-01-01T24:00:00Z"],
    ["a leap second", "2016-12-31T23:59:60Z"],
    ["an offset of 24 hours", "2019-01-01T00:00:00+24:00"],
    ["prose", "last year"],
  ])("never deletes an entry whose time is %s", (_label, time) => {
    expect(evaluateAge(time, maxAge, asOf)).toEqual({ eligible: false, reason: "missing-time" });
  });

  it("reads leap days and fractional seconds beyond the millisecond", () => {
    expect(parseInstant("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29));
    expect(parseInstant("2023-02-29T00:00:00Z")).toBeUndefined();
    expect(parseInstant("2020-09-22T07:43:01.123456789Z")).toBe(
      Date.parse("2020-09-22T07:43:01.123Z"),
    );
  });

  it("reads years before 100 as themselves, not as the 1900s", () => {
    expect(new Date(parseInstant("0050-01-01T00:00:00Z") ?? 0).getUTCFullYear()).toBe(50);
  });
});
