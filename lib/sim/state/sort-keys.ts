import type { TreeNode } from "./tree.ts";

/** The `order_by` values of the directory listing API (smh-api.md §4). */
export const DIRECTORY_ORDER_BY = [
  "name",
  "modificationTime",
  "size",
  "creationTime",
  "localCreationTime",
  "localModificationTime",
] as const;
export type DirectoryOrderBy = (typeof DIRECTORY_ORDER_BY)[number];

/**
 * The sort key of an entry for `orderBy`. Directories have no size and no "local" times, so they
 * sort by 0 and by their own creation/modification time respectively.
 */
export function entrySortValue(node: TreeNode, orderBy: DirectoryOrderBy): string | number {
  switch (orderBy) {
    case "name":
      return node.name;
    case "creationTime":
      return node.creationTime;
    case "modificationTime":
      return node.modificationTime;
    case "size":
      return node.kind === "file" ? node.size : 0;
    case "localCreationTime":
      return node.kind === "file" ? node.localCreationTime : node.creationTime;
    case "localModificationTime":
      return node.kind === "file" ? node.localModificationTime : node.modificationTime;
  }
}

/**
 * Compares two (value, tiebreak) keys. Plain code-unit comparison, not locale collation: it is
 * total, fast and identical on every machine, which keeps markers stable.
 */
export function compareKeys(
  aValue: string | number,
  aTie: string | number,
  bValue: string | number,
  bTie: string | number,
): number {
  if (aValue < bValue) return -1;
  if (aValue > bValue) return 1;
  if (aTie < bTie) return -1;
  if (aTie > bTie) return 1;
  return 0;
}
