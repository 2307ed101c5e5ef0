/**
 * Dedup keys: how a consumer of the results queue drops duplicate results.
 *
 * SQS delivers at least once, and a Lambda timeout redelivers a whole batch, so one job can yield
 * several results. Two results carry the same dedupKey exactly when they report the same fact about
 * the same request:
 *
 * - the same request: the same message type, idempotency key (jobId or commandId) and target
 *   (library, space, path — in its canonical form, so `/a//b/` and `a/b` are one — and permanent;
 *   or library, space, recycled item and action). A caller that reuses a jobId for another path
 *   does not merge the two;
 * - the same fact: the outcome's *settlement*. Every outcome after which nothing is left to do
 *   for the target (`recycled`, `deleted`, `recovered`, `already_absent`; `restored`, `purged`,
 *   `expired`) counts as one settlement, `settled`, so a first delivery's `recycled` and a
 *   redelivery's `recovered` (SMH answers 404 the second time) share a key. Any other outcome
 *   (`rejected`, `failed`, `conflict`) is its own, so a job that failed and later succeeded after a
 *   DLQ redrive yields two keys: the success is news, not a duplicate.
 *
 * Attempts, timings and request IDs are not part of the key. Among results sharing a key, a
 * consumer should keep one that carries a `recycledItemId` (or `restoredPath`) when there is one.
 *
 * The key is 64 lowercase hex characters (SHA-256); compare it for equality only.
 */
import { digest } from "./digest.ts";

/** Outcomes of a deletion that leave the directory gone, as asked. */
const SETTLED_DELETIONS: ReadonlySet<string> = new Set([
  "recycled",
  "deleted",
  "recovered",
  "already_absent",
]);

/** Outcomes of a recycle action after which there is nothing left to do for the item. */
const SETTLED_RECYCLE_ACTIONS: ReadonlySet<string> = new Set(["restored", "purged", "expired"]);

/** What a deletion result's dedupKey is computed from. Absent parts hash as `null`. */
export interface DeletionKeyParts {
  jobId: string;
  libraryId?: string | undefined;
  spaceId?: string | undefined;
  path?: string | undefined;
  permanent?: boolean | undefined;
  outcome: string;
}

/** The dedupKey of a `type: "deletion"` result (see the module comment for its definition). */
export function deletionDedupKey(parts: DeletionKeyParts): string {
  return digest("result/deletion/v1", [
    parts.jobId,
    parts.libraryId ?? null,
    parts.spaceId ?? null,
    parts.path ?? null,
    parts.permanent ?? null,
    SETTLED_DELETIONS.has(parts.outcome) ? "settled" : parts.outcome,
  ]);
}

/** What a recycle-action result's dedupKey is computed from. Absent parts hash as `null`. */
export interface RecycleActionKeyParts {
  commandId: string;
  libraryId?: string | undefined;
  spaceId?: string | undefined;
  recycledItemId?: number | undefined;
  action?: string | undefined;
  outcome: string;
}

/** The dedupKey of a `type: "recycle-action"` result (see the module comment for its definition). */
export function recycleActionDedupKey(parts: RecycleActionKeyParts): string {
  return digest("result/recycle-action/v1", [
    parts.commandId,
    parts.libraryId ?? null,
    parts.spaceId ?? null,
    parts.recycledItemId ?? null,
    parts.action ?? null,
    SETTLED_RECYCLE_ACTIONS.has(parts.outcome) ? "settled" : parts.outcome,
  ]);
}
