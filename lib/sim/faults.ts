import * as z from "zod";
import defaults from "./defaults.json" with { type: "json" };
import { ROUTE_NAMES } from "./route-names.ts";

const ratio = z.number().min(0).max(1);
const milliseconds = z.number().int().min(0).max(86_400_000);

/**
 * Faults of one library. Every field is documented with its default in docs/simulator.md.
 *
 * Latency model: a request waits `latencyMs + U[0, jitterMs) + perItemLatencyMs × n` before it is
 * applied, where n is the number of items in a batch body (0 for other requests). Mutating requests
 * hold their paths (for `PathConflict`) while they wait. An asynchronous batch answers after the
 * base latency; its task finishes `asyncTaskDelayMs + perItemLatencyMs × n` later.
 */
export const faultsSchema = z.strictObject({
  /** Fixed latency added to every SMH request. Default 0. */
  latencyMs: milliseconds,
  /** Uniform random extra latency in [0, jitterMs). Default 0. */
  jitterMs: milliseconds,
  /** Extra latency per item of a batch body (batch delete, restore, purge). Default 0. */
  perItemLatencyMs: z.number().min(0).max(60_000),
  /** Token-bucket refill rate in requests/second; 0 = no rate limit. Default 0. */
  rateLimitPerSecond: z.number().min(0),
  /** Bucket size; 0 = same as the rate (one second of burst). Default 0. */
  rateLimitBurst: z.number().int().min(0),
  /** Whether 429 answers carry `Retry-After`. Default true. */
  sendRetryAfter: z.boolean(),
  /** Fixed `Retry-After` seconds; 0 = computed from the bucket (rounded up, at least 1). Default 0. */
  retryAfterSeconds: z.number().int().min(0),
  /**
   * Bursts of 429: every `throttleEveryMs` of real time, counted from when it was set, the first
   * `throttleForMs` answer every selected request `429 RateLimitExceeded`, whatever the bucket
   * holds. 0 = never. Default 0.
   */
  throttleEveryMs: milliseconds,
  /** Length of each burst of 429s (`throttleEveryMs` or more: always). Default 0. */
  throttleForMs: milliseconds,
  /** Share of selected requests answered `500 InternalServerError` without being applied. Default 0. */
  error500Ratio: ratio,
  /** Share of selected requests answered `ServerOverloaded` (503) without being applied. Default 0. */
  error503Ratio: ratio,
  /**
   * Share of selected requests answered with a timeout, not applied: `408 ReadRequestTimeout`, or
   * `RequestTimeout` with the status of `serverOverloadedStatus` (the error table's 5xx rows are
   * unreadable), as `requestTimeoutMode` says. Default 0.
   */
  requestTimeoutRatio: ratio,
  /** Which timeout answer: `408` (ReadRequestTimeout) or `5xx` (RequestTimeout). Default "408". */
  requestTimeoutMode: z.enum(["408", "5xx"]),
  /** Share of selected requests whose connection is reset without an answer, not applied. Default 0. */
  resetRatio: ratio,
  /** Share of answers sent slowly: headers at once, then the body trickled. Default 0. */
  slowBodyRatio: ratio,
  /** Bytes per trickled chunk. Default 16. */
  slowBodyChunkBytes: z.number().int().min(1),
  /** Pause between trickled chunks. Default 25. */
  slowBodyChunkDelayMs: milliseconds,
  /**
   * Share of successful deletes (single and batch), restores, purges and empties that are applied
   * and then answered with a failure anyway. Default 0.
   */
  acceptThenFailRatio: ratio,
  /** How an accept-then-fail answers: `500`, `503` or `reset` (connection dropped). Default "500". */
  acceptThenFailMode: z.enum(["500", "503", "reset"]),
  /** Share of selected mutating requests answered `409 PathConflict` without being applied. Default 0. */
  pathConflictRatio: ratio,
  /**
   * Routes the rate limit, 429 bursts, error, reset, slow-body, path-conflict and accept-then-fail
   * faults apply to; null = every SMH route except the token routes. Latency applies to every SMH route.
   */
  routes: z.array(z.enum(ROUTE_NAMES)).nullable(),
  /** Batch delete/restore bodies with more items than this answer `202 {taskId}`. Default 100. */
  asyncBatchThreshold: z.number().int().min(0),
  /** How long an asynchronous task runs before it finishes. Default 500. */
  asyncTaskDelayMs: milliseconds,
  /** Invalidate every token of the library every N ms of simulated time; 0 = never. Default 0. */
  tokenInvalidationEveryMs: milliseconds,
});

/** The faults of one library. */
export type Faults = z.infer<typeof faultsSchema>;

/** A partial update of {@link Faults}; unknown keys are refused so a typo never silently no-ops. */
export const faultsPatchSchema = faultsSchema.partial();
export type FaultsPatch = z.infer<typeof faultsPatchSchema>;

/**
 * No faults at all: the simulator answers like a healthy, idle service. The values live in
 * `defaults.json`, as data that tools outside the simulator can read (`asyncBatchThreshold` is one
 * of the behaviours `smh-cleaner conformance` compares with a real library).
 */
export const DEFAULT_FAULTS: Readonly<Faults> = Object.freeze(faultsSchema.parse(defaults.faults));

/**
 * Parses an untrusted faults patch (HTTP body, CLI flag).
 * @throws Error with zod's readable description of what is wrong.
 */
export function parseFaultsPatch(input: unknown): FaultsPatch {
  const parsed = faultsPatchSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid faults: ${z.prettifyError(parsed.error)}`);
  // An explicit `undefined` means "leave as is", never "set to undefined".
  return Object.fromEntries(
    Object.entries(parsed.data).filter(([, value]) => value !== undefined),
  ) as FaultsPatch;
}
