/**
 * What a retention run publishes on the results queue:
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
import * as z from "zod";
import { digest } from "../messages/digest.ts";
import {
  boundedText,
  idempotencyKey,
  libraryId,
  messageVersion,
  spaceId,
  timestamp,
} from "../messages/fields.ts";
import { dedupKey, fitText } from "../messages/result-fields.ts";
import { AgeField } from "./age.ts";
import { CapName } from "./caps.ts";
import { PlanDecision } from "./decision.ts";
import { retentionPlanId, runDateOf } from "./ids.ts";
// Type only: the plan builder imports the policy, which imports lib/messages.
import type { RetentionPlan } from "./plan.ts";
import { displayPath, type RetentionRule } from "./rules.ts";
import { MAX_REFUSALS_NAMED, type ScanCounts, SKIP_REASONS, type SkipReason } from "./tally.ts";
import { type TriggerBounds, type TriggerError, TriggerProblem } from "./trigger.ts";

/** How many selected paths a plan summary lists (all of them are counted). */
export const MAX_SAMPLE_PATHS = 20;
const MAX_ALERT_MESSAGE = 2048;

const count = z.int().min(0);
const path = boundedText(8192, "Directory path, relative to the space root ('/' is the root).");

const skipped = z
  .object(
    Object.fromEntries(SKIP_REASONS.map((reason) => [reason, count])) as Record<
      SkipReason,
      typeof count
    >,
  )
  .meta({ description: "Entries not selected, by reason." });

const scanCounts = {
  listed: count.meta({ description: "Entries the listing returned." }),
  children: count.meta({ description: "Direct child directories of the parent." }),
  matched: count.meta({ description: "Children the name filter selects." }),
  eligible: count.meta({ description: "Matched entries older than maxAge." }),
  selected: count.meta({ description: "Eligible entries the deletion policy allows." }),
  skipped,
};

const breach = z.object({
  cap: z.enum([CapName.maxDeletesPerRun, CapName.maxFractionPerRun]),
  limit: z.number().meta({ description: "The cap as the rule writes it." }),
  allowed: count.meta({ description: "The most directories the cap allows in this run." }),
  selected: count,
  children: count,
  message: boundedText(1024, "The figures in words."),
});

const identity = {
  v: messageVersion,
  planId: boundedText(128, "The plan: one rule, space and run date."),
  ruleId: boundedText(64, "The retention rule."),
  libraryId,
  spaceId,
  parent: path,
  runId: idempotencyKey("The trigger's run ID."),
  runDate: z.iso.date().meta({ description: "UTC date of the scheduled run." }),
  scheduledAt: timestamp.meta({
    description: "Scheduled time of the run: ages are measured at it.",
  }),
};

/** The plan summary (`type: "retention-plan"`, v1), published for every finished run. */
export const RetentionPlanSummarySchema = z.object({
  ...identity,
  type: z.literal("retention-plan"),
  decision: z.enum([PlanDecision.enqueue, PlanDecision.dryRun, PlanDecision.capBreach]),
  planHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
    .meta({
      description: "Hash of the selected jobs; absent when too many were selected to keep.",
    }),
  dryRun: z.boolean(),
  manual: z
    .object({
      receivedAt: timestamp.meta({ description: "When the operator's request arrived." }),
      earlier: z.boolean().meta({
        description:
          "Ages were measured at a time the operator chose, earlier than the request (directories look younger, so fewer are deleted).",
      }),
      note: boundedText(512, "The same in words."),
    })
    .optional()
    .meta({
      description:
        "Present when an operator started the run, not the schedule: the time ages are measured at (scheduledAt) was theirs to choose, never later than their request.",
    }),
  permanent: z.boolean(),
  age: z.object({
    field: z.enum([AgeField.creationTime, AgeField.modificationTime]),
    maxAge: boundedText(64, "maxAge as written."),
  }),
  counts: z.object({
    ...scanCounts,
    enqueued: count.meta({ description: "Jobs enqueued." }),
    capped: count.meta({ description: "Selected but not enqueued because a cap was broken." }),
  }),
  caps: z.object({
    maxDeletesPerRun: count,
    maxFractionPerRun: z.number(),
    fraction: z.number().meta({ description: "selected / children." }),
    allowedByFraction: count,
    breaches: z.array(breach),
  }),
  refusals: z
    .array(
      z.object({
        path,
        violations: z.array(
          z.object({ rule: boundedText(128, "Policy rule."), message: z.string() }),
        ),
      }),
    )
    .max(MAX_REFUSALS_NAMED)
    .meta({ description: "The first policy refusals by path." }),
  sample: z
    .array(path)
    .max(MAX_SAMPLE_PATHS)
    .meta({ description: "The first selected paths, sorted." }),
  pageCount: count,
  invocations: count,
  startedAt: timestamp,
  finishedAt: timestamp,
  dedupKey,
});

/** A plan summary. */
export type RetentionPlanSummary = z.output<typeof RetentionPlanSummarySchema>;

const alertHead = {
  ...identity,
  type: z.literal("retention-alert"),
  message: boundedText(MAX_ALERT_MESSAGE, "What happened, naming the rule and the figures."),
  raisedAt: timestamp,
  dedupKey,
};

/** The trigger-refused alert: no rule, space or plan, only what the invocation claimed. */
const triggerRefused = z.object({
  v: messageVersion,
  type: z.literal("retention-alert"),
  alert: z.literal("trigger-refused"),
  problem: z.enum(Object.values(TriggerProblem) as [TriggerProblem, ...TriggerProblem[]]).meta({
    description:
      "malformed (not a trigger), schedule-out-of-range (a scheduled event's time too far from now), manual-in-future (a manual run asking for a later time), unknown-rule.",
  }),
  claimed: z
    .object({
      origin: z.enum(["schedule", "manual", "unknown"]),
      time: timestamp.optional().meta({ description: "The time the trigger named." }),
      runId: idempotencyKey("The run ID the trigger named.").optional(),
    })
    .meta({ description: "What the invocation said it was." }),
  bounds: z
    .object({
      maxFutureSeconds: count,
      maxPastSeconds: count,
    })
    .meta({ description: "How far from now a scheduled event's time is believed." }),
  message: boundedText(MAX_ALERT_MESSAGE, "What was refused, and why."),
  raisedAt: timestamp,
  dedupKey,
});

const capBreach = z.object({
  ...alertHead,
  alert: z.literal("cap-breach"),
  breaches: z.array(breach).min(1),
  counts: z.object(scanCounts),
});

const scanFailed = z.object({
  ...alertHead,
  alert: z.literal("scan-failed"),
  spaceId: spaceId.or(z.literal("*")).meta({
    description:
      "The space scanned, or '*' when the library's spaces could not be listed (no space was scanned).",
  }),
  error: z.object({
    name: boundedText(128, "Error class."),
    message: boundedText(MAX_ALERT_MESSAGE, "The error, credentials scrubbed."),
  }),
  pageCount: count.optional(),
});

/** An alert about one rule's plan in one space: `cap-breach` or `scan-failed`. */
const PlanAlertSchema = z.discriminatedUnion("alert", [capBreach, scanFailed]);

/** The alert of a run that enqueued nothing (`type: "retention-alert"`, v1), on `alert`. */
export const RetentionAlertSchema = z.discriminatedUnion("alert", [
  capBreach,
  scanFailed,
  triggerRefused,
]);

/** A retention alert. Narrow on `alert`. */
export type RetentionAlert = z.output<typeof RetentionAlertSchema>;
/** An alert about one plan: every alert but `trigger-refused`. */
export type PlanAlert = z.output<typeof PlanAlertSchema>;
/** The alert of an invocation refused as a trigger. */
export type TriggerRefusedAlert = z.output<typeof triggerRefused>;

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
  return triggerRefused.parse({
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
