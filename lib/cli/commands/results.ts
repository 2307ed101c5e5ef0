import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { dirname } from "node:path";
import { Command, Option } from "commander";
import { deleteBatch } from "../../queues/acknowledge.ts";
import { queueDepths } from "../../queues/depths.ts";
import { MAX_VISIBILITY_TIMEOUT_SECONDS } from "../../queues/limits.ts";
import { createQueueContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import { listenForInterrupt } from "../interrupt.ts";
import {
  addOutputOptions,
  addQueueLocationOptions,
  nonNegativeSeconds,
  positiveInteger,
  type QueueLocationFlags,
} from "../options.ts";
import { info, type OutputFlags, printJson, printLine, warn } from "../output.ts";
import { progressWanted, startProgress } from "../progress.ts";
import { receiveUntilIdle } from "../receive-loop.ts";
import {
  ARCHIVE_FORMATS,
  type ArchiveFormat,
  archiveFormatOf,
  exists,
  invalidPathFor,
  writeInvalidFile,
  writeResultsFile,
} from "../results/archive.ts";
import { ResultCollector } from "../results/collector.ts";
import { RESULT_CSV_COLUMNS } from "../results/csv-row.ts";
import {
  HeldMessages,
  messageMatches,
  type ResultFilterFlags,
  resultFilter,
} from "../results/filter.ts";
import { release } from "../results/release.ts";
import { countOutcomes, describeCounts } from "../results/summary.ts";
import { followResults } from "../results/tail.ts";

interface ResultsFlags extends QueueLocationFlags, OutputFlags, ResultFilterFlags {
  tail?: boolean;
  out?: string;
  format?: ArchiveFormat;
  idleSeconds: number;
  max?: number;
  keep?: boolean;
  overwrite?: boolean;
  visibilityTimeout: number;
}

const HELP = `
Modes:
  drain (default)  receive until the queue stays empty for --idle-seconds (or --max messages),
                   drop duplicate results (same dedupKey; the one with a recycledItemId or
                   restoredPath is kept), write them to --out, fsync, and only then delete the
                   messages from the queue (--keep: leave them, visible again at once).
                   Without --out the results are printed on stdout as NDJSON and left on the queue.
  --tail           follow the queue, printing each new result as a line (--json: as NDJSON) until
                   Ctrl-C; nothing is deleted, and the messages it holds are released on exit.
                   While it runs, the messages it has shown stay hidden from other readers.

Filters (--source, --plan-id, --job-id; all given must match): only the results they select are
  taken. Every other message — other systems' results, retention alerts, anything that is not a
  result — stays on the queue: held while the drain receives, and made visible again as soon as it
  stops receiving (with --tail, when it stops). The ledger holds every result too, without
  draining anything: smh-cleaner ledger --plan-id <planId>.

Messages that are not valid results are never dropped: they are counted, and written to
<out>.invalid.ndjson ({messageId, sentAt, body, reasons}) next to --out.
CSV columns: ${RESULT_CSV_COLUMNS.join(", ")}.
NDJSON is the lossless archive: one result message per line, as published.

Exit codes: 0 ok, 1 some messages could not be deleted or released, 2 usage, 4 --out exists
  (nothing received; --overwrite replaces it), 5 SQS or the queue unavailable, 130 interrupted
  (a drain still writes and deletes what it received).

Examples:
  smh-cleaner results --out results-2025-05-01.ndjson
  smh-cleaner results --out export.csv --keep --json
  smh-cleaner results --plan-id plan-20250501T101500Z-3f2a9c1d --out plan.ndjson
  smh-cleaner results --tail`;

/**
 * `smh-cleaner results`: drains the results queue to an archive file (deleting messages only once
 * the file is fsynced), or follows it with `--tail`.
 */
export function resultsCommand(): Command {
  const command = new Command("results")
    .description("Archive (drain) or follow (--tail) the results queue")
    .option("--tail", "follow the queue and print each result until Ctrl-C")
    .option("-o, --out <file>", "write the results to this .ndjson or .csv file")
    .addOption(
      new Option("--format <format>", "archive format (default: by --out extension)").choices(
        ARCHIVE_FORMATS,
      ),
    )
    .option(
      "--idle-seconds <seconds>",
      "stop draining once the queue stayed empty this long",
      nonNegativeSeconds,
      3,
    )
    .option("--max <n>", "stop draining after this many messages", positiveInteger)
    .option("--keep", "leave the messages on the queue (made visible again) instead of deleting")
    .option("--overwrite", "replace an existing --out file (and its .invalid.ndjson)")
    .option("--source <source>", "only deletions of jobs from this source; leave the rest")
    .option("--plan-id <planId>", "only results of this plan; leave the rest")
    .option("--job-id <jobId>", "only the results of this job; leave the rest")
    .option(
      "--visibility-timeout <seconds>",
      "how long received messages stay hidden while a drain runs",
      positiveInteger,
      900,
    );
  addOutputOptions(command, "print the summary as JSON (--tail: each result as NDJSON)");
  addQueueLocationOptions(command, ["results"]);
  return command.addHelpText("after", HELP).action(async (flags: ResultsFlags) => {
    process.exitCode = flags.tail ? await tail(flags) : await drain(flags);
  });
}

/** The JSON summary of a drain. */
interface DrainSummary {
  queueUrl: string;
  received: number;
  results: number;
  duplicatesRemoved: number;
  invalid: number;
  outcomes: ReturnType<typeof countOutcomes>;
  out: string | null;
  invalidOut: string | null;
  deleted: number;
  kept: number;
  /** Messages the filters did not select, left on the queue (made visible again). */
  leftOnQueue: number;
  notAcknowledged: { id: string; code: string; message: string }[];
  interrupted: boolean;
}

async function drain(flags: ResultsFlags): Promise<ExitCode> {
  if (flags.visibilityTimeout > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    throw new CliError(
      ExitCode.usage,
      `--visibility-timeout is at most ${MAX_VISIBILITY_TIMEOUT_SECONDS}`,
    );
  }
  let archive: { path: string; format: ArchiveFormat; invalidPath: string } | undefined;
  if (flags.out !== undefined) {
    const format = flags.format ?? archiveFormatOf(flags.out);
    if (format === undefined) {
      throw new CliError(
        ExitCode.usage,
        `cannot tell the format of ${flags.out}: name it .ndjson or .csv, or pass --format`,
      );
    }
    archive = { path: flags.out, format, invalidPath: invalidPathFor(flags.out) };
    if (!(await writableDirectory(dirname(flags.out)))) {
      throw new CliError(ExitCode.usage, `cannot write to the directory of ${flags.out}`);
    }
    if (!flags.overwrite) {
      for (const path of [archive.path, archive.invalidPath]) {
        if (await exists(path)) {
          const message = `${path} exists: it may hold earlier results; choose another --out or pass --overwrite`;
          throw new CliError(ExitCode.refused, message);
        }
      }
    }
  } else if (flags.json) {
    throw new CliError(
      ExitCode.usage,
      "--json prints the summary on stdout: give --out for the results",
    );
  }

  const context = await createQueueContext(flags);
  const interrupt = listenForInterrupt(() =>
    info(flags, "stopping: writing what was received, then acknowledging it"),
  );
  try {
    const queue = await context.queue("results");
    const sqs = context.sqs;
    const showProgress = progressWanted(flags);
    const estimate = showProgress ? (await queueDepths(sqs, queue.url)).visible : 0;
    const progress = startProgress(showProgress, "results", estimate);
    const collector = new ResultCollector();
    const filter = resultFilter(flags);
    const held = new HeldMessages();
    const received = receiveUntilIdle(
      sqs,
      queue.url,
      {
        idleSeconds: flags.idleSeconds,
        visibilityTimeoutSeconds: flags.visibilityTimeout,
        signal: interrupt.signal,
        ...(flags.max === undefined ? {} : { max: flags.max }),
      },
      async (messages) => {
        let counted = 0;
        for (const message of messages) {
          if (filter !== undefined && !messageMatches(message, filter)) held.add(message);
          else if (collector.add(message).kind !== "again") counted += 1;
        }
        progress.increment(counted);
        return { counted };
      },
    );
    // What the filters leave goes back on the queue at once, even when receiving failed.
    const { interrupted } = await received.catch(async (error: unknown) => {
      await release(sqs, queue.url, held.receipts()).catch(() => undefined);
      throw error;
    });
    const leftBehind =
      held.size > 0 ? await release(sqs, queue.url, held.receipts()) : { done: 0, failed: [] };
    progress.stop();

    const results = collector.results.results();
    const receipts = collector.receipts();
    if (archive !== undefined) {
      try {
        await writeResultsFile(archive.path, archive.format, results);
        if (collector.invalid.length > 0) {
          await writeInvalidFile(archive.invalidPath, collector.invalid);
        }
      } catch (error) {
        // Nothing was deleted: make the messages visible again rather than hiding them for the
        // whole visibility timeout.
        await release(sqs, queue.url, receipts).catch(() => undefined);
        throw error;
      }
    } else {
      for (const result of results) printLine(JSON.stringify(result));
    }
    for (const invalid of collector.invalid) {
      warn(
        `not a valid result: message ${invalid.messageId}: ${invalid.reasons.map((r) => `${r.path || "(body)"}: ${r.message}`).join("; ")}`,
      );
    }

    const remove = archive !== undefined && !flags.keep;
    const acknowledged = remove
      ? await deleteBatch(sqs, queue.url, receipts).then((r) => ({
          done: r.deleted.length,
          failed: r.failed,
        }))
      : await release(sqs, queue.url, receipts);
    const summary: DrainSummary = {
      queueUrl: queue.url,
      received: collector.received,
      results: results.length,
      duplicatesRemoved: collector.results.duplicates,
      invalid: collector.invalid.length,
      outcomes: countOutcomes(results),
      out: archive?.path ?? null,
      invalidOut:
        archive !== undefined && collector.invalid.length > 0 ? archive.invalidPath : null,
      deleted: remove ? acknowledged.done : 0,
      kept: remove ? 0 : receipts.length,
      leftOnQueue: held.size,
      notAcknowledged: [...acknowledged.failed, ...leftBehind.failed].map(
        ({ id, code, message }) => ({ id, code, message }),
      ),
      interrupted,
    };
    report(flags, summary, remove);
    if (summary.notAcknowledged.length > 0) return ExitCode.failure;
    return interrupted ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    interrupt.dispose();
    context.close();
  }
}

function report(flags: ResultsFlags, summary: DrainSummary, removed: boolean): void {
  if (flags.json) {
    printJson(summary);
    return;
  }
  // With the results on stdout, the summary goes to stderr.
  const print = summary.out === null ? (text: string) => info(flags, text) : printLine;
  const where = summary.out === null ? "printed" : `written to ${summary.out}`;
  print(
    `received ${summary.received} messages: ${summary.results} results ${where} (${summary.duplicatesRemoved} duplicates removed), ${summary.invalid} invalid${summary.invalidOut ? ` (written to ${summary.invalidOut})` : ""}`,
  );
  print(`deletion: ${describeCounts(summary.outcomes.deletion)}`);
  print(`recycle-action: ${describeCounts(summary.outcomes["recycle-action"])}`);
  for (const type of ["retention-plan", "retention-alert"] as const) {
    const counts = summary.outcomes[type];
    if (counts !== undefined) print(`${type}: ${describeCounts(counts)}`);
  }
  print(
    removed
      ? `deleted ${summary.deleted} messages from the queue`
      : `left ${summary.kept} messages on the queue`,
  );
  if (summary.leftOnQueue > 0) {
    print(`left ${summary.leftOnQueue} messages the filters did not select on the queue`);
  }
  if (summary.notAcknowledged.length > 0) {
    warn(
      `${summary.notAcknowledged.length} messages could not be ${removed ? "deleted" : "released"}: they will be received again (duplicates are removed by dedupKey)`,
    );
  }
  if (summary.interrupted) warn("interrupted: the queue may hold more results");
}

async function writableDirectory(dir: string): Promise<boolean> {
  try {
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function tail(flags: ResultsFlags): Promise<ExitCode> {
  const conflicting = (["out", "max", "keep", "overwrite", "format"] as const).filter(
    (name) => flags[name] !== undefined,
  );
  if (conflicting.length > 0) {
    throw new CliError(
      ExitCode.usage,
      `--tail only prints and never deletes, so it takes no --${conflicting.join(", --")}; to archive, drain (without --tail) with --out`,
    );
  }
  return followResults(flags, resultFilter(flags));
}
