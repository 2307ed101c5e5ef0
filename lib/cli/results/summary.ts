/**
 * The summary of a results run: counts by type and outcome (over the unique results), and what
 * happened to the messages.
 */
import type { ResultMessage } from "../../messages/index.ts";

/** Outcome counts: `{ deletion: { recycled: 8 }, "recycle-action": { restored: 1 } }`. */
export interface OutcomeCounts {
  deletion: Record<string, number>;
  "recycle-action": Record<string, number>;
}

/** Counts `results` by type and outcome. */
export function countOutcomes(results: Iterable<ResultMessage>): OutcomeCounts {
  const counts: OutcomeCounts = { deletion: {}, "recycle-action": {} };
  for (const result of results) {
    const byOutcome = counts[result.type];
    byOutcome[result.outcome] = (byOutcome[result.outcome] ?? 0) + 1;
  }
  return counts;
}

/** `recycled 8, failed 2`, or `none`. */
export function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "none" : entries.map(([name, n]) => `${name} ${n}`).join(", ");
}
