/**
 * Path globs: name globs (`glob.ts`, the one dialect) between `/`, one per segment, and `**`
 * standing alone between slashes for any number of segments, none included. The deletion
 * policy's protected globs are path globs (docs/globs.md).
 *
 * A path glob answers two questions without listing anything: does a path match it, and could a
 * path strictly below a given path match it. The second is answered segment by segment; a `**`
 * answers yes for everything below it.
 *
 * Refused (with {@link GlobError}), besides what a name glob refuses: an empty segment, a `/`
 * inside `{...}` or `[...]` (a group stays within one name: write one glob per alternative), an
 * escaped `/`, and `**` inside a name (`a**`, `**.keep`: it means any depth only on its own).
 */
import { compileNameGlob, GlobError, type GlobOptions } from "./glob.ts";
import { matchesWithStars } from "./wildcard.ts";

/** The segment that matches any number of segments, none included. */
export const GLOBSTAR = "**";

/** A compiled path glob. Paths are given as their segments. */
export interface PathGlob {
  /** Whether the whole of `path` matches. */
  matches(path: readonly string[]): boolean;
  /** Whether some path strictly below `path` could match (`path` itself is not asked about). */
  couldMatchBelow(path: readonly string[]): boolean;
}

type Segment = typeof GLOBSTAR | ((name: string) => boolean);

/**
 * Compiles a path glob; each segment but `**` is a name glob read with `options`. Throws
 * {@link GlobError} for the patterns the module comment refuses.
 *
 * @example compilePathGlob("events/**\/*.keep").matches(["events", "a", "b", "x.keep"]) // true
 * @example compilePathGlob("users/*\/profile").couldMatchBelow(["users", "alice"]) // true
 */
export function compilePathGlob(pattern: string, options: GlobOptions = {}): PathGlob {
  const segments: Segment[] = splitSegments(pattern).map((segment) =>
    segment === GLOBSTAR ? GLOBSTAR : compileNameGlob(segment, { ...options, segmentOfPath: true }),
  );
  return {
    matches: (path) =>
      matchesWithStars(
        segments,
        path.length,
        (segment) => segment === GLOBSTAR,
        (segment, index) => segment !== GLOBSTAR && segment(path[index] ?? ""),
      ),
    couldMatchBelow(path) {
      for (const [index, name] of path.entries()) {
        const segment = segments[index];
        if (segment === undefined) return false; // the path is already deeper than any match
        if (segment === GLOBSTAR) return true;
        if (!segment(name)) return false;
      }
      return path.length < segments.length;
    },
  };
}

/** The pattern's segments, split at each `/` outside `{...}` and `[...]`. */
function splitSegments(pattern: string): string[] {
  const segments: string[] = [];
  let start = 0;
  let braces = 0;
  let inSet = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === "\\") {
      if (pattern[++index] === "/") {
        throw new GlobError("'/' cannot be escaped: a name never contains one");
      }
    } else if (inSet) inSet = char !== "]";
    else if (char === "[") inSet = true;
    else if (char === "{") braces++;
    else if (char === "}" && braces > 0) braces--;
    else if (char === "/") {
      if (braces > 0) {
        throw new GlobError("a {...} group must not contain '/': write one glob per alternative");
      }
      segments.push(pattern.slice(start, index));
      start = index + 1;
    }
    if (inSet && pattern[index + 1] === "/") {
      throw new GlobError("a [...] set must not contain '/': a name never contains one");
    }
  }
  segments.push(pattern.slice(start));
  if (segments.some((segment) => segment === "")) {
    throw new GlobError("glob has an empty segment (a leading, trailing or doubled '/')");
  }
  return segments;
}
