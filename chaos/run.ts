/**
 * `npm run chaos [-- --jobs N] [--seed S] [--json]`: runs the chaos scenario (see `scenario.ts`
 * and docs/chaos.md) against the local stack and the SMH simulator, then prints what it comes to.
 * `--outage <seconds>` runs the outage scenario instead (`outage.ts`).
 *
 * Exit codes: 0 every invariant holds; 1 one broke (or the queues did not drain in time);
 * 2 usage; 130 interrupted (the stack is stopped first).
 */
import { parseArgs } from "node:util";
import { MUST_BE_ZERO } from "./accounting.ts";
import { type OutageReport, runOutage } from "./outage.ts";
import { type ChaosReport, runChaos } from "./scenario.ts";

const USAGE = `Usage: npm run chaos -- [--jobs N] [--seed S] [--timeout-s T] [--json]

Runs N jobs (default 2,000) through the local stack against the SMH simulator with every fault
at once, then compares every result with the simulator's ground truth.

  --jobs N       distinct jobs (at least 50; default 2000)
  --seed S       seed of the job plan (default "chaos")
  --timeout-s T  give up waiting for the queues to drain after T seconds
                 (default 12 visibility timeouts + 0.02 s per job)
  --json         print the report as JSON on stdout (progress goes to stderr)
  --visibility-timeout-s V
                 visibility timeout of the local queues (default 30: a 4 s function timeout)
  --dump DIR     write what was captured (secrets replaced) to DIR, for debugging
  --outage S     the outage scenario instead: SMH fails every call of one of two libraries
                 for S seconds (0: the same run without an outage) while the jobs (default
                 2000, half each) arrive, then answers again; the visibility timeout defaults
                 to 8 s there
`;

// Bound now: while the stack runs, the handlers' output is captured by swapping these streams'
// write functions.
const out = process.stdout.write.bind(process.stdout);
const err = process.stderr.write.bind(process.stderr);

function usage(message: string): never {
  err(`chaos: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let values: {
  jobs?: string;
  seed?: string;
  "timeout-s"?: string;
  json?: boolean;
  dump?: string;
  "visibility-timeout-s"?: string;
  outage?: string;
  help?: boolean;
};
try {
  ({ values } = parseArgs({
    options: {
      jobs: { type: "string" },
      seed: { type: "string" },
      "timeout-s": { type: "string" },
      json: { type: "boolean" },
      dump: { type: "string" },
      "visibility-timeout-s": { type: "string" },
      outage: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }));
} catch (error) {
  usage(error instanceof Error ? error.message : String(error));
}
if (values.help) {
  out(USAGE);
  process.exit(0);
}
const jobs = values.jobs === undefined ? 2_000 : Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 50) usage(`--jobs must be an integer of at least 50`);
const timeoutS = values["timeout-s"] === undefined ? undefined : Number(values["timeout-s"]);
if (timeoutS !== undefined && !(timeoutS > 0)) usage("--timeout-s must be a positive number");
const visibility =
  values["visibility-timeout-s"] === undefined ? undefined : Number(values["visibility-timeout-s"]);
if (visibility !== undefined && !(Number.isInteger(visibility) && visibility >= 8)) {
  usage("--visibility-timeout-s must be an integer of at least 8");
}

const outage = values.outage === undefined ? undefined : Number(values.outage);
if (outage !== undefined && !(Number.isFinite(outage) && outage >= 0)) {
  usage("--outage must be a number of seconds, 0 or more");
}
if (outage !== undefined && jobs < 20) usage("--jobs must be at least 20");

const interrupt = new AbortController();
let interrupted = false;
const onSignal = () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  err("\nchaos: interrupted; stopping the stack (Ctrl-C again to quit at once)\n");
  interrupt.abort();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

if (outage !== undefined) {
  const report = await runOutage({
    jobs,
    outageSeconds: outage,
    ...(visibility === undefined ? {} : { visibilityTimeoutSeconds: visibility }),
    ...(timeoutS === undefined ? {} : { settleTimeoutMs: timeoutS * 1000 }),
    signal: interrupt.signal,
    log: (line) => err(`${line}\n`),
  });
  if (values.json) out(`${JSON.stringify(report, null, 2)}\n`);
  else out(outageSummary(report));
  process.exit(interrupted ? 130 : report.ok ? 0 : 1);
}

const report = await runChaos({
  jobs,
  ...(values.seed === undefined ? {} : { seed: values.seed }),
  ...(timeoutS === undefined ? {} : { timeoutMs: timeoutS * 1000 }),
  ...(values.dump === undefined ? {} : { dumpDir: values.dump }),
  ...(visibility === undefined ? {} : { visibilityTimeoutSeconds: visibility }),
  signal: interrupt.signal,
  log: (line) => err(`${line}\n`),
});

if (values.json) out(`${JSON.stringify(report, null, 2)}\n`);
else out(summary(report));
process.exitCode = interrupted ? 130 : report.ok ? 0 : 1;

function summary(report: ChaosReport): string {
  const lines = [
    `chaos run (seed ${report.seed}): ${report.jobs} jobs in ${(report.durationMs / 1000).toFixed(1)} s — ${report.ok ? "OK" : "FAILED"}`,
    `  results for ${report.withResult}, dead-lettered ${report.inDlq}, failed ${report.failed}; raw duplicates ${report.rawDuplicates}`,
    `  outcomes after dedup: ${Object.entries(report.outcomes)
      .map(([outcome, count]) => `${outcome} ${count}`)
      .join(", ")}`,
    ...MUST_BE_ZERO.map(
      (name) => `  ${report[name] === 0 ? "ok  " : "FAIL"} ${name}: ${report[name]}`,
    ),
    `  faults: ${JSON.stringify(report.faults.smh)}, results queue ${JSON.stringify(report.faults.resultsQueue)}, ledger S3 ${JSON.stringify(report.faults.ledger)}, ${report.faults.invocationTimeouts} invocation timeouts, ${report.faults.jobsReturnedToQueue} jobs returned to the queue`,
  ];
  if (!report.drained)
    lines.push("  the queues did not drain before the timeout: figures are partial");
  if (report.evidence) lines.push(`  evidence: ${JSON.stringify(report.evidence, null, 2)}`);
  return `${lines.join("\n")}\n`;
}

function outageSummary(report: OutageReport): string {
  const { healthy, down } = report;
  return `${[
    `outage run: ${report.jobs} jobs, ${down.libraryId} down for ${report.outageSeconds} s (${report.outageInVisibilityTimeouts} visibility timeouts), ${(report.durationMs / 1000).toFixed(1)} s — ${report.ok ? "OK" : "FAILED"}`,
    `  final results ${report.finalResults}/${report.jobs} (none ${report.withoutResult}, more than one ${report.moreThanOneResult}); failed results ${report.failedResults}; in the DLQ ${report.inDlq}`,
    `  healthy ${healthy.libraryId}: slowest job ${healthy.maxCompletionMs} ms (bound ${healthy.boundMs} ms), parked for SMH ${healthy.parkedForSmh}, for time ${healthy.parkedForTime}`,
    `  down ${down.libraryId}: ${down.requestsDuringOutage} SMH requests during the outage (bound ${down.requestBound}), ${down.parkings} parkings, resumed within ${down.resumedWithinMs} ms (bound ${down.resumeBoundMs} ms)`,
    `  outcomes: ${JSON.stringify(report.outcomes)}`,
    ...(report.drained
      ? []
      : ["  the queues did not drain before the timeout: figures are partial"]),
  ].join("\n")}\n`;
}
