import { Command } from "commander";
import { AgeField, PlanDecision } from "../../messages/retention-result.ts";
import { decidePlan } from "../../retention/decision.ts";
import { observedSource, smhDirectorySource } from "../../retention/listing.ts";
import { previewOutbox } from "../../retention/outbox.ts";
import type { RetentionPlan } from "../../retention/plan.ts";
import { runRetention } from "../../retention/run.ts";
import type { ScanOutcome } from "../../retention/scan.ts";
import { TriggerError } from "../../retention/trigger.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import { positiveInteger } from "../options.ts";
import { printJson, printLine, table } from "../output.ts";
import { progressWanted, startCounter } from "../progress.ts";
import { cliErrorFromSmh, createSmhContext } from "../smh.ts";
import {
  addRetentionOptions,
  type RetentionFlags,
  readRulesFile,
  retentionDeps,
  triggerOf,
} from "./retention-context.ts";

interface PlanFlags extends RetentionFlags {
  json?: boolean;
  show: number;
}

const HELP = `
Lists each rule's parent in each of its spaces (directories only, marker pages) and prints, per
rule, what a run at --at would delete: every selected directory with its age, the figures (listed,
children, matched, eligible, selected) and the caps. Nothing is enqueued and nothing is written to
the results queue: this is the dry run of "smh-cleaner retention run", through the same code.

A rule whose run would break a cap is shown as REFUSED: a real run enqueues none of it and raises
an alert, and plan exits 4, as "retention run" would. A rule with dryRun: true is shown as preview
only: it never enqueues anything (a cap it would break is named, but refuses nothing).

SMH, the library secrets and the deletion policy come from the environment (SMH_BASE_URL,
SMH_LIBRARY_SECRETS, SMH_POLICY / SMH_POLICY_FILE), or from the running local stack (npm start).

--json prints {"scheduledAt","runId","plans":[{…plan summary, "paths":[…], "refusedByCaps",
"runDecision"}],"failed":[…alerts]}: every selected path, not only the first --show; runDecision is
what a real run would decide (enqueue, dry-run or cap-breach).

Exit codes: 0 every plan would run (or is a dry-run rule), 1 a scan failed, 2 usage, 3 the rules
  file is invalid (every bad field is named), 4 a cap would refuse a rule's run (as "retention
  run" exits), 5 SMH unavailable.

Example:
  smh-cleaner plan --rules examples/retention-rules.yml
  smh-cleaner plan --rules retention.yml --rule events-after-2y --at 2026-01-05T02:00:00Z --json`;

/** `smh-cleaner plan`: what the retention rules would delete, per rule. */
export function planCommand(): Command {
  const command = new Command("plan")
    .description("Show, per retention rule, what a run would delete (a dry run: nothing is sent)")
    .option("--json", "print every plan as JSON")
    .option("--show <n>", "directories listed per rule in the table", positiveInteger, 20);
  addRetentionOptions(command);
  return command.addHelpText("after", HELP).action(async (flags: PlanFlags) => {
    process.exitCode = await plan(flags);
  });
}

/** An entry's times as listed, by path: the table shows each selected directory's age. */
type ListedTimes = Map<string, { creationTime: unknown; modificationTime: unknown }>;

async function plan(flags: PlanFlags): Promise<ExitCode> {
  const loaded = await readRulesFile(flags.rules);
  const smh = await createSmhContext();
  const outbox = previewOutbox();
  const times: ListedTimes = new Map();
  const listed = startCounter(progressWanted(flags), "listing", "directories listed");
  const deps = retentionDeps(smh, loaded, outbox, {
    source: observedSource(smhDirectorySource(smh.client), (page, target) => {
      listed.add(page.entries.length);
      for (const entry of page.entries) {
        if (!Array.isArray(entry.path)) continue;
        times.set(`${target.libraryId}/${target.spaceId}/${entry.path.join("/")}`, {
          creationTime: entry.creationTime,
          modificationTime: entry.modificationTime,
        });
      }
    }),
  });
  const trigger = triggerOf(flags, true);
  let scans: readonly ScanOutcome[];
  try {
    scans = (await runRetention(trigger, deps)).scans;
  } catch (error) {
    if (error instanceof TriggerError) throw new CliError(ExitCode.usage, error.message);
    throw cliErrorFromSmh(error, "planning");
  } finally {
    listed.stop();
  }
  const finished = scans.flatMap((scan) => (scan.kind === "finished" ? [scan] : []));
  const failed = scans.flatMap((scan) => (scan.kind === "failed" ? [scan.alert] : []));
  const runDecision = (p: RetentionPlan) =>
    decidePlan({
      dryRun: isRuleDryRun(deps.rules.rules, p.ruleId),
      capBroken: p.caps.breaches.length > 0,
    });
  if (flags.json) {
    printJson({
      scheduledAt: trigger.scheduledAt.toISOString(),
      runId: trigger.runId,
      plans: finished.map(({ plan: p, summary }) => ({
        ...summary,
        ruleDryRun: isRuleDryRun(deps.rules.rules, p.ruleId),
        refusedByCaps: p.caps.breaches.length > 0,
        runDecision: runDecision(p),
        paths: p.selected.map((job) => job.path),
      })),
      failed,
    });
  } else {
    printLine(
      `retention plan at ${trigger.scheduledAt.toISOString()} (${loaded.source}; policy: ${smh.policySource}); nothing is enqueued`,
    );
    for (const scan of scans) {
      printLine("");
      if (scan.kind === "finished") {
        printPlan(scan.plan, runDecision(scan.plan), flags, times);
      } else if (scan.kind === "failed") {
        printLine(`rule ${scan.alert.ruleId}  ${scan.alert.libraryId}/${scan.alert.spaceId}`);
        printLine(`  SCAN FAILED: ${scan.alert.message}`);
      }
    }
  }
  // The same order as `retention run`: a failed scan first, then a refusal.
  if (failed.length > 0) return ExitCode.failure;
  if (finished.some(({ plan: p }) => runDecision(p) === PlanDecision.capBreach)) {
    return ExitCode.refused;
  }
  return ExitCode.ok;
}

function isRuleDryRun(rules: readonly { id: string; dryRun: boolean }[], ruleId: string): boolean {
  return rules.find((rule) => rule.id === ruleId)?.dryRun === true;
}

function printPlan(p: RetentionPlan, decision: PlanDecision, flags: PlanFlags, times: ListedTimes) {
  const { counts, caps } = p;
  const field = p.age.field;
  printLine(
    `rule ${p.ruleId}  ${p.libraryId}/${p.spaceId}/${p.parent === "/" ? " (space root)" : p.parent}  ${field} older than ${p.age.maxAge}${p.permanent ? "  PERMANENT" : ""}`,
  );
  printLine(
    `  listed ${counts.listed}, children ${counts.children}, matched ${counts.matched}, eligible ${counts.eligible}, selected ${counts.selected} (refused by the policy ${counts.skipped["policy-refused"]})`,
  );
  const breaches = caps.breaches.map((breach) => breach.message).join("; ");
  const verdict =
    decision === PlanDecision.capBreach
      ? `REFUSED: ${breaches}: a run enqueues none of it and raises an alert`
      : decision === PlanDecision.dryRun
        ? `preview only (the rule is dryRun): a run would write this plan and enqueue nothing${breaches ? ` (it would break a cap: ${breaches})` : ""}`
        : `a run would enqueue ${counts.selected} deletion job(s)${p.permanent ? " (PERMANENT)" : " (to the recycle bin)"}`;
  printLine(
    `  caps: at most ${caps.maxDeletesPerRun} per run, ${caps.maxFractionPerRun} of the children (${caps.allowedByFraction})`,
  );
  printLine(`  ${verdict}`);
  printLine(`  plan ${p.planId}${p.planHash ? `  hash ${p.planHash.slice(0, 16)}` : ""}`);
  for (const refusal of p.refusals.slice(0, 3)) {
    printLine(
      `  refused by the policy: ${refusal.path} (${refusal.violations.map((v) => v.rule).join(", ")})`,
    );
  }
  if (p.selectionDropped) {
    printLine(`  (more than ${caps.maxDeletesPerRun} selected: the directories are not listed)`);
    return;
  }
  if (p.selected.length === 0) return;
  const asOf = Date.parse(p.scheduledAt);
  const shown = p.selected.slice(0, flags.show);
  const rows = shown.map((job) => {
    const listed = times.get(`${p.libraryId}/${p.spaceId}/${job.path}`);
    const time =
      listed?.[field === AgeField.modificationTime ? "modificationTime" : "creationTime"];
    const age =
      typeof time === "string" ? `${Math.floor((asOf - Date.parse(time)) / 86_400_000)}d` : "";
    return [job.path, typeof time === "string" ? time : "", age];
  });
  printLine("");
  printLine(
    table(["directory", field, "age"], rows)
      .split("\n")
      .map((line) => `    ${line}`)
      .join("\n"),
  );
  if (p.selected.length > shown.length) {
    printLine(`    … and ${p.selected.length - shown.length} more (--show, or --json for all)`);
  }
}
