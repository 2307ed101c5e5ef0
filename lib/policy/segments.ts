/**
 * Comparing paths segment by segment, so `events` is never a prefix of `eventsX`.
 *
 * Allowing compares segments exactly (code point for code point): an allowlist must never match
 * more than it says. Protecting compares *folded* segments (Unicode NFC, lower case): if SMH treats
 * `Café` (decomposed) and `café` as one name, a protection written either way still holds; if it does
 * not, the cost is a refused job, never a lost directory.
 */

/** True when `path` lies strictly below `prefix` (`events/a` under `events`; not `events` itself). */
export function isStrictlyUnder(path: readonly string[], prefix: readonly string[]): boolean {
  return path.length > prefix.length && prefix.every((segment, index) => segment === path[index]);
}

/** True when both name the same path, segment for segment. */
export function isSamePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((segment, index) => segment === b[index]);
}

/** The form protected paths are compared in: Unicode NFC, lower case. */
export function foldSegment(segment: string): string {
  return segment.normalize("NFC").toLowerCase();
}
