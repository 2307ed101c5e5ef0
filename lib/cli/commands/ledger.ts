import { Command, Option } from "commander";
import { readLedger } from "../../ledger/read.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import {
  addLedgerLocationOptions,
  createLedgerContext,
  type LedgerLocationFlags,
  ledgerFailure,
} from "../ledger/location.ts";
import { LEDGER_FORMATS, type LedgerFormat, writeLedgerResults } from "../ledger/render.ts";
import { describeScan, reportProblems } from "../ledger/report.ts";
import { addSelectorOptions, type SelectorFlags, selectorsFromFlags } from "../ledger/selectors.ts";
import { info } from "../output.ts";
import { RESULT_CSV_COLUMNS } from "../results/csv-row.ts";

interface LedgerFlags extends SelectorFlags, LedgerLocationFlags {
  format: LedgerFormat;
  quiet?: boolean;
}

const HELP = `
The ledger is every result the handlers wrote (deletions, recycle actions, retention plan
summaries and alerts), kept in S3 for as long as the bucket's lifecycle says: unlike the results
queue, reading it removes nothing and it outlives the queue's 14 days. See docs/ledger.md.

Selectors (all given must match; a result that lacks the field never matches):
  --plan-id      deletions of a plan, and a retention plan's summary and alerts
  --source, --job-id, --path-prefix   deletions only; --path-prefix compares the path exactly as
                 the job wrote it ("albums/2019" does not match "/albums/2019")
  --library, --space, --since, --until, --outcome, --type   any result
Only the partitions (result type, day) that can hold a match are read: --since/--until and a
bulk plan's ID (it carries the time it was made) bound the days; the selectors bound the types.
Results kept twice are shown once (by dedupKey). Oldest first.

Formats: table (default), ndjson (each result exactly as published: the lossless archive),
  csv (columns: ${RESULT_CSV_COLUMNS.join(", ")}).
What was read goes to stderr (unless --quiet): results, duplicates, objects read of those listed.
A line that is not a result is counted and reported on stderr, and the rest is still read.

Exit codes: 0 ok, 2 usage, 5 the ledger (S3, the bucket) unavailable or not configured.

Examples:
  smh-cleaner ledger --plan-id plan-20250501T101500Z-3f2a9c1d
  smh-cleaner ledger --source retention --since 2025-05-01 --outcome failed --format csv > failed.csv
  smh-cleaner ledger --library smhdemo000001 --path-prefix "albums/2019" --format ndjson
  smh-cleaner ledger --bucket my-ledger --type recycle-action --since 2025-05-01T00:00:00Z`;

/** `smh-cleaner ledger`: query and export the deletion ledger. */
export function ledgerCommand(): Command {
  const command = new Command("ledger").description(
    "Query and export the deletion ledger (every result, kept in S3)",
  );
  addSelectorOptions(command, [
    "planId",
    "source",
    "jobId",
    "library",
    "space",
    "pathPrefix",
    "since",
    "until",
    "outcome",
    "type",
  ]);
  command
    .addOption(
      new Option("--format <format>", "output format").choices(LEDGER_FORMATS).default("table"),
    )
    .option("-q, --quiet", "nothing on stderr but problems");
  addLedgerLocationOptions(command, true);
  return command.addHelpText("after", HELP).action(async (flags: LedgerFlags) => {
    process.exitCode = await run(flags);
  });
}

async function run(flags: LedgerFlags): Promise<ExitCode> {
  if (flags.since !== undefined && flags.until !== undefined && flags.since > flags.until) {
    throw new CliError(ExitCode.usage, "--since is after --until: nothing can match");
  }
  const context = await createLedgerContext(flags);
  try {
    const read = await readLedger(context.source, selectorsFromFlags(flags)).catch((error) => {
      throw ledgerFailure(error, context);
    });
    await writeLedgerResults(process.stdout, flags.format, read.results);
    info(
      flags,
      `${read.results.length} results (${read.duplicates} duplicates removed) from ${context.where}: ${describeScan(read.stats)}`,
    );
    reportProblems(read.stats);
    return ExitCode.ok;
  } finally {
    context.close();
  }
}
