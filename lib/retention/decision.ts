/**
 * What a finished plan says to do. A leaf module (no imports), so that the result schemas in
 * `summary.ts` can name the decisions without importing the plan builder and, through it, the
 * deletion policy and `lib/messages` (which will list those schemas in its ResultMessage union).
 */
export const PlanDecision = {
  /** Enqueue the plan's jobs (possibly none). */
  enqueue: "enqueue",
  /** A dry run: write the plan, enqueue nothing. */
  dryRun: "dry-run",
  /** A cap is broken: enqueue nothing, raise an alert. */
  capBreach: "cap-breach",
} as const;
export type PlanDecision = (typeof PlanDecision)[keyof typeof PlanDecision];
