/**
 * Tuning of the delete pipeline, read from the environment at cold start. Every variable is
 * optional; the defaults suit a Lambda with a 120 s timeout and a batch size of 100.
 */
import * as z from "zod";
import { type Env, envNumber, parseEnv } from "../config/env.ts";

const { positiveInt, nonNegativeInt } = envNumber;

const SettingsSchema = z.object({
  BATCH_DELETE_MIN_JOBS: positiveInt.default(2),
  BATCH_DELETE_MAX_ITEMS: positiveInt.max(1000).default(1000),
  DELETE_CONCURRENCY: positiveInt.max(100).default(4),
  DEADLINE_MARGIN_MS: nonNegativeInt.default(15_000),
  PUBLISH_RESERVE_MS: nonNegativeInt.default(5_000),
  RECOVERY_SKEW_MS: nonNegativeInt.default(120_000),
  MAX_RECEIVE_COUNT: positiveInt.default(5),
  CIRCUIT_FAILURE_THRESHOLD: positiveInt.default(5),
  CIRCUIT_COOLDOWN_MS: positiveInt.default(30_000),
});

/** What the pipeline needs to know besides its dependencies. */
export interface PipelineSettings {
  /** A (library, space, permanent) group with at least this many jobs uses SMH batch delete. */
  readonly batchDeleteMinJobs: number;
  /** Paths per batch-delete request (SMH accepts at most 1,000). */
  readonly batchDeleteMaxItems: number;
  /** SMH calls (single deletes or batch requests) in flight per invocation, below the limiter. */
  readonly concurrency: number;
  /**
   * No SMH call is started when less than this is left of the invocation (capped at a quarter of
   * the time the invocation started with); the jobs not started come back through the queue.
   */
  readonly deadlineMarginMs: number;
  /** Time kept back from SMH calls for publishing results (capped at a tenth of the invocation). */
  readonly publishReserveMs: number;
  /**
   * A recycle-bin item counts as this job's deletion when it was removed no earlier than this long
   * before the job was first sent: clocks differ, and SQS's SentTimestamp is not SMH's clock.
   */
  readonly recoverySkewMs: number;
  /** The jobs queue's maxReceiveCount: on the last receive a failing job gets a `failed` result. */
  readonly maxReceiveCount: number;
  /** Consecutive failed SMH operations after which a library's circuit opens. */
  readonly circuitFailureThreshold: number;
  /** How long an open circuit stays open before one probe is let through. */
  readonly circuitCooldownMs: number;
}

/** The environment variables {@link readPipelineSettings} reads, with their defaults. */
export const PIPELINE_SETTING_DEFAULTS = SettingsSchema.parse({});

/**
 * Reads {@link PipelineSettings} from `env`. Empty strings count as unset (serverless.yml writes
 * `""` for an unset parameter). Throws a `ZodError` naming each invalid variable.
 */
export function readPipelineSettings(env: Env = process.env): PipelineSettings {
  const parsed = parseEnv(SettingsSchema, env);
  return {
    batchDeleteMinJobs: parsed.BATCH_DELETE_MIN_JOBS,
    batchDeleteMaxItems: parsed.BATCH_DELETE_MAX_ITEMS,
    concurrency: parsed.DELETE_CONCURRENCY,
    deadlineMarginMs: parsed.DEADLINE_MARGIN_MS,
    publishReserveMs: parsed.PUBLISH_RESERVE_MS,
    recoverySkewMs: parsed.RECOVERY_SKEW_MS,
    maxReceiveCount: parsed.MAX_RECEIVE_COUNT,
    circuitFailureThreshold: parsed.CIRCUIT_FAILURE_THRESHOLD,
    circuitCooldownMs: parsed.CIRCUIT_COOLDOWN_MS,
  };
}
