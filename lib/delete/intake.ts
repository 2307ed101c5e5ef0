/**
 * Where a delete job is accepted or refused: every record's body is parsed and checked against the
 * deletion policy before anything reaches SMH. Refusals become `rejected` results at once; they are
 * never retried and never sent to SMH. Records carrying the same job (the same jobId, delivered
 * twice) are merged so the job is deleted once and answered once.
 */

import type { QueueRecord } from "../batch/records.ts";
import type { DeleteJob } from "../messages/delete-job.ts";
import { type DeletionResult, rejectedDeletion } from "../messages/deletion-result.ts";
import { parseJobBody } from "../messages/job-body.ts";
import type { FieldReason } from "../messages/reasons.ts";
import type { DeletionPolicy } from "../policy/config.ts";
import { evaluatePolicy } from "../policy/evaluate.ts";
import { normalizePath } from "../smh/paths.ts";

/** A valid, allowed job and the records that carry it. */
export interface AcceptedJob {
  readonly job: DeleteJob;
  readonly records: QueueRecord[];
  /** The earliest SentTimestamp among its records. */
  sentAt: number | undefined;
  /** The highest receive count among its records. */
  receiveCount: number;
}

/** A refused record and its `rejected` result. */
export interface RefusedRecord {
  readonly record: QueueRecord;
  readonly result: DeletionResult;
}

export interface Intake {
  readonly accepted: AcceptedJob[];
  readonly refused: RefusedRecord[];
}

/**
 * Parses and checks every record. One bad record never affects the others.
 *
 * @example
 * const { accepted, refused } = admitJobs(records, policy, new Date());
 */
export function admitJobs(
  records: readonly QueueRecord[],
  policy: DeletionPolicy,
  now: () => Date,
): Intake {
  const byJobId = new Map<string, AcceptedJob>();
  const refused: RefusedRecord[] = [];
  for (const record of records) {
    const startedAt = now();
    const parsed = parseJobBody(record.body);
    if (!parsed.ok) {
      refused.push({
        record,
        result: rejectedDeletion(parsed.identity, parsed.reasons, {
          startedAt,
          finishedAt: now(),
        }),
      });
      continue;
    }
    const { job } = parsed;
    const verdict = evaluatePolicy(policy, job);
    if (!verdict.allowed) {
      refused.push({
        record,
        result: rejectedDeletion(job, verdict.violations, { startedAt, finishedAt: now() }),
      });
      continue;
    }
    const existing = byJobId.get(job.jobId);
    if (!existing) {
      byJobId.set(job.jobId, {
        job,
        records: [record],
        sentAt: record.sentAt,
        receiveCount: record.receiveCount,
      });
      continue;
    }
    if (!sameTarget(existing.job, job)) {
      const reason: FieldReason = {
        path: "jobId",
        message: `jobId ${job.jobId} is already used in this batch for a different directory or permanent flag`,
      };
      refused.push({
        record,
        result: rejectedDeletion(job, [reason], { startedAt, finishedAt: now() }),
      });
      continue;
    }
    existing.records.push(record);
    existing.receiveCount = Math.max(existing.receiveCount, record.receiveCount);
    if (record.sentAt !== undefined) {
      existing.sentAt =
        existing.sentAt === undefined ? record.sentAt : Math.min(existing.sentAt, record.sentAt);
    }
  }
  return { accepted: [...byJobId.values()], refused };
}

/** Same directory: `/a//b/` and `a/b` are one (the derived jobId says so too). */
function sameTarget(a: DeleteJob, b: DeleteJob): boolean {
  return (
    a.libraryId === b.libraryId &&
    a.spaceId === b.spaceId &&
    normalizePath(a.path) === normalizePath(b.path) &&
    a.permanent === b.permanent
  );
}
