/**
 * Where `enqueue` reads its jobs from: arguments, a file, or standard input, in one of the
 * {@link InputFormat}s.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { csvRecords } from "./csv.ts";
import { type JobDefaults, type JobValidation, validateJobs } from "./jobs.ts";
import { ndjsonRecords } from "./ndjson.ts";
import { argumentRecords, plainRecords } from "./plain.ts";
import type { InputFormat, InputRecord } from "./records.ts";

/** Reads `input` in `format` and validates every line (see `validateJobs`). */
export async function readJobsFrom(
  input: Readable,
  format: InputFormat,
  defaults: JobDefaults,
): Promise<JobValidation> {
  return validateJobs(recordsOf(input, format), { defaults, addVersion: format !== "ndjson" });
}

/** Validates paths given as arguments; a problem's `line` is the argument's position. */
export async function readJobsFromArguments(
  paths: readonly string[],
  defaults: JobDefaults,
): Promise<JobValidation> {
  return validateJobs(argumentRecords(paths), { defaults, addVersion: true });
}

/** Opens `file` for reading, `-` meaning standard input. */
export function openInput(file: string): Readable {
  return file === "-" ? process.stdin : createReadStream(file);
}

async function* recordsOf(input: Readable, format: InputFormat): AsyncGenerator<InputRecord> {
  switch (format) {
    case "plain":
      yield* plainRecords(input);
      return;
    case "ndjson":
      yield* ndjsonRecords(input);
      return;
    case "csv":
      yield* await csvRecords(input);
      return;
  }
}
