/**
 * Turns input records into delete jobs: applies the flags' defaults to the fields a line leaves
 * out, validates every line with the DeleteJob schema (the same one the delete function parses
 * with), and refuses a jobId that appears twice. Every problem of every line is collected; the
 * caller sends nothing unless there are none.
 */

import { DeleteJobSchema } from "../../messages/delete-job.ts";
import { encodeMessageBody } from "../../messages/encode.ts";
import { JobSource } from "../../messages/fields.ts";
import { reasonsFromIssues } from "../../messages/reasons.ts";
import type { InputProblem, InputRecord } from "./records.ts";

/** Values for the fields a line does not give (from `--library`, `--space`, … flags). */
export interface JobDefaults {
  libraryId?: string;
  /** Default `-`. */
  spaceId?: string;
  /** Default false. */
  permanent?: boolean;
  /** Default `cli` (enqueued by hand). */
  source?: JobSource;
  requestedBy?: string;
  reason?: string;
  planId?: string;
}

/** A job ready to publish. */
export interface ValidJob {
  /** The input line (or argument) it came from. */
  line: number;
  jobId: string;
  /** The message body: the parsed DeleteJob (path exactly as written, jobId set) as JSON. */
  body: string;
}

/** Outcome of {@link validateJobs}. */
export interface JobValidation {
  jobs: ValidJob[];
  /** Every problem, in line order. */
  problems: InputProblem[];
  /** Lines that held a job or a problem (blank and comment lines not counted). */
  records: number;
}

/** Options for {@link validateJobs}. */
export interface ValidateOptions {
  defaults: JobDefaults;
  /**
   * Adds `"v": 1` to each line. Plain lists and CSV have no version of their own; NDJSON lines are
   * DeleteJob messages and must carry theirs.
   */
  addVersion: boolean;
}

/** Validates every record (see the module comment). Never throws for bad input. */
export async function validateJobs(
  records: AsyncIterable<InputRecord> | Iterable<InputRecord>,
  options: ValidateOptions,
): Promise<JobValidation> {
  const defaults = defaultFields(options.defaults);
  const jobs: ValidJob[] = [];
  const problems: InputProblem[] = [];
  const firstLineOf = new Map<string, { line: number; derived: boolean }>();
  let count = 0;
  for await (const record of records) {
    count += 1;
    if ("problem" in record) {
      problems.push(record.problem);
      if (record.fatal) break;
      continue;
    }
    const line = record.line;
    const input: Record<string, unknown> = options.addVersion ? { v: 1 } : {};
    Object.assign(input, defaults);
    // defineProperty, not assignment: a `__proto__` key from JSON.parse stays an ordinary key
    // (unknown, so refused by the strict schema) instead of replacing the prototype.
    for (const key of Object.keys(record.fields)) {
      Object.defineProperty(input, key, {
        value: record.fields[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    const parsed = DeleteJobSchema.safeParse(input);
    const lineProblems = [...(record.problems ?? [])];
    if (!parsed.success) {
      for (const reason of reasonsFromIssues(parsed.error.issues)) {
        const missing = !Object.hasOwn(input, reason.path) && reason.path in MISSING_HINT;
        const message = missing ? MISSING_HINT[reason.path] : reason.message;
        lineProblems.push({ line, field: reason.path, message: message ?? reason.message });
      }
    }
    if (lineProblems.length > 0 || !parsed.success) {
      problems.push(...lineProblems);
      continue;
    }
    const job = parsed.data;
    const derived = typeof record.fields.jobId !== "string";
    const first = firstLineOf.get(job.jobId);
    if (first !== undefined) {
      const why =
        derived && first.derived
          ? ` (the same library, space, path and permanent as line ${first.line})`
          : "";
      problems.push({
        line,
        field: "jobId",
        message: `duplicate jobId ${job.jobId}: line ${first.line} has it too${why}`,
      });
      continue;
    }
    firstLineOf.set(job.jobId, { line, derived });
    jobs.push({ line, jobId: job.jobId, body: encodeMessageBody(job) });
  }
  return { jobs, problems, records: count };
}

// What to say when a required field is absent from the line and no flag gave a default.
const MISSING_HINT: Record<string, string> = {
  libraryId: "missing: give --library, or a libraryId on the line",
  path: "missing: every job needs a path",
  source: "missing: give --source, or a source on the line",
};

function defaultFields(defaults: JobDefaults): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    spaceId: defaults.spaceId ?? "-",
    permanent: defaults.permanent ?? false,
    source: defaults.source ?? JobSource.cli,
  };
  for (const key of ["libraryId", "requestedBy", "reason", "planId"] as const) {
    const value = defaults[key];
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}
