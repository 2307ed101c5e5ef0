import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type PhaseCounts,
  peakThrottledPerSecond,
  settledAfter,
  spread,
  totals,
} from "../../../bench/fleet-figures.ts";
import { MemoryFleetBoard, runFleetModel } from "./helpers/fleet-model.ts";

const LIMIT = 150;

/** The accepted and throttled counts of `containers` over seconds [from, to). */
function phase(
  result: { accepted: number[][]; throttled: number[][] },
  containers: readonly number[],
  from: number,
  to: number,
): PhaseCounts {
  const pick = (series: number[][]) => containers.map((i) => (series[i] ?? []).slice(from, to));
  return { accepted: pick(result.accepted), throttled: pick(result.throttled) };
}

function throttledShare(counts: PhaseCounts): number {
  const sum = (series: readonly (readonly number[])[]) => series.flat().reduce((a, b) => a + b, 0);
  const throttled = sum(counts.throttled);
  return throttled / (throttled + sum(counts.accepted));
}

describe("a fleet of containers sharing one library's limit (model, fake clock)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shares it equally within seconds, keeps it full, and hands it over when the fleet shrinks and grows", async () => {
    vi.useFakeTimers({ now: 0 });
    // Five containers start within half a second, each told 200/s against an unannounced 150/s;
    // four stop at 20 s; four fresh ones join the one left at 32 s.
    const result = await runFleetModel({
      limit: LIMIT,
      burst: LIMIT,
      seconds: 44,
      limiter: { initialRate: 200 },
      board: new MemoryFleetBoard(),
      containers: [
        { joinAt: 0 },
        ...[0.1, 0.2, 0.3, 0.4].map((joinAt) => ({ joinAt, leaveAt: 20 })),
        ...[32, 32.1, 32.2, 32.3].map((joinAt) => ({ joinAt })),
      ],
    });
    const rule = { limit: LIMIT };

    const fleet = phase(result, [0, 1, 2, 3, 4], 0, 20);
    expect(settledAfter(fleet, rule)).toBeLessThanOrEqual(10);
    expect(spread(totals(fleet.accepted, 10, 20))).toBeLessThan(0.25);
    expect(throttledShare(fleet)).toBeLessThan(0.02);

    const alone = phase(result, [0], 20, 32);
    expect(settledAfter(alone, rule)).toBeLessThanOrEqual(10);

    const regrown = phase(result, [0, 5, 6, 7, 8], 32, 44);
    expect(settledAfter(regrown, rule)).toBeLessThanOrEqual(10);
    expect(throttledShare(regrown)).toBeLessThan(0.02);
    expect(peakThrottledPerSecond(regrown.throttled)).toBeLessThan(0.1 * LIMIT);
  });
});
