/**
 * Where a delete job is parsed: the body of one jobs-queue message becomes a {@link DeleteJob} or
 * the reasons it was refused, together with whatever still identifies it.
 */
import * as z from "zod";
import { parseBody, pickField, pickFields } from "./body.ts";
import { type DeleteJob, DeleteJobSchema } from "./delete-job.ts";
import { bodyId } from "./digest.ts";
import {
  idempotencyKey,
  libraryId,
  planId,
  reportedPath,
  requestedBy,
  ruleId,
  source,
  spaceId,
} from "./fields.ts";
import type { FieldReason } from "./reasons.ts";

/**
 * The most UTF-8 bytes a job body may have. A valid job is far smaller (the longest path is 4,096
 * characters); anything bigger is refused before validation.
 */
export const MAX_JOB_BODY_BYTES = 64 * 1024;

/**
 * What still identifies a refused job, so its `rejected` result can say which job it was. Each
 * field is present only when the body carried a valid value for it, except `jobId`: the body's own
 * when valid, otherwise `body-` and 32 hex characters of the body's SHA-256 (so the same bad body
 * delivered twice has the same jobId, and so the same dedupKey).
 */
export interface JobIdentity {
  jobId: string;
  libraryId?: string;
  spaceId?: string;
  /** As the body wrote it, possibly the invalid path that caused the refusal. */
  path?: string;
  permanent?: boolean;
  source?: string;
  requestedBy?: string;
  ruleId?: string;
  planId?: string;
}

/** The outcome of {@link parseJobBody}. */
export type JobBodyParse =
  | { ok: true; job: DeleteJob }
  | { ok: false; reasons: FieldReason[]; identity: JobIdentity };

// The fields that say which job a refused body was, each kept only when valid.
const identityFields = {
  libraryId,
  spaceId,
  path: reportedPath,
  permanent: z.boolean(),
  source,
  requestedBy,
  ruleId,
  planId,
} as const;

const jobIdField = idempotencyKey("jobId");

/**
 * Parses one jobs-queue message body. Never throws, whatever the input (not JSON, oversized, an
 * array, `null`, wrong types, `__proto__` keys): a refusal lists every problem as
 * `{ path, message }` with the field's dotted path (`""` for the whole body), and carries the
 * {@link JobIdentity} it could still read.
 *
 * @example
 * const parsed = parseJobBody(record.body);
 * if (!parsed.ok) publish(rejectedDeletion(parsed.identity, parsed.reasons, timing));
 */
export function parseJobBody(body: string): JobBodyParse {
  const parsed = parseBody(body, DeleteJobSchema, MAX_JOB_BODY_BYTES, {
    refuseDuplicateKeys: true,
  });
  if (parsed.ok) return { ok: true, job: parsed.value };
  return { ok: false, reasons: parsed.reasons, identity: identify(body, parsed.raw) };
}

function identify(body: unknown, raw: unknown): JobIdentity {
  return {
    jobId: pickField(raw, "jobId", jobIdField) ?? bodyId(body),
    ...pickFields(raw, identityFields),
  };
}
