/**
 * Duplicate results, dropped by dedupKey (see `lib/messages/dedup.ts`): results that share a key
 * report the same fact about the same request, and the one to keep is the one that carries a
 * restore handle (`recycledItemId` of a deletion, `restoredPath` of a restore) when there is one.
 */
import type { ResultMessage } from "../../messages/result-message.ts";

/** True when `result` carries what a later restore (or audit of one) needs. */
export function hasRestoreHandle(result: ResultMessage): boolean {
  if (result.type === "deletion") return "recycledItemId" in result;
  return "restoredPath" in result;
}

/** Whether `candidate` should replace `kept`, the result already held for the same dedupKey. */
export function supersedes(candidate: ResultMessage, kept: ResultMessage): boolean {
  return hasRestoreHandle(candidate) && !hasRestoreHandle(kept);
}

/** Unique results by dedupKey, in the order their keys were first seen. */
export class ResultSet {
  readonly #byKey = new Map<string, ResultMessage>();
  #duplicates = 0;

  /**
   * Adds `result`. Resolves to `"new"` for a new key, `"replaced"` when it superseded the one held
   * for its key, `"duplicate"` when it was dropped.
   */
  add(result: ResultMessage): "new" | "replaced" | "duplicate" {
    const kept = this.#byKey.get(result.dedupKey);
    if (kept === undefined) {
      this.#byKey.set(result.dedupKey, result);
      return "new";
    }
    this.#duplicates += 1;
    if (!supersedes(result, kept)) return "duplicate";
    this.#byKey.set(result.dedupKey, result);
    return "replaced";
  }

  /** The results kept, one per dedupKey. */
  results(): ResultMessage[] {
    return [...this.#byKey.values()];
  }

  /** How many results were dropped as duplicates. */
  get duplicates(): number {
    return this.#duplicates;
  }

  get size(): number {
    return this.#byKey.size;
  }
}
