// Bursts of 429 (throttleEveryMs / throttleForMs): waves of throttling that a token bucket alone
// cannot express. The window arithmetic is checked on FaultState with explicit instants; the HTTP
// behaviour with bursts long enough that no request can straddle a window edge.
import { describe, expect, it } from "vitest";
import { FaultState } from "../../../lib/sim/fault-state.ts";
import { DEFAULT_FAULTS } from "../../../lib/sim/faults.ts";
import { createRandom } from "../../../lib/sim/random.ts";
import { call, directoryPath, LIBRARY_ID, mintToken, SPACE_ID, useSimulators } from "./helpers.ts";

const start = useSimulators();

function stateWith(patch: Partial<typeof DEFAULT_FAULTS>): { state: FaultState; t0: number } {
  const t0 = performance.now();
  const state = new FaultState({ ...DEFAULT_FAULTS, ...patch }, createRandom("bursts"), 0);
  return { state, t0 };
}

describe("bursts of 429: the windows", () => {
  it("throttles the first throttleForMs of every throttleEveryMs, counted from when it was set", () => {
    const { state, t0 } = stateWith({ throttleEveryMs: 1_000, throttleForMs: 200 });
    // Instants well inside or well outside a window: the state was created a moment after t0.
    expect(state.throttled(t0 + 50)).not.toBeNull();
    expect(state.throttled(t0 + 500)).toBeNull();
    expect(state.throttled(t0 + 950)).toBeNull();
    expect(state.throttled(t0 + 1_100)).not.toBeNull();
    expect(state.throttled(t0 + 1_500)).toBeNull();
    expect(state.throttled(t0 + 7_050)).not.toBeNull();
  });

  it("advertises the rest of the burst as Retry-After, rounded up to whole seconds, or the fixed value", () => {
    const { state, t0 } = stateWith({ throttleEveryMs: 60_000, throttleForMs: 2_500 });
    expect(state.throttled(t0 + 100)).toBe(3);
    expect(state.throttled(t0 + 2_000)).toBe(1);
    state.update({ retryAfterSeconds: 7 }, 0);
    expect(state.throttled(t0 + 2_000)).toBe(7);
  });

  it("never throttles when either field is 0, and always when the burst fills the period", () => {
    for (const patch of [
      { throttleEveryMs: 0, throttleForMs: 500 },
      { throttleEveryMs: 500, throttleForMs: 0 },
    ]) {
      const { state, t0 } = stateWith(patch);
      for (const at of [0, 10, 250, 499, 501, 10_000]) expect(state.throttled(t0 + at)).toBeNull();
    }
    const { state, t0 } = stateWith({ throttleEveryMs: 300, throttleForMs: 300 });
    for (const at of [1, 150, 299, 301, 5_000]) expect(state.throttled(t0 + at)).not.toBeNull();
  });

  it("starts counting again when the burst settings change", () => {
    const { state, t0 } = stateWith({ throttleEveryMs: 1_000, throttleForMs: 100 });
    // Far into a quiet part of the first schedule…
    expect(state.throttled(t0 + 10_500)).toBeNull();
    // …a new schedule set now starts with a burst.
    state.update({ throttleForMs: 200 }, 0);
    expect(state.throttled(performance.now() + 10)).not.toBeNull();
  });
});

describe("bursts of 429: over HTTP", () => {
  it("refuses every selected request with 429 RateLimitExceeded during a burst, without applying it", async () => {
    const sim = await start();
    const token = await mintToken(sim);
    sim.setFaults(LIBRARY_ID, { throttleEveryMs: 3_600_000, throttleForMs: 1_800_000 });
    const q = { access_token: token };
    const refused = await call(sim, "DELETE", directoryPath("events/2024-02-launch"), { query: q });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe("RateLimitExceeded");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(1_700);
    expect(sim.calls(1)[0]?.fault).toBe("throttleBurst");
    expect(sim.stats().byFault).toEqual({ throttleBurst: 1 });
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "events/2024-02-launch")).toBe(true);
    // Token routes are never throttled (they are not selectable), so a client can still mint.
    await expect(mintToken(sim)).resolves.toEqual(expect.any(String));

    sim.setFaults(LIBRARY_ID, { throttleForMs: 0 });
    const allowed = await call(sim, "DELETE", directoryPath("events/2024-02-launch"), { query: q });
    expect(allowed.status).toBe(200);
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "events/2024-02-launch")).toBe(false);
  });

  it("takes no token from the rate-limit bucket for the requests it refuses", async () => {
    const sim = await start();
    const token = await mintToken(sim);
    const q = { access_token: token };
    sim.setFaults(LIBRARY_ID, {
      rateLimitPerSecond: 0.001,
      rateLimitBurst: 2,
      throttleEveryMs: 3_600_000,
      throttleForMs: 1_800_000,
    });
    for (let i = 0; i < 5; i++) {
      expect((await call(sim, "GET", directoryPath("events"), { query: q })).status).toBe(429);
    }
    sim.setFaults(LIBRARY_ID, { throttleEveryMs: 0 });
    // The bucket still holds both of its tokens.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await call(sim, "GET", directoryPath("events"), { query: q })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(sim.stats().byFault).toEqual({ throttleBurst: 5, rateLimited: 1 });
  });
});
