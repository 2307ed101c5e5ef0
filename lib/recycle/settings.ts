/**
 * Tuning of the recycle-actions pipeline, read from the environment at cold start. Every variable
 * is optional; the defaults suit a Lambda with a 120 s timeout and a batch of 10 commands.
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

const { positiveInt } = envNumber;

const SettingsSchema = z
  .object({
    RECYCLE_MAX_RECEIVE_COUNT: positiveInt.default(5),
    RECYCLE_CONCURRENCY: positiveInt.max(100).default(4),
    ...deadlineSettingsShape,
    ...circuitSettingsShape,
    ...parkingSettingsShape,
  })
  .superRefine(checkParkingDelays);

/** What the recycle pipeline needs to know besides its dependencies. */
export interface RecycleSettings extends DeadlineSettings, CircuitSettings, ParkingSettings {
  /**
   * The recycle-actions queue's maxReceiveCount (serverless.yml sets both from one value): a
   * command received this often without being finished or parked gets a `failed` result for each
   * item still without one, and goes to the DLQ (`lib/batch/parking.ts`).
   */
  readonly maxReceiveCount: number;
  /** SMH calls (batch requests or single restores/purges) in flight per invocation. */
  readonly concurrency: number;
}

/**
 * Reads {@link RecycleSettings} from `env`. Empty strings count as unset. Throws a `ZodError` naming
 * each invalid variable.
 */
export function readRecycleSettings(env: Env = process.env): RecycleSettings {
  const parsed = parseEnv(SettingsSchema, env);
  return {
    maxReceiveCount: parsed.RECYCLE_MAX_RECEIVE_COUNT,
    concurrency: parsed.RECYCLE_CONCURRENCY,
    ...deadlineSettings(parsed),
    ...circuitSettings(parsed),
    ...parkingSettings(parsed),
  };
}
