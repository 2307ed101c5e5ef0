import type { SimCore } from "../core.ts";
import { SmhError } from "../errors.ts";
import type { Library } from "../state/library.ts";
import type { RecycledItem } from "../state/recycle-bin.ts";
import type { Space } from "../state/space.ts";
import { attachChild, detachChild, findNode, freeName, pathOf } from "../state/tree.ts";

/** `conflict_resolution_strategy` values; `overwrite` replaces files and acts as `ask` for directories. */
export const CONFLICT_STRATEGIES = ["ask", "rename", "overwrite"] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

/** `restore_path_strategy` values. */
export const RESTORE_PATH_STRATEGIES = ["originalPath", "fallbackToRoot"] as const;
export type RestorePathStrategy = (typeof RESTORE_PATH_STRATEGIES)[number];

/**
 * A live recycled item of the space.
 * @throws SmhError `404 RecycledItemNotFound` when unknown, purged, restored or expired.
 */
export function requireRecycledItem(
  core: SimCore,
  library: Library,
  space: Space,
  id: number,
): RecycledItem {
  core.expireRecycled(library, space);
  const item = space.recycleBin.get(id);
  if (item === undefined) throw new SmhError("RecycledItemNotFound");
  return item;
}

/**
 * Restores a recycled item with its whole subtree and returns its final path.
 *
 * The original parent must exist (`404 DirectoryNotFound`) unless `fallbackToRoot`, which restores
 * into the space root. A name clash is `409 SameNameDirectoryOrFileExists` with `ask`, becomes
 * `name (1)` with `rename`, and replaces the existing file with `overwrite` (files only).
 */
export function restoreRecycledItem(
  core: SimCore,
  library: Library,
  space: Space,
  id: number,
  conflict: ConflictStrategy,
  pathStrategy: RestorePathStrategy,
): string[] {
  const item = requireRecycledItem(core, library, space, id);
  const now = core.clock.now();
  let parent = findNode(space.root, item.originalPath.slice(0, -1));
  if (parent?.kind !== "dir") {
    if (pathStrategy !== "fallbackToRoot") throw new SmhError("DirectoryNotFound");
    parent = space.root;
  }
  const node = item.node;
  let name = item.name;
  const existing = parent.children.get(name);
  if (existing !== undefined) {
    const overwriteFile =
      conflict === "overwrite" && node.kind === "file" && existing.kind === "file";
    if (conflict === "rename") name = freeName(parent, name, node.kind === "file");
    else if (overwriteFile) detachChild(existing, now);
    else throw new SmhError("SameNameDirectoryOrFileExists");
  }
  space.recycleBin.take(id);
  node.name = name;
  attachChild(parent, node, now);
  const restoredPath = pathOf(node);
  core.applied.restores.push({
    libraryId: library.id,
    spaceId: space.id,
    recycledItemId: id,
    originalPath: item.originalPath,
    restoredPath,
    time: new Date(now).toISOString(),
  });
  return restoredPath;
}
