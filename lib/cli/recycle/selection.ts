/**
 * What `restore` and `purge` act on when given results exports (`smh-cleaner results --out`, NDJSON
 * or CSV): the recycle-bin items that deletions put there — `recycled` and `recovered` deletion
 * results, which carry a `recycledItemId` — less those that a recycle-action result in the same
 * files already settled (`restored`, `purged`, `expired`). So after restoring half of a plan and
 * exporting again, `purge --from deletions.ndjson --from restores.ndjson` purges the other half.
 *
 * Every line is checked; a line that is not a result (NDJSON) or whose columns do not read (CSV)
 * is a problem with its line number, and nothing is sent while there is one.
 */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { isOutcomeResult, parseResultMessage } from "../../messages/result-message.ts";
import { numberedLines } from "../input/lines.ts";
import type { InputProblem } from "../input/records.ts";
import { stripBom } from "../input/records.ts";
import { archiveFormatOf } from "../results/archive.ts";

/** A recycle-bin item a deletion left, as an export reports it. */
export interface RecycledEntry {
  readonly libraryId: string;
  readonly spaceId: string;
  readonly recycledItemId: number;
  /** The deleted directory's path. */
  readonly path: string | undefined;
  readonly planId: string | undefined;
}

/** A problem with one line of one file. */
export interface SelectionProblem extends InputProblem {
  readonly file: string;
}

/** What the files hold. */
export interface ExportContents {
  /** Items deletions put in the recycle bin, once each, in file order. */
  readonly recycled: RecycledEntry[];
  /** `library/space/id` keys of items a recycle action already settled. */
  readonly settled: Set<string>;
  readonly problems: SelectionProblem[];
  /** Results read (all types). */
  results: number;
}

/** The key of an item: library, space and ID. */
export function itemKey(entry: {
  libraryId: string;
  spaceId: string;
  recycledItemId: number;
}): string {
  return `${entry.libraryId}/${entry.spaceId}/${entry.recycledItemId}`;
}

const SETTLED = new Set(["restored", "purged", "expired"]);

/** Reads every file (format by extension: `.csv`, else NDJSON). */
export async function readExports(files: readonly string[]): Promise<ExportContents> {
  const contents: ExportContents = { recycled: [], settled: new Set(), problems: [], results: 0 };
  const seen = new Set<string>();
  for (const file of files) {
    const rows = archiveFormatOf(file) === "csv" ? csvRows(file) : ndjsonRows(file);
    for await (const row of rows) {
      if ("problem" in row) {
        contents.problems.push({ file, ...row.problem });
        continue;
      }
      contents.results += 1;
      const { fields } = row;
      if (fields.type === "recycle-action") {
        if (SETTLED.has(fields.outcome) && fields.recycledItemId !== undefined) {
          contents.settled.add(itemKey({ ...fields, recycledItemId: fields.recycledItemId }));
        }
        continue;
      }
      if (fields.outcome !== "recycled" && fields.outcome !== "recovered") continue;
      if (fields.recycledItemId === undefined) continue;
      const entry: RecycledEntry = {
        libraryId: fields.libraryId,
        spaceId: fields.spaceId,
        recycledItemId: fields.recycledItemId,
        path: fields.path,
        planId: fields.planId,
      };
      const key = itemKey(entry);
      if (seen.has(key)) continue;
      seen.add(key);
      contents.recycled.push(entry);
    }
  }
  return contents;
}

/** The fields of a result that selection needs. */
interface ResultFields {
  type: "deletion" | "recycle-action";
  outcome: string;
  libraryId: string;
  spaceId: string;
  recycledItemId: number | undefined;
  path: string | undefined;
  planId: string | undefined;
}

type Row = { line: number; fields: ResultFields } | { problem: InputProblem };

async function* ndjsonRows(file: string): AsyncGenerator<Row> {
  for await (const [line, raw] of numberedLines(createReadStream(file))) {
    const text = (line === 1 ? stripBom(raw) : raw).trim();
    if (text === "") continue;
    const parsed = parseResultMessage(text);
    if (!parsed.ok) {
      const detail = parsed.reasons
        .slice(0, 3)
        .map((reason) => (reason.path ? `${reason.path}: ${reason.message}` : reason.message))
        .join("; ");
      yield { problem: { line, field: "", message: `not a result message: ${detail}` } };
      continue;
    }
    const result = parsed.result;
    // Retention plan summaries and alerts name no recycle-bin item.
    if (!isOutcomeResult(result)) continue;
    if (result.libraryId === undefined || result.spaceId === undefined) continue;
    yield {
      line,
      fields: {
        type: result.type,
        outcome: result.outcome,
        libraryId: result.libraryId,
        spaceId: result.spaceId,
        recycledItemId: "recycledItemId" in result ? result.recycledItemId : undefined,
        path: "path" in result ? result.path : undefined,
        planId: "planId" in result ? result.planId : undefined,
      },
    };
  }
}

const REQUIRED_COLUMNS = ["type", "outcome", "libraryId", "spaceId", "recycledItemId"] as const;

async function* csvRows(file: string): AsyncGenerator<Row> {
  const parser = createReadStream(file).pipe(
    parse({ bom: true, columns: true, skip_empty_lines: true, relax_column_count: false }),
  );
  let line = 1;
  let checkedHeader = false;
  try {
    for await (const raw of parser as AsyncIterable<Record<string, string>>) {
      line = (parser.info?.lines as number | undefined) ?? line + 1;
      const record = unescapeFormulas(raw);
      if (!checkedHeader) {
        checkedHeader = true;
        const missing = REQUIRED_COLUMNS.filter((column) => !(column in record));
        if (missing.length > 0) {
          yield {
            problem: {
              line: 1,
              field: "",
              message: `not a results export: the header lacks ${missing.join(", ")} (export with smh-cleaner results --out <file>.csv)`,
            },
          };
          return;
        }
      }
      const type = record.type;
      if (type !== "deletion" && type !== "recycle-action") {
        yield {
          problem: {
            line,
            field: "type",
            message: `expected deletion or recycle-action, got ${JSON.stringify(type)}`,
          },
        };
        continue;
      }
      const idText = record.recycledItemId ?? "";
      const id = idText === "" ? undefined : Number(idText);
      if (id !== undefined && !(Number.isSafeInteger(id) && id > 0)) {
        yield {
          problem: {
            line,
            field: "recycledItemId",
            message: `expected a positive integer, got ${JSON.stringify(idText)}`,
          },
        };
        continue;
      }
      if (!record.libraryId || !record.spaceId) continue;
      yield {
        line,
        fields: {
          type,
          outcome: record.outcome ?? "",
          libraryId: record.libraryId,
          spaceId: record.spaceId,
          recycledItemId: id,
          path: record.path || undefined,
          planId: record.planId || undefined,
        },
      };
    }
  } catch (error) {
    yield {
      problem: { line, field: "", message: `cannot read the CSV: ${(error as Error).message}` },
    };
  }
}

/**
 * Undoes the export's formula escaping (csv-stringify's `escape_formulas` prefixes a cell starting
 * with `=`, `+`, `-`, `@`, tab or CR with `'`): space `-` is written `'-`.
 */
function unescapeFormulas(record: Record<string, string>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    clean[key] = /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
  }
  return clean;
}
