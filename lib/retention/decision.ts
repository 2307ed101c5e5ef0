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

/**
 * What a plan decides: a dry run (the rule's or the whole run's) enqueues nothing whatever the
 * caps say; otherwise a broken cap refuses the plan. `smh-cleaner plan` asks it what a real run
 * would decide, so that it exits as `retention run` would.
 *
 * @example decidePlan({ dryRun: false, capBroken: true }) === PlanDecision.capBreach
 */
export function decidePlan(plan: { dryRun: boolean; capBroken: boolean }): PlanDecision {
  if (plan.dryRun) return PlanDecision.dryRun;
  return plan.capBroken ? PlanDecision.capBreach : PlanDecision.enqueue;
}
