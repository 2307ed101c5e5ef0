/**
 * The event EventBridge sends a function on a `schedule` (an EventBridge rule), as the local stack
 * hands it to the handler: the shape is AWS's "Scheduled Event", its `time` the scheduled instant
 * (whole seconds, UTC), its `id` one per delivery of one firing.
 */
import { randomUUID } from "node:crypto";

/** What {@link scheduledEvent} needs. */
export interface ScheduledEventOptions {
  /** When the schedule fired. */
  time: Date;
  /** The event ID; default a fresh UUID (a redelivery of the same firing keeps its ID). */
  id?: string;
  /** Default `us-east-1`. */
  region?: string;
  /** Default `000000000000`, the account id local emulators use. */
  account?: string;
  /** The rule's name, for `resources`. Default `<function>-schedule`. */
  ruleName?: string;
}

/** A Lambda `ScheduledEvent` for `functionName`. */
export function scheduledEvent(
  functionName: string,
  options: ScheduledEventOptions,
): Record<string, unknown> {
  const region = options.region ?? "us-east-1";
  const account = options.account ?? "000000000000";
  return {
    version: "0",
    id: options.id ?? randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account,
    time: `${options.time.toISOString().slice(0, 19)}Z`,
    region,
    resources: [
      `arn:aws:events:${region}:${account}:rule/${options.ruleName ?? `${functionName}-schedule`}`,
    ],
    detail: {},
  };
}
