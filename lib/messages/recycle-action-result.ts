/**
 * RecycleActionResult v1: what became of one recycle-bin item of a RecycleCommand, as published on
 * the results queue (one result per item; one per command when the command itself was refused).
 *
 * A discriminated union on `outcome`:
 *
 * - `restored`: back in the space — `restoredPath`, the final path (after any rename).
 * - `purged`: deleted for ever.
 * - `expired`: SMH no longer knows the item (404 `RecycledItemNotFound`): its retention ran out, or
 *   it was already purged or restored.
 * - `conflict`: a restore with `conflictStrategy: "ask"` met a same-name item — `error`.
 * - `failed`: given up — `error` with SMH's status, code and message.
 * - `rejected`: refused before SMH was called — every `reasons` entry; `attempts` is 0.
 *
 * Build results with {@link recycleActionResult} and {@link rejectedRecycleCommand}.
 */
import * as z from "zod";
import type { CommandIdentity } from "./command-body.ts";
import { recycleActionDedupKey } from "./dedup.ts";
import type { Supersedes } from "./delivery.ts";
import {
  idempotencyKey,
  libraryId,
  messageVersion,
  recycledItemId,
  reportedPath,
  requestedBy,
  spaceId,
} from "./fields.ts";
import { boundReasons, type RejectionReason, rejectionReasons } from "./reasons.ts";
import type { RecycleCommand } from "./recycle-command.ts";
import {
  compact,
  dedupKey,
  failureFields,
  type RunFacts,
  refusedRunFields,
  refusedRunShape,
  runFields,
  runShape,
  type SmhFailure,
  smhFailure,
  supersedesField,
  supersedesFields,
  type Timing,
} from "./result-fields.ts";

/** The outcomes of a recycle action. */
export const RecycleActionOutcome = {
  restored: "restored",
  purged: "purged",
  expired: "expired",
  conflict: "conflict",
  failed: "failed",
  rejected: "rejected",
} as const;

const commandId = idempotencyKey(
  "The command's commandId (given, or derived; see RecycleCommand).",
);
const anyAction = z.enum(["restore", "purge"]);
const head = { v: messageVersion, type: z.literal("recycle-action") };

function attempted<O extends string, A extends z.ZodType<string>, S extends z.core.$ZodShape>(
  outcome: O,
  action: A,
  specific: S,
) {
  return z.object({
    ...head,
    outcome: z.literal(outcome),
    commandId,
    libraryId,
    spaceId,
    recycledItemId,
    action,
    ...specific,
    ...runShape,
    requestedBy: requestedBy.optional(),
    dedupKey,
    supersedes: supersedesField,
  });
}

const rejected = z.object({
  ...head,
  outcome: z.literal(RecycleActionOutcome.rejected),
  commandId,
  libraryId: libraryId.optional(),
  spaceId: spaceId.optional(),
  recycledItemId: recycledItemId.optional(),
  action: anyAction.optional(),
  reasons: rejectionReasons,
  ...refusedRunShape,
  requestedBy: requestedBy.optional(),
  dedupKey,
});

/** The RecycleActionResult v1 schema (`type: "recycle-action"`), discriminated on `outcome`. */
export const RecycleActionResultSchema = z.discriminatedUnion("outcome", [
  attempted(RecycleActionOutcome.restored, z.literal("restore"), {
    restoredPath: reportedPath
      .meta({
        description:
          "Where the item is now, after any rename ('foo/bar (1)'). Absent when SMH restored it without saying where (a 204).",
      })
      .optional(),
  }),
  attempted(RecycleActionOutcome.purged, z.literal("purge"), {}),
  attempted(RecycleActionOutcome.expired, anyAction, {}),
  attempted(RecycleActionOutcome.conflict, z.literal("restore"), { error: smhFailure }),
  attempted(RecycleActionOutcome.failed, anyAction, { error: smhFailure }),
  rejected,
]);

/** A recycle-action result. Narrow on `outcome`. */
export type RecycleActionResult = z.output<typeof RecycleActionResultSchema>;
/** The recycle-action result for one outcome, e.g. `RecycleActionResultOf<"restored">`. */
export type RecycleActionResultOf<O extends RecycleActionResult["outcome"]> = Extract<
  RecycleActionResult,
  { outcome: O }
>;

/** What SMH said about one item of a command. */
export type RecycleActionFacts =
  /**
   * `restoredPath`: SMH's `path`, as segments (`["foo", "bar (1)"]`) or joined; absent when SMH
   * answered without one.
   */
  | { outcome: "restored"; restoredPath?: string | readonly string[] | undefined }
  | { outcome: "purged" }
  | { outcome: "expired" }
  | { outcome: "conflict"; error: SmhFailure }
  | { outcome: "failed"; error: SmhFailure };

/**
 * Builds the result for one item of a command that was sent to SMH. Throws when the facts cannot be
 * true: an item the command does not name (`RangeError`), `restored`/`conflict` for a purge or
 * `purged` for a restore, a bad attempt count (`ZodError`). SMH's text is cut to fit and scrubbed of
 * credentials rather than refused.
 *
 * `supersedes`: the command was redriven from the DLQ; the result names the item's `failed` result
 * it supersedes.
 *
 * @example recycleActionResult(command, 123, { outcome: "restored", restoredPath: ["foo", "bar (1)"] }, run)
 */
export function recycleActionResult(
  command: RecycleCommand,
  item: number,
  facts: RecycleActionFacts,
  run: RunFacts,
  supersedes?: Supersedes,
): RecycleActionResult {
  if (!command.recycledItemIds.includes(item)) {
    throw new RangeError(`recycled item ${item} is not part of command ${command.commandId}`);
  }
  const specific =
    facts.outcome === "restored"
      ? {
          restoredPath:
            facts.restoredPath === undefined || typeof facts.restoredPath === "string"
              ? facts.restoredPath
              : facts.restoredPath.join("/"),
        }
      : facts.outcome === "conflict" || facts.outcome === "failed"
        ? { error: failureFields(facts.error) }
        : {};
  return RecycleActionResultSchema.parse(
    compact({
      v: 1,
      type: "recycle-action",
      outcome: facts.outcome,
      commandId: command.commandId,
      libraryId: command.libraryId,
      spaceId: command.spaceId,
      recycledItemId: item,
      action: command.action,
      ...specific,
      ...runFields(run),
      requestedBy: command.requestedBy,
      dedupKey: recycleActionDedupKey({
        ...command,
        recycledItemId: item,
        outcome: facts.outcome,
      }),
      supersedes: supersedesFields(
        supersedes,
        recycleActionDedupKey({ ...command, recycledItemId: item, outcome: "failed" }),
      ),
    }),
  );
}

/**
 * Builds the `rejected` result of a command refused before SMH was called: an invalid body (pass the
 * {@link CommandIdentity} from `parseRecycleCommandBody`), or one item the policy forbids (pass the
 * command and the item).
 */
export function rejectedRecycleCommand(
  subject: RecycleCommand | CommandIdentity,
  reasons: readonly RejectionReason[],
  timing: Timing,
  item?: number,
): RecycleActionResultOf<"rejected"> {
  const result = RecycleActionResultSchema.parse(
    compact({
      v: 1,
      type: "recycle-action",
      outcome: RecycleActionOutcome.rejected,
      commandId: subject.commandId,
      libraryId: subject.libraryId,
      spaceId: subject.spaceId,
      recycledItemId: item,
      action: subject.action,
      reasons: boundReasons(reasons),
      ...refusedRunFields(timing),
      requestedBy: subject.requestedBy,
      dedupKey: recycleActionDedupKey({
        ...subject,
        recycledItemId: item,
        outcome: RecycleActionOutcome.rejected,
      }),
    }),
  );
  return result as RecycleActionResultOf<"rejected">;
}
