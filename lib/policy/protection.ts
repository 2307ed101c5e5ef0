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
 * A glob (the product's glob dialect, one name glob per segment and `**` for any depth: see
 * docs/globs.md) protects every path it matches in the same way. For the ancestor case the
 * question is "could anything below this path match?", answered segment by segment without listing
 * SMH; a `**` answers yes for everything below it, so `**`/`x` refuses every deletion in the
 * library. That is the truth (any directory may hold an `x`), not a bug.
 *
 * Matching is loose (see `segments.ts`): a path is compared percent-decoded, under NFKC, without
 * invisible characters or whitespace at the ends of its segments and, unless the library turns it
 * off, whatever its letter case; `*` matches names that start with a dot. So every look-alike of a
 * protected path is protected too: a protection errs towards refusing.
 */
import { type GlobCharacters, GlobError } from "../glob/glob.ts";
import { compilePathGlob, type PathGlob } from "../glob/path-glob.ts";
import { withoutInvisible } from "../smh/name-characters.ts";
import { formerSyntaxProblem } from "./former-glob-syntax.ts";
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

/** One way of reading a protected glob: how it touches a folded path. */
interface Reading {
  /** What the reading counts as one character. */
  readonly characters: GlobCharacters;
  readonly read: (path: readonly string[]) => Protection | undefined;
}

const SURROGATE = /[\uD800-\uDFFF]/;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Compiles a protected glob: a path glob of the product's glob dialect (`lib/glob/path-glob.ts`,
 * docs/globs.md), relative to the space root. A path is matched loosely (see the module comment),
 * case-insensitively unless `ignoreCase` is false, and the glob is read so that it protects at
 * least what its author meant and what the policy's former matcher (picomatch) protected:
 *
 * - as the dialect reads it, and each segment and each `[...]` also as written (`Photos
 *   [2019]/*` protects what is inside `Photos [2019]`, `Best of {2019,2020}` that directory too);
 * - counting characters as UTF-16 units too (`tmp-??` still protects `tmp-😀`).
 *
 * Throws {@link ProtectedGlobError} for a pattern that is empty, negated (`!x` would protect
 * everything *but* x), has a `.` or `..` segment or a control character, is not a valid path glob
 * (the message says why), or uses syntax picomatch read with a meaning the dialect does not have
 * (`former-glob-syntax.ts`).
 *
 * @example compileProtectedGlob("users/*\/profile").protectionOf(["users", "alice"]) // "ancestor"
 */
export function compileProtectedGlob(
  input: string,
  options: ProtectionOptions = { ignoreCase: true },
): ProtectedGlob {
  if (CONTROL.test(input)) throw new ProtectedGlobError("pattern contains a control character");
  // Folded like a path, but not case-folded (the glob's ignoreCase does that) nor percent-decoded
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
  const former = formerSyntaxProblem(pattern);
  if (former !== undefined) throw new ProtectedGlobError(former);
  // Case: the glob's ignoreCase covers simple case; a case-folded copy of the pattern covers what
  // it does not (`ß` and `SS`). Every reading below is tried, and any match protects: adding a
  // reading can only protect more.
  const spellings = distinct(
    options.ignoreCase
      ? [segments, segments.map((segment) => foldName(segment, true))]
      : [segments],
  );
  const readings = spellings.flatMap((spelling, index) =>
    globReadings(spelling.join("/"), options.ignoreCase, index === 0),
  );
  // The path is tried decoded and as written (a literal `%` in a pattern must match itself), and
  // case-folded and not (a `[ß]` set must match `ß`).
  const foldings: FoldOptions[] = [true, false].flatMap((decode) =>
    (options.ignoreCase ? [true, false] : [false]).map((ignoreCase) => ({ ignoreCase, decode })),
  );

  return {
    pattern,
    protectionOf(path) {
      const variants = distinct(foldings.map((folding) => foldPath(path, folding)));
      // Counting UTF-16 units matches nothing the code-point reading does not, unless a name
      // holds a surrogate pair (an emoji, a rare CJK character): only then is it worth trying.
      const pairs = variants.some((folded) => folded.some((name) => SURROGATE.test(name)));
      const apply = readings.filter(
        ({ characters }) => pairs || characters !== "UTF-16 code units",
      );
      const found = variants.flatMap((folded) => apply.map(({ read }) => read(folded)));
      if (found.includes(Protection.covered)) return Protection.covered;
      return found.includes(Protection.ancestor) ? Protection.ancestor : undefined;
    },
  };
}

/**
 * The glob readings of one spelling of the pattern: by code points and by UTF-16 units, each also
 * matching names as written. Only the first spelling's code-point reading decides whether the
 * pattern is valid; another reading that cannot be compiled (the case-folded spelling of `[Z-a]`,
 * the UTF-16 units of `[😀-😂]`) adds nothing, as it added nothing under picomatch either.
 */
function globReadings(pattern: string, ignoreCase: boolean, decides: boolean): Reading[] {
  const readings: Reading[] = [];
  for (const characters of ["code points", "UTF-16 code units"] as const) {
    let glob: PathGlob;
    try {
      glob = compilePathGlob(pattern, { ignoreCase, characters, alsoAsWritten: true });
    } catch (error) {
      if (!(error instanceof GlobError)) throw error;
      if (decides && characters === "code points") throw new ProtectedGlobError(error.message);
      continue;
    }
    readings.push({
      characters,
      read(path) {
        // Deleting a path deletes everything in it: a match at the path or above it covers it.
        if (path.some((_, index) => glob.matches(path.slice(0, index + 1)))) {
          return Protection.covered;
        }
        return glob.couldMatchBelow(path) ? Protection.ancestor : undefined;
      },
    });
  }
  return readings;
}

/** The paths without repeats (most paths fold the same way with and without decoding, say). */
function distinct(paths: readonly (readonly string[])[]): (readonly string[])[] {
  const seen = new Map(paths.map((path) => [path.join("/"), path]));
  return [...seen.values()];
}
