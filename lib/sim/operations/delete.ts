import type { SimCore } from "../core.ts";
import { SmhError } from "../errors.ts";
import type { DeletionVia } from "../state/applied-log.ts";
import type { Library } from "../state/library.ts";
import type { Space } from "../state/space.ts";
import { detachChild, entryTypeOf, findNode, type TreeNode } from "../state/tree.ts";

/** What a deletion expects at the path: the directory API only deletes directories, the file API only files. */
export type DeletionTarget = "dir" | "file" | "any";

/** The result of a deletion: the recycled item id, or null when it was permanent. */
export interface DeletionOutcome {
  readonly recycledItemId: number | null;
  readonly path: readonly string[];
}

/**
 * The node a deletion would remove.
 * @throws SmhError `400 EmptyPath` for the root; 404 when nothing of the expected kind is there
 * (`FileNotFound` for files, else the configured `missingPathCode`).
 */
export function findDeletionTarget(
  core: SimCore,
  space: Space,
  segments: readonly string[],
  target: DeletionTarget,
): TreeNode {
  if (segments.length === 0) throw new SmhError("EmptyPath");
  const node = findNode(space.root, segments);
  if (node === undefined || (target !== "any" && node.kind !== target)) {
    throw new SmhError(target === "file" ? "FileNotFound" : core.behaviour.missingPathCode);
  }
  return node;
}

/**
 * Removes a node and its whole subtree. With the recycle bin on and `permanent` false, the subtree
 * becomes ONE recycled item (content included); otherwise it is gone for good. The parent's
 * modification time moves to now. The deletion is written to the applied log.
 */
export function removeEntry(
  core: SimCore,
  library: Library,
  space: Space,
  node: TreeNode,
  path: readonly string[],
  options: { permanent: boolean; via: DeletionVia },
): DeletionOutcome {
  const now = core.clock.now();
  core.expireRecycled(library, space);
  detachChild(node, now);
  const recycle = library.recycleBinEnabled && !options.permanent;
  let recycledItemId: number | null = null;
  const type = entryTypeOf(node);
  if (recycle) {
    recycledItemId = library.allocateRecycledItemId();
    space.recycleBin.add({
      id: recycledItemId,
      spaceId: space.id,
      node,
      name: node.name,
      type,
      originalPath: [...path],
      removalTime: now,
      expiresAt: now + space.retentionDays * 86_400_000,
      size: node.kind === "file" ? node.size : null,
    });
  }
  core.applied.deletions.push({
    libraryId: library.id,
    spaceId: space.id,
    path: [...path],
    type,
    recycledItemId,
    permanent: !recycle,
    time: new Date(now).toISOString(),
    via: options.via,
  });
  return { recycledItemId, path };
}
