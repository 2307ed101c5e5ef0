/**
 * The errors of retention: a rules file that cannot be used, and a scan that cannot go on safely.
 * Each carries what an operator needs to act on it, and none is ever caught to carry on regardless.
 */

/** One problem in a rules file. `path` is like `rules[2].age.maxAge`; `""` is the whole file. */
export interface RulesIssue {
  path: string;
  message: string;
  /** 1-based line of the offending value in the YAML or JSON text, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
}

/**
 * Thrown when a rules file is unreadable or invalid. The message names the source and lists every
 * problem as `rules[2].age.maxAge (line 14, column 13): ...`, so the operator can fix it without
 * reading code. No rule of an invalid file runs.
 */
export class RulesConfigError extends Error {
  override readonly name = "RulesConfigError";
  /** Where the rules came from: a file name, an environment variable. */
  readonly source: string;
  readonly issues: readonly RulesIssue[];

  constructor(source: string, issues: readonly RulesIssue[]) {
    const lines = issues.map((issue) => {
      const where =
        issue.line === undefined ? "" : ` (line ${issue.line}, column ${issue.column ?? 1})`;
      const field = issue.path === "" ? "(file)" : issue.path;
      return `  ${field}${where}: ${issue.message}`;
    });
    super(`invalid retention rules (${source}):\n${lines.join("\n")}`);
    this.source = source;
    this.issues = issues;
  }
}

/**
 * Thrown by a plan builder asked to finish while the listing still had pages (the last page added
 * had a `nextMarker`): a plan over part of a directory would under-count its children and so
 * loosen the fraction cap. Continue the scan, or checkpoint it.
 */
export class IncompleteScanError extends Error {
  override readonly name = "IncompleteScanError";
}

/**
 * Thrown when a scan makes no progress: SMH answered a page with the marker it was asked for, or
 * a continuation is checkpointed without a single new page. Re-sending it would loop for ever.
 */
export class ScanStalledError extends Error {
  override readonly name = "ScanStalledError";
}

/**
 * Thrown when a continuation cannot be resumed under the rule as it is now: another rule, library
 * or space, or the rule's definition changed since the scan started (its counts would mix two
 * rules). Start the run again from the first page.
 */
export class ContinuationMismatchError extends Error {
  override readonly name = "ContinuationMismatchError";
}

/**
 * Thrown when a continuation would not fit in one queue message: its selected names are too long
 * in all. Nothing has been enqueued; lower the rule's `maxDeletesPerRun` (or narrow it) so its
 * selection fits, then run it again.
 */
export class ContinuationTooLargeError extends Error {
  override readonly name = "ContinuationTooLargeError";
  /** UTF-8 bytes the continuation would have had. */
  readonly bytes: number;
  readonly limit: number;

  constructor(bytes: number, limit: number, ruleId: string) {
    super(
      `the continuation of retention rule ${JSON.stringify(ruleId)} would be ${bytes} bytes (at most ${limit}): its selected names are too long to carry to the next invocation; lower caps.maxDeletesPerRun or narrow the rule`,
    );
    this.bytes = bytes;
    this.limit = limit;
  }
}
