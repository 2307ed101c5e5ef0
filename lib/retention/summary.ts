/**
 * Builds what a retention run publishes on the results queue (the schemas are in
 * `lib/messages/retention-result.ts`):
 *
 * - `type: "retention-plan"`: the plan summary of every finished run (enqueued, dry run, or refused
 *   by a cap): the figures (matched, enqueued, skipped by reason, capped), the caps evaluation, the
 *   first policy refusals, the plan hash and the first selected paths.
 * - `type: "retention-alert"`: a run that deleted nothing because it must not or could not:
 *   `alert: "cap-breach"` (naming the rule and the figures), `alert: "scan-failed"` (the scan
 *   stopped part way: SMH kept failing, the rule changed mid-scan, a continuation would not fit) or
 *   `alert: "trigger-refused"` (the invocation was not a believable trigger: a scheduled event
 *   whose time is too far from now, a manual run asking for a later time, a malformed request; no
 *   rule was run). The handler also logs {@link alertLogLine} at error level.
 *
 * Both are results, read leniently like the others (unknown fields dropped), and carry a dedupKey:
 * a re-triggered run that reaches the same plan publishes the same key.
 */
import { digest } from "../messages/digest.ts";
import { fitText } from "../messages/result-fields.ts";
import {
  MAX_ALERT_MESSAGE,
  MAX_SAMPLE_PATHS,
  type PlanAlert,
  PlanAlertSchema,
  PlanDecision,
  type RetentionAlert,
  type RetentionPlanSummary,
  RetentionPlanSummarySchema,
  type TriggerRefusedAlert,
  TriggerRefusedAlertSchema,
} from "../messages/retention-result.ts";
import { retentionPlanId, runDateOf } from "./ids.ts";
import type { RetentionPlan } from "./plan.ts";
import { displayPath, type RetentionRule } from "./rules.ts";
import type { ScanCounts } from "./tally.ts";
import type { TriggerBounds, TriggerError } from "./trigger.ts";

function identityOf(plan: RetentionPlan) {
  return {
    v: 1 as const,
    planId: plan.planId,
    ruleId: plan.ruleId,
    libraryId: plan.libraryId,
    spaceId: plan.spaceId,
    parent: plan.parent,
    runId: plan.runId,
    runDate: plan.runDate,
    scheduledAt: plan.scheduledAt,
  };
}

function scanCountsOf(counts: ScanCounts): ScanCounts {
  const { listed, children, matched, eligible, selected } = counts;
  return { listed, children, matched, eligible, selected, skipped: { ...counts.skipped } };
}

/**
 * The summary of a finished plan, for the results queue. Every finished run writes one, whatever
 * its decision; a dry run writes only this.
 *
 * @example await publishResult(planSummary(plan, new Date()));
 */
export function planSummary(plan: RetentionPlan, finishedAt: Date): RetentionPlanSummary {
  return RetentionPlanSummarySchema.parse({
    ...identityOf(plan),
    type: "retention-plan",
    decision: plan.decision,
    ...(plan.planHash === undefined ? {} : { planHash: plan.planHash }),
    dryRun: plan.dryRun,
    ...(plan.manualReceivedAt === undefined
      ? {}
      : { manual: manualOf(plan.scheduledAt, plan.manualReceivedAt) }),
    permanent: plan.permanent,
    age: plan.age,
    counts: plan.counts,
    caps: plan.caps,
    refusals: plan.refusals,
    sample: plan.selected.slice(0, MAX_SAMPLE_PATHS).map((job) => job.path),
    pageCount: plan.pageCount,
    invocations: plan.invocations,
    startedAt: plan.startedAt,
    finishedAt: finishedAt.toISOString(),
    dedupKey: digest("result/retention-plan/v1", [
      plan.planId,
      plan.planHash ?? null,
      plan.decision,
      plan.counts.selected,
      plan.counts.children,
    ]),
  });
}

/** What a plan summary says of a run an operator started (see the `manual` field). */
function manualOf(scheduledAt: string, receivedAt: string) {
  // Times are often written in whole seconds (EventBridge does): less than a second is no choice.
  const earlier = Date.parse(receivedAt) - Date.parse(scheduledAt) >= 1000;
  return {
    receivedAt,
    earlier,
    note: earlier
      ? `a manual run: ages measured at ${scheduledAt}, earlier than the request (${receivedAt}), as the operator chose`
      : `a manual run: ages measured when the request arrived (${scheduledAt})`,
  };
}

/**
 * The alert of an invocation refused as a trigger (see `trigger.ts`): nothing was run or enqueued.
 *
 * @example catch (error) { if (error instanceof TriggerError) await publishResult(triggerRefusedAlert(error, bounds, new Date())); }
 */
export function triggerRefusedAlert(
  error: TriggerError,
  bounds: TriggerBounds,
  raisedAt: Date,
): TriggerRefusedAlert {
  const message = fitText(
    `retention run refused (${error.problem}): ${error.message}. No rule was run; nothing was enqueued.`,
    MAX_ALERT_MESSAGE,
  );
  const claimed = {
    origin: error.claimed.origin,
    ...(error.claimed.time === undefined ? {} : { time: error.claimed.time }),
    ...(error.claimed.runId === undefined ? {} : { runId: error.claimed.runId }),
  };
  return TriggerRefusedAlertSchema.parse({
    v: 1,
    type: "retention-alert",
    alert: "trigger-refused",
    problem: error.problem,
    claimed,
    bounds: {
      maxFutureSeconds: Math.round(bounds.maxFutureMs / 1000),
      maxPastSeconds: Math.round(bounds.maxPastMs / 1000),
    },
    message,
    raisedAt: raisedAt.toISOString(),
    // A retried invocation of the same event is the same refusal, though the clock moved on (the
    // message of a time out of range says how far from now it is).
    dedupKey: digest("result/retention-alert/v1", [
      "trigger-refused",
      error.problem,
      claimed.origin,
      claimed.time ?? null,
      claimed.runId ?? null,
      claimed.time === undefined ? error.message : null,
    ]),
  });
}

/** Where a run took place, in the words of an alert: `rule "x" (smh1/-, under "events", 2026-01-05)`. */
function where(subject: {
  ruleId: string;
  libraryId: string;
  spaceId: string;
  parent: string;
  runDate: string;
}): string {
  return `retention rule ${JSON.stringify(subject.ruleId)} (${subject.libraryId}/${subject.spaceId}, under ${JSON.stringify(subject.parent)}, run of ${subject.runDate})`;
}

/**
 * The alert of a plan refused by its caps. Throws `RangeError` for a plan whose decision is not
 * `cap-breach`.
 *
 * @example if (plan.decision === "cap-breach") { const alert = capBreachAlert(plan, new Date()); logger.error(alertLogLine(alert)); await publishResult(alert); }
 */
export function capBreachAlert(plan: RetentionPlan, raisedAt: Date): PlanAlert {
  if (plan.decision !== PlanDecision.capBreach) {
    throw new RangeError(`plan ${plan.planId} broke no cap (decision ${plan.decision})`);
  }
  const figures = plan.caps.breaches.map((broken) => broken.message).join("; ");
  return PlanAlertSchema.parse({
    ...identityOf(plan),
    type: "retention-alert",
    alert: "cap-breach",
    message: fitText(
      `${where(plan)} refused: ${figures}. Nothing was enqueued.`,
      MAX_ALERT_MESSAGE,
    ),
    breaches: plan.caps.breaches,
    counts: scanCountsOf(plan.counts),
    raisedAt: raisedAt.toISOString(),
    dedupKey: digest("result/retention-alert/v1", [
      plan.planId,
      "cap-breach",
      plan.counts.selected,
      plan.counts.children,
    ]),
  });
}

/** The run a scan failure belongs to. */
export interface FailedScan {
  /** The rule (or, for a continuation whose rule is gone, what the continuation says of it). */
  rule: Pick<RetentionRule, "id" | "libraryId" | "parent">;
  /** The space; `"*"` when the library's spaces could not be listed, so none was scanned. */
  spaceId: string;
  runId: string;
  scheduledAt: Date;
  /** Pages read before it stopped, when known. */
  pageCount?: number;
}

/**
 * The alert of a scan that stopped part way (nothing is ever enqueued before a scan finishes).
 * The error's text is scrubbed of credentials and cut to fit.
 *
 * @example catch (error) { const alert = scanFailedAlert({ rule, spaceId, runId, scheduledAt }, error, new Date()); logger.error(alertLogLine(alert)); await publishResult(alert); }
 */
export function scanFailedAlert(scan: FailedScan, error: unknown, raisedAt: Date): PlanAlert {
  const runDate = runDateOf(scan.scheduledAt);
  const subject = {
    ruleId: scan.rule.id,
    libraryId: scan.rule.libraryId,
    spaceId: scan.spaceId,
    parent: displayPath(scan.rule.parent),
    runDate,
  };
  const name = error instanceof Error ? error.name : "Error";
  const detail = fitText(error instanceof Error ? error.message : String(error), MAX_ALERT_MESSAGE);
  const pages = scan.pageCount === undefined ? "" : ` after ${scan.pageCount} page(s)`;
  const planId = retentionPlanId({ ...subject });
  return PlanAlertSchema.parse({
    v: 1,
    type: "retention-alert",
    alert: "scan-failed",
    planId,
    ...subject,
    runId: scan.runId,
    scheduledAt: scan.scheduledAt.toISOString(),
    message: fitText(
      `${where(subject)} stopped${pages}: ${name}: ${detail}. Nothing was enqueued.`,
      MAX_ALERT_MESSAGE,
    ),
    error: { name: fitText(name, 128), message: detail },
    ...(scan.pageCount === undefined ? {} : { pageCount: scan.pageCount }),
    raisedAt: raisedAt.toISOString(),
    dedupKey: digest("result/retention-alert/v1", [planId, "scan-failed", name, detail]),
  });
}

/** The error log line of an alert: one line, naming the rule (or the trigger) and the figures. */
export function alertLogLine(alert: RetentionAlert): string {
  if (alert.alert === "trigger-refused") {
    return `RETENTION ALERT trigger-refused problem=${alert.problem} run=${alert.claimed.runId ?? "-"}: ${alert.message}`;
  }
  return `RETENTION ALERT ${alert.alert} plan=${alert.planId} run=${alert.runId}: ${alert.message}`;
}
