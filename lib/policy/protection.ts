/**
 * Protected paths: directories no job may delete, directly or by deleting something above them.
 *
 * SMH deletes recursively, so a protected directory `P` is touched by deleting
 *
 * - `P` itself, or anything inside it (`P/x`): deleting part of a protected tree is deleting
 *   protected data → {@link Protection.covered} (rule `protected-path`);
 * - any ancestor of `P` (deleting `a` deletes `a/b/P`) → {@link Protection.ancestor}
 *   (rule `protects-descendant`).
 *
 * A glob protects every path it matches in the same way. For the ancestor case the question is
 * "could anything below this path match?", answered segment by segment without listing SMH; a `**`
 * answers yes for everything below it, so `**`/`x` refuses every deletion in the library. That is
 * the truth (any directory may hold an `x`), not a bug.
 *
 * Matching is loose (see `segments.ts`): a path is compared percent-decoded, under NFKC, without
 * invisible characters or whitespace at the ends of its segments and, unless the library turns it
 * off, whatever its letter case; `*` matches names that start with a dot. So every look-alike of a
 * protected path is protected too: a protection errs towards refusing.
 */
import picomatch from "picomatch";
import { withoutInvisible } from "../smh/name-characters.ts";
import { type FoldOptions, foldName, foldPath, isSamePath } from "./segments.ts";

/** How deleting a path touches a protected path. */
export const Protection = {
  /** The path is the protected path or inside it. */
  covered: "covered",
  /** The path is an ancestor of the protected path (or, for a glob, of a path it could match). */
  ancestor: "ancestor",
} as const;
export type Protection = (typeof Protection)[keyof typeof Protection];

/** How protections compare names: case-folded or not (the library's `protectionIgnoresCase`). */
export interface ProtectionOptions {
  readonly ignoreCase: boolean;
}

/**
 * How deleting `path` touches the protected path `protectedPath` (both as segments, compared
 * folded: see the module comment), or `undefined` when it does not.
 *
 * @example exactProtection(["projects", "apollo\u200b"], ["projects", "apollo"], { ignoreCase: true }) // "covered"
 */
export function exactProtection(
  path: readonly string[],
  protectedPath: readonly string[],
  options: ProtectionOptions,
): Protection | undefined {
  const ours = foldPath(path, options);
  const theirs = foldPath(protectedPath, options);
  const shared = Math.min(ours.length, theirs.length);
  if (!isSamePath(ours.slice(0, shared), theirs.slice(0, shared))) return undefined;
  return ours.length >= theirs.length ? Protection.covered : Protection.ancestor;
}

/** Thrown by {@link compileProtectedGlob} for a pattern that cannot be used safely. */
export class ProtectedGlobError extends Error {
  override readonly name = "ProtectedGlobError";
}

/** A compiled protected glob. */
export interface ProtectedGlob {
  /**
   * The pattern as compared: NFKC, without invisible characters, no leading, trailing or repeated
   * `/`, no whitespace at either end of a segment.
   */
  readonly pattern: string;
  /** How deleting `path` (as segments) touches a path this glob matches, or `undefined`. */
  protectionOf(path: readonly string[]): Protection | undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Compiles a protected glob (picomatch syntax, relative to the space root, `/` between segments).
 * Throws {@link ProtectedGlobError} for a pattern that is empty, negated (`!x` would protect
 * everything *but* x), has a `.` or `..` segment or a control character, or puts `/` inside a
 * `{...}`, `(...)` or `[...]` group (the ancestor check works one segment at a time; write two
 * patterns instead). A path is matched loosely (see the module comment), case-insensitively unless
 * `ignoreCase` is false.
 *
 * @example compileProtectedGlob("users/*\/profile").protectionOf(["users", "alice"]) // "ancestor"
 */
export function compileProtectedGlob(
  input: string,
  options: ProtectionOptions = { ignoreCase: true },
): ProtectedGlob {
  if (CONTROL.test(input)) throw new ProtectedGlobError("pattern contains a control character");
  // Folded like a path, but not case-folded (picomatch's nocase does that) nor percent-decoded
  // (the pattern is written by the operator, and `%` means itself in it).
  const segments = withoutInvisible(input.normalize("NFKC"))
    .split("/")
    .map((segment) => foldName(segment, false))
    .filter((segment) => segment !== "");
  if (segments.length === 0) throw new ProtectedGlobError("pattern is empty");
  const pattern = segments.join("/");
  if (pattern.startsWith("!")) {
    throw new ProtectedGlobError(
      "negated patterns are not supported (they would protect everything else): list what to protect",
    );
  }
  if (segments.some((segment) => segment === "." || segment === "..")) {
    throw new ProtectedGlobError('pattern contains a "." or ".." segment');
  }
  if (hasSlashInGroup(pattern)) {
    throw new ProtectedGlobError(
      "a {...}, (...) or [...] group must not contain '/': write one pattern per alternative",
    );
  }
  // Case: picomatch's nocase covers simple case; a case-folded copy of the pattern covers what it
  // does not (`ß` and `SS`). Every combination below is tried, and any match protects: adding a
  // variant can only protect more.
  const patterns = options.ignoreCase
    ? [segments, segments.map((segment) => foldName(segment, true))]
    : [segments];
  const matchers = patterns.map((pattern) => globMatcher(pattern, options.ignoreCase));
  // The path is tried decoded and as written (a literal `%` in a pattern must match itself), and
  // case-folded and not (a `[ß]` class must match `ß`).
  const foldings: FoldOptions[] = [true, false].flatMap((decode) =>
    (options.ignoreCase ? [true, false] : [false]).map((ignoreCase) => ({ ignoreCase, decode })),
  );

  return {
    pattern,
    protectionOf(path) {
      const variants = foldings.map((folding) => foldPath(path, folding));
      const covered = variants.some((folded) => matchers.some((matcher) => matcher.covers(folded)));
      if (covered) return Protection.covered;
      const below = variants.some((folded) =>
        matchers.some((matcher) => matcher.couldMatchBelow(folded)),
      );
      return below ? Protection.ancestor : undefined;
    },
  };
}

/** A compiled pattern: does it match the path or one of its ancestors; could it match below it? */
function globMatcher(segments: readonly string[], ignoreCase: boolean) {
  const options = { dot: true, nocase: ignoreCase };
  const whole = picomatch(segments.join("/"), options);
  const perSegment = segments.map((segment) =>
    segment === "**" ? "globstar" : picomatch(segment, options),
  );
  return {
    covers(path: readonly string[]): boolean {
      for (let depth = 1; depth <= path.length; depth++) {
        if (whole(path.slice(0, depth).join("/"))) return true;
      }
      return false;
    },
    // Could a path strictly below `path` match? Walk the pattern one segment at a time.
    couldMatchBelow(path: readonly string[]): boolean {
      for (const [index, segment] of path.entries()) {
        const matcher = perSegment[index];
        if (matcher === undefined) return false; // the path is already deeper than any match
        if (matcher === "globstar") return true;
        if (!matcher(segment)) return false;
      }
      return path.length < perSegment.length;
    },
  };
}

function hasSlashInGroup(pattern: string): boolean {
  let depth = 0;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === "\\") index++;
    else if (char === "{" || char === "(" || char === "[") depth++;
    else if ((char === "}" || char === ")" || char === "]") && depth > 0) depth--;
    else if (char === "/" && depth > 0) return true;
  }
  return false;
}
