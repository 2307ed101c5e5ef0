/**
 * Duplicate results, dropped by dedupKey (see `dedup.ts`): results that share a key report the
 * same fact about the same request, and the one to keep is the one that carries a restore handle
 * (`recycledItemId` of a deletion, `restoredPath` of a restore) when there is one. One rule for
 * every reader: the results queue's (`smh-cleaner results`, the chaos accounting) and the
 * ledger's (`lib/ledger/read.ts`: a result may be kept there more than once).
 *
 * Superseded results, dropped too: a job (command) given up with a `failed` result and later
 * redriven by hand gets results that say so (`supersedes.dedupKey`, see
 * `lib/messages/delivery.ts`); the `failed` result they name is dropped, whichever was read first.
 */
import type { ResultMessage } from "./result-message.ts";

/** True when `result` carries what a later restore (or audit of one) needs. */
export function hasRestoreHandle(result: ResultMessage): boolean {
  if (result.type === "deletion") return "recycledItemId" in result;
  return "restoredPath" in result;
}

/** Whether `candidate` should replace `kept`, the result already held for the same dedupKey. */
export function supersedes(candidate: ResultMessage, kept: ResultMessage): boolean {
  return hasRestoreHandle(candidate) && !hasRestoreHandle(kept);
}

/** The dedupKey of the `failed` result `result` supersedes, if it names one other than its own. */
export function supersededKey(result: ResultMessage): string | undefined {
  if (!("supersedes" in result) || result.supersedes === undefined) return undefined;
  const key = result.supersedes.dedupKey;
  return key === result.dedupKey ? undefined : key;
}

function isFailed(result: ResultMessage): boolean {
  return "outcome" in result && result.outcome === "failed";
}

/** Unique results by dedupKey, in the order their keys were first seen, superseded ones dropped. */
export class ResultSet {
  readonly #byKey = new Map<string, ResultMessage>();
  /** Keys of `failed` results a later result superseded. */
  readonly #supersededKeys = new Set<string>();
  #duplicates = 0;
  #superseded = 0;

  /**
   * Adds `result`. Resolves to `"new"` for a new key, `"replaced"` when it superseded the one held
   * for its key, `"duplicate"` when it was dropped (a duplicate, or a `failed` result a result
   * already read supersedes).
   */
  add(result: ResultMessage): "new" | "replaced" | "duplicate" {
    const named = supersededKey(result);
    if (named !== undefined) {
      this.#supersededKeys.add(named);
      const held = this.#byKey.get(named);
      if (held !== undefined && isFailed(held)) {
        this.#byKey.delete(named);
        this.#superseded += 1;
      }
    }
    if (isFailed(result) && this.#supersededKeys.has(result.dedupKey)) {
      this.#superseded += 1;
      return "duplicate";
    }
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

  /** How many `failed` results were dropped because a redriven job's later result superseded them. */
  get superseded(): number {
    return this.#superseded;
  }

  get size(): number {
    return this.#byKey.size;
  }
}
