import { describe, expect, it } from "vitest";
import { fullJitterDelay } from "../../../lib/queues/backoff.ts";

const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

describe("fullJitterDelay", () => {
  it("doubles the ceiling per retry and never passes maxDelayMs", () => {
    const almostOne = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 10].map((retry) => fullJitterDelay(retry, policy, almostOne))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
  });

  it("spreads delays over the whole interval down to zero", () => {
    expect(fullJitterDelay(3, policy, () => 0)).toBe(0);
    expect(fullJitterDelay(3, policy, () => 0.5)).toBe(200);
  });
});
