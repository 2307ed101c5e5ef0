/**
 * What a retention run publishes on the results queue, and the stable words it uses:
 *
 * - `type: "retention-plan"`: the plan summary of every finished run (enqueued, dry run, or refused
 *   by a cap): the figures (matched, enqueued, skipped by reason, capped), the caps evaluation, the
 *   first policy refusals, the plan hash and the first selected paths.
 * - `type: "retention-alert"`: a run that deleted nothing because it must not or could not:
 *   `alert: "cap-breach"` (naming the rule and the figures), `alert: "scan-failed"` (the scan
 *   stopped part way: SMH kept failing, the rule changed mid-scan, a continuation would not fit) or
 *   `alert: "trigger-refused"` (the invocation was not a believable trigger: a scheduled event
 *   whose time is too far from now, a manual run asking for a later time, a malformed request; no
 *   rule was run).
 *
 * Both are results, read leniently like the others (unknown fields dropped), and carry a dedupKey:
 * a re-triggered run that reaches the same plan publishes the same key. The builders are in
 * `lib/retention/summary.ts`; the words (decisions, age fields, caps, skip reasons) live here,
 * because the messages define them and `lib/retention` uses them.
 */
import * as z from "zod";
import {
  boundedText,
  idempotencyKey,
  libraryId,
  messageVersion,
  spaceId,
  timestamp,
} from "./fields.ts";
import { dedupKey } from "./result-fields.ts";

/** What a finished plan says to do. */
export const PlanDecision = {
  /** Enqueue the plan's jobs (possibly none). */
  enqueue: "enqueue",
  /** A dry run: write the plan, enqueue nothing. */
  dryRun: "dry-run",
  /** A cap is broken: enqueue nothing, raise an alert. */
  capBreach: "cap-breach",
} as const;
export type PlanDecision = (typeof PlanDecision)[keyof typeof PlanDecision];

/** Which listing field a rule measures age by (see `lib/retention/age.ts`). */
export const AgeField = {
  creationTime: "creationTime",
  modificationTime: "modificationTime",
} as const;
export type AgeField = (typeof AgeField)[keyof typeof AgeField];

/** A rule's run caps, by name (see `lib/retention/caps.ts`). Stable strings: alerts carry them. */
export const CapName = {
  maxDeletesPerRun: "maxDeletesPerRun",
  maxFractionPerRun: "maxFractionPerRun",
} as const;
export type CapName = (typeof CapName)[keyof typeof CapName];

/** Why an entry is not selected. Stable strings: plan summaries carry them. */
export const SkipReason = {
  /** A file (or any type but `dir`): retention deletes directories only. */
  notADirectory: "not-a-directory",
  /** SMH's path for the entry is not the parent followed by its name. */
  notDirectChild: "not-direct-child",
  /**
   * A name already listed in this scan (a listing that repeated an entry). If the first listing
   * was selected and this one is not old enough, the first is moved to this one's age reason.
   */
  duplicate: "duplicate",
  /**
   * A job could not name it exactly: a `/` in the name, or a name a job is refused for (edge
   * whitespace, invisible characters, a backslash, escapes that decode to `..` or a separator, …).
   */
  unsafeName: "unsafe-name",
  /** The name filter (include/exclude) leaves it out. */
  excluded: "excluded",
  /** Not older than maxAge. */
  tooYoung: "too-young",
  /** Its time is after the run's scheduled time. */
  futureTime: "future-time",
  /** Its time is missing or not an ISO-8601 instant with an offset. */
  missingTime: "missing-time",
  /** Old enough, but the deletion policy refuses it (see the refusals). */
  policyRefused: "policy-refused",
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** Every skip reason, in the order summaries list them. */
export const SKIP_REASONS: readonly SkipReason[] = Object.values(SkipReason);

/** Why an invocation was refused as a trigger (`alert: "trigger-refused"`). Stable strings. */
export const TriggerProblem = {
  /** Neither a scheduled event nor a manual run request (or one with a bad field). */
  malformed: "malformed",
  /** A scheduled event whose time is too far ahead of now, or too far behind. */
  scheduleOutOfRange: "schedule-out-of-range",
  /** A manual run asking to measure ages at a later time than now. */
  manualInFuture: "manual-in-future",
  /** A manual run naming a rule that is not there, or is disabled. */
  unknownRule: "unknown-rule",
} as const;
export type TriggerProblem = (typeof TriggerProblem)[keyof typeof TriggerProblem];

/** How many refusals a plan names (the count of all of them is in `skipped`). */
export const MAX_REFUSALS_NAMED = 10;
/** How many selected paths a plan summary lists (all of them are counted). */
export const MAX_SAMPLE_PATHS = 20;
/** The longest message an alert carries. */
export const MAX_ALERT_MESSAGE = 2048;

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
export const TriggerRefusedAlertSchema = z.object({
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
export const PlanAlertSchema = z.discriminatedUnion("alert", [capBreach, scanFailed]);

/** The alert of a run that enqueued nothing (`type: "retention-alert"`, v1), on `alert`. */
export const RetentionAlertSchema = z.discriminatedUnion("alert", [
  capBreach,
  scanFailed,
  TriggerRefusedAlertSchema,
]);

/** A retention alert. Narrow on `alert`. */
export type RetentionAlert = z.output<typeof RetentionAlertSchema>;
/** An alert about one plan: every alert but `trigger-refused`. */
export type PlanAlert = z.output<typeof PlanAlertSchema>;
/** The alert of an invocation refused as a trigger. */
export type TriggerRefusedAlert = z.output<typeof TriggerRefusedAlertSchema>;
