/**
 * Scheduled retention cleanup, the pure part: rules, "older than", name matching, plans, caps,
 * continuations and the messages a run publishes. No I/O here: the scanner lists SMH and feeds a
 * {@link PlanBuilder}; the handler publishes what the plan says.
 *
 * A run of one rule in one space:
 *
 * 1. `loadRules(text, source)` once at cold start; skip rules with `enabled: false`.
 * 2. `new PlanBuilder({ rule, spaceId, policy, scheduledAt, runId, startedAt })`, then `add()` each
 *    listing page of the parent (`filter=onlyDir`, marker paging) — or `PlanBuilder.resume()` a
 *    continuation.
 * 3. Short of time: `encodeContinuation(builder.checkpoint())` onto the queue, and stop.
 * 4. At the end: `plan = builder.finish()`; enqueue `plan.jobs` (empty for a dry run or a cap
 *    breach); publish `planSummary(plan)`; on `cap-breach` also publish `capBreachAlert(plan)` and
 *    log `alertLogLine(alert)` at error level. A scan that cannot go on publishes
 *    `scanFailedAlert(...)` the same way.
 *
 * The run itself — the I/O around this — lives beside it and is imported by file, like
 * `lib/pipeline`: `run.ts` (`runRetention`, `processContinuations`: what the handler, the local
 * stack and the CLI call), `scan.ts` (one rule in one space, until its plan, a continuation or an
 * alert), `listing.ts` (SMH listings through the one client, from a marker),
 * `spaces.ts`, `outbox.ts` (the queues), `trigger.ts`, `rules-source.ts`, `settings.ts`,
 * `environment.ts` (cold start), `report.ts` and the observers. docs/retention.md is the guide.
 */

export { compileGlob, GlobError } from "../glob/glob.ts";
export {
  AgeField,
  CapName,
  MAX_REFUSALS_NAMED,
  PlanDecision,
  type RetentionAlert,
  RetentionAlertSchema,
  type RetentionPlanSummary,
  RetentionPlanSummarySchema,
  SKIP_REASONS,
  SkipReason,
} from "../messages/retention-result.ts";
export { AgeSkip, type AgeVerdict, evaluateAge, parseInstant } from "./age.ts";
export { type CapBreach, type CapsEvaluation, evaluateCaps } from "./caps.ts";
export {
  type ContinuationParse,
  encodeContinuation,
  MAX_CONTINUATION_BYTES,
  parseContinuationBody,
  type RetentionContinuation,
  RetentionContinuationSchema,
} from "./checkpoint.ts";
export {
  DurationError,
  formatDuration,
  MAX_MAX_AGE_MS,
  MIN_MAX_AGE_MS,
  parseDuration,
} from "./duration.ts";
export {
  ContinuationMismatchError,
  ContinuationTooLargeError,
  IncompleteScanError,
  RulesConfigError,
  type RulesIssue,
  ScanStalledError,
} from "./errors.ts";
export {
  planHash,
  type RetentionJobKey,
  type RetentionPlanKey,
  retentionJobId,
  retentionPlanId,
  ruleFingerprint,
  runDateOf,
} from "./ids.ts";
export { RETENTION_RULES_SCHEMA_FILE, renderRetentionJsonSchemas } from "./json-schema.ts";
export { formatPath, loadRules, MAX_RULES_TEXT_LENGTH, parseRules } from "./load.ts";
export { type ChildVerdict, classifyEntry, type ListingEntry, matchesName } from "./match.ts";
export { describePattern, type NamePattern, NamePatternSchema } from "./patterns.ts";
export {
  type ListingPage,
  PlanBuilder,
  type PlanCounts,
  type PlanRun,
  planFromListing,
  type RetentionPlan,
} from "./plan.ts";
export { compileRegex, MAX_MATCH_PATHS, MAX_REGEX_LENGTH, RegexError } from "./regex.ts";
export {
  DEFAULT_CAPS,
  type Duration,
  displayPath,
  MAX_DELETES_PER_RUN,
  type RetentionRule,
  type RetentionRules,
  type RetentionRulesInput,
  RetentionRulesSchema,
  type RuleCaps,
  ruleCoversSpace,
} from "./rules.ts";
export {
  alertLogLine,
  capBreachAlert,
  type FailedScan,
  planSummary,
  scanFailedAlert,
} from "./summary.ts";
export type { PolicyRefusal, ScanCounts } from "./tally.ts";
