import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BALANCING_PULL,
  balancedRate,
  FLEET_PERIOD_MS,
  type FleetBoard,
  type FleetPost,
  fairShare,
  LibraryLimiter,
  type LimiterOptions,
  peersOf,
  type RateChange,
  releasedShare,
} from "../../../lib/smh/index.ts";
import { MemoryFleetBoard } from "./helpers/fleet-model.ts";

const post = (memberId: string, rate: number, at: number, saturated = true): FleetPost => ({
  memberId,
  rate,
  saturated,
  at,
});

describe("the fleet board's rule", () => {
  it("counts each other member once, by its latest fresh post", () => {
    const posts = [
      post("a", 10, 100),
      post("a", 20, 900),
      post("me", 99, 950),
      post("b", 30, 400),
      post("c", 40, 50), // stale
    ];
    expect(peersOf(posts, "me", 100)).toEqual([post("a", 20, 900), post("b", 30, 400)]);
  });

  it("shares the total max-min fairly: a member that needs less keeps what it uses", () => {
    expect(fairShare([])).toBeUndefined();
    expect(
      fairShare([
        { rate: 60, saturated: true },
        { rate: 20, saturated: true },
      ]),
    ).toBe(40);
    expect(
      fairShare([
        { rate: 10, saturated: false },
        { rate: 60, saturated: true },
        { rate: 20, saturated: true },
      ]),
    ).toBe(40);
    // An unsaturated member using more than the equal share has no claim to keep it.
    expect(
      fairShare([
        { rate: 150, saturated: false },
        { rate: 1, saturated: true },
      ]),
    ).toBe(75.5);
  });

  it("moves a saturated member most of the way to the fair share, and leaves a modest one be", () => {
    const peers = [post("a", 30, 0), post("b", 10, 0)];
    expect(balancedRate({ rate: 50, saturated: true }, peers)).toBeCloseTo(
      50 + BALANCING_PULL * (30 - 50),
    );
    expect(balancedRate({ rate: 5, saturated: false }, peers)).toBe(5);
    expect(balancedRate({ rate: 50, saturated: true }, [])).toBe(50);
  });

  it("keeps the members' total while balancing: what the library accepts does not change", () => {
    const rates = [70, 40, 25, 10, 5];
    const members = rates.map((rate, i) => post(String(i), rate, 0));
    const next = members.map((self) =>
      balancedRate(
        self,
        members.filter((other) => other !== self),
      ),
    );
    expect(next.reduce((a, b) => a + b, 0)).toBeCloseTo(150);
    expect(Math.max(...next) - Math.min(...next)).toBeCloseTo((70 - 5) * (1 - BALANCING_PULL));
  });

  it("splits what stopped members used among those left, itself included", () => {
    const previous = new Map([
      ["a", 30],
      ["b", 30],
      ["c", 30],
    ]);
    expect(releasedShare(previous, [post("a", 30, 0)])).toBe(30);
    expect(releasedShare(previous, [post("a", 30, 0), post("b", 30, 0), post("c", 30, 0)])).toBe(0);
    expect(releasedShare(new Map(), [])).toBe(0);
  });
});

describe("LibraryLimiter with a fleet board (clock injected)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const LIBRARY = "library";
  const now = () => Date.now();

  /** A limiter on `board` whose demand is always at its rate (a request waits for a token). */
  function busyLimiter(
    board: FleetBoard,
    memberId: string,
    options: LimiterOptions = {},
    changes: RateChange[] = [],
  ) {
    const limiter = new LibraryLimiter(
      { burst: 1, ...options, now },
      (change) => changes.push(change),
      { board, libraryId: LIBRARY, memberId, wallClock: now },
    );
    let stopped = false;
    const worker = async () => {
      while (!stopped) {
        await limiter.run(undefined, async (sentAt) => limiter.report(sentAt, "accepted"));
      }
    };
    const workers = [worker(), worker()];
    return {
      limiter,
      stop: async () => {
        stopped = true;
        await vi.advanceTimersByTimeAsync(1000);
        await Promise.all(workers);
      },
    };
  }

  it("starts at the configured rate when nobody else is sending to the library", async () => {
    vi.useFakeTimers({ now: 0 });
    const board = new MemoryFleetBoard();
    const changes: RateChange[] = [];
    const alone = busyLimiter(board, "a", { initialRate: 100, increaseScale: 0.001 }, changes);
    await vi.advanceTimersByTimeAsync(3 * FLEET_PERIOD_MS + 10);
    expect(alone.limiter.rate).toBeCloseTo(100, 0);
    expect(alone.limiter.stats().busyPeers).toBe(0);
    expect(changes.filter((change) => change.reason === "joined")).toEqual([]);
    await alone.stop();
  });

  it("starts at the lowest rate when others are busy on the library, then takes its share", async () => {
    vi.useFakeTimers({ now: 0 });
    const board = new MemoryFleetBoard();
    const settings = { initialRate: 120, minRate: 1, increaseScale: 0.001 };
    const first = busyLimiter(board, "first", settings);
    await vi.advanceTimersByTimeAsync(2 * FLEET_PERIOD_MS + 10);
    const changes: RateChange[] = [];
    const joiner = busyLimiter(board, "joiner", settings, changes);
    await vi.advanceTimersByTimeAsync(10);
    expect(changes[0]).toMatchObject({ reason: "joined", rate: 1 });
    expect(joiner.limiter.rate).toBe(1);
    // Four balancing rounds later the two share what the first one used: 60 each.
    await vi.advanceTimersByTimeAsync(4 * FLEET_PERIOD_MS);
    expect(joiner.limiter.rate).toBeGreaterThan(55);
    expect(first.limiter.rate).toBeLessThan(65);
    expect(joiner.limiter.rate + first.limiter.rate).toBeCloseTo(121, -1);
    expect(joiner.limiter.stats().busyPeers).toBe(1);
    await Promise.all([first.stop(), joiner.stop()]);
  });

  it("takes over the share of a container that stopped sending", async () => {
    vi.useFakeTimers({ now: 0 });
    const board = new MemoryFleetBoard();
    const settings = { initialRate: 100, increaseScale: 0.001 };
    const staying = busyLimiter(board, "staying", settings);
    const leaving = busyLimiter(board, "leaving", settings);
    await vi.advanceTimersByTimeAsync(4 * FLEET_PERIOD_MS);
    const before = staying.limiter.rate;
    await leaving.stop();
    // The leaver's posts go stale (2.5 periods), then the next round hands its rate over.
    await vi.advanceTimersByTimeAsync(4 * FLEET_PERIOD_MS);
    expect(staying.limiter.stats().busyPeers).toBe(0);
    expect(staying.limiter.rate).toBeGreaterThan(before + 0.9 * leaving.limiter.rate);
    await staying.stop();
  });

  it("stops posting once it sends nothing, and posts again when it sends", async () => {
    vi.useFakeTimers({ now: 0 });
    const board = new MemoryFleetBoard();
    const limiter = new LibraryLimiter({ now }, undefined, {
      board,
      libraryId: LIBRARY,
      memberId: "a",
      wallClock: now,
    });
    await limiter.run(undefined, async () => undefined);
    await vi.advanceTimersByTimeAsync(5 * FLEET_PERIOD_MS);
    const afterIdle = board.calls;
    await vi.advanceTimersByTimeAsync(5 * FLEET_PERIOD_MS);
    expect(board.calls).toBe(afterIdle);
    await limiter.run(undefined, async () => undefined);
    await vi.advanceTimersByTimeAsync(FLEET_PERIOD_MS + 10);
    expect(board.calls).toBeGreaterThan(afterIdle);
  });

  it("finds its share from 429s alone while the board fails, and reports each failure", async () => {
    vi.useFakeTimers({ now: 0 });
    const failures: unknown[] = [];
    const broken: FleetBoard = {
      post: () => Promise.reject(new Error("table not found")),
      read: () => Promise.reject(new Error("table not found")),
    };
    const limiter = new LibraryLimiter({ initialRate: 100, now }, undefined, {
      board: broken,
      libraryId: LIBRARY,
      onError: (error) => failures.push(error),
    });
    const sentAt = await limiter.run(undefined, async (at) => at);
    await vi.advanceTimersByTimeAsync(10);
    expect(failures).toHaveLength(1);
    limiter.report(sentAt, "throttled");
    expect(limiter.rate).toBe(80);
    await vi.advanceTimersByTimeAsync(FLEET_PERIOD_MS + 10);
    expect(failures.length).toBeGreaterThan(1);
  });

  it("keeps posting while requests wait for a token, however low its rate", async () => {
    vi.useFakeTimers({ now: 0 });
    const board = new MemoryFleetBoard();
    // 0.4 requests a second: most rounds find its last request more than a period old.
    const slow = new LibraryLimiter({ initialRate: 0.4, minRate: 0.4, burst: 1, now }, undefined, {
      board,
      libraryId: LIBRARY,
      memberId: "slow",
      wallClock: now,
    });
    const waiting = Array.from({ length: 6 }, () => slow.run(undefined, async () => undefined));
    await vi.advanceTimersByTimeAsync(6 * FLEET_PERIOD_MS + 500);
    // The join (a read and a post), then a post and a read in each of the six rounds.
    expect(board.calls).toBe(2 + 6 * 2);
    await vi.advanceTimersByTimeAsync(10 * FLEET_PERIOD_MS);
    await Promise.all(waiting);
  });
});
