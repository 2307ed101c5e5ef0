/**
 * Plain path lists: one directory or album path per line.
 *
 * Blank lines and lines whose first non-blank character is `#` are skipped (a path that starts with
 * `#` must come through CSV or NDJSON). A line that is a JSON object is refused rather than taken as
 * a path: it is almost certainly NDJSON read with the wrong format.
 */
import type { Readable } from "node:stream";
import { numberedLines } from "./lines.ts";
import { type InputRecord, stripBom } from "./records.ts";

/** Records of a plain path list read from `input`. */
export async function* plainRecords(input: Readable): AsyncGenerator<InputRecord> {
  for await (const [line, raw] of numberedLines(input)) {
    const text = line === 1 ? stripBom(raw) : raw;
    const trimmed = text.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    if (looksLikeJsonObject(trimmed)) {
      yield {
        line,
        problem: {
          line,
          field: "",
          message: "this line is a JSON object, not a path: read NDJSON with --format ndjson",
        },
      };
      continue;
    }
    yield { line, fields: { path: text } };
  }
}

/** Records for paths given as command-line arguments (numbered from 1). */
export function argumentRecords(paths: readonly string[]): InputRecord[] {
  return paths.map((path, index) => ({ line: index + 1, fields: { path } }));
}

function looksLikeJsonObject(text: string): boolean {
  if (!text.startsWith("{") || !text.endsWith("}")) return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
