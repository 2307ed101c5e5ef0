/**
 * Tuning of the recycle-actions pipeline, read from the environment at cold start. Every variable
 * is optional; the defaults suit a Lambda with a 120 s timeout and a batch of 10 commands.
 */
import * as z from "zod";
import { type Env, envNumber, parseEnv } from "../config/env.ts";

const { positiveInt, nonNegativeInt } = envNumber;

const SettingsSchema = z.object({
  RECYCLE_MAX_RECEIVE_COUNT: positiveInt.default(5),
  RECYCLE_CONCURRENCY: positiveInt.max(100).default(4),
  DEADLINE_MARGIN_MS: nonNegativeInt.default(15_000),
  PUBLISH_RESERVE_MS: nonNegativeInt.default(5_000),
  CIRCUIT_FAILURE_THRESHOLD: positiveInt.default(5),
  CIRCUIT_COOLDOWN_MS: positiveInt.default(30_000),
});

/** What the recycle pipeline needs to know besides its dependencies. */
export interface RecycleSettings {
  /**
   * The recycle-actions queue's maxReceiveCount (serverless.yml sets both from one value): on the
   * last receive, items that still fail get a `failed` result before the command dead-letters.
   */
  readonly maxReceiveCount: number;
  /** SMH calls (batch requests or single restores/purges) in flight per invocation. */
  readonly concurrency: number;
  /** No SMH call starts when less than this is left (capped at a quarter of the invocation). */
  readonly deadlineMarginMs: number;
  /** Time kept back from SMH calls for publishing results (capped at a tenth of the invocation). */
  readonly publishReserveMs: number;
  /** Consecutive failed SMH operations after which a library's circuit opens. */
  readonly circuitFailureThreshold: number;
  /** How long an open circuit stays open before one probe is let through. */
  readonly circuitCooldownMs: number;
}

/** The defaults of {@link readRecycleSettings}, by environment variable. */
export const RECYCLE_SETTING_DEFAULTS = SettingsSchema.parse({});

/**
 * Reads {@link RecycleSettings} from `env`. Empty strings count as unset. Throws a `ZodError` naming
 * each invalid variable.
 */
export function readRecycleSettings(env: Env = process.env): RecycleSettings {
  const parsed = parseEnv(SettingsSchema, env);
  return {
    maxReceiveCount: parsed.RECYCLE_MAX_RECEIVE_COUNT,
    concurrency: parsed.RECYCLE_CONCURRENCY,
    deadlineMarginMs: parsed.DEADLINE_MARGIN_MS,
    publishReserveMs: parsed.PUBLISH_RESERVE_MS,
    circuitFailureThreshold: parsed.CIRCUIT_FAILURE_THRESHOLD,
    circuitCooldownMs: parsed.CIRCUIT_COOLDOWN_MS,
  };
}
