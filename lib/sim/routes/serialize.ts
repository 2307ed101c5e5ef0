import type { RecycledItem } from "../state/recycle-bin.ts";
import { countDescendants, entryTypeOf, type TreeNode } from "../state/tree.ts";

const DAY_MS = 86_400_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A directory-listing entry, with the field names of smh-api.md §4 (`size` is a string; directories
 * carry no size).
 */
export function entryJson(
  node: TreeNode,
  path: readonly string[],
  withInode: boolean,
): Record<string, unknown> {
  const base: Record<string, unknown> = {
    name: node.name,
    path,
    type: entryTypeOf(node),
    creationTime: iso(node.creationTime),
    modificationTime: iso(node.modificationTime),
  };
  if (withInode) base.inode = node.inode;
  if (node.kind === "dir") {
    base.eTag = "0";
    base.labels = [];
    return base;
  }
  return {
    ...base,
    versionId: 1,
    contentType: node.contentType,
    size: String(node.size),
    eTag: node.eTag,
    crc64: node.crc64,
    metaData: {},
    category: node.contentType.split("/")[0] ?? "other",
    localCreationTime: iso(node.localCreationTime),
    localModificationTime: iso(node.localModificationTime),
    removedByQuota: false,
  };
}

/** The `?info=1` answer for a file or directory. */
export function infoJson(
  node: TreeNode,
  path: readonly string[],
  withInode: boolean,
): Record<string, unknown> {
  const entry = entryJson(node, path, withInode);
  if (node.kind === "dir") {
    entry.fileCount = node.fileCount;
    entry.subDirCount = node.dirCount;
  }
  return entry;
}

/** Whole days of retention left; partial days are not counted (smh-api.md §5.1). */
export function remainingDays(item: RecycledItem, now: number): number {
  return Math.max(0, Math.floor((item.expiresAt - now) / DAY_MS));
}

/** A recycle-bin listing entry (smh-api.md §5.1). */
export function recycledItemJson(item: RecycledItem, now: number): Record<string, unknown> {
  const json: Record<string, unknown> = {
    recycledItemId: item.id,
    originalPath: item.originalPath,
    spaceId: item.spaceId,
    name: item.name,
    type: item.type,
    creationTime: iso(item.node.creationTime),
    modificationTime: iso(item.node.modificationTime),
    removalTime: iso(item.removalTime),
    remainingTime: remainingDays(item, now),
  };
  if (item.size !== null) json.size = String(item.size);
  return json;
}

/** The recycled-item info answer: the listing fields plus what the item holds. */
export function recycledItemInfoJson(item: RecycledItem, now: number): Record<string, unknown> {
  const json = recycledItemJson(item, now);
  const node = item.node;
  if (node.kind === "file") {
    json.contentType = node.contentType;
    json.eTag = node.eTag;
    json.crc64 = node.crc64;
    json.metaData = {};
  } else {
    json.fileCount = node.fileCount;
    json.subDirCount = node.dirCount;
    json.totalEntries = countDescendants(node);
  }
  return json;
}
