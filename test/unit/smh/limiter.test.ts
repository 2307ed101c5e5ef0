import { afterEach, describe, expect, it, vi } from "vitest";
import { PROBE_RATE } from "../../../lib/smh/limiter/adaptive-rate.ts";
import { LibraryLimiter, type RateChange } from "../../../lib/smh/limiter/limiter.ts";
import { LIBRARY, testClient } from "./helpers/client.ts";
import { SmhTestServer } from "./helpers/smh-test-server.ts";

describe("LibraryLimiter (clock injected)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps at most maxInFlight requests in flight", async () => {
    const limiter = new LibraryLimiter({ maxInFlight: 3, initialRate: 1000, burst: 100 });
    let current = 0;
    let highest = 0;
    const releases: Array<() => void> = [];
    const runs = Array.from({ length: 10 }, () =>
      limiter.run(undefined, async () => {
        current++;
        highest = Math.max(highest, current);
        await new Promise<void>((resolve) => releases.push(resolve));
        current--;
      }),
    );
    while (releases.length > 0 || current > 0 || highest === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(limiter.stats().inFlight).toBeLessThanOrEqual(3);
      releases.shift()?.();
    }
    await Promise.all(runs);
    expect(highest).toBe(3);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, sent: 10 });
  });

  it("lowers the rate once for a burst of 429s, then recovers while demand stays at the limit", async () => {
    vi.useFakeTimers({ now: 0 });
    const changes: RateChange[] = [];
    const limiter = new LibraryLimiter(
      { initialRate: 100, burst: 1, decreaseFactor: 0.5, increaseScale: 20, now: Date.now },
      (change) => changes.push(change),
    );
    // Requests 20 to 24 are throttled: a burst, as when several were in flight at the old rate.
    const throttled = new Set([20, 21, 22, 23, 24]);
    let sent = 0;
    const inFlight: Array<{ sentAt: number; n: number }> = [];
    const runs: Promise<void>[] = [];
    for (let n = 0; n < 400; n++) {
      runs.push(
        limiter.run(undefined, async (sentAt) => {
          sent++;
          inFlight.push({ sentAt, n });
        }),
      );
    }
    let previous = limiter.rate;
    let lowest = limiter.rate;
    for (let step = 0; step < 4000 && (sent < 400 || inFlight.length > 0); step++) {
      await vi.advanceTimersByTimeAsync(5);
      // Answers arrive 60 ms after sending, so the five throttled requests are all in flight when
      // the first 429 comes back; those report 429.
      while (inFlight.length > 0 && (inFlight[0]?.sentAt ?? 0) + 60 <= Date.now()) {
        const request = inFlight.shift();
        if (request)
          limiter.report(request.sentAt, throttled.has(request.n) ? "throttled" : "accepted");
      }
      lowest = Math.min(lowest, limiter.rate);
      previous = limiter.rate;
    }
    await Promise.all(runs);
    const decreases = changes.filter((change) => change.reason === "throttled");
    expect(decreases).toHaveLength(1);
    // Halved (from just above 100: the curve had started to probe upwards).
    expect(decreases[0]?.rate).toBeCloseTo((decreases[0]?.previousRate ?? 0) / 2);
    expect(decreases[0]?.rate).toBeCloseTo(50, 0);
    expect(decreases[0]?.previousRate).toBeCloseTo(100, 0);
    expect(lowest).toBeCloseTo(50, 0);
    expect(previous).toBeGreaterThan(100);
    expect(changes.filter((change) => change.reason === "recovered").length).toBeGreaterThan(0);
    expect(limiter.stats()).toMatchObject({ sent: 400, throttled: 5 });
  });

  it("probes instead of compounding decreases while SMH refuses everything, then resumes", async () => {
    vi.useFakeTimers({ now: 0 });
    const changes: RateChange[] = [];
    const limiter = new LibraryLimiter({ initialRate: 100, now: Date.now }, (change) =>
      changes.push(change),
    );
    const send = () => limiter.run(undefined, async (sentAt) => sentAt);
    const first = await send();
    limiter.report(first, "throttled");
    expect(limiter.rate).toBe(80);
    // Everything sent since is refused too: a window that is used up, not a rate that is too high.
    for (let n = 0; n < 5; n++) {
      const sentAt = send();
      await vi.advanceTimersByTimeAsync(150);
      limiter.report(await sentAt, "throttled");
    }
    expect(limiter.rate).toBe(PROBE_RATE);
    // The window resets: a probe is accepted and the rate from before the blackout comes back.
    const probe = send();
    await vi.advanceTimersByTimeAsync(150);
    limiter.report(await probe, "accepted");
    expect(limiter.rate).toBe(80);
    expect(changes.map((change) => [change.reason, Math.round(change.rate)])).toEqual([
      ["throttled", 80],
      ["paused", PROBE_RATE],
      ["resumed", 80],
    ]);
  });

  it("does not raise the rate while demand stays below it", async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = new LibraryLimiter({ initialRate: 100, burst: 10, now: Date.now });
    for (let n = 0; n < 50; n++) {
      await limiter.run(undefined, async (sentAt) => limiter.report(sentAt, "accepted"));
      await vi.advanceTimersByTimeAsync(100); // 10 requests a second against a limit of 100
    }
    expect(limiter.rate).toBe(100);
  });

  it("does not raise the rate when requests wait only because they arrive together", async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = new LibraryLimiter({ initialRate: 400, burst: 2, now: Date.now });
    // Four requests at once every 100 ms: 40 a second, far below 400, yet two of each four wait
    // a few milliseconds for a token.
    for (let n = 0; n < 50; n++) {
      const together = [0, 1, 2, 3].map(() =>
        limiter.run(undefined, async (sentAt) => limiter.report(sentAt, "accepted")),
      );
      await vi.advanceTimersByTimeAsync(100);
      await Promise.all(together);
    }
    expect(limiter.rate).toBeCloseTo(400, 0);
  });

  it("rejects a waiting request when its signal aborts, and never runs it", async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = new LibraryLimiter({ initialRate: 1, burst: 1, now: Date.now });
    await limiter.run(undefined, async () => undefined);
    const controller = new AbortController();
    let ran = false;
    const waiting = limiter.run(controller.signal, async () => {
      ran = true;
    });
    controller.abort(new Error("budget spent"));
    await expect(waiting).rejects.toThrow("budget spent");
    await vi.advanceTimersByTimeAsync(2000);
    expect(ran).toBe(false);
    expect(limiter.stats().sent).toBe(1);
  });

  it("refuses settings that cannot work", () => {
    expect(() => new LibraryLimiter({ maxInFlight: 0 })).toThrow(RangeError);
    expect(() => new LibraryLimiter({ decreaseFactor: 1 })).toThrow(RangeError);
    expect(() => new LibraryLimiter({ initialRate: -5 })).toThrow(RangeError);
    expect(() => new LibraryLimiter({ minRate: 10, maxRate: 5 })).toThrow(RangeError);
  });
});

describe("the client's limiter", () => {
  let server: SmhTestServer;
  afterEach(async () => {
    await server.close();
  });

  it("passes every attempt through the limiter: token requests and retries included", async () => {
    server = await SmhTestServer.start();
    server.on("DELETE", /^\/api\/v1\/directory\//, (_request, index) =>
      index < 2 ? { status: 503, json: { code: "ServerOverloaded" } } : { status: 204 },
    );
    const { client } = testClient(server);
    const result = await client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "a" });
    expect(result.attempts).toBe(3);
    expect(server.requests).toHaveLength(4);
    expect(client.limiterStats(LIBRARY).sent).toBe(4);
  });

  it("never has more than maxInFlight requests at the server, across operations", async () => {
    server = await SmhTestServer.start();
    server.on("DELETE", /^\/api\/v1\/directory\//, () => ({ status: 204, delayMs: 20 }));
    server.on("GET", /^\/api\/v1\/directory\//, () => ({
      status: 200,
      json: { contents: [] },
      delayMs: 20,
    }));
    const { client } = testClient(server, {
      limiter: { maxInFlight: 3, initialRate: 2000, burst: 100 },
    });
    const work: Promise<unknown>[] = [];
    for (let n = 0; n < 15; n++) {
      work.push(client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: `d${n}` }));
      work.push(
        (async () => {
          for await (const _page of client.listDirectory({ libraryId: LIBRARY, spaceId: "-" })) {
            // one page
          }
        })(),
      );
    }
    await Promise.all(work);
    expect(server.maxInFlight).toBe(3);
  });

  it("lowers the library's rate on a 429 and reports the throttle", async () => {
    server = await SmhTestServer.start();
    server.on("DELETE", /^\/api\/v1\/directory\//, (_request, index) =>
      index === 0 ? { status: 429, json: { code: "RateLimitExceeded" } } : { status: 204 },
    );
    const { client, events } = testClient(server, {
      limiter: { initialRate: 500, burst: 10, decreaseFactor: 0.5 },
    });
    const result = await client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "a" });
    expect(result.attempts).toBe(2);
    expect(events.filter((event) => event.type === "throttle")).toHaveLength(1);
    const change = events.find((event) => event.type === "rateChanged");
    expect(change).toMatchObject({ libraryId: LIBRARY, reason: "throttled" });
    if (change?.type !== "rateChanged") throw new Error("no rate change reported");
    expect(change.previousRate).toBeCloseTo(500, 0);
    expect(change.rate).toBeCloseTo(change.previousRate / 2);
    const stats = client.limiterStats(LIBRARY);
    expect(stats.throttled).toBe(1);
    // Halved, then (the retry found demand at the limit) a first small step of recovery at most.
    expect(stats.rate).toBeGreaterThanOrEqual(250);
    expect(stats.rate).toBeLessThan(260);
  });

  it("does not send a request whose caller gave up while it waited for a token", async () => {
    server = await SmhTestServer.start();
    server.on("DELETE", /^\/api\/v1\/directory\//, () => ({ status: 204 }));
    const { client } = testClient(server, { limiter: { initialRate: 1, burst: 1 } });
    const controller = new AbortController();
    const call = client.deleteDirectory(
      { libraryId: LIBRARY, spaceId: "-", path: "a" },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error("shutting down")), 100);
    await expect(call).rejects.toThrow("shutting down");
    // The token request took the only token; the delete never left the limiter.
    expect(server.received(/^\/api\/v1\/directory\//)).toHaveLength(0);
  });
});
