/**
 * What every result message carries besides its outcome: how the work went (attempts, timings,
 * SMH's request ID), how the failure looked, and the dedup key.
 *
 * Result builders cut text that comes from outside (SMH's messages and codes, header values) to
 * fit the schema, and scrub credentials from it, so a long or odd error can never make building a
 * result throw; structural mistakes (a recycledItemId of 0) still throw, as the caller's bug.
 */
import * as z from "zod";
import { type Supersedes, supersedesShape } from "./delivery.ts";
import { attempts, boundedText, smhRequestId, timestamp } from "./fields.ts";

/** The shape of a dedup key: a SHA-256 in lowercase hex (see `dedup.ts`). */
export const dedupKey = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { error: "must be 64 lowercase hex characters" })
  .meta({
    description:
      "Equal for results that report the same fact about the same request (the same job delivered twice, for example): keep one.",
  });

/**
 * Schema of a result's optional `supersedes`: set on every result of a job (command) moved back
 * from the DLQ by hand, naming the `failed` result it replaces by its dedupKey.
 */
export const supersedesField = supersedesShape
  .extend({
    dedupKey: dedupKey.meta({
      description: "The dedupKey of the `failed` result this one supersedes: drop that one.",
    }),
  })
  .optional();

/** A result's `supersedes` field: what the delivery state says, and the failed result's key. */
export function supersedesFields(
  supersedes: Supersedes | undefined,
  failedDedupKey: string,
): (Supersedes & { dedupKey: string }) | undefined {
  return supersedes === undefined ? undefined : { ...supersedes, dedupKey: failedDedupKey };
}

/** How the work on one item went, as the handler observed it. */
export interface RunFacts {
  /** Calls made to SMH for this item, retries included. */
  attempts: number;
  /** `X-Request-Id` of the SMH response that decided the outcome, when SMH sent one. */
  requestId?: string | undefined;
  startedAt: Date;
  finishedAt: Date;
}

/** When the work on an item started and ended. */
export interface Timing {
  startedAt: Date;
  finishedAt: Date;
}

/** Schema fields for {@link RunFacts}. */
export const runShape = {
  attempts,
  requestId: smhRequestId.optional(),
  startedAt: timestamp.meta({ description: "When work on the item started (ISO-8601, UTC)." }),
  finishedAt: timestamp.meta({ description: "When the outcome was known (ISO-8601, UTC)." }),
};

/** Schema fields for the run of work refused before SMH was called: no attempt, its timing. */
export const refusedRunShape = {
  attempts: z.literal(0),
  startedAt: runShape.startedAt,
  finishedAt: runShape.finishedAt,
};

/** The result fields for work refused before SMH was called (see {@link refusedRunShape}). */
export function refusedRunFields(timing: Timing): {
  attempts: 0;
  startedAt: string;
  finishedAt: string;
} {
  return {
    attempts: 0,
    startedAt: timing.startedAt.toISOString(),
    finishedAt: timing.finishedAt.toISOString(),
  };
}

/** How SMH refused, for a `failed` outcome. */
export interface SmhFailure {
  /** HTTP status, when SMH answered at all. */
  status?: number | undefined;
  /** SMH's error code (`ServerOverloaded`), when it sent one. */
  code?: string | undefined;
  /** What went wrong, in words. Credentials in it are scrubbed. */
  message: string;
}

/** The longest SMH error message a result keeps; longer ones are cut and end with `…`. */
export const MAX_ERROR_MESSAGE_LENGTH = 2048;

/** Schema of {@link SmhFailure}. */
export const smhFailure = z
  .strictObject({
    status: z.int().min(100).max(599).optional().meta({ description: "HTTP status from SMH." }),
    code: boundedText(128, "SMH error code.", ["ServerOverloaded", "NoPermission"]).optional(),
    message: boundedText(MAX_ERROR_MESSAGE_LENGTH, "What went wrong, in words."),
  })
  .meta({ description: "Why the work was given up." });

// biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/gu;
const CREDENTIAL = /\b(access_token|library_secret)=[^&\s"'<>]*/giu;

/** Text from outside, made to fit a bounded field: credentials scrubbed, controls replaced, cut. */
export function fitText(text: string, max: number): string {
  const clean = text.replace(CREDENTIAL, "$1=[redacted]").replace(CONTROL, " ").trim();
  const fitted = clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
  return fitted === "" ? "(empty)" : fitted;
}

/** The result fields for a run, text fitted. */
export function runFields(run: RunFacts): {
  attempts: number;
  requestId?: string;
  startedAt: string;
  finishedAt: string;
} {
  const requestId = run.requestId?.trim();
  return {
    attempts: run.attempts,
    ...(requestId ? { requestId: fitText(requestId, 256) } : {}),
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
  };
}

/** A {@link SmhFailure} fitted to its schema. */
export function failureFields(failure: SmhFailure): SmhFailure {
  return {
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(failure.code === undefined ? {} : { code: fitText(failure.code, 128) }),
    message: fitText(failure.message, MAX_ERROR_MESSAGE_LENGTH),
  };
}

/** `fields` without its `undefined` entries, so absent optional fields stay absent in a result. */
export function compact<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
