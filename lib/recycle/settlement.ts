/**
 * Where each item of an accepted command stands while a batch is processed, and how an SMH answer
 * or error becomes that standing.
 */
import {
  type Deferred,
  type Done,
  type FailureInfo,
  failureInfo,
  notStarted,
  type Transient,
  type WorkState,
} from "../batch/work.ts";
import type { RecycleActionFacts } from "../messages/recycle-action-result.ts";
import type { RecycleCommand } from "../messages/recycle-command.ts";
import { SmhError, SmhErrorKind } from "../smh/errors/smh-error.ts";
import type { AcceptedCommand } from "./intake.ts";

/**
 * - `done`: the outcome is known (`facts`); the item gets its result.
 * - `transient`: it failed in a way a later attempt may not (throttled, 5xx, timeout, a
 *   configuration error being fixed); the command comes back through the queue.
 * - `deferred`: not started (the invocation's deadline, or the library's circuit is open).
 */
export type ItemSettlement = Done<RecycleActionFacts> | Transient | Deferred;

/** The mutable state of one item of an accepted command in one invocation. */
export interface ItemState extends WorkState<AcceptedCommand, ItemSettlement> {
  readonly recycledItemId: number;
}

/** The items of a command, nothing started yet. */
export function initialItems(accepted: AcceptedCommand): ItemState[] {
  return accepted.command.recycledItemIds.map((recycledItemId) => ({
    ...notStarted(accepted),
    recycledItemId,
  }));
}

/** What SMH's error means for one item. */
export type ItemVerdict =
  /** The outcome is final: expired, conflict or failed. */
  | { readonly kind: "done"; readonly facts: RecycleActionFacts }
  /** SMH's own trouble (5xx, 429, timeout, token): try again later; counts against the circuit. */
  | { readonly kind: "transient-smh"; readonly error: FailureInfo }
  /** Fixable configuration (permission, unknown library or space): comes back; not SMH's health. */
  | { readonly kind: "transient-config"; readonly error: FailureInfo };

/** SMH's code for a recycle-bin item it does not know (expired, purged, restored). */
export const RECYCLED_ITEM_NOT_FOUND = "RecycledItemNotFound";
/** SMH's code for a restore that met a same-name item (conflict strategy `ask`). */
export const SAME_NAME_EXISTS = "SameNameDirectoryOrFileExists";

/**
 * Classifies an error for one item of `command`:
 *
 * - 404 `RecycledItemNotFound` → `expired` (its retention ran out, or it was already purged or
 *   restored — by an earlier delivery of this very command, for instance);
 * - 409 `SameNameDirectoryOrFileExists` on a restore → `conflict`;
 * - any other not-found (a restore whose original parent directory is gone) or refused request →
 *   `failed` at once: retrying cannot help;
 * - permission and configuration errors → transient, not SMH's health;
 * - everything else → transient.
 */
export function judgeItemError(error: unknown, command: RecycleCommand): ItemVerdict {
  if (!(error instanceof SmhError)) return { kind: "transient-smh", error: failureInfo(error) };
  const info = failureInfo(error);
  switch (error.kind) {
    case SmhErrorKind.notFound:
      if (error.code === RECYCLED_ITEM_NOT_FOUND) {
        return { kind: "done", facts: { outcome: "expired" } };
      }
      return {
        kind: "done",
        facts: {
          outcome: "failed",
          error: {
            ...smhFailure(info),
            message:
              command.action === "restore" && command.restorePathStrategy === "originalPath"
                ? `${info.message} — the item's original parent directory is gone; restore with restorePathStrategy fallbackToRoot to put it at the space root`
                : info.message,
          },
        },
      };
    case SmhErrorKind.invalid:
      if (command.action === "restore" && error.status === 409 && error.code === SAME_NAME_EXISTS) {
        return { kind: "done", facts: { outcome: "conflict", error: smhFailure(info) } };
      }
      return { kind: "done", facts: { outcome: "failed", error: smhFailure(info) } };
    case SmhErrorKind.permission:
    case SmhErrorKind.configuration:
      return { kind: "transient-config", error: info };
    case SmhErrorKind.auth:
    case SmhErrorKind.retryable:
    case SmhErrorKind.unexpected:
      return { kind: "transient-smh", error: info };
  }
}

/** Applies a verdict to an item. */
export function settleItem(item: ItemState, verdict: ItemVerdict): void {
  item.settlement =
    verdict.kind === "done"
      ? { kind: "done", facts: verdict.facts }
      : { kind: "transient", error: verdict.error };
}

function smhFailure(info: FailureInfo): { status?: number; code?: string; message: string } {
  return {
    ...(info.status === undefined ? {} : { status: info.status }),
    ...(info.code === undefined ? {} : { code: info.code }),
    message: info.message,
  };
}
