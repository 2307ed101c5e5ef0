/**
 * NDJSON input: one DeleteJob JSON object per line, as a producer would put it on the jobs queue
 * (`"v": 1` included). Blank lines are skipped; anything else that is not a JSON object, or an object
 * that gives a key twice, is a problem of its line.
 */
import type { Readable } from "node:stream";
import { duplicateKeys } from "../../messages/duplicate-keys.ts";
import { numberedLines } from "./lines.ts";
import { type InputRecord, stripBom } from "./records.ts";

/** Records of an NDJSON file read from `input`. */
export async function* ndjsonRecords(input: Readable): AsyncGenerator<InputRecord> {
  for await (const [line, raw] of numberedLines(input)) {
    const text = (line === 1 ? stripBom(raw) : raw).trim();
    if (text === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      yield { line, problem: { line, field: "", message: `not JSON: ${detail}` } };
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      yield { line, problem: { line, field: "", message: "expected a JSON object (a DeleteJob)" } };
      continue;
    }
    // As the delete function does: a line that gives a key twice names two things at once.
    const problems = duplicateKeys(text).map(({ path }) => ({
      line,
      field: path,
      message: "given twice on this line: give each field once (duplicate-key)",
    }));
    yield problems.length === 0
      ? { line, fields: value as Record<string, unknown> }
      : { line, fields: value as Record<string, unknown>, problems };
  }
}
