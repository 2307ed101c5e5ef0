import { Command, Option } from "commander";
import type { DeleteJob } from "../../messages/delete-job.ts";
import { JobSource } from "../../messages/fields.ts";
import { readQueueAttributes } from "../../queues/attributes.ts";
import { createQueueContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import type { JobDefaults, JobValidation, ValidJob } from "../input/jobs.ts";
import { openInput, readJobsFrom, readJobsFromArguments } from "../input/read.ts";
import { formatOf, INPUT_FORMATS, type InputFormat, type InputProblem } from "../input/records.ts";
import { listenForInterrupt } from "../interrupt.ts";
import {
  addOutputOptions,
  addQueueLocationOptions,
  positiveInteger,
  type QueueLocationFlags,
} from "../options.ts";
import { info, type OutputFlags, printJson, printLine, table, warn } from "../output.ts";
import { progressWanted, startProgress } from "../progress.ts";
import { publishJobs } from "../publish-jobs.ts";
import { osUser } from "../user.ts";
import { exitCodeAfterSending } from "../wait.ts";

interface EnqueueFlags extends QueueLocationFlags, OutputFlags {
  file?: string;
  format?: InputFormat;
  library?: string;
  space: string;
  permanent?: boolean;
  source: string;
  requestedBy?: string;
  reason?: string;
  planId?: string;
  dryRun?: boolean;
  maxJobs?: number;
  concurrency: number;
}

const HELP = `
Input:
  Paths as arguments, or --file with one of three formats (by extension, or --format):
    plain   one path per line; blank lines and lines starting with # are skipped
    .csv    a header row, then one job per row: "path" is required; libraryId, spaceId,
            permanent (true/false), jobId, source, requestedBy, reason, userId, ruleId, planId
            are optional; an empty cell takes the flag's default
    .ndjson one DeleteJob JSON object per line ("v": 1 required), as on the jobs queue
  "-" (as --file or the only argument) reads standard input, plain unless --format says otherwise.
  The flags give the fields a line leaves out. Every line is validated first: if any is bad,
  all bad lines are listed (line: field: problem) and nothing is sent. A jobId that appears twice
  (two lines for the same target, when jobIds are derived) is an error.

--dry-run lists every job as it would be sent, with its jobId: a table, or with --json one job
  body per line (NDJSON, which "enqueue --format ndjson -" reads back).

Exit codes: 0 enqueued (or valid, with --dry-run), 1 some jobs could not be sent (listed),
  2 usage, 3 invalid input (nothing sent), 4 more jobs than --max-jobs (nothing sent),
  5 SQS or the queue unavailable, 130 interrupted.

Examples:
  smh-cleaner enqueue --library smh1a2b3c --space space1 events/2019 events/2020
  smh-cleaner enqueue --library smh1a2b3c --file old-albums.csv --reason "retention 2019" --dry-run
  jq -c '.[]' jobs.json | smh-cleaner enqueue --format ndjson - --json`;

/**
 * `smh-cleaner enqueue`: validates deletion jobs from arguments, a file or stdin and publishes them
 * to the jobs queue. See the help text for formats and exit codes.
 */
export function enqueueCommand(): Command {
  const command = new Command("enqueue")
    .description("Validate deletion jobs and put them on the jobs queue")
    .argument("[paths...]", 'directory or album paths to delete ("-" reads standard input)')
    .option("-f, --file <file>", 'read jobs from a file ("-" for standard input)')
    .addOption(
      new Option("--format <format>", "input format (default: by file extension)").choices(
        INPUT_FORMATS,
      ),
    )
    .option("--library <libraryId>", "library of jobs that do not name one")
    .option("--space <spaceId>", "space of jobs that do not name one", "-")
    .option("--permanent", "delete for ever (jobs that do not say) instead of to the recycle bin")
    .option("--source <source>", "source of jobs that do not name one", JobSource.cli)
    .option("--requested-by <who>", "requestedBy of jobs that do not name one (default: OS user)")
    .option("--reason <text>", "reason of jobs that do not give one")
    .option("--plan-id <id>", "planId of jobs that do not name one")
    .option("--dry-run", "validate and list the jobs (NDJSON with --json); send nothing")
    .option("--max-jobs <n>", "refuse (exit 4, nothing sent) input with more jobs", positiveInteger)
    .option("--concurrency <n>", "chunks of 100 jobs sent at once", positiveInteger, 8);
  addOutputOptions(command, 'print {"enqueued", "failed", "jobIds", …} as JSON on stdout');
  addQueueLocationOptions(command, ["jobs"]);
  return command.addHelpText("after", HELP).action(async (paths: string[], flags: EnqueueFlags) => {
    process.exitCode = await enqueue(paths, flags);
  });
}

async function enqueue(paths: string[], flags: EnqueueFlags): Promise<ExitCode> {
  const stdinArgument = paths.length === 1 && paths[0] === "-";
  if (flags.file !== undefined && paths.length > 0) {
    throw new CliError(ExitCode.usage, "give paths as arguments or --file, not both");
  }
  if (flags.file === undefined && paths.length === 0) {
    throw new CliError(ExitCode.usage, 'nothing to enqueue: give paths, --file <file>, or "-"');
  }
  if (paths.length > 1 && paths.includes("-")) {
    throw new CliError(ExitCode.usage, '"-" (standard input) must be the only argument');
  }
  const defaults: JobDefaults = {
    spaceId: flags.space,
    permanent: flags.permanent === true,
    source: flags.source,
  };
  const requestedBy = flags.requestedBy ?? osUser();
  if (flags.library !== undefined) defaults.libraryId = flags.library;
  if (requestedBy !== undefined) defaults.requestedBy = requestedBy;
  if (flags.reason !== undefined) defaults.reason = flags.reason;
  if (flags.planId !== undefined) defaults.planId = flags.planId;

  const file = flags.file ?? (stdinArgument ? "-" : undefined);
  const where: Where =
    file === undefined
      ? (line) => `argument ${line}`
      : (line) => `${file === "-" ? "stdin" : file}:${line}`;
  const validation = await validate(file, paths, flags.format, defaults);

  if (validation.problems.length > 0) {
    reportProblems(flags, where, validation);
    return ExitCode.invalidInput;
  }
  const count = validation.jobs.length;
  if (flags.maxJobs !== undefined && count > flags.maxJobs) {
    const message = `${count} jobs exceed --max-jobs ${flags.maxJobs}; nothing was sent`;
    if (flags.json) printJson({ enqueued: 0, valid: count, refused: message });
    else warn(`smh-cleaner enqueue: ${message}`);
    return ExitCode.refused;
  }
  if (flags.dryRun) {
    printDryRun(flags, validation.jobs);
    return ExitCode.ok;
  }
  if (count === 0) {
    if (flags.json) printJson({ enqueued: 0, failed: [], jobIds: [] });
    else info(flags, "no jobs in the input: nothing was sent");
    return ExitCode.ok;
  }

  const context = await createQueueContext(flags);
  const interrupt = listenForInterrupt(() =>
    info(flags, "stopping: jobs not yet accepted by the queue are not sent"),
  );
  try {
    const jobs = await context.queue("jobs");
    // Fails fast (exit 5) when SQS or the queue is not there, before a single job is sent.
    await readQueueAttributes(context.sqs, jobs.url, ["QueueArn"]);
    const progress = startProgress(progressWanted(flags), "enqueue", count);
    const result = await publishJobs(context.sqs, jobs.url, validation.jobs, {
      concurrency: flags.concurrency,
      signal: interrupt.signal,
      onSettled: (settled) => progress.increment(settled),
    });
    progress.stop();
    if (flags.json) {
      printJson({
        enqueued: result.sent.length,
        failed: result.failed,
        queueUrl: jobs.url,
        jobIds: result.sent,
      });
    } else {
      for (const failure of result.failed) {
        warn(
          `${where(failure.line)}: job ${failure.jobId} not sent: ${failure.code}: ${failure.message}`,
        );
      }
      printLine(`enqueued ${result.sent.length} of ${count} jobs to ${jobs.url}`);
    }
    return exitCodeAfterSending(interrupt.requested, result.failed.length);
  } finally {
    interrupt.dispose();
    context.close();
  }
}

async function validate(
  file: string | undefined,
  paths: string[],
  format: InputFormat | undefined,
  defaults: JobDefaults,
): Promise<JobValidation> {
  if (file === undefined) return readJobsFromArguments(paths, defaults);
  const input = openInput(file);
  try {
    return await readJobsFrom(input, formatOf(file === "-" ? "" : file, format), defaults);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") {
      throw new CliError(ExitCode.usage, `cannot read ${file}: ${(error as Error).message}`);
    }
    throw error;
  }
}

/**
 * `--dry-run`: the jobs exactly as they would be sent. With `--json`, their bodies as NDJSON on
 * stdout (which `enqueue --format ndjson -` reads back); otherwise a table. The count goes last,
 * on stdout for the table, on stderr (unless `--quiet`) for NDJSON so the stream stays jobs only.
 */
function printDryRun(flags: EnqueueFlags, jobs: readonly ValidJob[]): void {
  const summary = `${jobs.length} valid job${jobs.length === 1 ? "" : "s"} (dry run: nothing was sent)`;
  if (flags.json) {
    for (const job of jobs) printLine(job.body);
    info(flags, summary);
    return;
  }
  if (jobs.length > 0) {
    const rows = jobs.map((job) => {
      const body = JSON.parse(job.body) as DeleteJob;
      return [
        job.jobId,
        body.libraryId,
        body.spaceId,
        body.path,
        body.permanent ? "PERMANENT" : "recycle bin",
        body.source,
      ];
    });
    printLine(table(["jobId", "library", "space", "path", "deletion", "source"], rows));
    printLine("");
  }
  printLine(summary);
}

/** Names an input line in messages: `jobs.csv:12`, `stdin:3`, `argument 2`. */
type Where = (line: number) => string;

function reportProblems(flags: EnqueueFlags, where: Where, validation: JobValidation): void {
  const bad = new Set(validation.problems.map((problem) => problem.line)).size;
  if (flags.json) {
    printJson({
      enqueued: 0,
      valid: validation.jobs.length,
      invalidLines: bad,
      problems: validation.problems,
    });
    return;
  }
  for (const problem of validation.problems) warn(formatProblem(where, problem));
  warn(`${bad} invalid line${bad === 1 ? "" : "s"}; nothing was sent`);
}

/** `jobs.csv:12: path: path names the root of the space (root)`. */
function formatProblem(where: Where, problem: InputProblem): string {
  const field = problem.field === "" ? "" : `${problem.field}: `;
  return `${where(problem.line)}: ${field}${problem.message}`;
}
