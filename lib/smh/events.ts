import type { Grant } from "./grants.ts";
import type { RateChangeReason } from "./limiter/adaptive-rate.ts";

/**
 * What the client reports through `onEvent`, for metrics and logs without a logger dependency.
 * No event carries a URL, an access token or a library secret.
 */
export type SmhEvent =
  | SmhRequestEvent
  | SmhRetryEvent
  | SmhThrottleEvent
  | SmhTokenMintedEvent
  | SmhTokenRefreshedEvent
  | SmhRateChangedEvent
  | SmhFleetBoardFailedEvent;

/** Receives {@link SmhEvent}s. Exceptions it throws are swallowed: metrics never fail a deletion. */
export type SmhEventListener = (event: SmhEvent) => void;

/** One HTTP attempt ended. */
export interface SmhRequestEvent {
  readonly type: "request";
  readonly libraryId: string;
  readonly operation: string;
  readonly method: string;
  /** 1 for the first attempt of a call, counting retries and the re-mint retry. */
  readonly attempt: number;
  /** `response` when SMH answered (see `status`), else why no answer came. */
  readonly outcome: "response" | "timeout" | "networkError" | "aborted";
  readonly status?: number | undefined;
  readonly requestId?: string | undefined;
  readonly durationMs: number;
}

/** A failed attempt is about to be retried. */
export interface SmhRetryEvent {
  readonly type: "retry";
  readonly libraryId: string;
  readonly operation: string;
  /** The number of the attempt about to start. */
  readonly attempt: number;
  /** Why: `HTTP 503 ServerOverloaded`, `timeout`, `network ECONNRESET`, … */
  readonly reason: string;
  /** How long the client waited before this retry (backoff or `Retry-After`). */
  readonly waitedMs: number;
}

/** SMH answered 429. */
export interface SmhThrottleEvent {
  readonly type: "throttle";
  readonly libraryId: string;
  readonly operation: string;
  /** SMH's `Retry-After`, when sent. */
  readonly retryAfterMs?: number | undefined;
}

/** A token was minted for a scope that had none before. */
export interface SmhTokenMintedEvent {
  readonly type: "tokenMinted";
  readonly libraryId: string;
  /** The space the token is bound to; absent for single-tenant libraries and library-wide tokens. */
  readonly spaceId?: string | undefined;
  readonly grants: readonly Grant[];
  readonly userId?: string | undefined;
  readonly expiresInSeconds: number;
}

/** A token was replaced: it was about to expire, or SMH refused it. */
export interface SmhTokenRefreshedEvent extends Omit<SmhTokenMintedEvent, "type"> {
  readonly type: "tokenRefreshed";
  readonly reason: "expiring" | "rejected";
}

/**
 * The library's send rate changed: every decrease (`throttled`), every pause to probing while SMH
 * refuses everything (`paused`) and its end (`resumed`), a quiet start because other containers
 * are busy on the library (`joined`), and the climb back (`recovered`) and the balancing with the
 * other containers (`balanced`) in steps of 10%.
 */
export interface SmhRateChangedEvent {
  readonly type: "rateChanged";
  readonly libraryId: string;
  readonly previousRate: number;
  readonly rate: number;
  readonly reason: RateChangeReason;
}

/**
 * A call to the fleet board (the state shared with the other containers) failed: until it answers
 * again, this library's limiter finds its share from 429s alone.
 */
export interface SmhFleetBoardFailedEvent {
  readonly type: "fleetBoardFailed";
  readonly libraryId: string;
  /** The error's name and message. */
  readonly reason: string;
}

/** Calls `listener` with `event`, swallowing anything it throws. */
export function emit(listener: SmhEventListener | undefined, event: SmhEvent): void {
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // A broken metrics callback must not turn a successful deletion into a failure.
  }
}
