/**
 * What a scan has counted so far: the figures a plan summary reports and the caps are evaluated on,
 * in a shape a continuation can carry to the next invocation.
 *
 * Every listed entry lands in exactly one place: `skipped` under one reason, or `selected`.
 *
 *     listed   = every entry the listing returned
 *     children = direct child directories of the parent, each name once (the fraction cap's base)
 *     matched  = children the name filter selects
 *     eligible = matched entries older than maxAge
 *     selected = eligible entries the deletion policy allows: what the run would delete
 */
import type { PolicyViolation } from "../policy/index.ts";

/** Why an entry is not selected. Stable strings: plan summaries carry them. */
export const SkipReason = {
  /** A file (or any type but `dir`): retention deletes directories only. */
  notADirectory: "not-a-directory",
  /** SMH's path for the entry is not the parent followed by its name. */
  notDirectChild: "not-direct-child",
  /**
   * A name already listed in this scan (a listing that repeated an entry). If the first listing
   * was selected and this one is not old enough, the first is moved to this one's age reason.
   */
  duplicate: "duplicate",
  /**
   * A job could not name it exactly: a `/` in the name, or a name a job is refused for (edge
   * whitespace, invisible characters, a backslash, escapes that decode to `..` or a separator, …).
   */
  unsafeName: "unsafe-name",
  /** The name filter (include/exclude) leaves it out. */
  excluded: "excluded",
  /** Not older than maxAge. */
  tooYoung: "too-young",
  /** Its time is after the run's scheduled time. */
  futureTime: "future-time",
  /** Its time is missing or not an ISO-8601 instant with an offset. */
  missingTime: "missing-time",
  /** Old enough, but the deletion policy refuses it (see the refusals). */
  policyRefused: "policy-refused",
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** Every skip reason, in the order summaries list them. */
export const SKIP_REASONS: readonly SkipReason[] = Object.values(SkipReason);

/** The figures of a scan so far. */
export interface ScanCounts {
  listed: number;
  children: number;
  matched: number;
  eligible: number;
  selected: number;
  skipped: Record<SkipReason, number>;
}

/** Fresh counts: every figure 0. */
export function emptyCounts(): ScanCounts {
  const skipped = Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0]));
  return {
    listed: 0,
    children: 0,
    matched: 0,
    eligible: 0,
    selected: 0,
    skipped: skipped as Record<SkipReason, number>,
  };
}

/** A deep copy of `counts`. */
export function copyCounts(counts: ScanCounts): ScanCounts {
  return { ...counts, skipped: { ...counts.skipped } };
}

/** An old-enough directory the deletion policy refused, and why. */
export interface PolicyRefusal {
  path: string;
  violations: PolicyViolation[];
}

/** How many refusals a plan names (the count of all of them is in `skipped`). */
export const MAX_REFUSALS_NAMED = 10;
/** The longest violation message a named refusal keeps. */
const MAX_VIOLATION_MESSAGE = 300;

/**
 * Adds `refusal` to `named`, keeping the {@link MAX_REFUSALS_NAMED} first by path, so the refusals
 * a plan names do not depend on the order the listing came in.
 */
export function nameRefusal(named: PolicyRefusal[], refusal: PolicyRefusal): void {
  const violations = refusal.violations.map((violation) => ({
    rule: violation.rule,
    message:
      violation.message.length <= MAX_VIOLATION_MESSAGE
        ? violation.message
        : `${violation.message.slice(0, MAX_VIOLATION_MESSAGE - 1)}…`,
  }));
  named.push({ path: refusal.path, violations });
  named.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  named.splice(MAX_REFUSALS_NAMED);
}
