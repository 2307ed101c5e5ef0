/**
 * Field schemas shared by every message: identifiers, bounded free text, timestamps.
 *
 * Every string that crosses a boundary has an upper bound, so one hostile message cannot make a
 * result (which repeats its fields) too large for the results queue, and none may hold a control
 * character, so a field can never forge a log line.
 */
import * as z from "zod";

/** Format version of every message this module defines. */
export const MESSAGE_VERSION = 1;

/** The longest path (in UTF-16 code units, as written) a message may carry. */
export const MAX_PATH_LENGTH = 4096;

// C0 controls (NUL included), DEL and C1 controls: the same set lib/smh/paths.ts refuses in paths.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/u;

/** `v`: required, and only `1` is understood (see `index.ts` for why it has no default). */
export const messageVersion = z
  .literal(MESSAGE_VERSION, {
    error: (issue) =>
      issue.input === undefined
        ? `missing "v": add "v": ${MESSAGE_VERSION} (the message format version)`
        : `unsupported message version ${JSON.stringify(issue.input)}: this consumer reads "v": ${MESSAGE_VERSION}`,
  })
  .meta({ description: "Message format version." });

/** Free text of at most `max` characters, without control characters. */
export function boundedText(max: number, description: string, examples?: string[]) {
  return z
    .string()
    .min(1)
    .max(max)
    .regex(NO_CONTROL, { error: "must not contain control characters" })
    .meta(examples ? { description, examples } : { description });
}

/** A caller-chosen idempotency key: 1–128 printable ASCII characters, no spaces. */
export function idempotencyKey(description: string) {
  return z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, {
      error: "must be 1 to 128 printable ASCII characters without spaces",
    })
    .meta({ description });
}

/**
 * A media library ID as SMH issues them (`smhxxx`). It becomes part of a host name and a URL path,
 * so only letters, digits, `_` and `-` are accepted.
 */
export const libraryId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
    error: "must be 1 to 64 letters, digits, '_' or '-', starting with a letter or digit",
  })
  .meta({ description: "SMH media library ID.", examples: ["smh3zw5tnrzpcmzl"] });

/** A space ID: `-` for a single-tenant library, otherwise the tenant space's ID. */
export const spaceId = z
  .string()
  .regex(/^(?:-|[A-Za-z0-9][A-Za-z0-9_-]{0,63})$/, {
    error: "must be '-' (single-tenant library) or 1 to 64 letters, digits, '_' or '-'",
  })
  .meta({
    description: "Tenant space ID, or '-' for a single-tenant library.",
    examples: ["-", "space04fzo07fdq61b"],
  });

/**
 * A path as reported in a result: exactly as the job wrote it (a `rejected` result may repeat the
 * invalid path it was given), bounded and free of control characters.
 */
export const reportedPath = boundedText(
  MAX_PATH_LENGTH,
  "Directory or album path, relative to the space root, '/' between segments, exactly as the job wrote it.",
);

/**
 * Who or what produced a job. The known producers, plus free text for other systems: `retention`
 * (a retention rule), `event` (an application event), `bulk` (a bulk album purge, `smh-cleaner
 * purge-albums`), `cli` (jobs enqueued by hand with `smh-cleaner enqueue`).
 */
export const JobSource = {
  retention: "retention",
  event: "event",
  bulk: "bulk",
  cli: "cli",
} as const;
/** A job source: one of {@link JobSource} or another producer's own name. */
export type JobSource = (typeof JobSource)[keyof typeof JobSource] | (string & {});

/** `source`: who produced the message. */
export const source = boundedText(
  64,
  'Who produced the job: "retention" (a retention rule), "event" (an application event), "bulk" (a bulk album purge: smh-cleaner purge-albums), "cli" (enqueued by hand: smh-cleaner enqueue), or another system\'s own name.',
  ["retention", "event", "bulk", "cli", "crm-sync"],
);

/** A recycle-bin item ID (SMH `recycledItemId`): a positive integer. */
export const recycledItemId = z
  .int()
  .min(1)
  .meta({ description: "SMH recycle-bin item ID, used to restore or purge the item." });

/** An instant, as `Date.prototype.toISOString` writes it (UTC, `Z`). */
export const timestamp = z.iso.datetime();

/** SMH's `X-Request-Id` of the response that decided the outcome. */
export const smhRequestId = boundedText(
  256,
  "X-Request-Id of the SMH response that decided the outcome (the last one, for failed).",
);

/** How many calls to SMH were made for the item, retries included. */
export const attempts = z
  .int()
  .min(0)
  .max(1000)
  .meta({ description: "Calls made to SMH for this item, retries included." });

/** `requestedBy`: the person or system that asked (provenance, for audit). */
export const requestedBy = boundedText(256, "Person or system that asked for it.");
/** `reason`: why it was asked for, in words. */
export const reason = boundedText(1024, "Why it was asked for, in words.");
/** `ruleId`: the retention rule that selected the directory. */
export const ruleId = boundedText(128, "Retention rule that selected it.");
/** `planId`: the retention plan the job belongs to. */
export const planId = boundedText(128, "Retention plan it belongs to.");
