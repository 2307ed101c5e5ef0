/**
 * How `smh-cleaner ledger` prints results: a table for people, NDJSON (the lossless form, one
 * result message per line exactly as kept) or CSV (the columns of the results export,
 * `lib/cli/results/csv-row.ts`). Written in chunks that wait for stdout to drain, so a large answer
 * piped to a slow reader is never buffered whole a second time.
 */
import { once } from "node:events";
import type { Writable } from "node:stream";
import { stringify } from "csv-stringify/sync";
import { finishedAtOf, outcomeOf } from "../../ledger/select.ts";
import type { ResultMessage } from "../../messages/result-message.ts";
import { table } from "../output.ts";
import { RESULT_CSV_COLUMNS, resultCsvRow } from "../results/csv-row.ts";

/** Output formats of `ledger`. */
export const LEDGER_FORMATS = ["table", "ndjson", "csv"] as const;
export type LedgerFormat = (typeof LEDGER_FORMATS)[number];

/** The table's columns. */
export const LEDGER_TABLE_HEADER = [
  "FINISHED",
  "TYPE",
  "OUTCOME",
  "LIBRARY",
  "SPACE",
  "PATH",
  "ITEM",
  "PLAN",
] as const;

const ROWS_PER_WRITE = 1000;

/** One table row: the path is a deletion's path, a restore's restored path or a plan's parent. */
export function ledgerTableRow(result: ResultMessage): string[] {
  const fields = result as Partial<Record<string, unknown>>;
  const text = (value: unknown) => (value === undefined || value === null ? "" : String(value));
  return [
    finishedAtOf(result),
    result.type,
    outcomeOf(result),
    text(fields.libraryId),
    text(fields.spaceId),
    text(fields.path ?? fields.restoredPath ?? fields.parent),
    text(fields.recycledItemId),
    text(fields.planId),
  ];
}

/** Writes `results` to `out` in `format`. */
export async function writeLedgerResults(
  out: Writable,
  format: LedgerFormat,
  results: readonly ResultMessage[],
): Promise<void> {
  if (format === "table") {
    await write(out, `${table(LEDGER_TABLE_HEADER, results.map(ledgerTableRow))}\n`);
    return;
  }
  if (format === "csv") {
    await write(out, stringify([], { header: true, columns: [...RESULT_CSV_COLUMNS] }));
  }
  for (let start = 0; start < results.length; start += ROWS_PER_WRITE) {
    const chunk = results.slice(start, start + ROWS_PER_WRITE);
    await write(
      out,
      format === "csv"
        ? stringify(chunk.map(resultCsvRow), {
            columns: [...RESULT_CSV_COLUMNS],
            escape_formulas: true,
          })
        : chunk.map((result) => `${JSON.stringify(result)}\n`).join(""),
    );
  }
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}
