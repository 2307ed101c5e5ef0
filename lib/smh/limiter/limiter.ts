import { randomUUID } from "node:crypto";
import pLimit, { type LimitFunction } from "p-limit";
import { AdaptiveRate, type RateChangeReason } from "./adaptive-rate.ts";
import {
  balancedRate,
  FLEET_PERIOD_MS,
  FLEET_READ_DELAY_MS,
  FLEET_STALE_AFTER_MS,
  type FleetBoard,
  peersOf,
  releasedShare,
} from "./fleet.ts";
import { RateMeter } from "./rate-meter.ts";
import { TokenBucket } from "./token-bucket.ts";

/**
 * How one library's requests are paced. Every request to the library (token mints, listings,
 * deletes, task polls, and every retry of each) takes one in-flight slot and one token.
 */
export interface LimiterOptions {
  /**
   * Requests per second before SMH has said anything. SMH publishes no limit for the business
   * API; 200 is a rate a single worker reaches against a ~20 ms service, and the adaptive curve
   * finds the real limit from there (down on a 429, slowly up while demand is at the limit).
   * @default 200
   */
  readonly initialRate?: number;
  /** The rate never drops below this, however many 429s arrive. @default 1 */
  readonly minRate?: number;
  /** The rate never grows above this. @default 2000 */
  readonly maxRate?: number;
  /**
   * Tokens that can be saved up and spent at once. Kept at 2: a timer that fires a little late
   * still gets its token out, but a stalled event loop cannot release a clump that a server with
   * a small bucket of its own answers with 429s (each of which costs 20% of the rate). Measured
   * against a 200/s token-bucket server with a 5-request burst and 20±5 ms latency, over 15 s:
   * 0.91–0.96 of its rate with burst 2, 0.75–0.94 with burst 5, 0.85 with burst 1.
   * @default 2
   */
  readonly burst?: number;
  /** Requests in flight at once, across every operation on the library. @default 32 */
  readonly maxInFlight?: number;
  /**
   * β: on a 429 the rate becomes β × (the rate that was too much, or what SMH accepted over the
   * last second if that is less). 0.8 loses less throughput per cycle than the AWS SDK's 0.7; the
   * measured level makes up for the gentler step when the start is far too high.
   * @default 0.8
   */
  readonly decreaseFactor?: number;
  /**
   * C: how fast the rate climbs back after a decrease, in (requests/s)/s³ (the AWS SDK's value).
   * From a ceiling of 200/s the climb back takes ∛(200 × 0.2 / 0.4) ≈ 4.6 s of saturated demand.
   * @default 0.4
   */
  readonly increaseScale?: number;
  /** A monotonic clock in milliseconds; tests inject one. @default performance.now */
  readonly now?: () => number;
}

/**
 * The other containers sending to the same library, through shared state: see `fleet.ts`. Without
 * it each container's limiter finds its share from 429s alone.
 */
export interface LimiterFleet {
  readonly board: FleetBoard;
  readonly libraryId: string;
  /** Names this limiter on the board. @default a random UUID */
  readonly memberId?: string;
  /** Milliseconds since the epoch, for the posts; tests inject one. @default Date.now */
  readonly wallClock?: () => number;
  /** Hears every failure of the board; the limiter acts alone until the board answers again. */
  readonly onError?: (error: unknown) => void;
}

/** The defaults of {@link LimiterOptions}, as documented there. */
export const limiterDefaults = {
  initialRate: 200,
  minRate: 1,
  maxRate: 2000,
  burst: 2,
  maxInFlight: 32,
  decreaseFactor: 0.8,
  increaseScale: 0.4,
} as const;

/** Demand counts as "at the limit" if a request waited for a token this recently… */
const SATURATION_WINDOW_MS = 1000;
/** …and at least this share of the rate was sent over the last second. */
const SATURATED_SHARE = 0.8;

/** How a request ended, as far as pacing is concerned. */
export type RequestOutcome = "accepted" | "throttled" | "noAnswer";

/** A change of the send rate, reported through {@link LibraryLimiter}'s listener. */
export interface RateChange {
  readonly previousRate: number;
  readonly rate: number;
  readonly reason: RateChangeReason;
}

/** A snapshot of a limiter, for metrics and tests. */
export interface LimiterStats {
  /** The current send rate, requests per second (the probe rate during a blackout). */
  readonly rate: number;
  /** Requests sent and not yet answered. */
  readonly inFlight: number;
  /** Requests holding a slot while waiting for a token. */
  readonly waitingForToken: number;
  /** Requests waiting for a slot. */
  readonly waitingForSlot: number;
  /** Requests let through since the limiter was created (every attempt counts). */
  readonly sent: number;
  /** Of those, answered with 429. */
  readonly throttled: number;
  /** Other containers busy on the library at the last balancing (always 0 without a fleet). */
  readonly busyPeers: number;
}

/**
 * The per-library limiter: at most `maxInFlight` requests at once (p-limit) and a token bucket whose
 * rate adapts to 429s ({@link AdaptiveRate}).
 *
 * @example
 * const limiter = new LibraryLimiter({ initialRate: 50 });
 * const response = await limiter.run(signal, async (sentAt) => {
 *   const response = await fetch(url, { signal });
 *   limiter.report(sentAt, response.status === 429 ? "throttled" : "accepted");
 *   return response;
 * });
 */
export class LibraryLimiter {
  readonly #now: () => number;
  readonly #slots: LimitFunction;
  readonly #bucket: TokenBucket;
  readonly #rate: AdaptiveRate;
  /** Requests let through, per second. */
  readonly #sendRate = new RateMeter();
  /** Requests SMH accepted (not 429), per second. */
  readonly #acceptedRate = new RateMeter();
  readonly #onRateChange: ((change: RateChange) => void) | undefined;
  #inFlight = 0;
  #sent = 0;
  #throttled = 0;
  #lastSaturatedAt = Number.NEGATIVE_INFINITY;
  /** When demand was last at the rate ({@link #saturated}), for the fleet board. */
  #lastAtLimitAt = Number.NEGATIVE_INFINITY;
  #lastGrowthAt: number;
  #reportedRate: number;
  readonly #minRate: number;
  readonly #fleet: Required<Omit<LimiterFleet, "onError">> | undefined;
  readonly #onFleetError: ((error: unknown) => void) | undefined;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #fleetTimer: ReturnType<typeof setTimeout> | undefined;
  #fleetBusy = false;
  #joined = false;
  #busyPeers = 0;
  /** The peers of the last balancing round: member ID → rate. */
  #lastPeers: ReadonlyMap<string, number> = new Map();

  constructor(
    options: LimiterOptions = {},
    onRateChange?: (change: RateChange) => void,
    fleet?: LimiterFleet,
  ) {
    const settings = { ...limiterDefaults, ...definedOnly(options) };
    validate(settings);
    this.#now = options.now ?? (() => performance.now());
    this.#onRateChange = onRateChange;
    this.#minRate = settings.minRate;
    this.#fleet = fleet && {
      board: fleet.board,
      libraryId: fleet.libraryId,
      memberId: fleet.memberId ?? randomUUID(),
      wallClock: fleet.wallClock ?? Date.now,
    };
    this.#onFleetError = fleet?.onError;
    this.#rate = new AdaptiveRate(settings);
    this.#bucket = new TokenBucket(this.#rate.rate, settings.burst, this.#now);
    this.#slots = pLimit(settings.maxInFlight);
    this.#lastGrowthAt = this.#now();
    this.#reportedRate = this.#rate.rate;
  }

  /** The current send rate, requests per second (the probe rate during a blackout). */
  get rate(): number {
    return this.#rate.sendingRate;
  }

  /** A snapshot for metrics and tests. */
  stats(): LimiterStats {
    return {
      rate: this.#rate.sendingRate,
      inFlight: this.#inFlight,
      waitingForToken: this.#bucket.waiting,
      waitingForSlot: this.#slots.pendingCount,
      sent: this.#sent,
      throttled: this.#throttled,
      busyPeers: this.#busyPeers,
    };
  }

  /**
   * Runs `send` once a slot and a token are free; `send` receives the clock reading at which it was
   * let go, to hand back to {@link report}. Rejects with the signal's reason as soon as `signal`
   * aborts while waiting (the request is then never sent).
   */
  run<T>(signal: AbortSignal | undefined, send: (sentAt: number) => Promise<T>): Promise<T> {
    const queued = this.#slots(async () => {
      signal?.throwIfAborted();
      const waited = await this.#bucket.take(signal);
      const sentAt = this.#now();
      if (waited) this.#lastSaturatedAt = sentAt;
      this.#lastSentAt = sentAt;
      this.#joinFleet();
      this.#sendRate.record(sentAt);
      this.#sent++;
      this.#inFlight++;
      try {
        return await send(sentAt);
      } finally {
        this.#inFlight--;
      }
    });
    return signal ? raceAbort(queued, signal) : queued;
  }

  /**
   * Reports how a request sent at `sentAt` ended. Every report advances the recovery curve (while
   * demand is at the limit); `throttled` (a 429) lowers the rate once per congestion event;
   * `accepted` (any other HTTP answer) counts towards the accepted rate and ends a blackout;
   * `noAnswer` (timeout, network error, abort) is neither.
   */
  report(sentAt: number, outcome: RequestOutcome): void {
    const now = this.#now();
    const elapsed = now - this.#lastGrowthAt;
    this.#lastGrowthAt = now;
    const waited = this.#waited(now);
    if (waited && this.#atRate(now)) {
      this.#lastAtLimitAt = now;
      this.#apply(this.#rate.grow(elapsed / 1000));
    }
    if (outcome === "noAnswer") return;
    if (outcome === "accepted") {
      this.#acceptedRate.record(now);
      this.#apply(this.#rate.accepted(sentAt));
      return;
    }
    this.#throttled++;
    // While requests wait for tokens, what SMH accepted over the last second is what it allows:
    // the new ceiling, whatever the rate had grown to. Without waiting only demand was measured;
    // the rate then decreases from itself.
    const observed = waited
      ? lowest(this.#sendRate.rate(now), this.#acceptedRate.rate(now))
      : undefined;
    const before = this.#rate.sendingRate;
    const reason = this.#rate.throttled(now, sentAt, observed);
    if (reason === "throttled") this.#bucket.drain();
    this.#apply(reason, before);
  }

  /**
   * Applies the sending rate to the bucket and tells the listener: every decrease, pause, resume
   * and join (from the rate just before it), and the continuous climb and balancing in steps of
   * 10% (from the last reported rate).
   */
  #apply(reason: RateChangeReason | undefined, before = this.#reportedRate): void {
    if (reason === undefined) return;
    const rate = this.#rate.sendingRate;
    this.#bucket.setRate(rate);
    const gradual = reason === "recovered" || reason === "balanced";
    if (gradual && Math.abs(rate - this.#reportedRate) < this.#reportedRate * 0.1) return;
    this.#reportedRate = rate;
    this.#onRateChange?.({ previousRate: before, rate, reason });
  }

  /**
   * What this limiter uses of the library, for the board: its rate while demand is at it, else
   * what it sent over the last second (its rate before a second has passed). Demand counts as at
   * its rate if it was within the time the others keep a post ({@link FLEET_STALE_AFTER_MS}): a
   * pause between two batches, or a stalled process, does not hand its share to the others only
   * for it to take it back a moment later.
   */
  #use(): { rate: number; saturated: boolean } {
    const now = this.#now();
    const rate = this.#rate.rate;
    const sent = this.#sendRate.rate(now) ?? rate;
    if (this.#saturated(now)) this.#lastAtLimitAt = now;
    if (now - this.#lastAtLimitAt <= FLEET_STALE_AFTER_MS) return { rate, saturated: true };
    return { rate: Math.min(rate, sent), saturated: false };
  }

  /** A request waited for a token within the last second. */
  #waited(now: number): boolean {
    return this.#bucket.waiting > 0 || now - this.#lastSaturatedAt <= SATURATION_WINDOW_MS;
  }

  /**
   * What was sent over the last second is close to the rate. Requests that arrive together wait a
   * moment for tokens even at a rate far above what they add up to: only a client that also
   * sends about its rate is at it (and may climb, and claim its rate on the board); otherwise it
   * would climb without bound while SMH never gets to say 429.
   */
  #atRate(now: number): boolean {
    const sent = this.#sendRate.rate(now);
    return sent === undefined || sent >= SATURATED_SHARE * this.#rate.sendingRate;
  }

  /** Demand is at the rate: a request waited for a token lately, and about the rate was sent. */
  #saturated(now: number): boolean {
    return this.#waited(now) && this.#atRate(now);
  }

  /**
   * With a fleet: on the first request, reads the board and starts quietly if others are busy on
   * the library; then balances at every period boundary of the wall clock for as long as requests
   * are sent or waiting. A limiter that sent nothing for a period and has nothing waiting stops
   * posting (the others then count it gone) until it sends again.
   */
  #joinFleet(): void {
    if (!this.#fleet || this.#fleetTimer !== undefined) return;
    if (!this.#joined) {
      this.#joined = true;
      void this.#exchange("join");
    }
    this.#scheduleRound();
  }

  /**
   * Rounds happen at the same moments in every container (whole periods of the wall clock): each
   * balances against posts the others made at the same moment, not up to a period earlier.
   */
  #scheduleRound(): void {
    const wallClock = this.#fleet?.wallClock ?? Date.now;
    const delay = FLEET_PERIOD_MS - (wallClock() % FLEET_PERIOD_MS);
    this.#fleetTimer = setTimeout(() => this.#round(), delay);
    this.#fleetTimer.unref?.();
  }

  #round(): void {
    this.#fleetTimer = undefined;
    // Idle: nothing sent for a period and nothing waiting to be (a limiter at a low rate, waiting
    // for its next token, is busy, not idle).
    const waiting = this.#bucket.waiting + this.#slots.pendingCount + this.#inFlight;
    if (waiting === 0 && this.#now() - this.#lastSentAt > FLEET_PERIOD_MS) {
      // Whoever it saw before it went idle says nothing about who stopped since it comes back.
      this.#lastPeers = new Map();
      return;
    }
    this.#scheduleRound();
    void this.#exchange("balance");
  }

  /**
   * One round with the board. `join` (the first request): read the others' posts, drop to the
   * minimum rate if any are sending, then post. `balance` (every period): post what this limiter
   * uses and read the others' posts at once, then move towards the fair share and take over what
   * stopped members used (see `fleet.ts`); every container also climbs with its part of the climb
   * (`AdaptiveRate.shareClimb`). At most one round at a time: a slow board skips periods rather
   * than piling up calls.
   */
  async #exchange(round: "join" | "balance"): Promise<void> {
    const fleet = this.#fleet;
    if (!fleet || this.#fleetBusy) return;
    this.#fleetBusy = true;
    try {
      const { board, libraryId, memberId, wallClock } = fleet;
      const since = wallClock() - FLEET_STALE_AFTER_MS;
      const before = this.#rate.sendingRate;
      if (round === "join") {
        const peers = peersOf(await board.read(libraryId, since), memberId, since);
        this.#busyPeers = peers.length;
        this.#rate.shareClimb(peers.length + 1);
        if (peers.length > 0) {
          this.#apply(this.#rate.shift(this.#minRate - this.#rate.rate, "joined"), before);
        }
        // Not saturated yet: the others' next balancing leaves its (lowest) rate be and shares the
        // rest among themselves; it balances with them from its own next round.
        const rate = this.#rate.rate;
        await board.post(libraryId, { memberId, rate, saturated: false, at: wallClock() });
        return;
      }
      // Post, give the others' posts of this round time to land, then read: every container
      // balances against the same snapshot of what all of them used at the round's start.
      const own = this.#use();
      const postedAt = wallClock();
      await board.post(libraryId, { memberId, ...own, at: postedAt });
      await sleep(Math.max(0, postedAt + FLEET_READ_DELAY_MS - wallClock()));
      const posts = await board.read(libraryId, since);
      const peers = peersOf(posts, memberId, since);
      this.#busyPeers = peers.length;
      this.#rate.shareClimb(peers.length + 1);
      const released = own.saturated ? releasedShare(this.#lastPeers, peers) : 0;
      this.#lastPeers = new Map(peers.map((peer) => [peer.memberId, peer.rate]));
      // Balance only with the members that posted in this round (a member that just joined, or
      // skipped the round, moves with the others from its next round on).
      const roundStart = postedAt - (postedAt % FLEET_PERIOD_MS);
      const balancing = peersOf(
        posts.filter((post) => post.at < roundStart + FLEET_READ_DELAY_MS),
        memberId,
        roundStart,
      );
      const target = balancedRate(own, balancing) + released;
      // Moves by what balancing asks of the rate it posted, keeping what its own curve did since
      // (the moves of all then add up to nothing); an unsaturated limiter above its share comes
      // down from what it uses.
      const change = own.saturated ? target - own.rate : target - this.#rate.rate;
      if (target !== own.rate) this.#apply(this.#rate.shift(change, "balanced"), before);
    } catch (error) {
      this.#onFleetError?.(error);
    } finally {
      this.#fleetBusy = false;
    }
  }
}

function lowest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** Rejects as soon as `signal` aborts, leaving `promise` to settle on its own. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function validate(settings: Required<Omit<LimiterOptions, "now">>): void {
  const positive = ["initialRate", "minRate", "maxRate", "burst", "increaseScale"] as const;
  for (const key of positive) {
    if (!(Number.isFinite(settings[key]) && settings[key] > 0)) {
      throw new RangeError(`limiter.${key} must be a positive number`);
    }
  }
  if (!(Number.isInteger(settings.maxInFlight) && settings.maxInFlight >= 1)) {
    throw new RangeError("limiter.maxInFlight must be an integer of at least 1");
  }
  if (!(settings.decreaseFactor > 0 && settings.decreaseFactor < 1)) {
    throw new RangeError("limiter.decreaseFactor must be between 0 and 1");
  }
  if (settings.minRate > settings.maxRate) {
    throw new RangeError("limiter.minRate must not exceed limiter.maxRate");
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
}
