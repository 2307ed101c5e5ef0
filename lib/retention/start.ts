/**
 * Where an invocation that is not a continuation batch becomes a run, or a refusal: the event is
 * read as a trigger (`trigger.ts`) at the invocation's clock, and a trigger that must not start a
 * run — a scheduled event whose time is too far from now, a manual run asking for a later time, a
 * malformed request, an unknown rule — is refused with a `trigger-refused` alert on the results
 * queue (and in the log). No rule is run and nothing is enqueued then.
 */

import type { TriggerRefusedAlert } from "../messages/retention-result.ts";
import { type RetentionDeps, type RetentionRunReport, runRetention } from "./run.ts";
import { triggerRefusedAlert } from "./summary.ts";
import { parseTrigger, type RetentionTrigger, TriggerError } from "./trigger.ts";

/** What an invocation did: ran the rules, or refused to. */
export type RetentionStart =
  | { readonly kind: "ran"; readonly report: RetentionRunReport }
  | { readonly kind: "refused"; readonly alert: TriggerRefusedAlert };

/**
 * Reads `event` as a trigger and runs it until `deadline` (epoch ms), or refuses it (see the module
 * comment). Throws what {@link runRetention} throws, a trigger refusal excepted, and when the
 * refusal's alert cannot be written (so that the invocation is retried).
 *
 * @example const started = await startRetention(event, deps, deadline);
 */
export async function startRetention(
  event: unknown,
  deps: RetentionDeps,
  deadline = Number.POSITIVE_INFINITY,
): Promise<RetentionStart> {
  const now = new Date((deps.clock ?? Date.now)());
  let trigger: RetentionTrigger;
  try {
    trigger = parseTrigger(event, now, deps.settings.triggerBounds);
  } catch (error) {
    if (!(error instanceof TriggerError)) throw error;
    return refuse(error, deps, now);
  }
  try {
    return { kind: "ran", report: await runRetention(trigger, deps, deadline) };
  } catch (error) {
    if (!(error instanceof TriggerError)) throw error;
    // Rules are selected before anything is scanned: the trigger itself is what is refused.
    const claimed = {
      origin: trigger.manual ? "manual" : "schedule",
      time: trigger.scheduledAt.toISOString(),
      runId: trigger.runId,
    } as const;
    return refuse(new TriggerError(error.problem, error.message, claimed), deps, now);
  }
}

async function refuse(
  error: TriggerError,
  deps: RetentionDeps,
  now: Date,
): Promise<RetentionStart> {
  const alert = triggerRefusedAlert(error, deps.settings.triggerBounds, now);
  await deps.outbox.publishResults([alert]);
  deps.observer?.alert?.(alert, error);
  return { kind: "refused", alert };
}
