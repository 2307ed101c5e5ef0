/** Builders for the retention tests: rules, a policy, listing entries and runs. */
import { type DeletionPolicy, parsePolicy } from "../../../lib/policy/config.ts";
import { parseRules } from "../../../lib/retention/load.ts";
import type { ListingEntry } from "../../../lib/retention/match.ts";
import type { ListingPage, PlanRun } from "../../../lib/retention/plan.ts";
import type { RetentionRule } from "../../../lib/retention/rules.ts";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The scheduled time of the runs in these tests. */
export const SCHEDULED_AT = new Date("2026-01-05T02:00:00.000Z");

/** A rule as an operator writes it: library smh1, space -, parent events, maxAge 365d. */
export function ruleInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "events-yearly",
    libraryId: "smh1",
    spaces: ["-"],
    parent: "events",
    age: { maxAge: "365d" },
    ...overrides,
  };
}

/** A validated rule built from {@link ruleInput} with `overrides`. */
export function rule(overrides: Record<string, unknown> = {}): RetentionRule {
  const [parsed] = parseRules({ v: 1, rules: [ruleInput(overrides)] }, "test").rules;
  if (parsed === undefined) throw new Error("no rule parsed");
  return parsed;
}

/** A policy allowing deletion under `events` in library smh1, space -, with `library` merged in. */
export function policy(library: Record<string, unknown> = {}): DeletionPolicy {
  return parsePolicy({
    libraries: { smh1: { spaces: ["-"], allowedPrefixes: ["events"], ...library } },
  });
}

/** A directory listed under `parent` (default `events`) created at `creationTime`. */
export function dir(
  name: string,
  creationTime: string | undefined,
  extra: Partial<Record<keyof ListingEntry, unknown>> & { parent?: string[] } = {},
): ListingEntry {
  const { parent = ["events"], ...rest } = extra;
  return {
    name,
    path: [...parent, name],
    type: "dir",
    creationTime,
    modificationTime: creationTime,
    ...rest,
  };
}

/** An ISO time `days` days (and `ms` milliseconds) before {@link SCHEDULED_AT}. */
export function daysAgo(days: number, ms = 0): string {
  return new Date(SCHEDULED_AT.getTime() - days * DAY - ms).toISOString();
}

/** A run of `subject` in space -, scheduled at {@link SCHEDULED_AT}, with the default policy. */
export function runOf(subject: RetentionRule, overrides: Partial<PlanRun> = {}): PlanRun {
  return {
    rule: subject,
    spaceId: "-",
    policy: policy(),
    scheduledAt: SCHEDULED_AT,
    runId: "run-1",
    startedAt: new Date(SCHEDULED_AT.getTime() + 1000),
    ...overrides,
  };
}

/** `entries` as one final page. */
export function onePage(entries: readonly ListingEntry[]): ListingPage[] {
  return [{ entries, nextMarker: "" }];
}

/** `entries` cut into pages of `size`, markers `m1`, `m2`, … and none on the last. */
export function pages(entries: readonly ListingEntry[], size: number): ListingPage[] {
  const result: ListingPage[] = [];
  for (let start = 0; start < entries.length || result.length === 0; start += size) {
    const last = start + size >= entries.length;
    result.push({
      entries: entries.slice(start, start + size),
      nextMarker: last ? undefined : `m${result.length + 1}`,
    });
  }
  return result;
}
