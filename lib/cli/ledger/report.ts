/** What a read of the ledger did, in words: how much pruning saved, and what could not be read. */
import type { LedgerScanStats } from "../../ledger/read.ts";
import { warn } from "../output.ts";

/** `read 3 of 40 objects in 1 of 12 day partitions (deletion, retention-plan, retention-alert)`. */
export function describeScan(stats: LedgerScanStats): string {
  return `read ${stats.objectsRead} of ${stats.objectsListed} objects in ${stats.partitionsRead} of ${stats.partitionsListed} day partitions (${stats.kinds.join(", ") || "no result type can match"})`;
}

/** Warns about lines and objects that could not be read (always, even with --quiet). */
export function reportProblems(stats: LedgerScanStats): void {
  if (stats.invalidLines === 0 && stats.unreadableObjects === 0) return;
  warn(
    `${stats.invalidLines} ledger lines are not results and ${stats.unreadableObjects} objects could not be read; the rest was read. First problems:`,
  );
  for (const problem of stats.problems) {
    warn(`  ${problem.key}${problem.line > 0 ? `:${problem.line}` : ""}: ${problem.message}`);
  }
}
