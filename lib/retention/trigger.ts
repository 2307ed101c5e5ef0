/**
 * What starts a retention run: the EventBridge schedule (serverless.yml's `schedule` event), or an
 * operator invoking the function by hand (`aws lambda invoke`, the CLI, the local stack).
 *
 * The run's identity comes from the trigger, never from the clock at which a page happens to be
 * read: `scheduledAt` (the event's `time`) is the instant ages are measured at and its UTC date
 * is in every job ID; `runId` (the event's `id`) labels the run. EventBridge delivers an event at
 * least once, and Lambda retries a failed asynchronous invocation with the same event: every such
 * repeat has the same `scheduledAt`, so it plans the very same job IDs.
 */
import * as z from "zod";
import { idempotencyKey } from "../messages/fields.ts";

/** One run of the retention rules. */
export interface RetentionTrigger {
  /** Ages are measured at this instant; its UTC date is the run date of every job ID. */
  readonly scheduledAt: Date;
  /** Labels this run in summaries, alerts and continuations (1–128 printable ASCII). */
  readonly runId: string;
  /** Write the plans only: enqueue nothing, whatever the rules say. */
  readonly dryRun: boolean;
  /** Run only these rules; absent: every enabled rule. */
  readonly ruleIds?: readonly string[];
}

/** Thrown for an event that is neither an EventBridge schedule nor a manual run request. */
export class TriggerError extends Error {
  override readonly name = "TriggerError";
}

const ScheduledEventSchema = z.object({
  source: z.literal("aws.events"),
  "detail-type": z.literal("Scheduled Event"),
  id: idempotencyKey("EventBridge event ID."),
  time: z.iso.datetime({ offset: true }),
});

/**
 * A manual run: `{"dryRun": true}`, `{"rules": ["events-after-2y"]}`,
 * `{"scheduledAt": "2026-01-05T02:00:00Z", "runId": "rerun-1"}`. Strict: a misspelt `dryrun`
 * must not turn a preview into a real run.
 */
export const ManualTriggerSchema = z.strictObject({
  scheduledAt: z.iso.datetime({ offset: true }).optional(),
  runId: idempotencyKey("Labels the run.").optional(),
  dryRun: z.boolean().default(false),
  rules: z.array(z.string().min(1).max(64)).min(1).optional(),
});

/**
 * Reads the trigger of an invocation that is not an SQS batch. `now` stands in for a manual run's
 * missing `scheduledAt`. Throws {@link TriggerError} naming what is wrong.
 */
export function parseTrigger(event: unknown, now: Date): RetentionTrigger {
  const scheduled = ScheduledEventSchema.safeParse(event);
  if (scheduled.success) {
    return {
      scheduledAt: new Date(scheduled.data.time),
      runId: scheduled.data.id,
      dryRun: false,
    };
  }
  if (typeof event === "object" && event !== null && "source" in event) {
    throw new TriggerError(
      `not a scheduled event: ${z.prettifyError(scheduled.error).replaceAll("\n", " ")}`,
    );
  }
  const manual = ManualTriggerSchema.safeParse(event ?? {});
  if (!manual.success) {
    throw new TriggerError(
      `not a retention run request: ${z.prettifyError(manual.error).replaceAll("\n", " ")}`,
    );
  }
  const scheduledAt = manual.data.scheduledAt ? new Date(manual.data.scheduledAt) : now;
  return {
    scheduledAt,
    runId: manual.data.runId ?? `manual-${scheduledAt.toISOString()}`,
    dryRun: manual.data.dryRun,
    ...(manual.data.rules ? { ruleIds: manual.data.rules } : {}),
  };
}
