/**
 * Everything published on the results queue, for its consumers (the CLI's `results`, exports,
 * other systems, tests): a union discriminated on `type`, then on `outcome`.
 *
 * Unlike jobs and commands, results are read leniently: an unknown field is dropped, not refused,
 * so a reader keeps working when a newer writer adds an optional field to v1.
 */
import * as z from "zod";
import { parseBody } from "./body.ts";
import { DeletionResultSchema } from "./deletion-result.ts";
import type { FieldReason } from "./reasons.ts";
import { RecycleActionResultSchema } from "./recycle-action-result.ts";
import { RetentionAlertSchema, RetentionPlanSummarySchema } from "./retention-result.ts";

/** The most UTF-8 bytes a result body may have (a rejected result with every reason fits). */
export const MAX_RESULT_BODY_BYTES = 256 * 1024;

/**
 * Any result message: `type: "deletion"` or `type: "recycle-action"` (one per job or item, with an
 * `outcome`), or what a retention run writes: `type: "retention-plan"` (its plan summary) and
 * `type: "retention-alert"` (a run that enqueued nothing because it must not or could not).
 */
export const ResultMessageSchema = z.discriminatedUnion("type", [
  DeletionResultSchema,
  RecycleActionResultSchema,
  RetentionPlanSummarySchema,
  RetentionAlertSchema,
]);

/** A result message. Narrow on `type`, then `outcome` (or `alert`). */
export type ResultMessage = z.output<typeof ResultMessageSchema>;

/** A result about one job or recycle-bin item: the results that carry an `outcome`. */
export type OutcomeResult = Extract<ResultMessage, { type: "deletion" | "recycle-action" }>;

/** True for a deletion or recycle-action result (not a retention plan summary or alert). */
export function isOutcomeResult(result: ResultMessage): result is OutcomeResult {
  return result.type === "deletion" || result.type === "recycle-action";
}

/**
 * The SQS message attributes a result is published with, so consumers can filter without parsing
 * bodies: `type` always; `outcome` for deletion and recycle-action results, `decision` for a
 * retention plan summary, `alert` for a retention alert.
 */
export function resultMessageAttributes(
  result: ResultMessage,
): Record<string, { DataType: "String"; StringValue: string }> {
  const text = (value: string) => ({ DataType: "String" as const, StringValue: value });
  switch (result.type) {
    case "deletion":
    case "recycle-action":
      return { type: text(result.type), outcome: text(result.outcome) };
    case "retention-plan":
      return { type: text(result.type), decision: text(result.decision) };
    case "retention-alert":
      return { type: text(result.type), alert: text(result.alert) };
  }
}

/** The outcome of {@link parseResultMessage}. */
export type ResultMessageParse =
  | { ok: true; result: ResultMessage }
  | { ok: false; reasons: FieldReason[] };

/**
 * Parses one results-queue message body. Never throws; a refusal lists every problem as
 * `{ path, message }`.
 *
 * @example
 * const parsed = parseResultMessage(message.Body ?? "");
 * if (parsed.ok && parsed.result.type === "deletion" && parsed.result.outcome === "recycled") keep(parsed.result.recycledItemId);
 */
export function parseResultMessage(body: string): ResultMessageParse {
  const parsed = parseBody(body, ResultMessageSchema, MAX_RESULT_BODY_BYTES);
  return parsed.ok ? { ok: true, result: parsed.value } : { ok: false, reasons: parsed.reasons };
}
