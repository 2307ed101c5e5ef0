/**
 * Writing the results archive durably: the file is written under a temporary name, fsynced,
 * renamed into place and its directory fsynced, so that when this resolves the results survive a
 * crash — only then may the messages be deleted from the queue. An existing file is never
 * overwritten unless asked: it may be the only copy of earlier restore handles.
 */
import { access, type FileHandle } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { writeFileAtomically } from "../../local/atomic-file.ts";
import type { ResultMessage } from "../../messages/result-message.ts";
import type { InvalidResultMessage } from "./collector.ts";
import { RESULT_CSV_COLUMNS, resultCsvRow } from "./csv-row.ts";

/** Archive formats. */
export const ARCHIVE_FORMATS = ["ndjson", "csv"] as const;
/** One of {@link ARCHIVE_FORMATS}. */
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

/** The format for `path` by extension (`.csv`, `.ndjson`, `.jsonl`), or undefined. */
export function archiveFormatOf(path: string): ArchiveFormat | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === ".csv") return "csv";
  if (extension === ".ndjson" || extension === ".jsonl") return "ndjson";
  return undefined;
}

/** Where messages that are not valid results go: `results.csv` → `results.invalid.ndjson`. */
export function invalidPathFor(path: string): string {
  const name = basename(path, extname(path));
  return join(dirname(path), `${name}.invalid.ndjson`);
}

/** True when something exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

const ROWS_PER_WRITE = 1000;

/** Writes `results` to `path` in `format`, durably (see the module comment). */
export async function writeResultsFile(
  path: string,
  format: ArchiveFormat,
  results: readonly ResultMessage[],
): Promise<void> {
  await writeDurably(path, async (file) => {
    if (format === "csv") {
      await file.write(stringify([], { header: true, columns: [...RESULT_CSV_COLUMNS] }));
    }
    for (let start = 0; start < results.length; start += ROWS_PER_WRITE) {
      const chunk = results.slice(start, start + ROWS_PER_WRITE);
      const text =
        format === "csv"
          ? stringify(chunk.map(resultCsvRow), {
              columns: [...RESULT_CSV_COLUMNS],
              escape_formulas: true,
            })
          : chunk.map((result) => `${JSON.stringify(result)}\n`).join("");
      await file.write(text);
    }
  });
}

/** Writes the invalid messages to `path` as NDJSON, durably. */
export async function writeInvalidFile(
  path: string,
  invalid: readonly InvalidResultMessage[],
): Promise<void> {
  await writeDurably(path, async (file) => {
    await file.write(invalid.map((message) => `${JSON.stringify(message)}\n`).join(""));
  });
}

function writeDurably(path: string, write: (file: FileHandle) => Promise<void>): Promise<void> {
  return writeFileAtomically(path, write, { mode: 0o666, syncDirectory: true });
}
