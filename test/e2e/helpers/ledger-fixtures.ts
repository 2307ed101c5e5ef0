/** Results to put in a test ledger: real builders, so every line is a valid result. */
import { createDeleteJob } from "../../../lib/messages/delete-job.ts";
import { deletionResult } from "../../../lib/messages/deletion-result.ts";
import { recycleActionResult } from "../../../lib/messages/recycle-action-result.ts";
import { createRecycleCommand } from "../../../lib/messages/recycle-command.ts";
import type { ResultMessage } from "../../../lib/messages/result-message.ts";

/** A run that finished at `finishedAt`. */
export function runAt(finishedAt: Date) {
  return { attempts: 1, startedAt: new Date(finishedAt.getTime() - 1000), finishedAt };
}

/** A deletion of `path` that put it in the recycle bin as `id`. */
export function recycledDeletion(
  path: string,
  id: number,
  finishedAt: Date,
  extra: { libraryId?: string; spaceId?: string; planId?: string; source?: string } = {},
): ResultMessage {
  const job = createDeleteJob({
    libraryId: extra.libraryId ?? "smh1",
    spaceId: extra.spaceId ?? "-",
    path,
    source: extra.source ?? "bulk",
    ...(extra.planId === undefined ? {} : { planId: extra.planId }),
  });
  return deletionResult(job, { outcome: "recycled", recycledItemId: id }, runAt(finishedAt));
}

/** The same job found already gone (a redelivery): shares the recycled result's dedupKey. */
export function alreadyAbsentDeletion(
  path: string,
  finishedAt: Date,
  extra: { libraryId?: string; spaceId?: string; planId?: string; source?: string } = {},
): ResultMessage {
  const job = createDeleteJob({
    libraryId: extra.libraryId ?? "smh1",
    spaceId: extra.spaceId ?? "-",
    path,
    source: extra.source ?? "bulk",
    ...(extra.planId === undefined ? {} : { planId: extra.planId }),
  });
  return deletionResult(job, { outcome: "already_absent" }, runAt(finishedAt));
}

/** A recycle action on item `id` with `outcome`. */
export function recycleAction(
  action: "restore" | "purge",
  outcome: "restored" | "purged" | "expired" | "failed",
  id: number,
  finishedAt: Date,
  extra: { libraryId?: string; spaceId?: string } = {},
): ResultMessage {
  const command = createRecycleCommand({
    action,
    libraryId: extra.libraryId ?? "smh1",
    spaceId: extra.spaceId ?? "-",
    recycledItemIds: [id],
  });
  const facts =
    outcome === "restored"
      ? { outcome, restoredPath: `restored-${id}` }
      : outcome === "failed"
        ? { outcome, error: { status: 500, message: "boom" } }
        : { outcome };
  return recycleActionResult(command, id, facts as never, runAt(finishedAt));
}
