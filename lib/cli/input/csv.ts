/**
 * CSV input (RFC 4180, parsed by csv-parse): a header row, then one job per row.
 *
 * - `path` is required; the other columns are DeleteJob fields: `libraryId`, `spaceId`,
 *   `permanent`, `jobId`, `source`, `requestedBy`, `reason`, `userId`, `ruleId`, `planId`. Any
 *   other column is refused (a misspelt `permanant` must never be ignored).
 * - An empty cell means "not given": the flag's default applies. `permanent` is `true` or `false`
 *   (any case); anything else is refused rather than guessed.
 * - Quoted fields may hold commas, quotes (doubled) and line breaks; a BOM and CRLF line ends are
 *   accepted, even mixed in one file. Blank lines are skipped.
 * - A broken quote makes the rest of the file unreadable: it is reported on the line where its
 *   record starts, and reading stops there (every line before it is still checked).
 */
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CsvError, parse } from "csv-parse";
import type { InputProblem, InputRecord } from "./records.ts";

/** The columns a CSV input may have. */
export const CSV_INPUT_COLUMNS = [
  "path",
  "libraryId",
  "spaceId",
  "permanent",
  "jobId",
  "source",
  "requestedBy",
  "reason",
  "userId",
  "ruleId",
  "planId",
] as const;

const KNOWN: ReadonlySet<string> = new Set(CSV_INPUT_COLUMNS);

/**
 * Records of a CSV file read from `input`. The parse streams; the records are returned once the
 * input is read (validation needs all of them before anything is sent anyway).
 */
export async function csvRecords(input: Readable): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  let lastLine = 0;
  let header: (string | undefined)[] | undefined;
  const parser = parse({
    bom: true,
    // Both line ends, even mixed in one file (files concatenated from different tools).
    record_delimiter: ["\r\n", "\n"],
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: 1024 * 1024,
    // Called synchronously for each record, so the line count is right even when a later record
    // fails to parse and the stream errors before its buffered records are read.
    on_record: (fields: string[], context) => {
      const line = lastLine + 1;
      lastLine = context.lines;
      if (isBlank(fields)) return null;
      if (header === undefined) {
        const parsed = readHeader(fields, line);
        header = parsed.columns;
        records.push(...parsed.problems.map((problem) => ({ line, problem })));
        if (!header.includes("path")) {
          records.push({
            line,
            problem: { line, field: "", message: 'the header has no "path" column' },
            fatal: true,
          });
        }
        return null;
      }
      records.push(readRow(fields, header, line));
      return null;
    },
  });
  try {
    await pipeline(input, parser);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = lastLine + 1;
    records.push({
      line,
      problem: { line, field: "", message: describeCsvError(error) },
      fatal: true,
    });
  }
  return records;
}

function isBlank(fields: readonly string[]): boolean {
  return fields.every((field) => field.trim() === "");
}

function readHeader(
  fields: readonly string[],
  line: number,
): { columns: (string | undefined)[]; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const seen = new Set<string>();
  const columns = fields.map((raw, index) => {
    const name = raw.trim();
    if (!KNOWN.has(name)) {
      problems.push({
        line,
        field: name,
        message: `unknown column ${JSON.stringify(name)} (column ${index + 1}): the columns are ${CSV_INPUT_COLUMNS.join(", ")}`,
      });
      return undefined;
    }
    if (seen.has(name)) {
      problems.push({ line, field: name, message: `column "${name}" appears twice` });
      return undefined;
    }
    seen.add(name);
    return name;
  });
  return { columns, problems };
}

function readRow(
  fields: readonly string[],
  header: readonly (string | undefined)[],
  line: number,
): InputRecord {
  if (fields.length !== header.length) {
    return {
      line,
      problem: {
        line,
        field: "",
        message: `has ${fields.length} fields; the header has ${header.length} (quote fields that contain commas)`,
      },
    };
  }
  const values: Record<string, unknown> = {};
  const problems: InputProblem[] = [];
  header.forEach((column, index) => {
    const value = fields[index] ?? "";
    if (column === undefined || value === "") return;
    if (column !== "permanent") {
      values[column] = value;
      return;
    }
    const flag = value.trim().toLowerCase();
    if (flag === "true" || flag === "false") values[column] = flag === "true";
    else
      problems.push({
        line,
        field: column,
        message: `must be true or false, got ${JSON.stringify(value)}`,
      });
  });
  return problems.length === 0 ? { line, fields: values } : { line, fields: values, problems };
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return "a quoted field starting on this line is never closed; the rest of the file was not read";
    case "INVALID_OPENING_QUOTE":
      return 'a quote inside an unquoted field: quote the whole field and double the quotes inside ("a ""b"" c"); the rest of the file was not read';
    case "CSV_INVALID_CLOSING_QUOTE":
      return "text follows the closing quote of a field; the rest of the file was not read";
    default:
      return `${error.message}; the rest of the file was not read`;
  }
}
