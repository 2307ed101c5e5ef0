/**
 * What starts a retention run: the EventBridge schedule (serverless.yml's `schedule` event), or an
 * operator invoking the function by hand (`aws lambda invoke`, the CLI, the local stack).
 *
 * The run's identity comes from the trigger, never from the clock at which a page happens to be
 * read: `scheduledAt` (the event's `time`) is the instant ages are measured at and its UTC date
 * is in every job ID; `runId` (the event's `id`) labels the run. EventBridge delivers an event at
 * least once, and Lambda retries a failed asynchronous invocation with the same event: every such
 * repeat has the same `scheduledAt`, so it plans the very same job IDs.
 *
 * The clock is not the invoker's to choose. Whoever may invoke the function could otherwise send
 * `{"source": "aws.events", "time": "2099-…"}` and make every matched directory "old". So:
 *
 * - a scheduled event is believed only when its `time` is within a small skew of now
 *   ({@link TriggerBounds}: by default at most 5 minutes ahead, 24 hours behind — EventBridge and
 *   Lambda retry a delivery for up to a day);
 * - a manual run may measure ages at an earlier time (directories then look younger, so fewer are
 *   deleted), never a later one, and its plan summaries say that an operator chose it.
 *
 * Anything else is refused with a {@link TriggerError}; the handler turns it into a
 * `trigger-refused` alert on the results queue, and nothing is enqueued.
 */
import * as z from "zod";
import { idempotencyKey } from "../messages/fields.ts";
// Why a trigger is refused: the words are the `problem` of a `trigger-refused` alert, so they live
// with the message.
import { TriggerProblem } from "../messages/retention-result.ts";

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
  /**
   * Set when an operator started the run (not the schedule): when the request arrived. Plan
   * summaries then say that the time ages are measured at was the operator's choice.
   */
  readonly manual?: { readonly receivedAt: Date };
}

/** How far a scheduled event's `time` may be from now and still be believed. */
export interface TriggerBounds {
  /** How far ahead of now. @default 300_000 (5 minutes: clocks differ a little) */
  readonly maxFutureMs: number;
  /** How far behind now. @default 86_400_000 (24 hours: EventBridge retries for up to a day) */
  readonly maxPastMs: number;
}

/** The bounds a retention scan uses unless its settings say otherwise. */
export const DEFAULT_TRIGGER_BOUNDS: TriggerBounds = {
  maxFutureMs: 5 * 60_000,
  maxPastMs: 24 * 60 * 60_000,
};

/** What a refused trigger claimed, as far as it could be read. */
export interface ClaimedTrigger {
  readonly origin: "schedule" | "manual" | "unknown";
  /** The time it named (ISO-8601), when it named a valid one. */
  readonly time?: string;
  readonly runId?: string;
}

/** Thrown for an event that must not start a run; `problem` says why, `claimed` what it said. */
export class TriggerError extends Error {
  override readonly name = "TriggerError";
  readonly problem: TriggerProblem;
  readonly claimed: ClaimedTrigger;
  constructor(problem: TriggerProblem, message: string, claimed: ClaimedTrigger) {
    super(message);
    this.problem = problem;
    this.claimed = claimed;
  }
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
 * Reads the trigger of an invocation that is not an SQS batch, at `now`. Throws
 * {@link TriggerError} for an event that is neither a scheduled event nor a manual run request, a
 * scheduled event outside `bounds`, or a manual run asking for a later time than `now`.
 *
 * @example const trigger = parseTrigger(event, new Date(), settings.triggerBounds);
 */
export function parseTrigger(
  event: unknown,
  now: Date,
  bounds: TriggerBounds = DEFAULT_TRIGGER_BOUNDS,
): RetentionTrigger {
  const scheduled = ScheduledEventSchema.safeParse(event);
  if (scheduled.success) {
    const { id, time } = scheduled.data;
    const scheduledAt = new Date(time);
    const ahead = scheduledAt.getTime() - now.getTime();
    if (ahead > bounds.maxFutureMs || -ahead > bounds.maxPastMs) {
      const claimed = { origin: "schedule", time: scheduledAt.toISOString(), runId: id } as const;
      throw new TriggerError(
        TriggerProblem.scheduleOutOfRange,
        `a scheduled event for ${claimed.time} is ${describeOffset(ahead)} now (${now.toISOString()}); it is believed only from ${seconds(bounds.maxPastMs)} behind to ${seconds(bounds.maxFutureMs)} ahead, so ages are not measured at it`,
        claimed,
      );
    }
    return { scheduledAt, runId: id, dryRun: false };
  }
  if (typeof event === "object" && event !== null && "source" in event) {
    throw new TriggerError(
      TriggerProblem.malformed,
      `not a scheduled event: ${z.prettifyError(scheduled.error).replaceAll("\n", " ")}`,
      { origin: "unknown" },
    );
  }
  const manual = ManualTriggerSchema.safeParse(event ?? {});
  if (!manual.success) {
    throw new TriggerError(
      TriggerProblem.malformed,
      `not a retention run request: ${z.prettifyError(manual.error).replaceAll("\n", " ")}`,
      { origin: "unknown" },
    );
  }
  return manualTrigger(
    {
      ...(manual.data.scheduledAt ? { scheduledAt: new Date(manual.data.scheduledAt) } : {}),
      ...(manual.data.runId ? { runId: manual.data.runId } : {}),
      dryRun: manual.data.dryRun,
      ...(manual.data.rules ? { ruleIds: manual.data.rules } : {}),
    },
    now,
  );
}

/**
 * The trigger of a run an operator starts at `now` (the handler's manual request, the CLI's
 * `retention run`): ages are measured at `request.scheduledAt` (default: now), which must not be
 * later than now. Throws {@link TriggerError} (`manual-in-future`) when it is.
 *
 * @example manualTrigger({ scheduledAt: new Date("2026-01-05T02:00:00Z"), dryRun: false }, new Date())
 */
export function manualTrigger(
  request: { scheduledAt?: Date; runId?: string; dryRun: boolean; ruleIds?: readonly string[] },
  now: Date,
): RetentionTrigger {
  const scheduledAt = request.scheduledAt ?? now;
  const runId = request.runId ?? `manual-${scheduledAt.toISOString()}`;
  if (scheduledAt.getTime() > now.getTime()) {
    throw new TriggerError(
      TriggerProblem.manualInFuture,
      `a manual run may measure ages at an earlier time than now (${now.toISOString()}), never a later one: ${scheduledAt.toISOString()} would make directories older than they are`,
      { origin: "manual", time: scheduledAt.toISOString(), runId },
    );
  }
  return {
    scheduledAt,
    runId,
    dryRun: request.dryRun,
    ...(request.ruleIds ? { ruleIds: request.ruleIds } : {}),
    manual: { receivedAt: now },
  };
}

function describeOffset(aheadMs: number): string {
  return aheadMs >= 0 ? `${seconds(aheadMs)} ahead of` : `${seconds(-aheadMs)} behind`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
