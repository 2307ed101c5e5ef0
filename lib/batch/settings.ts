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
