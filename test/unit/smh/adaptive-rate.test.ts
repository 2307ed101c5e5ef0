import { describe, expect, it } from "vitest";
import { AdaptiveRate, PROBE_RATE } from "../../../lib/smh/limiter/adaptive-rate.ts";

const settings = {
  initialRate: 200,
  minRate: 1,
  maxRate: 1000,
  decreaseFactor: 0.8,
  increaseScale: 0.4,
};

describe("AdaptiveRate", () => {
  it("starts at the initial rate", () => {
    const rate = new AdaptiveRate(settings);
    expect(rate.rate).toBe(200);
    expect(rate.sendingRate).toBe(200);
  });

  it("multiplies the rate by the decrease factor on a throttle", () => {
    const rate = new AdaptiveRate(settings);
    expect(rate.throttled(1000, 990, undefined)).toBe("throttled");
    expect(rate.rate).toBeCloseTo(160);
  });

  it("lowers the rate once per congestion event, not once per 429 of a burst", () => {
    const rate = new AdaptiveRate(settings);
    rate.throttled(1000, 990, undefined);
    // Four more 429s for requests that were already in flight at the old rate.
    for (const sentAt of [991, 995, 998, 999]) {
      expect(rate.throttled(1010, sentAt, undefined)).toBeUndefined();
    }
    expect(rate.rate).toBeCloseTo(160);
    // SMH accepts some of what is sent at the new rate and refuses the rest: still too fast.
    rate.accepted(1020);
    expect(rate.throttled(1100, 1050, undefined)).toBe("throttled");
    expect(rate.rate).toBeCloseTo(128);
  });

  it("decreases to the measured level instead of compounding from the grown rate", () => {
    const rate = new AdaptiveRate({ ...settings, initialRate: 300 });
    // Twice too fast, SMH accepting 150 a second: one step to just below it.
    rate.throttled(1000, 990, 150);
    expect(rate.rate).toBeCloseTo(120);
    rate.accepted(1001);
    rate.grow(6);
    expect(rate.rate).toBeGreaterThan(150);
    // Grown past the limit again: back to β × what SMH accepted, not β × the grown rate.
    rate.throttled(8000, 7990, 150);
    expect(rate.rate).toBeCloseTo(120);
  });

  it("pauses to a probe instead of compounding while SMH accepts nothing, and resumes after", () => {
    const rate = new AdaptiveRate(settings);
    rate.throttled(1000, 990, undefined);
    expect(rate.throttled(1030, 1005, undefined)).toBe("paused");
    expect(rate.inBlackout).toBe(true);
    expect(rate.sendingRate).toBe(PROBE_RATE);
    expect(rate.rate).toBeCloseTo(160);
    // More refusals within the second change nothing, and the curve does not grow.
    expect(rate.throttled(1200, 1100, undefined)).toBeUndefined();
    expect(rate.grow(1)).toBeUndefined();
    // A probe sent during the blackout is accepted: back to the rate it had.
    expect(rate.accepted(1300)).toBe("resumed");
    expect(rate.sendingRate).toBeCloseTo(160);
  });

  it("still lowers the rate once a second during a long blackout", () => {
    const rate = new AdaptiveRate(settings);
    rate.throttled(0, 0, undefined);
    rate.throttled(50, 10, undefined);
    expect(rate.throttled(1100, 1000, undefined)).toBe("throttled");
    expect(rate.rate).toBeCloseTo(128);
    expect(rate.inBlackout).toBe(true);
  });

  it("climbs back to the rate that was too much, flattens there, then probes above it", () => {
    const rate = new AdaptiveRate(settings);
    rate.throttled(0, 0, undefined);
    expect(rate.grow(1)).toBeUndefined(); // nothing accepted at the new rate yet
    rate.accepted(1);
    const plateauAfter = Math.cbrt((200 * 0.2) / 0.4);
    const samples: number[] = [];
    let elapsed = 0;
    for (let step = 0; step < 9; step++) {
      rate.grow(0.5);
      elapsed += 0.5;
      samples.push(rate.rate);
    }
    for (let i = 1; i < samples.length; i++)
      expect(samples[i]).toBeGreaterThan(samples[i - 1] ?? 0);
    expect(samples[0]).toBeGreaterThan(160);
    rate.grow(plateauAfter - elapsed);
    expect(rate.rate).toBeCloseTo(200);
    rate.grow(1);
    expect(rate.rate).toBeCloseTo(200.4);
    rate.grow(10);
    expect(rate.rate).toBeGreaterThan(300);
  });

  it("stays within the minimum and maximum rate", () => {
    const rate = new AdaptiveRate({ ...settings, minRate: 50, maxRate: 250 });
    for (let i = 0; i < 20; i++) {
      rate.throttled(i * 100, i * 100, undefined);
      rate.accepted(i * 100 + 1);
    }
    expect(rate.rate).toBe(50);
    rate.grow(1000);
    expect(rate.rate).toBe(250);
  });

  it("does not grow for no time", () => {
    const rate = new AdaptiveRate(settings);
    expect(rate.grow(0)).toBeUndefined();
    expect(rate.grow(-1)).toBeUndefined();
    expect(rate.rate).toBe(200);
  });

  it("moves the whole curve when the fleet balances: the climb goes on from the new rate", () => {
    const rate = new AdaptiveRate(settings);
    rate.throttled(0, 0, undefined);
    rate.accepted(1);
    rate.grow(1);
    const climbed = rate.rate - 160;
    expect(rate.shift(-100, "balanced")).toBe("balanced");
    expect(rate.rate).toBeCloseTo(60 + climbed);
    // One more second climbs exactly as much as the unshifted curve would have.
    const twin = new AdaptiveRate(settings);
    twin.throttled(0, 0, undefined);
    twin.accepted(1);
    twin.grow(1);
    twin.grow(1);
    rate.grow(1);
    expect(rate.rate).toBeCloseTo(twin.rate - 100);
    expect(rate.shift(0, "balanced")).toBeUndefined();
  });

  it("never shifts below the minimum, and restarts a curve that would", () => {
    const rate = new AdaptiveRate({ ...settings, initialRate: 100 });
    rate.grow(10); // far up the convex part: 100 + 0.4 × 1000 = 500
    expect(rate.rate).toBeCloseTo(500);
    rate.shift(-10_000, "joined");
    expect(rate.rate).toBe(1);
    rate.grow(1);
    expect(rate.rate).toBeGreaterThanOrEqual(1);
    expect(rate.rate).toBeLessThan(2);
  });

  it("climbs with a fifth of the curve in a fleet of five, from where it is", () => {
    const alone = new AdaptiveRate({ ...settings, initialRate: 100 });
    const member = new AdaptiveRate({ ...settings, initialRate: 100 });
    alone.grow(3);
    member.grow(3);
    member.shareClimb(5);
    expect(member.rate).toBeCloseTo(alone.rate);
    const before = member.rate;
    member.grow(2);
    alone.grow(2);
    // With C/5 the member climbs far less in the next two seconds than the lone curve does.
    expect(member.rate - before).toBeLessThan((alone.rate - before) / 2);
    expect(member.rate).toBeGreaterThan(before);
    // Alone again: the full curve, still from where it is.
    const regained = member.rate;
    member.shareClimb(1);
    member.grow(0.001);
    expect(member.rate).toBeCloseTo(regained, 1);
  });
});
