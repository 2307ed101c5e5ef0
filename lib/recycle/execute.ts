/**
 * Where SMH is called for restores and purges. A command naming one item uses the single call; a
 * command naming more uses SMH's batch call (up to 1,000 IDs, 200/207 per-item results or 202 and a
 * task) — except a restore with `conflictStrategy: "ask"`, which SMH's batch restore cannot do (it
 * always renames), so each of its items is restored singly. A bounded pool of workers runs the
 * units under the client's per-library limiter and stops starting new ones when time runs short.
 *
 * What a batch leaves unsettled falls back to single calls of those items:
 * - a restore item SMH did not mention, or that failed with a 5xx;
 * - a purge batch that failed (SMH answers 500 with no per-item detail) or whose outcome is unknown
 *   (timeout, dropped connection): single purges learn each item's fate — `purged`, or `expired`
 *   when the batch had purged it already (404 `RecycledItemNotFound`).
 * A purge batch that succeeded (204, or its task finished) purged every item.
 */

import type { CircuitBreakers } from "../batch/circuit.ts";
import { recordAttempts, recordFailedCall, recordHealth, runUnits } from "../batch/work.ts";
import type { SmhClient } from "../smh/client.ts";
import { SmhError } from "../smh/errors/smh-error.ts";
import type { AcceptedCommand } from "./intake.ts";
import { type ItemState, judgeItemError, settleItem } from "./settlement.ts";

/** The SMH operations the recycle pipeline uses. */
export type RecycleSmh = Pick<
  SmhClient,
  "restoreRecycledItem" | "restoreRecycledItems" | "purgeRecycledItem" | "purgeRecycledItems"
>;

/** What the executor needs from the outside world. */
export interface RecycleExecuteContext {
  readonly smh: RecycleSmh;
  readonly circuits: CircuitBreakers;
  readonly concurrency: number;
  /** No unit starts after this instant (epoch ms). */
  readonly stopStartingAt: number;
  /** Deadline passed to SMH calls (epoch ms). */
  readonly callDeadline: number;
  readonly now: () => number;
}

/** One SMH call: a single item, or a batch of one command's items. */
export type RecycleUnit =
  | { readonly kind: "single"; readonly item: ItemState }
  | { readonly kind: "restore-batch"; readonly items: readonly ItemState[] }
  | { readonly kind: "purge-batch"; readonly items: readonly ItemState[] };

/** How each command's items are sent to SMH (see the module comment). */
export function planRecycleUnits(
  commands: readonly { accepted: AcceptedCommand; items: readonly ItemState[] }[],
): RecycleUnit[] {
  const units: RecycleUnit[] = [];
  for (const { accepted, items } of commands) {
    const { command } = accepted;
    if (items.length === 1) {
      units.push({ kind: "single", item: items[0] as ItemState });
    } else if (command.action === "purge") {
      units.push({ kind: "purge-batch", items });
    } else if (command.conflictStrategy === "rename") {
      units.push({ kind: "restore-batch", items });
    } else {
      for (const item of items) units.push({ kind: "single", item });
    }
  }
  return units;
}

/** Runs every unit to a settlement of its items. Never throws. */
export async function executeRecycleActions(
  units: readonly RecycleUnit[],
  context: RecycleExecuteContext,
): Promise<void> {
  await runUnits(
    units,
    {
      concurrency: context.concurrency,
      statesOf: itemsOf,
      libraryOf: (item) => item.accepted.command.libraryId,
      run: (unit) => runUnit(unit, context),
    },
    context,
  );
}

function itemsOf(unit: RecycleUnit): readonly ItemState[] {
  return unit.kind === "single" ? [unit.item] : unit.items;
}

/** Calls SMH for a unit that may start. */
async function runUnit(unit: RecycleUnit, context: RecycleExecuteContext): Promise<RecycleUnit[]> {
  switch (unit.kind) {
    case "single":
      await runSingle(unit.item, context);
      return [];
    case "restore-batch":
      return restoreBatch(unit.items, context);
    case "purge-batch":
      return purgeBatch(unit.items, context);
  }
}

async function runSingle(item: ItemState, context: RecycleExecuteContext): Promise<void> {
  const { command } = item.accepted;
  const target = {
    libraryId: command.libraryId,
    spaceId: command.spaceId,
    recycledItemId: item.recycledItemId,
  };
  const options = { deadline: context.callDeadline };
  try {
    if (command.action === "restore") {
      const answer = await context.smh.restoreRecycledItem(
        {
          ...target,
          conflictResolution: command.conflictStrategy,
          restorePath: command.restorePathStrategy,
        },
        options,
      );
      recordAttempts(item, answer.attempts, answer.requestId);
      item.settlement = {
        kind: "done",
        facts: { outcome: "restored", restoredPath: answer.path || undefined },
      };
    } else {
      const answer = await context.smh.purgeRecycledItem(target, options);
      recordAttempts(item, answer.attempts, answer.requestId);
      item.settlement = { kind: "done", facts: { outcome: "purged" } };
    }
    context.circuits.recordSuccess(command.libraryId);
  } catch (error) {
    recordFailedCall(item, error);
    const verdict = judgeItemError(error, command);
    recordHealth(context.circuits, command.libraryId, verdict.kind);
    settleItem(item, verdict);
  }
}

async function restoreBatch(
  items: readonly ItemState[],
  context: RecycleExecuteContext,
): Promise<RecycleUnit[]> {
  const first = items[0] as ItemState;
  const { command } = first.accepted;
  if (command.action !== "restore") return [];
  const retrySingly: RecycleUnit[] = [];
  try {
    const answer = await context.smh.restoreRecycledItems(
      {
        libraryId: command.libraryId,
        spaceId: command.spaceId,
        recycledItemIds: items.map(({ recycledItemId }) => recycledItemId),
        restorePath: command.restorePathStrategy,
      },
      { deadline: context.callDeadline },
    );
    context.circuits.recordSuccess(command.libraryId);
    const byId = new Map(answer.items.map((entry) => [entry.recycledItemId, entry]));
    for (const item of items) {
      recordAttempts(item, answer.attempts, answer.requestId);
      const entry = byId.get(item.recycledItemId);
      if (!entry || entry.outcome === "unknown") {
        retrySingly.push({ kind: "single", item });
        continue;
      }
      if (entry.outcome === "restored") {
        item.settlement = {
          kind: "done",
          facts: { outcome: "restored", restoredPath: entry.path || undefined },
        };
        continue;
      }
      const verdict = judgeItemError(entry.error, command);
      // A per-item 5xx or PathConflict: this one item is tried again on its own.
      if (verdict.kind === "transient-smh") retrySingly.push({ kind: "single", item });
      else settleItem(item, verdict);
    }
  } catch (error) {
    retrySingly.push(...batchFailed(items, error, context));
  }
  return retrySingly;
}

async function purgeBatch(
  items: readonly ItemState[],
  context: RecycleExecuteContext,
): Promise<RecycleUnit[]> {
  const first = items[0] as ItemState;
  const { command } = first.accepted;
  try {
    const answer = await context.smh.purgeRecycledItems(
      {
        libraryId: command.libraryId,
        spaceId: command.spaceId,
        recycledItemIds: items.map(({ recycledItemId }) => recycledItemId),
      },
      { deadline: context.callDeadline },
    );
    context.circuits.recordSuccess(command.libraryId);
    for (const item of items) {
      recordAttempts(item, answer.attempts, answer.requestId);
      item.settlement = { kind: "done", facts: { outcome: "purged" } };
    }
    return [];
  } catch (error) {
    return batchFailed(items, error, context);
  }
}

/**
 * A whole batch request failed. When SMH may have applied some of it (500, timeout, failed task),
 * single calls find out item by item; otherwise every item gets the same settlement and the
 * circuit hears of it once.
 */
function batchFailed(
  items: readonly ItemState[],
  error: unknown,
  context: RecycleExecuteContext,
): RecycleUnit[] {
  const { command } = (items[0] as ItemState).accepted;
  for (const item of items) recordFailedCall(item, error);
  if (error instanceof SmhError && error.mayHaveApplied) {
    context.circuits.recordFailure(command.libraryId);
    return items.map((item) => ({ kind: "single", item }));
  }
  const verdict = judgeItemError(error, command);
  recordHealth(context.circuits, command.libraryId, verdict.kind);
  for (const item of items) settleItem(item, verdict);
  return [];
}
