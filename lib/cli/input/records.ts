/**
 * What the input readers produce: one record per job line, or one problem per line that cannot be
 * a job at all. Line numbers count from 1 and count every line of the input, skipped ones included,
 * so they match what an editor shows.
 */

/** A problem with one line of the input. `field` is `""` when the whole line is at fault. */
export interface InputProblem {
  line: number;
  field: string;
  message: string;
}

/**
 * One line of input: the job fields it gave (with any problems the reader already found in them,
 * such as a CSV `permanent` that is neither true nor false), or why it could not be read at all.
 */
export type InputRecord =
  | { line: number; fields: Record<string, unknown>; problems?: InputProblem[] }
  | {
      line: number;
      problem: InputProblem;
      /** True when reading cannot go on past this line (a broken CSV quote). */
      fatal?: boolean;
    };

/** The formats `enqueue --file` reads. */
export const INPUT_FORMATS = ["plain", "csv", "ndjson"] as const;
/** One of {@link INPUT_FORMATS}. */
export type InputFormat = (typeof INPUT_FORMATS)[number];

/**
 * The format of an input file: `explicit` when given, else by extension (`.csv` → csv,
 * `.ndjson`/`.jsonl` → ndjson), else plain (one path per line). Standard input is plain unless
 * `--format` says otherwise.
 */
export function formatOf(fileName: string, explicit?: InputFormat): InputFormat {
  if (explicit !== undefined) return explicit;
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) return "ndjson";
  return "plain";
}

/** Removes a UTF-8 byte order mark at the start of `text`. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
