import * as z from "zod";
import type { OldestMessageAgeProbe } from "../queues/depths.ts";

const inspectedMessage = z.object({ sentTimestamp: z.number() });

/** The part of fauxqs's `/_fauxqs/queues/<name>` answer the probe reads. */
const inspectedQueue = z.object({
  messages: z.object({
    ready: z.array(inspectedMessage),
    delayed: z.array(inspectedMessage),
    inflight: z.array(z.object({ message: inspectedMessage })),
  }),
});

/**
 * An {@link OldestMessageAgeProbe} for a fauxqs endpoint, which the SQS API cannot provide (on AWS
 * the age is a CloudWatch metric). Reads fauxqs's inspection route `/_fauxqs/queues/<name>`, so it
 * works only against fauxqs; the age counts every message not yet deleted (ready, delayed or in
 * flight) and is 0 for an empty queue, like `ApproximateAgeOfOldestMessage`. Resolves to
 * `undefined` when the endpoint does not answer the route as fauxqs does.
 */
export function fauxqsOldestMessageAge(
  endpoint: string,
  now: () => number = Date.now,
): OldestMessageAgeProbe {
  return async (queueUrl) => {
    const name = new URL(queueUrl).pathname.split("/").filter(Boolean).at(-1);
    if (!name) return undefined;
    const response = await fetch(new URL(`/_fauxqs/queues/${encodeURIComponent(name)}`, endpoint));
    if (!response.ok) return undefined;
    const parsed = inspectedQueue.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) return undefined;
    const { ready, delayed, inflight } = parsed.data.messages;
    let oldest = Number.POSITIVE_INFINITY;
    for (const message of [...ready, ...delayed, ...inflight.map((entry) => entry.message)]) {
      oldest = Math.min(oldest, message.sentTimestamp);
    }
    return oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, (now() - oldest) / 1000);
  };
}
