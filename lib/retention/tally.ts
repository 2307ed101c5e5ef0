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
import { MAX_REFUSALS_NAMED, SKIP_REASONS, type SkipReason } from "../messages/retention-result.ts";
import type { PolicyViolation } from "../policy/rules.ts";

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
