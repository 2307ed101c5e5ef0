import type { SmhClient } from "../smh/client.ts";
import { SmhError, SmhErrorKind } from "../smh/errors/smh-error.ts";
import { redactText } from "../smh/redact.ts";
import type { CallOptions } from "../smh/types.ts";
import { SCRATCH_PARENT, type ScratchArea } from "./scratch.ts";

/** What cleaning up after a run did. */
export interface CleanupReport {
  /** The scratch directory is gone (checked afterwards). */
  readonly scratchRemoved: boolean;
  /**
   * `__smh_cleaner_conformance__` itself: removed (this run created it and left it empty), kept
   * (it existed before, or another run uses it), or failed.
   */
  readonly parent: "removed" | "kept" | "failed";
  /** Recycle-bin items of this run purged during cleanup. */
  readonly purged: number;
  /** What could not be cleaned up, for the user to remove by hand. */
  readonly leftovers: readonly string[];
}

export interface CleanupInput {
  readonly client: SmhClient;
  readonly scratch: ScratchArea;
  readonly libraryId: string;
  readonly spaceId: string;
  /** Items this run put in the bin and did not restore or purge. */
  readonly unsettled: readonly number[];
  /** Whether the run created `__smh_cleaner_conformance__` (it did not exist before). */
  readonly parentCreated: boolean;
  /** Whether the space has a recycle bin (null: unknown, the run stopped before it learned). */
  readonly recycleBin: boolean | null;
  /** When the run began (epoch ms): the bin is swept back to a little before it. */
  readonly startedAt: number;
  /** Cleanup is not stopped by Ctrl-C, only by this deadline. */
  readonly timeoutMs: number;
  readonly now: () => number;
}

const SWEEP_MARGIN_MS = 10 * 60_000;
const PURGE_BATCH = 1000;

function isNotFound(error: unknown): boolean {
  return error instanceof SmhError && error.kind === SmhErrorKind.notFound;
}

function message(error: unknown): string {
  return redactText(error instanceof Error ? error.message : String(error));
}

/**
 * Removes everything a run left: the scratch directory (permanently, so nothing of it lands in the
 * bin), every recycle-bin item whose original path lies in it (the ids the run holds, plus a sweep
 * of the bin back to the run's start, for items whose answer was lost), and
 * `__smh_cleaner_conformance__` when the run created it and nothing else is in it. It never throws:
 * what it could not remove is listed in `leftovers`.
 */
export async function cleanUp(input: CleanupInput): Promise<CleanupReport> {
  const { client, scratch } = input;
  const space = { libraryId: input.libraryId, spaceId: input.spaceId };
  const call: CallOptions = { deadline: input.now() + input.timeoutMs };
  const leftovers: string[] = [];

  try {
    await client.deleteDirectory({ ...space, path: scratch.root, permanent: true }, call);
  } catch (error) {
    if (!isNotFound(error)) leftovers.push(`${scratch.root}: ${message(error)}`);
  }

  let purged = 0;
  if (input.recycleBin !== false) {
    const ids = new Set(input.unsettled);
    try {
      for await (const page of client.listRecycleBin({ ...space, orderByType: "desc" }, call)) {
        for (const item of page.items) {
          if (scratch.contains(item.originalSegments)) ids.add(item.recycledItemId);
        }
        const oldest = page.items.at(-1)?.removalTime;
        if (oldest !== undefined && Date.parse(oldest) < input.startedAt - SWEEP_MARGIN_MS) break;
      }
    } catch (error) {
      // A space without a bin, or one the run could not read: purge what the run knows of.
      if (!(error instanceof SmhError && error.code === "RecycleBinNotEnabled")) {
        leftovers.push(`recycle bin sweep: ${message(error)}`);
      }
    }
    purged = await purgeAll(client, space, [...ids], call, leftovers);
  }

  const parent = input.parentCreated ? await removeParent(client, space, call, leftovers) : "kept";

  let scratchRemoved = false;
  try {
    scratchRemoved = !(await client.directoryExists({ ...space, path: scratch.root }, call)).exists;
  } catch (error) {
    leftovers.push(`checking ${scratch.root}: ${message(error)}`);
  }
  if (!scratchRemoved && !leftovers.some((entry) => entry.startsWith(scratch.root))) {
    leftovers.push(`${scratch.root}: still there`);
  }
  return { scratchRemoved, parent, purged, leftovers };
}

async function purgeAll(
  client: SmhClient,
  space: { libraryId: string; spaceId: string },
  ids: readonly number[],
  call: CallOptions,
  leftovers: string[],
): Promise<number> {
  let purged = 0;
  for (let start = 0; start < ids.length; start += PURGE_BATCH) {
    const chunk = ids.slice(start, start + PURGE_BATCH);
    try {
      await client.purgeRecycledItems({ ...space, recycledItemIds: chunk }, call);
      purged += chunk.length;
      continue;
    } catch {
      // Some libraries fail a batch naming an item already gone: purge them one by one.
    }
    for (const id of chunk) {
      try {
        await client.purgeRecycledItem({ ...space, recycledItemId: id }, call);
        purged += 1;
      } catch (error) {
        if (!isNotFound(error)) leftovers.push(`recycle-bin item ${id}: ${message(error)}`);
      }
    }
  }
  return purged;
}

async function removeParent(
  client: SmhClient,
  space: { libraryId: string; spaceId: string },
  call: CallOptions,
  leftovers: string[],
): Promise<"removed" | "kept" | "failed"> {
  try {
    for await (const page of client.listDirectory(
      { ...space, path: SCRATCH_PARENT, filter: "all", pageSize: 1 },
      call,
    )) {
      // Another run works in it: leave it to that run.
      if (page.entries.length > 0) return "kept";
      break;
    }
    await client.deleteDirectory({ ...space, path: SCRATCH_PARENT, permanent: true }, call);
    return "removed";
  } catch (error) {
    if (isNotFound(error)) return "removed";
    leftovers.push(`${SCRATCH_PARENT}: ${message(error)}`);
    return "failed";
  }
}
