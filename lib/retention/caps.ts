/**
 * A rule's run caps, evaluated on the exact figures of a complete scan.
 *
 * - `maxDeletesPerRun`: a run may delete at most this many directories.
 * - `maxFractionPerRun`: a run may delete at most this share of the parent's child directories:
 *   `selected ≤ floor(maxFractionPerRun × children)`. Deleting exactly that share is allowed; one
 *   more is a breach. The figure is computed in integers (the fraction has at most 4 decimals), so
 *   no rounding error moves the boundary.
 *
 * `selected` counts what the run would really delete: directories that are eligible *and* allowed
 * by the deletion policy. `children` counts every direct child directory of the parent, selected
 * or not. A breach of either cap refuses the **whole** run: nothing is enqueued, an alert names the
 * rule and these figures. There is no partial run, because "the oldest 100 of 5,000" is a decision
 * an operator should take knowingly, by raising the cap or narrowing the rule.
 */
import { CapName } from "../messages/retention-result.ts";
import type { RuleCaps } from "./rules.ts";

/** One broken cap, with the figures that broke it. */
export interface CapBreach {
  cap: CapName;
  /** The cap as the rule writes it: `100`, or `0.5`. */
  limit: number;
  /** The most directories the cap allows in this run. */
  allowed: number;
  /** Directories the run would delete. */
  selected: number;
  /** Child directories of the parent. */
  children: number;
  /** The figures in words, for an alert or a log line. */
  message: string;
}

/** The caps applied to one run's figures. */
export interface CapsEvaluation {
  maxDeletesPerRun: number;
  maxFractionPerRun: number;
  selected: number;
  children: number;
  /** `selected / children`, 0 when the parent has no child directory. */
  fraction: number;
  /** `floor(maxFractionPerRun × children)`: the most the fraction cap allows. */
  allowedByFraction: number;
  /** Empty when the run may go ahead. */
  breaches: CapBreach[];
}

const FRACTION_SCALE = 10_000;

/**
 * Applies `caps` to a run that would delete `selected` of the parent's `children` child
 * directories. Throws `RangeError` for figures that cannot be (negative, fractional, or more
 * selected than there are children): a bug in the caller.
 *
 * @example evaluateCaps({ maxDeletesPerRun: 100, maxFractionPerRun: 0.5 }, 50, 100).breaches // []
 */
export function evaluateCaps(caps: RuleCaps, selected: number, children: number): CapsEvaluation {
  if (
    !Number.isSafeInteger(selected) ||
    !Number.isSafeInteger(children) ||
    selected < 0 ||
    selected > children
  ) {
    throw new RangeError(`impossible run figures: ${selected} selected of ${children} children`);
  }
  const scaled = Math.round(caps.maxFractionPerRun * FRACTION_SCALE);
  const allowedByFraction = Math.floor((scaled * children) / FRACTION_SCALE);
  const breaches: CapBreach[] = [];
  if (selected > caps.maxDeletesPerRun) {
    breaches.push({
      cap: CapName.maxDeletesPerRun,
      limit: caps.maxDeletesPerRun,
      allowed: caps.maxDeletesPerRun,
      selected,
      children,
      message: `${selected} directories selected; maxDeletesPerRun allows ${caps.maxDeletesPerRun}`,
    });
  }
  if (selected > allowedByFraction) {
    breaches.push({
      cap: CapName.maxFractionPerRun,
      limit: caps.maxFractionPerRun,
      allowed: allowedByFraction,
      selected,
      children,
      message: `${selected} of ${children} child directories selected (${percent(selected, children)}); maxFractionPerRun ${caps.maxFractionPerRun} allows ${allowedByFraction}`,
    });
  }
  return {
    maxDeletesPerRun: caps.maxDeletesPerRun,
    maxFractionPerRun: caps.maxFractionPerRun,
    selected,
    children,
    fraction: children === 0 ? 0 : selected / children,
    allowedByFraction,
    breaches,
  };
}

function percent(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)}%`;
}
