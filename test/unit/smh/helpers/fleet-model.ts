/**
 * A model of several Lambda containers sharing one SMH library's limit, on a fake clock: each
 * container has its own {@link LibraryLimiter} and a few workers that send one request after the
 * other (the pipeline's DELETE_CONCURRENCY), waiting `Retry-After` after a 429 as ky does. The
 * server is a token bucket answering after a fixed latency. Deterministic: no jitter, no real time.
 * Run it under `vi.useFakeTimers()`; {@link runFleetModel} advances the clock.
 */
import { vi } from "vitest";
import { TokenBucket } from "../../../../lib/sim/rate-limiter.ts";
import {
  type FleetBoard,
  type FleetPost,
  LibraryLimiter,
  type LimiterOptions,
} from "../../../../lib/smh/index.ts";

/** One container's life in the model, in seconds since the model started. */
export interface ModelContainer {
  readonly joinAt: number;
  /** It stops taking new work at this time (its requests in flight still finish). */
  readonly leaveAt?: number;
}

export interface FleetModelOptions {
  /** The library's limit, requests/s, and its bucket (SMH's burst). */
  readonly limit: number;
  readonly burst: number;
  readonly containers: readonly ModelContainer[];
  /** How long the model runs, seconds. */
  readonly seconds: number;
  /** Requests each container has in flight at most (the pipeline's concurrency). @default 4 */
  readonly workers?: number;
  /** Time from sending a request to its answer, ms. @default 20 */
  readonly latencyMs?: number;
  /** The containers' limiter settings (the clock is the model's). */
  readonly limiter?: Omit<LimiterOptions, "now">;
  /** The board the containers share (see lib/smh/limiter/fleet.ts); none: each on its own. */
  readonly board?: FleetBoard;
}

/** What each container got from the library, per second. */
export interface FleetModelResult {
  /** accepted[container][second] */
  readonly accepted: number[][];
  /** throttled[container][second]: 429s */
  readonly throttled: number[][];
}

/**
 * Runs the model for `options.seconds` of fake time. Call with fake timers installed
 * (`vi.useFakeTimers({ now: 0 })`).
 */
export async function runFleetModel(options: FleetModelOptions): Promise<FleetModelResult> {
  const now = () => Date.now();
  const start = now();
  const latency = options.latencyMs ?? 20;
  const server = new TokenBucket(options.limit, options.burst, start);
  const seconds = options.seconds;
  const accepted = options.containers.map(() => new Array<number>(seconds).fill(0));
  const throttled = options.containers.map(() => new Array<number>(seconds).fill(0));
  const endAt = start + seconds * 1000;
  const board = options.board;
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  const runContainer = async (index: number, container: ModelContainer) => {
    await sleep(container.joinAt * 1000);
    const leaveAt = start + (container.leaveAt ?? seconds) * 1000;
    const limiter = new LibraryLimiter(
      { ...options.limiter, now },
      undefined,
      board && { board, libraryId: "library", memberId: `container-${index}`, wallClock: now },
    );
    const worker = async () => {
      while (now() < Math.min(leaveAt, endAt)) {
        // One job: its request, sent again after Retry-After for as long as SMH says 429.
        for (;;) {
          const retryAfterMs = await limiter.run(undefined, async (sentAt) => {
            await sleep(latency / 2);
            const wait = server.take(now());
            await sleep(latency / 2);
            limiter.report(sentAt, wait > 0 ? "throttled" : "accepted");
            const second = Math.floor((now() - start) / 1000);
            const counts = wait > 0 ? throttled[index] : accepted[index];
            if (counts && second < seconds) counts[second] = (counts[second] ?? 0) + 1;
            return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) * 1000 : 0;
          });
          if (retryAfterMs === 0 || now() >= endAt) break;
          await sleep(retryAfterMs);
        }
      }
    };
    await Promise.all(Array.from({ length: options.workers ?? 4 }, worker));
  };
  const done = Promise.all(options.containers.map((c, i) => runContainer(i, c)));
  await vi.advanceTimersByTimeAsync(seconds * 1000 + 2000);
  await done;
  return { accepted, throttled };
}

/** A {@link FleetBoard} in memory, answering at once: the shared table of a model's containers. */
export class MemoryFleetBoard implements FleetBoard {
  readonly #posts = new Map<string, FleetPost[]>();
  /** Calls made, for the cost per request. */
  calls = 0;

  async post(libraryId: string, post: FleetPost): Promise<void> {
    this.calls++;
    const posts = this.#posts.get(libraryId) ?? [];
    posts.push(post);
    this.#posts.set(libraryId, posts);
  }

  async read(libraryId: string, since: number): Promise<readonly FleetPost[]> {
    this.calls++;
    return (this.#posts.get(libraryId) ?? []).filter((post) => post.at >= since);
  }
}
