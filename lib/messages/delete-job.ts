/**
 * DeleteJob v1: one directory or album to delete, as it arrives on the jobs queue.
 *
 * Other systems write these, so the schema is the contract: it is strict (an unknown key is an
 * error, so `"permanant": true` or `"dryRun": true` can never be silently dropped before an
 * irreversible call), `permanent` must be a JSON boolean, and `v` is required.
 */
import * as z from "zod";
import { InvalidPathError, normalizePath } from "../smh/paths.ts";
import { digest } from "./digest.ts";
import {
  boundedText,
  idempotencyKey,
  type JobSource,
  libraryId,
  MAX_PATH_LENGTH,
  messageVersion,
  planId,
  reason,
  requestedBy,
  ruleId,
  source,
  spaceId,
} from "./fields.ts";

/**
 * A directory or album path, kept exactly as written: the output is the input. It is checked with
 * {@link normalizePath} (whose canonical form, slashes at either end and repeated slashes dropped,
 * is what SMH is sent); a path it refuses becomes a zod issue whose message says what to send
 * instead and ends with the problem's name, and whose `params.code` carries that name (it becomes
 * the `code` of the rejected result's reason).
 */
export const directoryPath = z
  .string()
  .max(MAX_PATH_LENGTH)
  .superRefine((input, ctx) => {
    try {
      normalizePath(input);
    } catch (error) {
      if (!(error instanceof InvalidPathError)) throw error;
      ctx.addIssue({
        code: "custom",
        input,
        message: `${error.message} (${error.problem})`,
        params: { code: error.problem },
      });
    }
  })
  .meta({
    description:
      "Directory or album to delete, relative to the space root, '/' between segments, taken exactly as written: only leading, trailing and repeated slashes are dropped. Refused (with a reason code): the root, '.' and '..' segments, control characters, whitespace at either end of a segment, invisible characters (zero-width, bidi, format), backslashes, and percent-escapes that decode to '.', '..', '/', '\\' or a control character (a path is never decoded). Deletion is recursive.",
    examples: ["events/2024/summer-party"],
  });

const permanent = z
  .boolean({
    // "false" or 0 would otherwise be one careless coercion away from meaning true.
    error: "must be a JSON boolean (true or false): strings and numbers are refused",
  })
  .default(false)
  .meta({
    description:
      "true deletes for ever (needs the policy's permission); false moves the directory to the recycle bin, when the library has one.",
  });

const fields = z.strictObject({
  v: messageVersion,
  jobId: idempotencyKey(
    "Caller's idempotency key. When absent it is derived from libraryId, spaceId, the path (slashes at either end and repeated slashes dropped) and permanent.",
  ).optional(),
  libraryId,
  spaceId: spaceId.default("-"),
  path: directoryPath,
  permanent,
  userId: boundedText(
    128,
    "SMH user_id to act as (an admin token acting for a user); recorded by SMH as the operator.",
  ).optional(),
  source,
  requestedBy: requestedBy.optional(),
  reason: reason.optional(),
  ruleId: ruleId.optional(),
  planId: planId.optional(),
});

/** What identifies the deletion a job asks for; the derived jobId hashes exactly these. */
export interface DeletionTarget {
  libraryId: string;
  spaceId: string;
  path: string;
  permanent: boolean;
}

/**
 * A parsed, valid delete job: `jobId` always set, defaults applied, `path` exactly as the producer
 * wrote it (results repeat it); `normalizePath(job.path)` is the directory SMH is asked to delete.
 */
export interface DeleteJob extends DeletionTarget {
  v: 1;
  jobId: string;
  source: JobSource;
  userId?: string;
  requestedBy?: string;
  reason?: string;
  ruleId?: string;
  planId?: string;
}

/**
 * The job ID used when a job has none: `auto-` and 32 hex characters of a SHA-256 over
 * `libraryId`, `spaceId` (default `-`), the path in its canonical form (slashes at either end and
 * repeated slashes dropped: `/a//b/` and `a/b` name one directory) and `permanent` (default false).
 *
 * Two jobs for the same target share it whatever their source, reason or provenance, and a
 * redelivered job keeps it. A producer that means to delete the same path again later (after it was
 * recreated) must send its own jobId, or the two deletions share one identity.
 * Throws {@link InvalidPathError} for a path SMH must never see.
 *
 * @example deriveJobId({ libraryId: "smh1", path: "/events//2024/" }) === deriveJobId({ libraryId: "smh1", spaceId: "-", path: "events/2024", permanent: false })
 */
export function deriveJobId(target: {
  libraryId: string;
  spaceId?: string;
  path: string;
  permanent?: boolean;
}): string {
  const parts = [
    target.libraryId,
    target.spaceId ?? "-",
    normalizePath(target.path),
    target.permanent ?? false,
  ];
  return `auto-${digest("delete-job/v1", parts).slice(0, 32)}`;
}

/**
 * The DeleteJob v1 schema. Input: the JSON a producer writes. Output: {@link DeleteJob}.
 * Re-serialising an output gives a valid input with the same jobId.
 */
export const DeleteJobSchema = fields.transform((job): DeleteJob => {
  // zod leaves absent optional fields absent; the output keeps the schema's field order.
  const { v, jobId, ...rest } = job;
  return { v, jobId: jobId ?? deriveJobId(rest), ...rest };
});

/** The JSON a producer writes: like {@link DeleteJob}, with jobId and the defaulted fields optional. */
export type DeleteJobInput = z.input<typeof DeleteJobSchema>;

/**
 * Builds a job for a producer (CLI, retention scan): applies the defaults, checks the path and
 * derives the jobId when absent. Throws a `ZodError` listing every invalid field.
 *
 * @example JSON.stringify(createDeleteJob({ libraryId: "smh1", path: "tmp/x", source: "bulk" }))
 */
export function createDeleteJob(input: Omit<DeleteJobInput, "v">): DeleteJob {
  return DeleteJobSchema.parse({ v: 1, ...input });
}
