/**
 * What `smh-cleaner plan` and `smh-cleaner retention run` share: the rules file, the run's
 * trigger from the flags, and the retention run's dependencies over the CLI's SMH context — the
 * same `runRetention` the Lambda handler calls, without a deadline (a command is not cut off, so a
 * scan never needs a continuation here).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { idempotencyKey } from "../../messages/fields.ts";
import { RulesConfigError } from "../../retention/errors.ts";
import { type DirectorySource, smhDirectorySource } from "../../retention/listing.ts";
import { loadRules } from "../../retention/load.ts";
import type { RetentionObserver } from "../../retention/observer.ts";
import type { RetentionOutbox } from "../../retention/outbox.ts";
import type { RetentionRules } from "../../retention/rules.ts";
import { checkRulesAgainstPolicy } from "../../retention/rules-source.ts";
import type { RetentionDeps } from "../../retention/run.ts";
import { readRetentionSettings } from "../../retention/settings.ts";
import { manualTrigger, type RetentionTrigger, TriggerError } from "../../retention/trigger.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import type { SmhContext } from "../smh.ts";

/** The flags both commands have. */
export interface RetentionFlags {
  rules: string;
  rule?: string[];
  at?: Date;
  runId?: string;
}

/** Adds `--rules`, `--rule`, `--at` and `--run-id` to `command`. */
export function addRetentionOptions(command: Command): Command {
  return command
    .requiredOption("--rules <file>", "the retention rules file (YAML or JSON)")
    .addOption(
      new Option(
        "--rule <id>",
        "run only this rule (repeatable; default: every enabled rule)",
      ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .option(
      "--at <time>",
      "the run's scheduled time: ages are measured at it, its UTC date is in every job ID (default: now)",
      scheduledTime,
    )
    .option("--run-id <id>", "labels the run in summaries (default: cli-<time>)", runIdOption);
}

function scheduledTime(value: string): Date {
  const ms = Date.parse(value);
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim()) || Number.isNaN(ms)) {
    throw new InvalidArgumentError(
      "expected an ISO-8601 date-time with an offset, like 2026-01-05T02:00:00Z",
    );
  }
  return new Date(ms);
}

function runIdOption(value: string): string {
  if (!idempotencyKey("run ID").safeParse(value).success) {
    throw new InvalidArgumentError("expected 1 to 128 printable ASCII characters without spaces");
  }
  return value;
}

/** Reads and validates the rules file; exit 3 naming every bad field. */
export async function readRulesFile(
  path: string,
): Promise<{ rules: RetentionRules; source: string }> {
  const source = resolve(path);
  let text: string;
  try {
    text = await readFile(source, "utf8");
  } catch (error) {
    throw new CliError(
      ExitCode.usage,
      `cannot read the rules file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return { rules: loadRules(text, path), source: path };
  } catch (error) {
    if (error instanceof RulesConfigError) {
      throw new CliError(ExitCode.invalidInput, error.message, { cause: error });
    }
    throw error;
  }
}

/**
 * The trigger the flags describe; `dryRun` forces a dry run. A preview (`plan`) may look at any
 * time, later ones included: it enqueues nothing.
 */
export function triggerOf(flags: RetentionFlags, dryRun: boolean): RetentionTrigger {
  const now = new Date();
  return { ...requestOf(flags, dryRun, now), manual: { receivedAt: now } };
}

/**
 * The trigger of `retention run`: like the retention-scan function's manual runs, it may measure
 * ages at an earlier time than now (`--at`), never a later one. Exit 2 when `--at` is later.
 */
export function runTriggerOf(flags: RetentionFlags, dryRun: boolean): RetentionTrigger {
  const now = new Date();
  try {
    return manualTrigger(requestOf(flags, dryRun, now), now);
  } catch (error) {
    if (error instanceof TriggerError) throw new CliError(ExitCode.usage, `--at: ${error.message}`);
    throw error;
  }
}

function requestOf(flags: RetentionFlags, dryRun: boolean, now: Date) {
  const scheduledAt = flags.at ?? new Date(Math.floor(now.getTime() / 1000) * 1000);
  return {
    scheduledAt,
    runId: flags.runId ?? `cli-${scheduledAt.toISOString()}`,
    dryRun,
    ...(flags.rule ? { ruleIds: flags.rule } : {}),
  };
}

/**
 * The run's dependencies over the CLI's SMH client and policy. Rules the policy makes pointless
 * are refused (exit 3), as the handler refuses them at cold start.
 */
export function retentionDeps(
  smh: SmhContext,
  loaded: { rules: RetentionRules; source: string },
  outbox: RetentionOutbox,
  options: { source?: DirectorySource; observer?: RetentionObserver } = {},
): RetentionDeps {
  let rules: RetentionRules;
  try {
    rules = checkRulesAgainstPolicy(loaded, smh.policy);
  } catch (error) {
    if (error instanceof RulesConfigError) {
      throw new CliError(
        ExitCode.invalidInput,
        `${error.message}\n  (policy: ${smh.policySource})`,
        { cause: error },
      );
    }
    throw error;
  }
  return {
    rules,
    policy: smh.policy,
    source: options.source ?? smhDirectorySource(smh.client),
    outbox,
    settings: readRetentionSettings(process.env),
    ...(options.observer ? { observer: options.observer } : {}),
  };
}
