import { relative } from "node:path";
import { Command } from "commander";
import {
  type DemoSummary,
  demoComplete,
  demoJobs,
  describeRetentionDemo,
  prepareLostResult,
  runDemo,
} from "../../local/demo.ts";
import { ServiceEndpointError } from "../../local/services.ts";
import { stopOnSignals } from "../../local/shutdown.ts";
import { DEMO_RETENTION_RULES_FILE, type LocalStack, startLocalStack } from "../../local/stack.ts";
import { stateDir } from "../../local/stack-file.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import { printJson, printLine, table } from "../output.ts";

interface LocalFlags {
  once?: boolean;
  json?: boolean;
  demo: boolean;
  visibilityTimeout: string;
  handlerLogs?: boolean;
  timeout: string;
  sqsEndpoint?: string;
  s3Endpoint?: string;
}

const HELP = `
Starts the local stack on 127.0.0.1: fauxqs (SQS) with the queues and redrive policies of
serverless.yml, the ledger bucket on fauxqs's S3 (same endpoint), the SMH simulator with demo data (or a real SMH library when SMH_BASE_URL,
SMH_LIBRARY_SECRETS and SMH_POLICY/SMH_POLICY_FILE are set), and a local runner that invokes the
same handler modules Lambda does. Other smh-cleaner commands find it through
.smh-cleaner/local-stack.json (SMH_CLEANER_STATE_DIR to move it).

--sqs-endpoint URL runs the stack against another SQS implementation (ElasticMQ, LocalStack,
local-aws-sqs, …) instead of starting fauxqs: the stack creates its queues there, named for this
run (smh-local-<8 hex>-jobs, …, so it never touches a queue it did not create), and deletes them
when it stops. The AWS credentials of the environment are used if it has any, else placeholders.
--s3-endpoint URL keeps the ledger on another S3-compatible endpoint (MinIO, LocalStack, …): the
stack creates its bucket there (smh-local-<8 hex>-ledger), and empties and deletes it when it stops.

With the simulator, the demo enqueues a mix of jobs — valid (single and batch deletes), invalid,
forbidden by the policy, already absent, one whose earlier result was lost (recovered from the
recycle bin), permanent — waits until each has its result and prints a summary. The results stay
on the results queue for "smh-cleaner results". Then the retention rules of
examples/retention-rules.yml run through the retention-scan function: first a dry run (each rule's
plan), then the scheduled run, whose deletion jobs are followed to their results. Then the stack
keeps running until Ctrl-C. Last, the summary says how many results the ledger holds and where;
they must be exactly the results the results queue carried.

--once exits after the summary: 0 only when every job (the retention run's too) has exactly one
result, every recycled directory's recycledItemId is in a result, no retention scan failed and the
ledger holds exactly the results the queue carried, 1 otherwise. --json prints the summary as JSON:
{"jobs","results","byOutcome","missing","duplicates","missingRecycledIds","rows","retention",
"ledger":{"location","s3Endpoint","results","resultsOnQueue","objects","missingFromLedger",
"ledgerOnly"}} ("results" counts the demo's own jobs' results; "ledger" every result the demo
caused, retention plans and the retention run's deletions included).`;

/** `smh-cleaner local`: the local stack and the embedded demo (what `npm start` runs). */
export function localCommand(): Command {
  return new Command("local")
    .description("Run the local stack (SQS, SMH simulator, Lambda runner) and the demo")
    .option("--once", "exit after the demo's summary")
    .option("--json", "print the summary as JSON")
    .option("--no-demo", "start the stack without sending the demo jobs")
    .option("--visibility-timeout <seconds>", "visibility timeout of the local queues", "30")
    .option("--timeout <seconds>", "how long to wait for the demo's results", "120")
    .option("--handler-logs", "let the handlers' JSON log lines through (stdout/stderr)")
    .option("--sqs-endpoint <url>", "use this SQS-compatible endpoint instead of embedded fauxqs")
    .option("--s3-endpoint <url>", "keep the ledger on this S3-compatible endpoint instead")
    .addHelpText("after", HELP)
    .action(async (flags: LocalFlags) => {
      process.exitCode = await local(flags);
    });
}

async function local(flags: LocalFlags): Promise<number> {
  const visibility = Number(flags.visibilityTimeout);
  const timeout = Number(flags.timeout);
  if (
    !Number.isInteger(visibility) ||
    visibility < 6 ||
    !Number.isFinite(timeout) ||
    timeout <= 0
  ) {
    process.stderr.write(
      "smh-cleaner local: --visibility-timeout must be an integer ≥ 6, --timeout a positive number\n",
    );
    return ExitCode.usage;
  }
  // The stop handlers go in before anything starts. The stack's files become visible to others
  // (an atomic rename) a moment before startLocalStack returns; a Ctrl-C in that moment used to meet
  // Node's default action — exit at once — and leave the files and servers behind. A signal while
  // the stack starts now waits for the start to finish, then stops what it started.
  const starting = startLocalStack({
    visibilityTimeoutSeconds: visibility,
    stateDir: stateDir(),
    // The handlers log one JSON line per job; the demo prints its own summary instead.
    env: flags.handlerLogs ? {} : { POWERTOOLS_LOG_LEVEL: "SILENT" },
    endpoints: {
      ...(flags.sqsEndpoint === undefined ? {} : { sqs: flags.sqsEndpoint }),
      ...(flags.s3Endpoint === undefined ? {} : { s3: flags.s3Endpoint }),
    },
  });
  const removeSignalHandlers = stopOnSignals(async () => {
    const started = await starting.catch(() => undefined);
    await started?.stop();
  });
  let stack: LocalStack;
  try {
    stack = await starting;
  } catch (error) {
    removeSignalHandlers();
    if (error instanceof ServiceEndpointError) throw new CliError(ExitCode.usage, error.message);
    throw error;
  }
  try {
    const out = (line: string) => {
      if (!flags.json) printLine(line);
    };
    out(
      stack.services.sqs.origin === "embedded"
        ? "local stack on 127.0.0.1"
        : "local stack on 127.0.0.1, with the SQS endpoint you gave",
    );
    out(
      `  SQS endpoint   ${stack.sqsEndpoint}${stack.services.sqs.origin === "embedded" ? " (fauxqs)" : " (yours: the stack's queues are deleted when it stops)"}`,
    );
    out(
      `  S3 (ledger)    ${stack.s3Endpoint}${stack.services.s3.origin === "embedded" ? " (fauxqs)" : " (yours: the stack's bucket is deleted when it stops)"}  s3://${stack.ledger.bucket}/${stack.ledger.prefix}`,
    );
    out(`  SMH            ${stack.smhBaseUrl}${stack.sim ? " (simulator, demo data)" : ""}`);
    out(`  jobs queue     ${stack.queues.get("jobs")?.url ?? "-"}`);
    out(`  results queue  ${stack.queues.get("results")?.url ?? "-"}`);
    if (stack.stackFile) out(`  stack file     ${stack.stackFile}`);

    let code: number = ExitCode.ok;
    if (flags.demo && stack.sim) {
      const startedAt = Date.now();
      const jobs = demoJobs(stack.sim);
      await prepareLostResult(stack.sim, jobs);
      out(`\ndemo: ${jobs.length} jobs enqueued, waiting for their results…`);
      const summary = await runDemo(stack, jobs, {
        timeoutMs: timeout * 1000,
        startedAt,
        retention: { rulesFile: relative(process.cwd(), DEMO_RETENTION_RULES_FILE) },
      });
      if (flags.json) printJson(summary);
      else printSummary(summary);
      code = demoComplete(summary) ? ExitCode.ok : ExitCode.failure;
    } else if (flags.demo) {
      out(
        "\na real SMH library is configured: no demo jobs are sent (enqueue with smh-cleaner enqueue)",
      );
    }
    if (flags.once) return code;
    out("\nrunning until Ctrl-C; try: npx smh-cleaner status | npx smh-cleaner results --tail");
    await new Promise<never>(() => {
      // Runs until a signal: stopOnSignals stops the stack and exits.
    });
    return code;
  } finally {
    removeSignalHandlers();
    await stack.stop();
  }
}

function printSummary(summary: DemoSummary): void {
  printLine("");
  printLine(
    table(
      ["outcome", "recycledItemId", "job", "path", "detail"],
      summary.rows.map((row) => [
        row.outcome ?? "MISSING",
        row.recycledItemId === undefined ? "" : String(row.recycledItemId),
        row.label,
        row.path ?? "",
        (row.detail ?? "").slice(0, 80),
      ]),
    ),
  );
  printLine("");
  const outcomes = Object.entries(summary.byOutcome)
    .map(([outcome, count]) => `${outcome} ${count}`)
    .join(", ");
  printLine(
    `${summary.jobs} jobs, ${summary.results} results (${outcomes}); missing ${summary.missing}, duplicates ${summary.duplicates}, recycled ids not in a result ${summary.missingRecycledIds}`,
  );
  if (summary.retention) {
    printLine("");
    for (const line of describeRetentionDemo(summary.retention)) printLine(line);
  }
  const ledger = summary.ledger;
  printLine("");
  printLine(
    `ledger: ${ledger.results} results in ${ledger.location} (${ledger.objects} objects, at ${ledger.s3Endpoint}); the results queue carried ${ledger.resultsOnQueue}; missing from the ledger ${ledger.missingFromLedger}, only in the ledger ${ledger.ledgerOnly}`,
  );
}
