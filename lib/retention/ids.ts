/**
 * The identities of a retention run: job IDs, plan IDs, the plan hash and the rule fingerprint.
 *
 * All are SHA-256 digests of JSON arrays (see `lib/messages/digest.ts`), so they are the same on
 * every machine and every run given the same inputs, and no choice of names can make two different
 * inputs collide by concatenation.
 *
 * - A **job ID** depends on the rule, library, space, path, permanent and the **run date** (the UTC
 *   date of the scheduled run). A re-triggered or retried run of the same day therefore enqueues
 *   the very same jobs, which the deletion side deduplicates by jobId; the next day's run gets new
 *   IDs, harmless since a directory deleted yesterday is `already_absent` today.
 * - A **plan ID** names one rule's plan for one space on one run date.
 * - A **plan hash** covers the plan ID and its job list sorted by path: an operator can confirm a
 *   plan they reviewed (a dry run) by its hash.
 * - A **rule fingerprint** covers everything in a rule that changes what it selects or how it
 *   deletes; a continuation records it so a scan is never finished under a different rule.
 */
import { digest } from "../messages/digest.ts";
import { describePattern } from "./patterns.ts";
import type { RetentionRule } from "./rules.ts";

/** The UTC date (`YYYY-MM-DD`) of a scheduled run: the day part of its job IDs. */
export function runDateOf(scheduledAt: Date): string {
  return scheduledAt.toISOString().slice(0, 10);
}

/** What a retention job ID is derived from. */
export interface RetentionJobKey {
  ruleId: string;
  libraryId: string;
  spaceId: string;
  /** Normalised path of the directory. */
  path: string;
  permanent: boolean;
  /** UTC date of the scheduled run, `YYYY-MM-DD`. */
  runDate: string;
}

/**
 * The job ID of one directory in one day's run of a rule: `ret-` and 32 hex characters.
 *
 * @example retentionJobId({ ruleId: "events", libraryId: "smh1", spaceId: "-", path: "events/2019-a", permanent: false, runDate: "2026-01-05" })
 */
export function retentionJobId(key: RetentionJobKey): string {
  const parts = [key.ruleId, key.libraryId, key.spaceId, key.path, key.permanent, key.runDate];
  return `ret-${digest("retention-job/v1", parts).slice(0, 32)}`;
}

/** What a plan ID is derived from. */
export interface RetentionPlanKey {
  ruleId: string;
  libraryId: string;
  spaceId: string;
  runDate: string;
}

/** The ID of one rule's plan for one space on one run date: `plan-` and 32 hex characters. */
export function retentionPlanId(key: RetentionPlanKey): string {
  const parts = [key.ruleId, key.libraryId, key.spaceId, key.runDate];
  return `plan-${digest("retention-plan/v1", parts).slice(0, 32)}`;
}

/**
 * The hash of a plan: 64 hex characters over the plan ID and its jobs' `[path, jobId]`, sorted by
 * path (code unit order), so the order the listing came in does not matter.
 */
export function planHash(planId: string, jobs: readonly { path: string; jobId: string }[]): string {
  const sorted = jobs
    .map((job): [string, string] => [job.path, job.jobId])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return digest("retention-plan-hash/v1", [planId, sorted]);
}

/** 64 hex characters over the parts of a rule that decide what it deletes and how. */
export function ruleFingerprint(rule: RetentionRule): string {
  return digest("retention-rule/v1", [
    rule.id,
    rule.libraryId,
    rule.spaces === "*" ? "*" : [...rule.spaces],
    [...rule.parent],
    rule.match.type,
    rule.match.include === undefined ? null : rule.match.include.map(describePattern),
    rule.match.exclude.map(describePattern),
    rule.age.field,
    rule.age.maxAge.ms,
    rule.permanent,
    rule.caps.maxDeletesPerRun,
    rule.caps.maxFractionPerRun,
    rule.dryRun,
  ]);
}
