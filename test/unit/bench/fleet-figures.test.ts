import { describe, expect, it } from "vitest";
import {
  peakThrottledPerSecond,
  phaseFigures,
  settledAfter,
  spread,
} from "../../../bench/fleet-figures.ts";

describe("the fleet scenario's figures", () => {
  it("measures fairness as the share farthest from the mean", () => {
    expect(spread([30, 30, 45])).toBeCloseTo((45 - 35) / 35);
    expect(spread([10])).toBe(0);
    expect(spread([])).toBeUndefined();
    expect(spread([0, 0])).toBeUndefined();
  });

  it("counts a phase settled from the first second after which every window holds", () => {
    // Two containers against a limit of 10/s: 9 and 1 for 3 s, then 5 and 5. The first 5-s window
    // that is fair enough (within ± 25 % of the mean) starts at second 2.
    const a = [9, 9, 9, ...Array.from({ length: 12 }, () => 5)];
    const b = [1, 1, 1, ...Array.from({ length: 12 }, () => 5)];
    expect(settledAfter({ accepted: [a, b], throttled: [] }, { limit: 10 })).toBe(2);
    // A second with nothing accepted pulls every window that holds it below 0.9 × the limit.
    const dip = (series: number[], second: number) => series.map((n, i) => (i === second ? 0 : n));
    const dipped = { accepted: [dip(a, 7), dip(b, 7)], throttled: [] };
    expect(settledAfter(dipped, { limit: 10 })).toBe(8);
    // The last window fails: never settled.
    const late = { accepted: [dip(a, 14), dip(b, 14)], throttled: [] };
    expect(settledAfter(late, { limit: 10 })).toBeUndefined();
    // Shorter than one window: cannot be judged.
    expect(settledAfter({ accepted: [[5, 5]], throttled: [] }, { limit: 10 })).toBeUndefined();
  });

  it("finds the worst second of 429s across containers", () => {
    expect(peakThrottledPerSecond([[0, 2, 1], [0, 3], [1]])).toBe(5);
    expect(peakThrottledPerSecond([])).toBe(0);
  });

  it("reads a phase's figures after its settle allowance, from its own containers and seconds", () => {
    const seconds = 20;
    const steady = (perSecond: number) => Array.from({ length: 40 }, () => perSecond);
    const timelines = [
      { index: 0, accepted: steady(30), throttled: steady(0) },
      { index: 1, accepted: steady(20), throttled: steady(1) },
      { index: 2, accepted: steady(99), throttled: steady(0) }, // not in the phase
    ];
    const figures = phaseFigures(
      {
        fromSecond: 20,
        toSecond: 20 + seconds,
        containers: [0, 1],
        smh: { requests: 1000, throttled429: 20 },
        deletions: 1000,
        boardCalls: 80,
      },
      timelines,
      50,
    );
    expect(figures).toMatchObject({
      containers: 2,
      seconds,
      deletionsPerSecondOverLimit: 1,
      settledOverLimit: 1,
      throttled429: 20,
      throttledShare: 0.02,
      boardCallsPerSmhRequest: 0.08,
    });
    expect(figures.settledSpread).toBeCloseTo(0.2);
    expect(figures.settledAfterSeconds).toBe(0);
    // Every container's 429s count, in the active set or not: 1 a second.
    expect(figures.peakThrottledPerSecond).toBe(1);
  });
});
