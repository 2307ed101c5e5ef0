/**
 * DeletionResult v1: what became of one delete job, as published on the results queue.
 *
 * A discriminated union on `outcome`, so each outcome carries exactly what it needs:
 *
 * - `recycled`: SMH moved the directory to the recycle bin (200) — `recycledItemId`.
 * - `deleted`: SMH deleted it for ever (204: `permanent`, or the library has no recycle bin).
 * - `recovered`: SMH answered 404, but the directory was found in the recycle bin by its original
 *   path and removal time (an earlier delivery deleted it and its result was lost) —
 *   `recycledItemId` and `removedAt`.
 * - `already_absent`: SMH answered 404 and the recycle bin has no match.
 * - `rejected`: refused before SMH was called (invalid job, or the policy forbids it) — every
 *   `reasons` entry; `attempts` is 0 and identity fields may be missing for a body that was not a
 *   valid job.
 * - `failed`: given up — `error` with SMH's status, code and message.
 *
 * Build results with {@link deletionResult} and {@link rejectedDeletion}: they fill in `v`, `type`
 * and `dedupKey` and validate the result.
 */
import * as z from "zod";
import { InvalidPathError, normalizePath } from "../smh/paths.ts";
import { deletionDedupKey } from "./dedup.ts";
import type { DeleteJob } from "./delete-job.ts";
import type { Supersedes } from "./delivery.ts";
import {
  idempotencyKey,
  libraryId,
  messageVersion,
  planId,
  recycledItemId,
  reportedPath,
  requestedBy,
  ruleId,
  source,
  spaceId,
  timestamp,
} from "./fields.ts";
import type { JobIdentity } from "./job-body.ts";
import { boundReasons, type RejectionReason, rejectionReasons } from "./reasons.ts";
import {
  compact,
  dedupKey,
  failureFields,
  type RunFacts,
  refusedRunFields,
  refusedRunShape,
  runFields,
  runShape,
  type SmhFailure,
  smhFailure,
  supersedesField,
  supersedesFields,
  type Timing,
} from "./result-fields.ts";

/** The outcomes of a deletion. */
export const DeletionOutcome = {
  recycled: "recycled",
  deleted: "deleted",
  recovered: "recovered",
  alreadyAbsent: "already_absent",
  rejected: "rejected",
  failed: "failed",
} as const;

const jobId = idempotencyKey("The job's jobId (given, or derived; see DeleteJob).");
const permanent = z.boolean().meta({ description: "The job's permanent flag." });

const head = { v: messageVersion, type: z.literal("deletion") };

// Fields every outcome but `rejected` carries: the job was valid, so all of it is known.
function attempted<O extends string, S extends z.core.$ZodShape>(outcome: O, specific: S) {
  return z.object({
    ...head,
    outcome: z.literal(outcome),
    jobId,
    libraryId,
    spaceId,
    path: reportedPath,
    permanent,
    ...specific,
    ...runShape,
    source,
    requestedBy: requestedBy.optional(),
    ruleId: ruleId.optional(),
    planId: planId.optional(),
    dedupKey,
    supersedes: supersedesField,
  });
}

const rejected = z.object({
  ...head,
  outcome: z.literal(DeletionOutcome.rejected),
  jobId,
  libraryId: libraryId.optional(),
  spaceId: spaceId.optional(),
  path: reportedPath.optional(),
  permanent: permanent.optional(),
  reasons: rejectionReasons.meta({
    description:
      "Every reason: {path, message} for an invalid field ('' is the whole body), {rule, message} for a policy rule.",
  }),
  ...refusedRunShape,
  source: source.optional(),
  requestedBy: requestedBy.optional(),
  ruleId: ruleId.optional(),
  planId: planId.optional(),
  dedupKey,
});

/** The DeletionResult v1 schema (`type: "deletion"`), discriminated on `outcome`. */
export const DeletionResultSchema = z.discriminatedUnion("outcome", [
  attempted(DeletionOutcome.recycled, { recycledItemId }),
  attempted(DeletionOutcome.deleted, {}),
  attempted(DeletionOutcome.recovered, {
    recycledItemId,
    removedAt: timestamp.meta({
      description: "removalTime of the recycle-bin item that was matched (ISO-8601, UTC).",
    }),
  }),
  attempted(DeletionOutcome.alreadyAbsent, {}),
  rejected,
  attempted(DeletionOutcome.failed, { error: smhFailure }),
]);

/** A deletion result. Narrow on `outcome`. */
export type DeletionResult = z.output<typeof DeletionResultSchema>;
/** The deletion result for one outcome, e.g. `DeletionResultOf<"recycled">`. */
export type DeletionResultOf<O extends DeletionResult["outcome"]> = Extract<
  DeletionResult,
  { outcome: O }
>;

/** What SMH said about a job that was sent to it. */
export type DeletionFacts =
  | { outcome: "recycled"; recycledItemId: number }
  | { outcome: "deleted" }
  | { outcome: "recovered"; recycledItemId: number; removedAt: Date }
  | { outcome: "already_absent" }
  | { outcome: "failed"; error: SmhFailure };

/**
 * Builds the result of a job that was sent to SMH. Throws a `ZodError` when the facts are
 * impossible (a recycledItemId that is not a positive integer, a negative attempt count): a bug in
 * the caller. Text from SMH (error message and code, request ID) is cut to fit and scrubbed of
 * credentials rather than refused.
 *
 * `supersedes`: the job was redriven from the DLQ (its delivery state says so); the result then
 * names the `failed` result it supersedes.
 *
 * @example deletionResult(job, { outcome: "recycled", recycledItemId: 123 }, { attempts: 1, requestId, startedAt, finishedAt })
 */
export function deletionResult(
  job: DeleteJob,
  facts: DeletionFacts,
  run: RunFacts,
  supersedes?: Supersedes,
): DeletionResult {
  const specific =
    facts.outcome === "recycled"
      ? { recycledItemId: facts.recycledItemId }
      : facts.outcome === "recovered"
        ? { recycledItemId: facts.recycledItemId, removedAt: facts.removedAt.toISOString() }
        : facts.outcome === "failed"
          ? { error: failureFields(facts.error) }
          : {};
  return DeletionResultSchema.parse(
    compact({
      v: 1,
      type: "deletion",
      outcome: facts.outcome,
      jobId: job.jobId,
      libraryId: job.libraryId,
      spaceId: job.spaceId,
      path: job.path,
      permanent: job.permanent,
      ...specific,
      ...runFields(run),
      source: job.source,
      requestedBy: job.requestedBy,
      ruleId: job.ruleId,
      planId: job.planId,
      dedupKey: deletionDedupKey({ ...job, path: keyPath(job.path), outcome: facts.outcome }),
      supersedes: supersedesFields(
        supersedes,
        deletionDedupKey({ ...job, path: keyPath(job.path), outcome: DeletionOutcome.failed }),
      ),
    }),
  );
}

/**
 * Builds the `rejected` result of a job refused before SMH was called: an invalid body (pass the
 * {@link JobIdentity} from `parseJobBody`) or a job the policy forbids (pass the job and the
 * policy's violations). Every reason is kept, up to the bound in `reasons.ts`.
 *
 * @example rejectedDeletion(job, verdict.violations, { startedAt, finishedAt })
 */
export function rejectedDeletion(
  subject: DeleteJob | JobIdentity,
  reasons: readonly RejectionReason[],
  timing: Timing,
): DeletionResultOf<"rejected"> {
  const result = DeletionResultSchema.parse(
    compact({
      v: 1,
      type: "deletion",
      outcome: DeletionOutcome.rejected,
      jobId: subject.jobId,
      libraryId: subject.libraryId,
      spaceId: subject.spaceId,
      path: subject.path,
      permanent: subject.permanent,
      reasons: boundReasons(reasons),
      ...refusedRunFields(timing),
      source: subject.source,
      requestedBy: subject.requestedBy,
      ruleId: subject.ruleId,
      planId: subject.planId,
      dedupKey: deletionDedupKey({
        ...subject,
        path: keyPath(subject.path),
        outcome: DeletionOutcome.rejected,
      }),
    }),
  );
  return result as DeletionResultOf<"rejected">;
}

/**
 * The path a dedupKey hashes: the canonical form of a valid path, so that `/a//b/` and `a/b` (one
 * directory, one derived jobId) report one fact; an invalid path as written.
 */
function keyPath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return normalizePath(path);
  } catch (error) {
    if (error instanceof InvalidPathError) return path;
    throw error;
  }
}
