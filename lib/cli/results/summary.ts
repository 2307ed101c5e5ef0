/**
 * The summary of a results run: counts by type and outcome (over the unique results), and what
 * happened to the messages.
 */
import type { ResultMessage } from "../../messages/result-message.ts";

/**
 * Outcome counts: `{ deletion: { recycled: 8 }, "recycle-action": { restored: 1 } }`; retention
 * plan summaries by decision and retention alerts by kind only when there were some
 * (`"retention-plan": { enqueue: 1 }`, `"retention-alert": { "cap-breach": 1 }`).
 */
export interface OutcomeCounts {
  deletion: Record<string, number>;
  "recycle-action": Record<string, number>;
  "retention-plan"?: Record<string, number>;
  "retention-alert"?: Record<string, number>;
}

/** Counts `results` by type and outcome (retention: decision, alert). */
export function countOutcomes(results: Iterable<ResultMessage>): OutcomeCounts {
  const counts: OutcomeCounts = { deletion: {}, "recycle-action": {} };
  for (const result of results) {
    const key =
      result.type === "retention-plan"
        ? result.decision
        : result.type === "retention-alert"
          ? result.alert
          : result.outcome;
    counts[result.type] ??= {};
    const byKey = counts[result.type] as Record<string, number>;
    byKey[key] = (byKey[key] ?? 0) + 1;
  }
  return counts;
}

/** `recycled 8, failed 2`, or `none`. */
export function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "none" : entries.map(([name, n]) => `${name} ${n}`).join(", ");
}
