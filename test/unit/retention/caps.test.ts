import { describe, expect, it } from "vitest";
import { evaluateCaps } from "../../../lib/retention/caps.ts";

const caps = (maxDeletesPerRun: number, maxFractionPerRun: number) => ({
  maxDeletesPerRun,
  maxFractionPerRun,
});

describe("the run caps", () => {
  it("allow exactly maxDeletesPerRun directories and refuse one more", () => {
    expect(evaluateCaps(caps(100, 1), 100, 1000).breaches).toEqual([]);
    expect(evaluateCaps(caps(100, 1), 101, 1000).breaches).toEqual([
      {
        cap: "maxDeletesPerRun",
        limit: 100,
        allowed: 100,
        selected: 101,
        children: 1000,
        message: "101 directories selected; maxDeletesPerRun allows 100",
      },
    ]);
  });

  it("allow exactly maxFractionPerRun of the children and refuse one more", () => {
    expect(evaluateCaps(caps(1000, 0.5), 50, 100).breaches).toEqual([]);
    expect(evaluateCaps(caps(1000, 0.5), 51, 100).breaches).toEqual([
      {
        cap: "maxFractionPerRun",
        limit: 0.5,
        allowed: 50,
        selected: 51,
        children: 100,
        message: "51 of 100 child directories selected (51.0%); maxFractionPerRun 0.5 allows 50",
      },
    ]);
  });

  it("round the fraction's allowance down: 0.5 of 3 children allows 1", () => {
    expect(evaluateCaps(caps(1000, 0.5), 1, 3).breaches).toEqual([]);
    expect(evaluateCaps(caps(1000, 0.5), 2, 3).breaches.map((b) => b.cap)).toEqual([
      "maxFractionPerRun",
    ]);
  });

  it.each([
    [0.29, 100, 29],
    [0.7, 10, 7],
    [0.1, 30, 3],
    [0.0001, 10_000, 1],
    [0.3333, 3, 0],
  ])(
    "put the boundary where the decimal says, free of float error (%d of %d allows %d)",
    (fraction, children, allowed) => {
      const evaluation = evaluateCaps(caps(1000, fraction), allowed, children);
      expect(evaluation.allowedByFraction).toBe(allowed);
      expect(evaluation.breaches).toEqual([]);
      if (allowed < children) {
        expect(evaluateCaps(caps(1000, fraction), allowed + 1, children).breaches).toHaveLength(1);
      }
    },
  );

  it("report both breaches when both caps are broken", () => {
    const evaluation = evaluateCaps(caps(10, 0.1), 20, 50);
    expect(evaluation.breaches.map((b) => b.cap)).toEqual([
      "maxDeletesPerRun",
      "maxFractionPerRun",
    ]);
    expect(evaluation.fraction).toBe(0.4);
  });

  it("let a maxFractionPerRun of 1 delete every child", () => {
    expect(evaluateCaps(caps(1000, 1), 7, 7).breaches).toEqual([]);
  });

  it("are not broken by a run that deletes nothing, even in an empty parent", () => {
    expect(evaluateCaps(caps(1, 0.0001), 0, 0)).toMatchObject({ fraction: 0, breaches: [] });
  });

  it("refuse figures that cannot be", () => {
    expect(() => evaluateCaps(caps(10, 1), 3, 2)).toThrow(RangeError);
    expect(() => evaluateCaps(caps(10, 1), -1, 2)).toThrow(RangeError);
  });
});
