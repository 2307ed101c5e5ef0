/**
 * The classic two-pointer wildcard algorithm, shared by name globs (items are characters, `*` the
 * star) and path globs (items are path segments, `**` the star).
 */

/**
 * Whether `pattern` matches all of `items`, where a star matches any run of items (none included)
 * and every other pattern element matches exactly one item. On a mismatch the most recent star
 * swallows one more item; earlier stars never need revisiting, so the work is
 * O(items × pattern) whatever the pattern, with no backtracking blow-up.
 *
 * @example matchesWithStars(["a", "*", "c"], [..."abbc"], (p) => p === "*", (p, c) => p === c) // true
 */
export function matchesWithStars<Element, Item>(
  pattern: readonly Element[],
  items: readonly Item[],
  isStar: (element: Element) => boolean,
  matchesOne: (element: Element, item: Item) => boolean,
): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let starItem = 0;
  while (n < items.length) {
    const element = pattern[p];
    const item = items[n] as Item;
    if (element !== undefined && !isStar(element) && matchesOne(element, item)) {
      p++;
      n++;
    } else if (element !== undefined && isStar(element)) {
      star = p++;
      starItem = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++starItem;
    } else {
      return false;
    }
  }
  while (p < pattern.length && isStar(pattern[p] as Element)) p++;
  return p === pattern.length;
}
