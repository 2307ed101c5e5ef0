import type { SimCore } from "../core.ts";
import type { Library } from "../state/library.ts";
import type { RecycledItem } from "../state/recycle-bin.ts";
import type { Space } from "../state/space.ts";
import { requireRecycledItem } from "./restore.ts";

function logPurge(
  core: SimCore,
  library: Library,
  space: Space,
  item: RecycledItem,
  reason: "purge" | "empty",
): void {
  core.applied.purges.push({
    libraryId: library.id,
    spaceId: space.id,
    recycledItemId: item.id,
    originalPath: item.originalPath,
    time: new Date(core.clock.now()).toISOString(),
    reason,
  });
}

/**
 * Permanently deletes one recycled item (and its subtree).
 * @throws SmhError `404 RecycledItemNotFound`.
 */
export function purgeRecycledItem(core: SimCore, library: Library, space: Space, id: number): void {
  const item = requireRecycledItem(core, library, space, id);
  space.recycleBin.take(item.id);
  logPurge(core, library, space, item, "purge");
}

/** Empties the recycle bin of a space; returns how many items were purged. */
export function emptyRecycleBin(core: SimCore, library: Library, space: Space): number {
  core.expireRecycled(library, space);
  const items = space.recycleBin.clear();
  for (const item of items) logPurge(core, library, space, item, "empty");
  return items.length;
}
