// The per-library circuit breaker: it opens after repeated SMH failures, lets one probe through
// after the cooldown, and its probe's answer closes or re-opens it.
import { describe, expect, it } from "vitest";
import { CircuitBreakers } from "../../../lib/batch/circuit.ts";
import { FakeClock } from "../delete/factories.ts";

function breakers(clock: FakeClock, threshold = 3, cooldownMs = 10_000) {
  return new CircuitBreakers({ threshold, cooldownMs, now: clock.now });
}

describe("circuit breaker per library", () => {
  it("starts closed and lets every operation through", () => {
    const circuits = breakers(new FakeClock());
    expect(circuits.state("smh1")).toBe("closed");
    expect(circuits.tryAcquire("smh1")).toBe(true);
    expect(circuits.tryAcquire("smh1")).toBe(true);
  });

  it("opens after the threshold of consecutive failures, not before", () => {
    const circuits = breakers(new FakeClock(), 3);
    circuits.recordFailure("smh1");
    circuits.recordFailure("smh1");
    expect(circuits.state("smh1")).toBe("closed");
    circuits.recordFailure("smh1");
    expect(circuits.state("smh1")).toBe("open");
    expect(circuits.tryAcquire("smh1")).toBe(false);
  });

  it("counts only consecutive failures: a success in between resets the count", () => {
    const circuits = breakers(new FakeClock(), 3);
    circuits.recordFailure("smh1");
    circuits.recordFailure("smh1");
    circuits.recordSuccess("smh1");
    circuits.recordFailure("smh1");
    circuits.recordFailure("smh1");
    expect(circuits.state("smh1")).toBe("closed");
  });

  it("keeps libraries apart: one library's failures never open another's circuit", () => {
    const circuits = breakers(new FakeClock(), 1);
    circuits.recordFailure("smh1");
    expect(circuits.state("smh1")).toBe("open");
    expect(circuits.state("smh2")).toBe("closed");
    expect(circuits.tryAcquire("smh2")).toBe(true);
  });

  it("lets exactly one probe through after the cooldown (half-open)", () => {
    const clock = new FakeClock();
    const circuits = breakers(clock, 1, 10_000);
    circuits.recordFailure("smh1");
    clock.advance(9_999);
    expect(circuits.state("smh1")).toBe("open");
    clock.advance(1);
    expect(circuits.state("smh1")).toBe("half-open");
    expect(circuits.tryAcquire("smh1")).toBe(true);
    expect(circuits.tryAcquire("smh1")).toBe(false);
  });

  it("closes when the probe succeeds", () => {
    const clock = new FakeClock();
    const circuits = breakers(clock, 1, 10_000);
    circuits.recordFailure("smh1");
    clock.advance(10_000);
    circuits.tryAcquire("smh1");
    circuits.recordSuccess("smh1");
    expect(circuits.state("smh1")).toBe("closed");
    expect(circuits.tryAcquire("smh1")).toBe(true);
    expect(circuits.tryAcquire("smh1")).toBe(true);
  });

  it("re-opens for a whole cooldown when the probe fails, even below the threshold", () => {
    const clock = new FakeClock();
    const circuits = breakers(clock, 5, 10_000);
    for (let i = 0; i < 5; i++) circuits.recordFailure("smh1");
    clock.advance(10_000);
    expect(circuits.tryAcquire("smh1")).toBe(true);
    circuits.recordFailure("smh1");
    expect(circuits.state("smh1")).toBe("open");
    clock.advance(9_999);
    expect(circuits.state("smh1")).toBe("open");
    clock.advance(1);
    expect(circuits.state("smh1")).toBe("half-open");
  });
});
