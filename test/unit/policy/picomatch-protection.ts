/**
 * How protected globs were read before they moved to the product's glob dialect: picomatch with
 * `dot` and `nocase`, the pattern folded like a path (NFKC, no invisible characters or edge
 * whitespace), tried as written and case-folded, against the path decoded and not, case-folded
 * and not. Kept as the model the new reading must protect at least as much as
 * (`protected-glob.property.test.ts`). It folds paths with today's `foldPath`, whose case folding
 * also treats ς as σ: a model slightly wider than the old code, which only makes the comparison
 * stricter.
 */
import picomatch from "picomatch";
import { Protection } from "../../../lib/policy/protection.ts";
import { type FoldOptions, foldName, foldPath } from "../../../lib/policy/segments.ts";
import { withoutInvisible } from "../../../lib/smh/name-characters.ts";

/** The protection picomatch gave `path` under `pattern`, or `undefined`. */
export type FormerProtection = (path: readonly string[]) => Protection | undefined;

/** Compiles `input` as the policy did with picomatch (refusals aside: the caller checks those). */
export function picomatchProtection(input: string, ignoreCase = true): FormerProtection {
  const segments = withoutInvisible(input.normalize("NFKC"))
    .split("/")
    .map((segment) => foldName(segment, false))
    .filter((segment) => segment !== "");
  const patterns = ignoreCase
    ? [segments, segments.map((segment) => foldName(segment, true))]
    : [segments];
  const matchers = patterns.map((pattern) => globMatcher(pattern, ignoreCase));
  const foldings: FoldOptions[] = [true, false].flatMap((decode) =>
    (ignoreCase ? [true, false] : [false]).map((fold) => ({ ignoreCase: fold, decode })),
  );
  return (path) => {
    const variants = foldings.map((folding) => foldPath(path, folding));
    if (variants.some((folded) => matchers.some((matcher) => matcher.covers(folded)))) {
      return Protection.covered;
    }
    const below = variants.some((folded) =>
      matchers.some((matcher) => matcher.couldMatchBelow(folded)),
    );
    return below ? Protection.ancestor : undefined;
  };
}

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
    couldMatchBelow(path: readonly string[]): boolean {
      for (const [index, segment] of path.entries()) {
        const matcher = perSegment[index];
        if (matcher === undefined) return false;
        if (matcher === "globstar") return true;
        if (!matcher(segment)) return false;
      }
      return path.length < perSegment.length;
    },
  };
}
