/**
 * The settings every queue-driven handler shares, read from the environment at cold start with the
 * rest of its tuning: how much of an invocation is kept back from starting work and from SMH calls
 * (the delete and recycle pipelines, the retention scan), and when a library's circuit opens (the
 * delete and recycle pipelines). Each domain spreads the schema fragments into its own schema, in
 * the place its variables are listed, and its settings extend the interfaces.
 */
import { envNumber } from "../config/env.ts";

const { positiveInt, nonNegativeInt } = envNumber;

/** Schema fields for {@link DeadlineSettings}: `DEADLINE_MARGIN_MS`, `PUBLISH_RESERVE_MS`. */
export const deadlineSettingsShape = {
  DEADLINE_MARGIN_MS: nonNegativeInt.default(15_000),
  PUBLISH_RESERVE_MS: nonNegativeInt.default(5_000),
};

/** Schema fields for {@link CircuitSettings}: `CIRCUIT_FAILURE_THRESHOLD`, `CIRCUIT_COOLDOWN_MS`. */
export const circuitSettingsShape = {
  CIRCUIT_FAILURE_THRESHOLD: positiveInt.default(5),
  CIRCUIT_COOLDOWN_MS: positiveInt.default(30_000),
};

/** Seconds SQS allows a message's DelaySeconds to be, at most. */
const SQS_MAX_DELAY_SECONDS = 900;

/**
 * Schema fields for {@link ParkingSettings}: `MAX_SMH_ATTEMPTS`, `MAX_JOB_AGE_SECONDS`,
 * `PARK_BASE_DELAY_SECONDS`, `PARK_MAX_DELAY_SECONDS`. Refine the schema with
 * {@link checkParkingDelays}.
 */
export const parkingSettingsShape = {
  MAX_SMH_ATTEMPTS: positiveInt.default(5),
  // Two days: well inside the jobs queue's retention (4 days) for a job that is never parked.
  MAX_JOB_AGE_SECONDS: positiveInt.default(172_800),
  PARK_BASE_DELAY_SECONDS: positiveInt.max(SQS_MAX_DELAY_SECONDS).default(30),
  PARK_MAX_DELAY_SECONDS: positiveInt.max(SQS_MAX_DELAY_SECONDS).default(SQS_MAX_DELAY_SECONDS),
};

/** Refuses a base delay above the maximum (a `superRefine` of a schema with {@link parkingSettingsShape}). */
export function checkParkingDelays(
  parsed: { PARK_BASE_DELAY_SECONDS: number; PARK_MAX_DELAY_SECONDS: number },
  context: { addIssue(issue: { code: "custom"; message: string; path: string[] }): void },
): void {
  if (parsed.PARK_BASE_DELAY_SECONDS > parsed.PARK_MAX_DELAY_SECONDS) {
    context.addIssue({
      code: "custom",
      path: ["PARK_BASE_DELAY_SECONDS"],
      message: `must not exceed PARK_MAX_DELAY_SECONDS (${parsed.PARK_MAX_DELAY_SECONDS})`,
    });
  }
}

/**
 * When work that could not be done now is parked, and when it is given up (see `parking.ts`).
 * The delete and recycle pipelines share the variables (every function gets one environment).
 */
export interface ParkingSettings {
  /** Real SMH attempts that failed retryably after which a job is given up (`failed`, DLQ). */
  readonly maxSmhAttempts: number;
  /** Age (since first enqueued, or since a redrive) after which a job is given up. */
  readonly maxJobAgeSeconds: number;
  /** The first parking's delay; each further parking doubles it. */
  readonly parkBaseDelaySeconds: number;
  /** The longest parking delay (SQS allows 900 s at most). */
  readonly parkMaxDelaySeconds: number;
}

/** {@link ParkingSettings} out of a schema parsed with {@link parkingSettingsShape}. */
export function parkingSettings(parsed: {
  MAX_SMH_ATTEMPTS: number;
  MAX_JOB_AGE_SECONDS: number;
  PARK_BASE_DELAY_SECONDS: number;
  PARK_MAX_DELAY_SECONDS: number;
}): ParkingSettings {
  return {
    maxSmhAttempts: parsed.MAX_SMH_ATTEMPTS,
    maxJobAgeSeconds: parsed.MAX_JOB_AGE_SECONDS,
    parkBaseDelaySeconds: parsed.PARK_BASE_DELAY_SECONDS,
    parkMaxDelaySeconds: parsed.PARK_MAX_DELAY_SECONDS,
  };
}

/** How an invocation's time is shared between starting work and finishing it. */
export interface DeadlineSettings {
  /**
   * No SMH call (a delete, a restore or purge, a listing page) is started when less than this is
   * left of the invocation (capped at a quarter of the time the invocation started with): what is
   * not started comes back through its queue, or is checkpointed and goes on in another invocation.
   */
  readonly deadlineMarginMs: number;
  /**
   * Time kept back from SMH calls for writing results (or a plan, its jobs, a continuation), capped
   * at a tenth of the invocation.
   */
  readonly publishReserveMs: number;
}

/** When a library's circuit opens, and for how long. */
export interface CircuitSettings {
  /** Consecutive failed SMH operations after which a library's circuit opens. */
  readonly circuitFailureThreshold: number;
  /** How long an open circuit stays open before one probe is let through. */
  readonly circuitCooldownMs: number;
}

/** {@link DeadlineSettings} out of a schema parsed with {@link deadlineSettingsShape}. */
export function deadlineSettings(parsed: {
  DEADLINE_MARGIN_MS: number;
  PUBLISH_RESERVE_MS: number;
}): DeadlineSettings {
  return {
    deadlineMarginMs: parsed.DEADLINE_MARGIN_MS,
    publishReserveMs: parsed.PUBLISH_RESERVE_MS,
  };
}

/** {@link CircuitSettings} out of a schema parsed with {@link circuitSettingsShape}. */
export function circuitSettings(parsed: {
  CIRCUIT_FAILURE_THRESHOLD: number;
  CIRCUIT_COOLDOWN_MS: number;
}): CircuitSettings {
  return {
    circuitFailureThreshold: parsed.CIRCUIT_FAILURE_THRESHOLD,
    circuitCooldownMs: parsed.CIRCUIT_COOLDOWN_MS,
  };
}

/** When an invocation stops starting SMH calls, and the deadline its SMH calls get (epoch ms). */
export interface InvocationBudget {
  readonly stopStartingAt: number;
  readonly callDeadline: number;
}

/**
 * The budget of an invocation that must be over at `deadline` (epoch ms), at `now`: nothing starts
 * `deadlineMarginMs` before it (at most a quarter of the time left), SMH calls end
 * `publishReserveMs` before it (at most a tenth), leaving time to write what was learnt.
 */
export function invocationBudget(
  deadline: number,
  now: number,
  settings: DeadlineSettings,
): InvocationBudget {
  const remaining = Math.max(0, deadline - now);
  return {
    stopStartingAt: deadline - Math.min(settings.deadlineMarginMs, remaining / 4),
    callDeadline: deadline - Math.min(settings.publishReserveMs, remaining / 10),
  };
}
