/**
 * The selector flags of `ledger`, `restore`/`purge` (reading the ledger) and `results`, parsed
 * into {@link LedgerSelectors}. Values are taken exactly as typed (a path prefix is not trimmed or
 * normalised); times must say their offset, so a shell's local time zone never changes the answer.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { LEDGER_KINDS, type LedgerKind } from "../../ledger/layout.ts";
import { KIND_OUTCOMES, type LedgerSelectors } from "../../ledger/select.ts";

/** Selector flags as commander gives them. */
export interface SelectorFlags {
  planId?: string;
  source?: string;
  jobId?: string;
  library?: string;
  space?: string;
  pathPrefix?: string;
  since?: Date;
  until?: Date;
  outcome?: string[];
  type?: LedgerKind[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

function instant(value: string, endOfDay: boolean): Date {
  if (DATE.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    if (Number.isFinite(start) && new Date(start).toISOString().startsWith(value)) {
      return new Date(endOfDay ? start + DAY_MS - 1 : start);
    }
  } else if (INSTANT.test(value)) {
    const time = Date.parse(value);
    if (Number.isFinite(time)) return new Date(time);
  }
  throw new InvalidArgumentError(
    "expected a UTC date (2025-05-01) or an ISO-8601 time with its offset (2025-05-01T10:00:00Z)",
  );
}

/** Parses `--since`: a date means its first instant (UTC). */
export function sinceInstant(value: string): Date {
  return instant(value, false);
}

/** Parses `--until`: a date means its last instant (UTC), so `--until 2025-05-01` includes the day. */
export function untilInstant(value: string): Date {
  return instant(value, true);
}

const ALL_OUTCOMES = [...new Set(Object.values(KIND_OUTCOMES).flat())];

/** Parses one `--outcome` (comma-separated allowed), adding to the earlier ones. */
export function outcomeList(value: string, previous: string[] = []): string[] {
  const outcomes = value.split(",");
  for (const outcome of outcomes) {
    if (!ALL_OUTCOMES.includes(outcome)) {
      throw new InvalidArgumentError(`"${outcome}" is not an outcome (${ALL_OUTCOMES.join(", ")})`);
    }
  }
  return [...previous, ...outcomes];
}

/** Parses one `--type` (comma-separated allowed), adding to the earlier ones. */
export function kindList(value: string, previous: LedgerKind[] = []): LedgerKind[] {
  const kinds = value.split(",");
  for (const kind of kinds) {
    if (!(LEDGER_KINDS as readonly string[]).includes(kind)) {
      throw new InvalidArgumentError(`"${kind}" is not a result type (${LEDGER_KINDS.join(", ")})`);
    }
  }
  return [...previous, ...(kinds as LedgerKind[])];
}

/** The selector options that are not already on `command`, with `help` for each. */
export function addSelectorOptions(
  command: Command,
  names: readonly (keyof SelectorFlags)[],
  help: Partial<Record<keyof SelectorFlags, string>> = {},
): Command {
  const make: Record<keyof SelectorFlags, () => Option> = {
    planId: () => new Option("--plan-id <planId>", help.planId ?? "results of this plan"),
    source: () =>
      new Option(
        "--source <source>",
        help.source ?? "deletions of jobs from this source (bulk, retention, cli, …)",
      ),
    jobId: () => new Option("--job-id <jobId>", help.jobId ?? "the deletion of this job"),
    library: () => new Option("--library <libraryId>", help.library ?? "results in this library"),
    space: () => new Option("--space <spaceId>", help.space ?? "results in this space"),
    pathPrefix: () =>
      new Option(
        "--path-prefix <prefix>",
        help.pathPrefix ?? "deletions whose path starts with this, exactly as the job wrote it",
      ),
    since: () =>
      new Option(
        "--since <time>",
        help.since ?? "results finished at or after (2025-05-01, or ISO-8601 with offset)",
      ).argParser(sinceInstant),
    until: () =>
      new Option(
        "--until <time>",
        help.until ?? "results finished at or before (a date includes the whole day)",
      ).argParser(untilInstant),
    outcome: () =>
      new Option(
        "--outcome <outcome>",
        help.outcome ?? "only these outcomes (repeatable, or comma-separated: recycled,recovered)",
      ).argParser(outcomeList),
    type: () =>
      new Option(
        "--type <type>",
        help.type ??
          `only these result types (repeatable, or comma-separated: ${LEDGER_KINDS.join(", ")})`,
      ).argParser(kindList),
  };
  for (const name of names) command.addOption(make[name]());
  return command;
}

/** The selectors `flags` give. */
export function selectorsFromFlags(flags: SelectorFlags): LedgerSelectors {
  return {
    planId: flags.planId,
    source: flags.source,
    jobId: flags.jobId,
    libraryId: flags.library,
    spaceId: flags.space,
    pathPrefix: flags.pathPrefix,
    since: flags.since,
    until: flags.until,
    outcomes: flags.outcome,
    kinds: flags.type,
  };
}

/** The flags (as typed) of the selectors given, for messages: `--plan-id, --since`. */
export function givenSelectorFlags(flags: SelectorFlags): string[] {
  const names: Record<keyof SelectorFlags, string> = {
    planId: "--plan-id",
    source: "--source",
    jobId: "--job-id",
    library: "--library",
    space: "--space",
    pathPrefix: "--path-prefix",
    since: "--since",
    until: "--until",
    outcome: "--outcome",
    type: "--type",
  };
  return (Object.keys(names) as (keyof SelectorFlags)[])
    .filter((name) => flags[name] !== undefined)
    .map((name) => names[name]);
}
