/**
 * The CSV export of results: one row per result, with a fixed set of columns so that spreadsheets
 * and scripts can rely on them. NDJSON is the lossless archive; CSV flattens:
 *
 * `type, outcome, jobId, commandId, libraryId, spaceId, path, permanent, action, recycledItemId,
 * restoredPath, removedAt, error, reasons, attempts, startedAt, finishedAt, requestedBy, dedupKey,
 * planId` (planId came last, so the columns before it keep their positions)
 *
 * - `jobId` is set for deletions, `commandId` for recycle actions; a column a result does not have
 *   is empty.
 * - `error` is `<status> <code>: <message>` (status and code when SMH gave them).
 * - `reasons` is `<field or rule>: <message>` for each reason, joined with `; ` (`(body)` for a
 *   reason about the whole message).
 * - Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR)
 *   are prefixed with `'` (csv-stringify's `escape_formulas`).
 */
import type { ResultMessage } from "../../messages/result-message.ts";

/** The CSV columns, in order. */
export const RESULT_CSV_COLUMNS = [
  "type",
  "outcome",
  "jobId",
  "commandId",
  "libraryId",
  "spaceId",
  "path",
  "permanent",
  "action",
  "recycledItemId",
  "restoredPath",
  "removedAt",
  "error",
  "reasons",
  "attempts",
  "startedAt",
  "finishedAt",
  "requestedBy",
  "dedupKey",
  "planId",
] as const;

/** One CSV column. */
export type ResultCsvColumn = (typeof RESULT_CSV_COLUMNS)[number];

/** The row for `result`: every column, `""` where the result has no value. */
export function resultCsvRow(result: ResultMessage): Record<ResultCsvColumn, string> {
  const fields = result as Record<string, unknown>;
  const text = (key: string): string => {
    const value = fields[key];
    return value === undefined || value === null ? "" : String(value);
  };
  const error = fields.error as { status?: number; code?: string; message: string } | undefined;
  const reasons = fields.reasons as
    | ({ path: string; message: string } | { rule: string; message: string })[]
    | undefined;
  return {
    type: result.type,
    // Retention results have no outcome: a plan summary gives its decision, an alert its kind.
    outcome:
      result.type === "retention-plan"
        ? result.decision
        : result.type === "retention-alert"
          ? result.alert
          : result.outcome,
    jobId: result.type === "deletion" ? result.jobId : "",
    commandId: result.type === "recycle-action" ? result.commandId : "",
    libraryId: text("libraryId"),
    spaceId: text("spaceId"),
    path: text("path"),
    permanent: text("permanent"),
    action: text("action"),
    recycledItemId: text("recycledItemId"),
    restoredPath: text("restoredPath"),
    removedAt: text("removedAt"),
    error: error === undefined ? "" : describeFailure(error),
    reasons:
      reasons === undefined
        ? ""
        : reasons
            .map((reason) => {
              const subject = "rule" in reason ? reason.rule : reason.path || "(body)";
              return `${subject}: ${reason.message}`;
            })
            .join("; "),
    attempts: text("attempts"),
    startedAt: text("startedAt"),
    finishedAt: text("finishedAt"),
    requestedBy: text("requestedBy"),
    dedupKey: result.dedupKey,
    planId: text("planId"),
  };
}

function describeFailure(error: { status?: number; code?: string; message: string }): string {
  const head = [error.status, error.code].filter((part) => part !== undefined).join(" ");
  return head === "" ? error.message : `${head}: ${error.message}`;
}
