import { describe, expect, it } from "vitest";
import {
  histogramPerSecond,
  median,
  percentile,
  perSecond,
  ratio,
  steadyRate,
} from "../../../bench/statistics.ts";

describe("benchmark statistics", () => {
  it("reports the nearest-rank percentile, so p99 of 100 values is the 99th smallest", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeUndefined();
  });

  it("takes the mean of the two middle values as the median of an even count", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it("measures the steady rate between the 10th and 90th percentile completion, leaving out the ramp and the tail", () => {
    // A slow start (10 in the first 10 s), then 1 per 10 ms, then a slow tail.
    const ramp = Array.from({ length: 10 }, (_, i) => i * 1000);
    const steady = Array.from({ length: 80 }, (_, i) => 10_000 + i * 10);
    const tail = Array.from({ length: 10 }, (_, i) => 20_000 + i * 1000);
    const result = steadyRate([...tail, ...steady, ...ramp]);
    expect(result?.rate).toBeCloseTo(100, 0);
    expect(result?.fromMs).toBe(10_000);
  });

  it("has no steady rate for fewer than ten completions or a window of no duration", () => {
    expect(steadyRate([1, 2, 3])).toBeUndefined();
    expect(steadyRate(Array.from({ length: 20 }, () => 5))).toBeUndefined();
  });

  it("counts completions per whole second since the start", () => {
    expect(histogramPerSecond([1000, 1500, 2999, 3000, 500], 1000)).toEqual([3, 1, 1]);
  });

  it("gives no rate or ratio for an empty span or a zero denominator", () => {
    expect(perSecond(10, 0)).toBeUndefined();
    expect(perSecond(10, 2000)).toBe(5);
    expect(ratio(1, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(ratio(3, 2)).toBe(1.5);
  });
});
