/**
 * Everything published on the results queue, for its consumers (the CLI's `results`, exports,
 * other systems, tests): a union discriminated on `type`, then on `outcome`.
 *
 * Unlike jobs and commands, results are read leniently: an unknown field is dropped, not refused,
 * so a reader keeps working when a newer writer adds an optional field to v1.
 */
import { z } from "zod";
import { parseBody } from "./body.ts";
import { DeletionResultSchema } from "./deletion-result.ts";
import type { FieldReason } from "./reasons.ts";
import { RecycleActionResultSchema } from "./recycle-action-result.ts";

/** The most UTF-8 bytes a result body may have (a rejected result with every reason fits). */
export const MAX_RESULT_BODY_BYTES = 256 * 1024;

/** Any result message: `type: "deletion"` or `type: "recycle-action"`. */
export const ResultMessageSchema = z.discriminatedUnion("type", [
  DeletionResultSchema,
  RecycleActionResultSchema,
]);

/** A result message. Narrow on `type`, then `outcome`. */
export type ResultMessage = z.output<typeof ResultMessageSchema>;

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
