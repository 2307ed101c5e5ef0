import { pathKey } from "../paths.ts";
import { SortedIndex } from "../sorted-index.ts";
import { decodeMarker, encodeMarker } from "./markers.ts";
import { iterateFrom, type Paging, takePage } from "./paging.ts";
import { compareKeys } from "./sort-keys.ts";
import type { EntryType, TreeNode } from "./tree.ts";

/** The `order_by` values of the recycle-bin listing (smh-api.md §5.1). */
export const RECYCLED_ORDER_BY = [
  "name",
  "modificationTime",
  "size",
  "removalTime",
  "remainingTime",
] as const;
export type RecycledOrderBy = (typeof RECYCLED_ORDER_BY)[number];

/**
 * One recycled item: a directory (with everything that was below it) or a file, detached from the
 * tree. Restoring re-attaches `node` as is, so the content comes back with it.
 */
export interface RecycledItem {
  readonly id: number;
  readonly spaceId: string;
  readonly node: TreeNode;
  readonly name: string;
  readonly type: EntryType;
  readonly originalPath: readonly string[];
  readonly removalTime: number;
  /** removalTime + retention; moves only when retention is lengthened. */
  expiresAt: number;
  /** Files only. */
  readonly size: number | null;
}

/** One page of the recycle bin. */
export interface RecycledPage {
  readonly items: RecycledItem[];
  readonly nextMarker: string | null;
  readonly totalNum: number;
}

function sortValue(item: RecycledItem, orderBy: RecycledOrderBy | null): string | number {
  switch (orderBy) {
    case null:
      return item.id;
    case "name":
      return item.name;
    case "modificationTime":
      return item.node.modificationTime;
    case "size":
      return item.size ?? 0;
    case "removalTime":
      return item.removalTime;
    case "remainingTime":
      return item.expiresAt;
  }
}

function comparator(orderBy: RecycledOrderBy | null): (a: RecycledItem, b: RecycledItem) => number {
  return (a, b) => compareKeys(sortValue(a, orderBy), a.id, sortValue(b, orderBy), b.id);
}

/**
 * The recycle bin of one space.
 *
 * Items are indexed by id, by expiry (so expiring is a walk from the front), by original path
 * (so a lost `recycledItemId` can be found again) and by each listing order that has been asked
 * for. The default listing order is "unsorted" in SMH; here it is deletion order (id ascending).
 */
export class RecycleBin {
  readonly #items = new Map<number, RecycledItem>();
  readonly #byId = new SortedIndex<RecycledItem>(comparator(null));
  readonly #byExpiry = new SortedIndex<RecycledItem>(comparator("remainingTime"));
  readonly #views = new Map<RecycledOrderBy, SortedIndex<RecycledItem>>();
  readonly #byPath = new Map<string, Set<RecycledItem>>();

  get size(): number {
    return this.#items.size;
  }

  get(id: number): RecycledItem | undefined {
    return this.#items.get(id);
  }

  /** Every item, in id order. */
  all(): readonly RecycledItem[] {
    return this.#byId.items();
  }

  /** Items whose original path is `segments`, oldest first. */
  findByOriginalPath(segments: readonly string[]): RecycledItem[] {
    const found = this.#byPath.get(pathKey(segments));
    return found ? [...found].sort((a, b) => a.id - b.id) : [];
  }

  add(item: RecycledItem): void {
    this.#items.set(item.id, item);
    this.#byId.insert(item);
    this.#byExpiry.insert(item);
    for (const view of this.#views.values()) view.insert(item);
    const key = pathKey(item.originalPath);
    let set = this.#byPath.get(key);
    if (set === undefined) {
      set = new Set();
      this.#byPath.set(key, set);
    }
    set.add(item);
  }

  /** Removes and returns an item, or undefined if it is not in the bin. */
  take(id: number): RecycledItem | undefined {
    const item = this.#items.get(id);
    if (item === undefined) return undefined;
    this.#items.delete(id);
    this.#byId.remove(item);
    this.#byExpiry.remove(item);
    for (const view of this.#views.values()) view.remove(item);
    const key = pathKey(item.originalPath);
    const set = this.#byPath.get(key);
    set?.delete(item);
    if (set?.size === 0) this.#byPath.delete(key);
    return item;
  }

  /** Removes and returns the items whose retention has run out at `now`. */
  sweep(now: number): RecycledItem[] {
    const expired: RecycledItem[] = [];
    for (
      let head = this.#byExpiry.at(0);
      head && head.expiresAt <= now;
      head = this.#byExpiry.at(0)
    ) {
      this.take(head.id);
      expired.push(head);
    }
    return expired;
  }

  /** Removes and returns every item. */
  clear(): RecycledItem[] {
    const all = [...this.#byId.items()];
    this.#items.clear();
    this.#byId.clear();
    this.#byExpiry.clear();
    this.#views.clear();
    this.#byPath.clear();
    return all;
  }

  /**
   * Applies a longer retention to the items already in the bin. A shorter one only applies to
   * items deleted later (SDK: "lengthening applies to existing items").
   */
  lengthenRetention(retentionMs: number): void {
    for (const item of [...this.#byId.items()]) {
      const expiresAt = item.removalTime + retentionMs;
      if (expiresAt > item.expiresAt) {
        this.take(item.id);
        item.expiresAt = expiresAt;
        this.add(item);
      }
    }
  }

  /** One page in `orderBy` order (null = deletion order). */
  list(orderBy: RecycledOrderBy | null, descending: boolean, paging: Paging): RecycledPage {
    const index = this.#view(orderBy);
    const signature = `recycled|${orderBy ?? "unsorted"}|${descending ? "desc" : "asc"}`;
    const position =
      paging.mode === "marker" && paging.marker !== null
        ? decodeMarker(paging.marker, signature)
        : null;
    const cursor = position
      ? (item: RecycledItem) =>
          compareKeys(sortValue(item, orderBy), item.id, position.value, position.tie)
      : null;
    const stream = iterateFrom(index, cursor, descending);
    const page =
      paging.mode === "marker"
        ? takePage(stream, 0, paging.limit)
        : takePage(stream, (paging.page - 1) * paging.pageSize, paging.pageSize);
    const last = page.items[page.items.length - 1];
    const nextMarker =
      paging.mode === "marker" && page.more && last !== undefined
        ? encodeMarker({ signature, lane: 0, value: sortValue(last, orderBy), tie: last.id })
        : null;
    return { items: page.items, nextMarker, totalNum: index.size };
  }

  #view(orderBy: RecycledOrderBy | null): SortedIndex<RecycledItem> {
    if (orderBy === null) return this.#byId;
    if (orderBy === "remainingTime") return this.#byExpiry;
    let view = this.#views.get(orderBy);
    if (view === undefined) {
      view = new SortedIndex(comparator(orderBy), this.#byId.items());
      this.#views.set(orderBy, view);
    }
    return view;
  }
}
