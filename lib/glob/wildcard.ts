/**
 * The classic two-pointer wildcard algorithm, shared by name globs (items are characters, `*` the
 * star) and path globs (items are path segments, `**` the star).
 */

/**
 * Whether `pattern` matches all `count` items, where a star matches any run of items (none
 * included) and every other pattern element matches exactly one item, as `matchesAt` says for the
 * item at an index. On a mismatch the most recent star swallows one more item; earlier stars never
 * need revisiting, so the work is O(items × pattern) whatever the pattern, with no backtracking
 * blow-up.
 *
 * @example
 * const name = [..."abbc"];
 * matchesWithStars(["a", "*", "c"], name.length, (p) => p === "*", (p, i) => p === name[i]) // true
 */
export function matchesWithStars<Element>(
  pattern: readonly Element[],
  count: number,
  isStar: (element: Element) => boolean,
  matchesAt: (element: Element, index: number) => boolean,
): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let starItem = 0;
  while (n < count) {
    const element = pattern[p];
    if (element !== undefined && !isStar(element) && matchesAt(element, n)) {
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
