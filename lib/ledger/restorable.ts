/**
 * What is still restorable, from the ledger alone.
 *
 * 1. The selected deletions that put something in the recycle bin: `recycled` and `recovered`
 *    results (they carry the `recycledItemId`), matching the selectors; one item per (library,
 *    space, recycledItemId).
 * 2. The recycle actions since the earliest of them: a `restored`, `purged` or `expired` result
 *    for the same (library, space, recycledItemId) settles the item, whoever sent the command —
 *    a restore's results carry its own commandId, not the plan's, so they are matched by item.
 *    An item settled more than once counts under the strongest reason: restored, then purged,
 *    then expired (a purge after a restore finds the item gone and says `expired`).
 * 3. What is left is still restorable (or purgeable), as far as the ledger knows: a recycle bin's
 *    retention may still have run out since, which the restore or purge will then report as
 *    `expired`.
 *
 * Memory grows with the number of selected items, not with the ledger.
 */
import type { ResultMessage } from "../messages/result-message.ts";
import {
  type LedgerReadOptions,
  type LedgerScanStats,
  type LedgerSource,
  scanLedger,
} from "./read.ts";
import type { LedgerSelectors } from "./select.ts";

/** A recycle-bin item a selected deletion left. */
export interface RecycledItem {
  readonly libraryId: string;
  readonly spaceId: string;
  readonly recycledItemId: number;
  /** The deleted directory's path, as the job gave it. */
  readonly path: string;
  readonly planId: string | undefined;
  readonly jobId: string;
  readonly finishedAt: string;
}

/** Why a selected item is left out. */
export type SettledReason = "restored" | "purged" | "expired";

/** What {@link restorableFromLedger} found. */
export interface Restorability {
  /** Distinct items the selected deletions left in the recycle bin. */
  selected: number;
  /** The items no later recycle action settled, ordered by library, space, path. */
  restorable: RecycledItem[];
  /** Selected items left out, by the reason. */
  leftOut: Record<SettledReason, number>;
  /** The two scans: the deletions, then the recycle actions. */
  scans: { deletions: LedgerScanStats; recycleActions: LedgerScanStats | undefined };
}

/** The deletion outcomes that leave an item in the recycle bin. */
const RECYCLING_OUTCOMES = ["recycled", "recovered"];
const SETTLING_OUTCOMES: readonly SettledReason[] = ["restored", "purged", "expired"];
const STRENGTH: Record<SettledReason, number> = { restored: 3, purged: 2, expired: 1 };

/** The key of an item: library, space and ID. */
export function recycledItemKey(item: {
  libraryId: string;
  spaceId: string;
  recycledItemId: number;
}): string {
  return JSON.stringify([item.libraryId, item.spaceId, item.recycledItemId]);
}

/**
 * The still-restorable items among the deletions `selectors` select (see the module comment).
 * `selectors.kinds` and `selectors.outcomes` are ignored: the deletions read are always the
 * `recycled` and `recovered` ones.
 */
export async function restorableFromLedger(
  source: LedgerSource,
  selectors: LedgerSelectors,
  options: LedgerReadOptions = {},
): Promise<Restorability> {
  const items = new Map<string, RecycledItem>();
  let earliest: number | undefined;
  const deletions = await scanLedger(
    source,
    { ...selectors, kinds: ["deletion"], outcomes: RECYCLING_OUTCOMES },
    (result) => {
      const item = recycledItemOf(result);
      if (item === undefined) return;
      const key = recycledItemKey(item);
      if (!items.has(key)) items.set(key, item);
      const finished = Date.parse(item.finishedAt);
      if (earliest === undefined || finished < earliest) earliest = finished;
    },
    options,
  );

  const settled = new Map<string, SettledReason>();
  let recycleActions: LedgerScanStats | undefined;
  if (earliest !== undefined) {
    recycleActions = await scanLedger(
      source,
      {
        kinds: ["recycle-action"],
        outcomes: SETTLING_OUTCOMES,
        since: new Date(earliest),
        libraryId: selectors.libraryId,
        spaceId: selectors.spaceId,
      },
      (result) => {
        if (result.type !== "recycle-action" || result.recycledItemId === undefined) return;
        if (result.libraryId === undefined || result.spaceId === undefined) return;
        const reason = result.outcome as SettledReason;
        const key = recycledItemKey({ ...result, recycledItemId: result.recycledItemId } as {
          libraryId: string;
          spaceId: string;
          recycledItemId: number;
        });
        if (!items.has(key)) return;
        const before = settled.get(key);
        if (before === undefined || STRENGTH[reason] > STRENGTH[before]) settled.set(key, reason);
      },
      options,
    );
  }

  const leftOut: Record<SettledReason, number> = { restored: 0, purged: 0, expired: 0 };
  for (const reason of settled.values()) leftOut[reason] += 1;
  const restorable = [...items.entries()]
    .filter(([key]) => !settled.has(key))
    .map(([, item]) => item)
    .sort(byPlace);
  return {
    selected: items.size,
    restorable,
    leftOut,
    scans: { deletions, recycleActions },
  };
}

function recycledItemOf(result: ResultMessage): RecycledItem | undefined {
  if (result.type !== "deletion") return undefined;
  if (result.outcome !== "recycled" && result.outcome !== "recovered") return undefined;
  return {
    libraryId: result.libraryId,
    spaceId: result.spaceId,
    recycledItemId: result.recycledItemId,
    path: result.path,
    planId: result.planId,
    jobId: result.jobId,
    finishedAt: result.finishedAt,
  };
}

/** By library, space and path (code unit order), then ID: `--limit 500` of a dated plan is its oldest 500. */
function byPlace(a: RecycledItem, b: RecycledItem): number {
  const keyA = [a.libraryId, a.spaceId, a.path].join("\u0000");
  const keyB = [b.libraryId, b.spaceId, b.path].join("\u0000");
  if (keyA !== keyB) return keyA < keyB ? -1 : 1;
  return a.recycledItemId - b.recycledItemId;
}
