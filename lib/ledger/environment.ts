/**
 * Where the handlers keep the ledger, read from the environment at cold start: `LEDGER_BUCKET`
 * (required: every handler that writes results keeps them in the ledger, there is no switch to run
 * without it), `LEDGER_PREFIX` (optional, default `results/`) and `S3_ENDPOINT` (an S3-compatible
 * endpoint; the local stack sets it to fauxqs's S3). Configuration errors fail here, before any
 * message is consumed.
 */
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { S3Client } from "@aws-sdk/client-s3";
import * as z from "zod";
import { s3ClientConfig } from "../aws/s3-client.ts";
import { DEFAULT_LEDGER_PREFIX } from "./layout.ts";
import type { LedgerLocation } from "./object.ts";

/** The variables of the ledger. */
export const LedgerEnv = {
  bucket: "LEDGER_BUCKET",
  prefix: "LEDGER_PREFIX",
} as const;

/**
 * How often a ledger write is tried within one call (the SDK's standard retry: exponential backoff
 * with jitter, longer after `SlowDown`) before its results are reported failed and their records
 * come back through the queue.
 */
export const LEDGER_MAX_ATTEMPTS = 4;

/**
 * How long one attempt may wait for S3 (connect, then an answer). A stalled S3 then costs a few
 * seconds and a retry, not the rest of the invocation.
 */
export const LEDGER_ATTEMPT_TIMEOUT_MS = 5_000;

/** S3's bucket naming rules (3–63 lowercase letters, digits, dots and hyphens). */
const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name" });

/** A key prefix: relative (no leading `/`), ending with `/`, taken exactly as written. */
const keyPrefix = z
  .string()
  .regex(/^[^/].*\/$/, { error: "must be a key prefix that ends with / (e.g. results/)" })
  .regex(/^\S/, {
    error:
      "begins with whitespace: a key prefix is taken exactly as written, so this names keys that begin with it; set it without",
  });

/** Unset, or nothing but whitespace: the variable says nothing. */
function blank(value: string | undefined): value is undefined {
  return value === undefined || /^\s*$/.test(value);
}

/** Thrown when the ledger is not (or badly) configured; the message names the variable. */
export class LedgerConfigError extends Error {
  override readonly name = "LedgerConfigError";
}

/** What {@link ledgerFromEnv} reads. */
export interface LedgerSettings {
  readonly bucket: string;
  readonly prefix: string;
}

/** Reads and checks `LEDGER_BUCKET` and `LEDGER_PREFIX`. Throws {@link LedgerConfigError}. */
export function readLedgerSettings(
  env: Readonly<Record<string, string | undefined>>,
): LedgerSettings {
  // Taken exactly as set: a name with whitespace around it is refused by the bucket rules below.
  const bucket = env[LedgerEnv.bucket];
  if (blank(bucket)) {
    throw new LedgerConfigError(
      `${LedgerEnv.bucket} is not set: every result is kept in the ledger bucket before it is published (docs/ledger.md); serverless.yml and the local stack set it`,
    );
  }
  const checkedBucket = bucketName.safeParse(bucket);
  if (!checkedBucket.success) {
    throw new LedgerConfigError(
      `${LedgerEnv.bucket} ${JSON.stringify(bucket)} ${checkedBucket.error.issues[0]?.message}`,
    );
  }
  const given = env[LedgerEnv.prefix];
  const prefix = blank(given) ? DEFAULT_LEDGER_PREFIX : given;
  const checkedPrefix = keyPrefix.safeParse(prefix);
  if (!checkedPrefix.success) {
    throw new LedgerConfigError(
      `${LedgerEnv.prefix} ${JSON.stringify(prefix)} ${checkedPrefix.error.issues[0]?.message}`,
    );
  }
  return { bucket, prefix };
}

/** The S3 client configuration the ledger writes with: `S3_ENDPOINT`, retries, attempt timeouts. */
export function ledgerS3ClientConfig(
  env: Readonly<Record<string, string | undefined>>,
): S3ClientConfig {
  return {
    ...s3ClientConfig({ env: { ...env } }),
    maxAttempts: LEDGER_MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: LEDGER_ATTEMPT_TIMEOUT_MS,
      requestTimeout: LEDGER_ATTEMPT_TIMEOUT_MS,
    },
  };
}

/**
 * The ledger's location from `env`, with an S3 client of its own (or `s3`, for tests).
 *
 * @example const ledger = ledgerFromEnv(process.env); // throws LedgerConfigError without LEDGER_BUCKET
 */
export function ledgerFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  s3?: Pick<S3Client, "send">,
): LedgerLocation & LedgerSettings {
  const settings = readLedgerSettings(env);
  return { ...settings, s3: s3 ?? new S3Client(ledgerS3ClientConfig(env)) };
}
