/** Orders two items: negative when `a` sorts first. */
export type Compare<T> = (a: T, b: T) => number;

/**
 * An array kept sorted under insertions and removals.
 *
 * Listing views and recycle-bin orders are built on it: a page is found by binary search instead
 * of re-sorting the whole directory, and one change costs a binary search plus one `splice`
 * (a memmove), which stays cheap at 100,000 entries.
 *
 * The comparator must be a total order over the items it holds (ties broken by a unique key), and
 * an item's sort key must not change while it is in the index: remove it, change it, insert it.
 */
export class SortedIndex<T> {
  readonly #items: T[];
  readonly #compare: Compare<T>;

  constructor(compare: Compare<T>, items: Iterable<T> = []) {
    this.#compare = compare;
    this.#items = Array.from(items).sort(compare);
  }

  get size(): number {
    return this.#items.length;
  }

  /** The item at `index`, or undefined outside [0, size). */
  at(index: number): T | undefined {
    return this.#items[index];
  }

  /** The items in order (a live view: do not mutate). */
  items(): readonly T[] {
    return this.#items;
  }

  insert(item: T): void {
    const items = this.#items;
    const last = items[items.length - 1];
    // Appending in order is the common case when seeding and numbering ids.
    if (last === undefined || this.#compare(last, item) < 0) {
      items.push(item);
      return;
    }
    items.splice(
      this.lowerBoundBy((probe) => this.#compare(probe, item)),
      0,
      item,
    );
  }

  /** Removes `item` (by identity); returns whether it was present. */
  remove(item: T): boolean {
    const items = this.#items;
    const index = this.lowerBoundBy((probe) => this.#compare(probe, item));
    if (items[index] === item) {
      items.splice(index, 1);
      return true;
    }
    // A caller that broke the "key must not change" rule still gets a correct removal.
    const fallback = items.indexOf(item);
    if (fallback < 0) return false;
    items.splice(fallback, 1);
    return true;
  }

  /** Removes every item. */
  clear(): void {
    this.#items.length = 0;
  }

  /**
   * The first index whose item compares >= 0 against a target, where `compareToTarget(item)` is
   * negative for items before the target. Returns `size` when every item is before it.
   */
  lowerBoundBy(compareToTarget: (item: T) => number): number {
    let low = 0;
    let high = this.#items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareToTarget(this.#items[mid] as T) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The first index whose item compares > 0 against the target (see {@link lowerBoundBy}). */
  upperBoundBy(compareToTarget: (item: T) => number): number {
    let low = 0;
    let high = this.#items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareToTarget(this.#items[mid] as T) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
