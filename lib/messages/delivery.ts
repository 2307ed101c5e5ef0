/**
 * What a job (or recycle command) carries from one delivery to the next when the handler parks it
 * or gives it up: a message attribute, {@link DELIVERY_ATTRIBUTE}, holding a small JSON document.
 * The body is never touched: a parked job is re-sent with the very bytes it came with.
 *
 * Why an attribute: once a job is parked (re-sent with a delay), SQS's receive count starts again
 * at 1 on the new message, so it no longer counts attempts. The attribute does: real SMH attempts
 * that failed, when the job was first enqueued (the age limit, and the start of the recycle-bin
 * window of a deletion whose answer was lost), and how often it was parked (its next delay).
 *
 * Redrive: a job the handler gives up goes to the DLQ with `gaveUpAt` set. A message coming back
 * with `gaveUpAt` (a move task or `smh-cleaner redrive`, which also sets {@link REDRIVEN_AT_ATTRIBUTE})
 * was redriven by hand: it starts a fresh budget, and its results say they supersede the `failed`
 * one (see {@link Supersedes}).
 *
 * An attribute that does not parse is ignored (the job starts a fresh budget): it only ever
 * shortens or lengthens a retry budget, never what is deleted.
 */
import * as z from "zod";
import { timestamp } from "./fields.ts";

/** The message attribute (String) holding {@link DeliveryState} as JSON. */
export const DELIVERY_ATTRIBUTE = "smhCleanerDelivery";

/** The message attribute (String, ISO-8601) `smh-cleaner redrive --method copy` sets on what it moves. */
export const REDRIVEN_AT_ATTRIBUTE = "smhCleanerRedrivenAt";

const count = z.int().min(0).max(1_000_000);

/** Schema of {@link Supersedes}. */
export const supersedesShape = z
  .strictObject({
    outcome: z.literal("failed"),
    failedAt: timestamp.meta({
      description: "When the job (command) was given up with its `failed` result (ISO-8601, UTC).",
    }),
    redrivenAt: timestamp
      .meta({ description: "When it was moved back from the DLQ, when the redrive said so." })
      .optional(),
  })
  .meta({
    description:
      "Set on results of a job (command) moved back from the DLQ by hand: this result supersedes its earlier `failed` result (the one with the same identity and outcome `failed`); a consumer drops that one.",
  });

/** A redriven job's results supersede its `failed` result. */
export type Supersedes = z.output<typeof supersedesShape>;

const DeliveryStateSchema = z.strictObject({
  v: z.literal(1),
  /** Real SMH attempts that failed retryably, over every delivery (since the last redrive). */
  attempts: count,
  /** When the job was first enqueued (ISO-8601): the recycle-bin window starts here. */
  firstEnqueuedAt: timestamp,
  /** When the current budget started (ISO-8601): first enqueue, or the redrive. */
  budgetFrom: timestamp,
  /** Times the job was parked since the budget started: its next delay grows with it. */
  parkings: count,
  /** Set when the handler gave the job up (on the message it sends to the DLQ). */
  gaveUpAt: timestamp.optional(),
  /** Set once the job was redriven: carried on so every later result says so. */
  supersedes: supersedesShape.optional(),
});

/** What one delivery of a job knows of the ones before it. */
export type DeliveryState = z.output<typeof DeliveryStateSchema>;

/**
 * The delivery state of a received message, from its string message attributes; `undefined` when
 * it has none (a fresh job) or one that does not parse.
 */
export function readDeliveryState(
  attributes: Readonly<Record<string, string>> | undefined,
): DeliveryState | undefined {
  const raw = attributes?.[DELIVERY_ATTRIBUTE];
  if (raw === undefined) return undefined;
  try {
    const parsed = DeliveryStateSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The attribute value of a delivery state (validated: a bug in the caller throws). */
export function encodeDeliveryState(state: DeliveryState): string {
  return JSON.stringify(DeliveryStateSchema.parse(state));
}

/**
 * The delivery state this delivery starts from: the carried one, or a fresh one enqueued at
 * `sentAt`. A message that was given up and came back (redriven) starts a fresh budget at its
 * redrive (`redrivenAt` attribute, else `now`), keeps its first enqueue time, and records what its
 * results supersede.
 */
export function currentDeliveryState(
  attributes: Readonly<Record<string, string>> | undefined,
  sentAt: number | undefined,
  now: number,
): DeliveryState {
  const carried = readDeliveryState(attributes);
  // Re-sends drop the redrive mark, so a message carrying it comes straight from a redrive.
  const redrivenAt = validTime(attributes?.[REDRIVEN_AT_ATTRIBUTE]);
  if (carried !== undefined && carried.gaveUpAt === undefined && redrivenAt === undefined) {
    return carried;
  }
  const enqueued = carried?.firstEnqueuedAt ?? new Date(sentAt ?? now).toISOString();
  const redriven = carried?.gaveUpAt !== undefined || redrivenAt !== undefined;
  const budgetFrom = redriven ? (redrivenAt ?? new Date(now).toISOString()) : enqueued;
  // Given up by the handler (`gaveUpAt`), or dead-lettered by SQS itself and redriven by copy.
  const failedAt = carried?.gaveUpAt ?? redrivenAt;
  return {
    v: 1,
    attempts: 0,
    firstEnqueuedAt: enqueued,
    budgetFrom,
    parkings: 0,
    ...(redriven && failedAt
      ? {
          supersedes: {
            outcome: "failed" as const,
            failedAt,
            ...(redrivenAt ? { redrivenAt } : {}),
          },
        }
      : {}),
  };
}

function validTime(value: string | undefined): string | undefined {
  return value !== undefined && timestamp.safeParse(value).success ? value : undefined;
}
