/**
 * Tuning of the retention scan, read from the environment at cold start. Every variable is
 * optional; the defaults suit a Lambda with a 900 s timeout.
 */
import * as z from "zod";
import {
  type DeadlineSettings,
  deadlineSettings,
  deadlineSettingsShape,
} from "../batch/settings.ts";
import { type Env, envNumber, parseEnv } from "../config/env.ts";
import { DEFAULT_TRIGGER_BOUNDS, type TriggerBounds } from "./trigger.ts";

const { positiveInt, nonNegativeInt } = envNumber;

/** Entries per listing page: SMH's maximum, so a scan reads as few pages as it can. */
export const LISTING_PAGE_SIZE = 100;

const SettingsSchema = z.object({
  RETENTION_SCAN_CONCURRENCY: positiveInt.max(32).default(4),
  RETENTION_MAX_RECEIVE_COUNT: positiveInt.default(5),
  // At most an hour ahead and a week behind: wider bounds would let a forged event choose the clock.
  RETENTION_TRIGGER_MAX_FUTURE_SECONDS: nonNegativeInt
    .max(3600)
    .default(DEFAULT_TRIGGER_BOUNDS.maxFutureMs / 1000),
  RETENTION_TRIGGER_MAX_PAST_SECONDS: nonNegativeInt
    .max(7 * 86_400)
    .default(DEFAULT_TRIGGER_BOUNDS.maxPastMs / 1000),
  ...deadlineSettingsShape,
});

/** What a retention run needs to know besides its dependencies. */
export interface RetentionSettings extends DeadlineSettings {
  /** Scans (one rule in one space) in flight per invocation, below the SMH limiter. */
  readonly concurrency: number;
  /** Entries per listing page (`limit`, 1 to 100). */
  readonly pageSize: number;
  /**
   * The continuation queue's maxReceiveCount: on the last receive of a continuation that still
   * cannot be carried on, its scan gets a `scan-failed` alert before the message dead-letters.
   */
  readonly maxReceiveCount: number;
  /**
   * How far a scheduled event's time may be from now (`RETENTION_TRIGGER_MAX_FUTURE_SECONDS`,
   * default 300; `RETENTION_TRIGGER_MAX_PAST_SECONDS`, default 86,400): outside, the run is refused.
   */
  readonly triggerBounds: TriggerBounds;
}

/**
 * Reads {@link RetentionSettings} from `env`. Empty strings count as unset. Throws a `ZodError`
 * naming each invalid variable.
 */
export function readRetentionSettings(env: Env = process.env): RetentionSettings {
  const parsed = parseEnv(SettingsSchema, env);
  return {
    concurrency: parsed.RETENTION_SCAN_CONCURRENCY,
    pageSize: LISTING_PAGE_SIZE,
    maxReceiveCount: parsed.RETENTION_MAX_RECEIVE_COUNT,
    triggerBounds: {
      maxFutureMs: parsed.RETENTION_TRIGGER_MAX_FUTURE_SECONDS * 1000,
      maxPastMs: parsed.RETENTION_TRIGGER_MAX_PAST_SECONDS * 1000,
    },
    ...deadlineSettings(parsed),
  };
}
