/**
 * Duplicates in the ledger, dropped on read by dedupKey (see `lib/messages/dedup.ts`): a result
 * may be kept more than once (a batch written again after a failure, a job delivered twice).
 * Among results sharing a key, the one kept is one that carries a restore handle
 * (`recycledItemId` of a deletion, `restoredPath` of a restore) when there is one — the rule the
 * results queue's readers follow too (`lib/cli/results/dedupe.ts`).
 */
import type { ResultMessage } from "../messages/result-message.ts";

/** True when `result` carries what a later restore (or the audit of one) needs. */
export function carriesRestoreHandle(result: ResultMessage): boolean {
  if (result.type === "deletion") return "recycledItemId" in result;
  return "restoredPath" in result;
}

/** Unique results by dedupKey; memory grows with the number of distinct keys added. */
export class LedgerResultSet {
  readonly #byKey = new Map<string, ResultMessage>();
  #duplicates = 0;

  /** Adds `result`, keeping the one with a restore handle when its key was seen before. */
  add(result: ResultMessage): void {
    const kept = this.#byKey.get(result.dedupKey);
    if (kept === undefined) {
      this.#byKey.set(result.dedupKey, result);
      return;
    }
    this.#duplicates += 1;
    if (carriesRestoreHandle(result) && !carriesRestoreHandle(kept)) {
      this.#byKey.set(result.dedupKey, result);
    }
  }

  /** The results kept, one per dedupKey. */
  results(): ResultMessage[] {
    return [...this.#byKey.values()];
  }

  /** Results dropped as duplicates. */
  get duplicates(): number {
    return this.#duplicates;
  }

  get size(): number {
    return this.#byKey.size;
  }
}
