/**
 * Tuning of the delete pipeline, read from the environment at cold start. Every variable is
 * optional; the defaults suit a Lambda with a 120 s timeout and a batch size of 100.
 */
import * as z from "zod";
import {
  type CircuitSettings,
  checkParkingDelays,
  circuitSettings,
  circuitSettingsShape,
  type DeadlineSettings,
  deadlineSettings,
  deadlineSettingsShape,
  type ParkingSettings,
  parkingSettings,
  parkingSettingsShape,
} from "../batch/settings.ts";
import { type Env, envNumber, parseEnv } from "../config/env.ts";

const { positiveInt, nonNegativeInt } = envNumber;

const SettingsSchema = z
  .object({
    BATCH_DELETE_MIN_JOBS: positiveInt.default(2),
    BATCH_DELETE_MAX_ITEMS: positiveInt.max(1000).default(1000),
    DELETE_CONCURRENCY: positiveInt.max(100).default(4),
    ...deadlineSettingsShape,
    RECOVERY_SKEW_MS: nonNegativeInt.default(120_000),
    MAX_RECEIVE_COUNT: positiveInt.default(5),
    ...circuitSettingsShape,
    ...parkingSettingsShape,
  })
  .superRefine(checkParkingDelays);

/** What the pipeline needs to know besides its dependencies. */
export interface DeleteSettings extends DeadlineSettings, CircuitSettings, ParkingSettings {
  /** A (library, space, permanent) group with at least this many jobs uses SMH batch delete. */
  readonly batchDeleteMinJobs: number;
  /** Paths per batch-delete request (SMH accepts at most 1,000). */
  readonly batchDeleteMaxItems: number;
  /** SMH calls (single deletes or batch requests) in flight per invocation, below the limiter. */
  readonly concurrency: number;
  /**
   * A recycle-bin item counts as this job's deletion when it was removed no earlier than this long
   * before the job was first sent: clocks differ, and SQS's SentTimestamp is not SMH's clock.
   */
  readonly recoverySkewMs: number;
  /**
   * The jobs queue's maxReceiveCount: a message received this often without being finished or
   * parked (invocations dying on it) gets its `failed` result and goes to the DLQ (`parking.ts`).
   */
  readonly maxReceiveCount: number;
}

/** The environment variables {@link readDeleteSettings} reads, with their defaults. */
export const DELETE_SETTING_DEFAULTS = SettingsSchema.parse({});

/**
 * Reads {@link DeleteSettings} from `env`. Empty strings count as unset (serverless.yml writes
 * `""` for an unset parameter). Throws a `ZodError` naming each invalid variable.
 */
export function readDeleteSettings(env: Env = process.env): DeleteSettings {
  const parsed = parseEnv(SettingsSchema, env);
  return {
    batchDeleteMinJobs: parsed.BATCH_DELETE_MIN_JOBS,
    batchDeleteMaxItems: parsed.BATCH_DELETE_MAX_ITEMS,
    concurrency: parsed.DELETE_CONCURRENCY,
    ...deadlineSettings(parsed),
    recoverySkewMs: parsed.RECOVERY_SKEW_MS,
    maxReceiveCount: parsed.MAX_RECEIVE_COUNT,
    ...circuitSettings(parsed),
    ...parkingSettings(parsed),
  };
}
