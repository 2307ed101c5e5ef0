import { SortedIndex } from "../sorted-index.ts";
import { compareKeys, type DirectoryOrderBy, entrySortValue } from "./sort-keys.ts";
import type { ChildViews, DirectoryNode, TreeNode } from "./tree.ts";

/** Directories and files are sorted separately (SMH lists folders first unless `sort_type=union`). */
export type EntryGroup = "dir" | "file";

interface View {
  readonly orderBy: DirectoryOrderBy;
  readonly group: EntryGroup;
  readonly index: SortedIndex<TreeNode>;
}

/** The total order of a view: the sort value, then the name (unique within a directory). */
export function viewComparator(orderBy: DirectoryOrderBy): (a: TreeNode, b: TreeNode) => number {
  if (orderBy === "name") return (a, b) => compareKeys(a.name, "", b.name, "");
  return (a, b) =>
    compareKeys(entrySortValue(a, orderBy), a.name, entrySortValue(b, orderBy), b.name);
}

/**
 * The sorted views of one directory's children, one per (order, group) that has been listed.
 *
 * A view is built (sorted once) the first time a listing asks for it; from then on every child
 * added, removed or re-timed updates it in place, so paging through 100,000 entries never
 * re-sorts them, and markers keep pointing at the same place while the directory changes.
 */
export class DirectoryViews implements ChildViews {
  readonly #dir: DirectoryNode;
  readonly #views = new Map<string, View>();

  constructor(dir: DirectoryNode) {
    this.#dir = dir;
  }

  /** The children of `group` in `orderBy` order (ascending). */
  get(orderBy: DirectoryOrderBy, group: EntryGroup): SortedIndex<TreeNode> {
    const key = `${group}:${orderBy}`;
    let view = this.#views.get(key);
    if (view === undefined) {
      const members: TreeNode[] = [];
      for (const child of this.#dir.children.values())
        if (child.kind === group) members.push(child);
      view = { orderBy, group, index: new SortedIndex(viewComparator(orderBy), members) };
      this.#views.set(key, view);
    }
    return view.index;
  }

  add(child: TreeNode): void {
    for (const view of this.#views.values())
      if (view.group === child.kind) view.index.insert(child);
  }

  remove(child: TreeNode): void {
    for (const view of this.#views.values())
      if (view.group === child.kind) view.index.remove(child);
  }

  /**
   * Runs `mutate` (which changes a time of `child`) and moves the child to its new place in every
   * time-ordered view. Name-ordered views are untouched: names never change while attached.
   */
  reposition(child: TreeNode, mutate: () => void): void {
    const affected: View[] = [];
    for (const view of this.#views.values()) {
      if (view.group === child.kind && view.orderBy !== "name") {
        view.index.remove(child);
        affected.push(view);
      }
    }
    mutate();
    for (const view of affected) view.index.insert(child);
  }
}
