import type { SortedIndex } from "../sorted-index.ts";

/** Marker paging or page paging (of a directory listing or the recycle bin); never both. */
export type Paging =
  | { readonly mode: "marker"; readonly marker: string | null; readonly limit: number }
  | { readonly mode: "page"; readonly page: number; readonly pageSize: number };

/**
 * Iterates a sorted index from just after a cursor, ascending or descending.
 * `compareToCursor(item)` is negative for items that sort before the cursor; null starts at the
 * beginning (or the end, when descending).
 */
export function* iterateFrom<T>(
  index: SortedIndex<T>,
  compareToCursor: ((item: T) => number) | null,
  descending: boolean,
): Generator<T> {
  if (descending) {
    let i = compareToCursor ? index.lowerBoundBy(compareToCursor) - 1 : index.size - 1;
    for (; i >= 0; i--) yield index.at(i) as T;
  } else {
    let i = compareToCursor ? index.upperBoundBy(compareToCursor) : 0;
    for (; i < index.size; i++) yield index.at(i) as T;
  }
}

/** Merges two already-ordered streams by `compare` (negative: take from `a`). */
export function* mergeOrdered<T>(
  a: Iterator<T>,
  b: Iterator<T>,
  compare: (x: T, y: T) => number,
): Generator<T> {
  let nextA = a.next();
  let nextB = b.next();
  while (!nextA.done || !nextB.done) {
    if (nextB.done || (!nextA.done && compare(nextA.value, nextB.value) <= 0)) {
      yield nextA.value as T;
      nextA = a.next();
    } else {
      yield nextB.value;
      nextB = b.next();
    }
  }
}

/** A page taken from a stream: `items`, and whether anything follows it. */
export interface Page<T> {
  readonly items: T[];
  readonly more: boolean;
}

/** Skips `skip` items, then takes up to `limit`, peeking one further to know whether more follow. */
export function takePage<T>(stream: Iterator<T>, skip: number, limit: number): Page<T> {
  for (let i = 0; i < skip; i++) if (stream.next().done) return { items: [], more: false };
  const items: T[] = [];
  while (items.length < limit) {
    const next = stream.next();
    if (next.done) return { items, more: false };
    items.push(next.value);
  }
  return { items, more: !stream.next().done };
}
