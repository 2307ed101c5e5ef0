import { Command } from "commander";
import { observedSource, smhDirectorySource } from "../../retention/listing.ts";
import { sqsRetentionOutbox } from "../../retention/outbox.ts";
import { describeRun, type ScanDescription } from "../../retention/report.ts";
import { runRetention } from "../../retention/run.ts";
import { TriggerError } from "../../retention/trigger.ts";
import { createQueueContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import { addQueueLocationOptions, type QueueLocationFlags } from "../options.ts";
import { printJson, printLine, table, warn } from "../output.ts";
import { progressWanted, startCounter } from "../progress.ts";
import { cliErrorFromSmh, createSmhContext } from "../smh.ts";
import {
  addRetentionOptions,
  type RetentionFlags,
  readRulesFile,
  retentionDeps,
  runTriggerOf,
} from "./retention-context.ts";

interface RunFlags extends RetentionFlags, QueueLocationFlags {
  json?: boolean;
  dryRun?: boolean;
}

const HELP = `
Runs the retention rules once, through the same code the retention-scan Lambda runs on its
schedule: for each enabled rule (or each --rule) and each of its spaces, lists the parent's child
directories, builds the plan, applies the caps, enqueues the plan's deletion jobs on the jobs queue
(none for a dry run or a run that breaks a cap) and writes the plan summary — and, for a cap
breach or a failed scan, an alert — to the results queue. Job IDs come from the rule, the path and
the UTC date of --at, so running it twice the same day enqueues the same jobs, which delete
nothing twice.

Queues: the local stack (npm start) unless --jobs-queue-url/--results-queue-url (or JOBS_QUEUE_URL,
RESULTS_QUEUE_URL) name others — on AWS, the stack outputs JobsQueueUrl and ResultsQueueUrl. SMH,
secrets and policy: as for "smh-cleaner plan".

--json prints {"runId","scheduledAt","dryRun","scans":[{"ruleId","spaceId","outcome","decision",
"counts":{"listed","matched","selected","enqueued","capped",…},"planId","planHash","alert"}]}.

Exit codes: 0 every plan written (and its jobs enqueued), 1 a scan failed, 2 usage, 3 the rules
  file is invalid, 4 a cap refused a rule's run (nothing of it was enqueued; an alert was written),
  5 SQS or SMH unavailable.

Example:
  smh-cleaner retention run --rules examples/retention-rules.yml
  smh-cleaner retention run --rules retention.yml --rule events-after-2y --dry-run --json`;

/** `smh-cleaner retention run`: run the retention rules once, as the scheduled Lambda does. */
export function retentionCommand(): Command {
  const run = new Command("run")
    .description("Run the retention rules once, as the scheduled function does")
    .option("--dry-run", "write the plans only: enqueue nothing")
    .option("--json", "print what each scan did as JSON");
  addRetentionOptions(run);
  addQueueLocationOptions(run, ["jobs", "results"]);
  // Usage errors end in main()'s exit code, as for the top-level commands.
  run.exitOverride();
  run.addHelpText("after", HELP).action(async (flags: RunFlags) => {
    process.exitCode = await runOnce(flags);
  });
  return new Command("retention")
    .description("Scheduled retention cleanup: run the rules once (see also: smh-cleaner plan)")
    .addCommand(run);
}

async function runOnce(flags: RunFlags): Promise<ExitCode> {
  const loaded = await readRulesFile(flags.rules);
  const smh = await createSmhContext();
  const context = await createQueueContext(flags);
  try {
    const [jobs, results] = await Promise.all([context.queue("jobs"), context.queue("results")]);
    const outbox = sqsRetentionOutbox(context.sqs, { jobs: jobs.url, results: results.url });
    const listed = startCounter(progressWanted(flags), "listing", "directories listed");
    const deps = retentionDeps(smh, loaded, outbox, {
      source: observedSource(smhDirectorySource(smh.client), (page) =>
        listed.add(page.entries.length),
      ),
    });
    const trigger = runTriggerOf(flags, flags.dryRun === true);
    let description: ReturnType<typeof describeRun>;
    try {
      description = describeRun(await runRetention(trigger, deps));
    } catch (error) {
      if (error instanceof TriggerError) throw new CliError(ExitCode.usage, error.message);
      throw cliErrorFromSmh(error, "running the retention rules");
    } finally {
      listed.stop();
    }
    if (flags.json) printJson(description);
    else printRun(description.scans, trigger.scheduledAt, jobs.url);
    if (description.scans.some((scan) => scan.outcome === "failed")) return ExitCode.failure;
    if (description.scans.some((scan) => scan.decision === "cap-breach")) return ExitCode.refused;
    return ExitCode.ok;
  } finally {
    context.close();
  }
}

function printRun(scans: readonly ScanDescription[], scheduledAt: Date, jobsUrl: string): void {
  printLine(`retention run at ${scheduledAt.toISOString()}`);
  printLine("");
  printLine(
    table(
      ["rule", "space", "decision", "listed", "selected", "enqueued", "capped", "plan"],
      scans.map((scan) => [
        scan.ruleId,
        scan.spaceId,
        scan.outcome === "finished" ? (scan.decision ?? "") : scan.outcome.toUpperCase(),
        String(scan.counts?.listed ?? ""),
        String(scan.counts?.selected ?? ""),
        String(scan.counts?.enqueued ?? ""),
        String(scan.counts?.capped ?? ""),
        scan.planId,
      ]),
    ),
  );
  const enqueued = scans.reduce((sum, scan) => sum + (scan.counts?.enqueued ?? 0), 0);
  printLine("");
  printLine(
    `${enqueued} deletion job(s) enqueued to ${jobsUrl}; plan summaries are on the results queue (smh-cleaner results)`,
  );
  for (const scan of scans) if (scan.alert !== undefined) warn(`ALERT ${scan.alert}`);
}
