/**
 * What a finished plan decides (the words are in `lib/messages/retention-result.ts`, since plan
 * summaries carry them).
 */
import { PlanDecision } from "../messages/retention-result.ts";

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
