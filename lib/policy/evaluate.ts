/**
 * Where safety is enforced: whether the policy allows one delete job, and if not, every rule it
 * breaks. Called for every job before SMH is; nothing else decides what may be deleted.
 */
import { InvalidPathError, toSegments } from "../smh/paths.ts";
import type { DeletionPolicy, LibraryPolicy } from "./config.ts";
import { exactProtection, Protection } from "./protection.ts";
import { PolicyRule, type PolicyVerdict, type PolicyViolation } from "./rules.ts";
import { isSamePath, isStrictlyUnder } from "./segments.ts";

/** What the policy looks at in a job (a `DeleteJob` has all of it). */
export interface PolicySubject {
  libraryId: string;
  spaceId: string;
  path: string;
  permanent: boolean;
}

/** How many entries of a list a violation message names before it says "and N more". */
const NAMED_ENTRIES = 5;

/**
 * Evaluates `job` against `policy`. Returns `{ allowed: true }` only when no rule is broken;
 * otherwise every broken rule once, by name ({@link PolicyRule}), with a message naming the path and
 * the entries involved. A library that is not configured breaks `library-not-allowed` only (its
 * other rules do not exist). The path is checked here again, so a caller that skipped the job
 * schema still cannot get an unsafe path through (`invalid-path`).
 *
 * Allowed prefixes and paths (and permanent prefixes) match exactly: a look-alike is not inside
 * them. Protected paths and globs match loosely (`segments.ts`): a look-alike of a protected path
 * is protected.
 *
 * @example
 * const verdict = evaluatePolicy(policy, job);
 * if (!verdict.allowed) publish(rejectedDeletion(job, verdict.violations, timing));
 */
export function evaluatePolicy(policy: DeletionPolicy, job: PolicySubject): PolicyVerdict {
  const library = policy.libraries.get(job.libraryId);
  if (library === undefined) {
    return refuse([
      {
        rule: PolicyRule.libraryNotAllowed,
        message: `library ${JSON.stringify(job.libraryId)} is not in the deletion policy`,
      },
    ]);
  }
  const violations: PolicyViolation[] = [];
  if (library.spaces !== "*" && !library.spaces.has(job.spaceId)) {
    violations.push({
      rule: PolicyRule.spaceNotAllowed,
      message: `space ${JSON.stringify(job.spaceId)} is not allowed in library ${library.libraryId} (allowed: ${named([...library.spaces])})`,
    });
  }
  let path: string[];
  try {
    path = toSegments(job.path);
  } catch (error) {
    if (!(error instanceof InvalidPathError)) throw error;
    violations.push({
      rule: PolicyRule.invalidPath,
      message: `${error.message} (${error.problem})`,
    });
    return refuse(violations);
  }
  violations.push(...pathViolations(library, job.spaceId, path, job.permanent));
  return violations.length === 0 ? { allowed: true } : refuse(violations);
}

function pathViolations(
  library: LibraryPolicy,
  spaceId: string,
  path: readonly string[],
  permanent: boolean,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const shown = JSON.stringify(path.join("/"));
  if (path.length < library.minDepth) {
    violations.push({
      rule: PolicyRule.pathTooShallow,
      message: `${shown} has ${path.length} segment(s); library ${library.libraryId} requires at least ${library.minDepth} (minDepth)`,
    });
  }
  if (library.maxDepth !== undefined && path.length > library.maxDepth) {
    violations.push({
      rule: PolicyRule.pathTooDeep,
      message: `${shown} has ${path.length} segments; library ${library.libraryId} allows at most ${library.maxDepth} (maxDepth)`,
    });
  }
  const album = library.albumSpaces.has(spaceId) && path.length === 1;
  const allowed =
    album ||
    library.allowedPrefixes.some((prefix) => isStrictlyUnder(path, toSegments(prefix))) ||
    library.allowedPaths.some((allowedPath) => isSamePath(path, toSegments(allowedPath)));
  if (!allowed) {
    violations.push({
      rule: PolicyRule.prefixNotAllowed,
      message: `${shown} is not strictly under an allowed prefix (${named(library.allowedPrefixes)}), nor an allowed path (${named(library.allowedPaths)}), nor an album of an album space (${named([...library.albumSpaces])})`,
    });
  }
  const covered: string[] = [];
  const below: string[] = [];
  const record = (entry: string, protection: Protection | undefined) => {
    if (protection === Protection.covered) covered.push(entry);
    else if (protection === Protection.ancestor) below.push(entry);
  };
  const folding = { ignoreCase: library.protectionIgnoresCase };
  for (const entry of library.protectedPaths) {
    record(JSON.stringify(entry), exactProtection(path, toSegments(entry), folding));
  }
  for (const glob of library.protectedGlobs) {
    record(`glob ${JSON.stringify(glob.pattern)}`, glob.protectionOf(path));
  }
  if (covered.length > 0) {
    violations.push({
      rule: PolicyRule.protectedPath,
      message: `${shown} is protected, or inside a protected path: ${listed(covered)}`,
    });
  }
  if (below.length > 0) {
    violations.push({
      rule: PolicyRule.protectsDescendant,
      message: `deleting ${shown} would delete protected paths below it: ${listed(below)}`,
    });
  }
  const permanentPrefixes = library.permanentPrefixes;
  if (
    permanent &&
    permanentPrefixes !== "*" &&
    !permanentPrefixes.some((prefix) => isStrictlyUnder(path, toSegments(prefix)))
  ) {
    violations.push({
      rule: PolicyRule.permanentNotAllowed,
      message:
        permanentPrefixes.length === 0
          ? `library ${library.libraryId} allows no permanent deletion; send permanent: false to use the recycle bin`
          : `permanent deletion of ${shown} is not allowed: it is not strictly under ${named(permanentPrefixes)}`,
    });
  }
  return violations;
}

function refuse(violations: PolicyViolation[]): PolicyVerdict {
  return { allowed: false, violations };
}

/** Quoted entries of a configuration list, for a message. */
function named(entries: readonly string[]): string {
  return entries.length === 0 ? "none" : listed(entries.map((entry) => JSON.stringify(entry)));
}

/** Already formatted items, at most {@link NAMED_ENTRIES} of them, then a count of the rest. */
function listed(items: readonly string[]): string {
  const shown = items.slice(0, NAMED_ENTRIES);
  const rest = items.length - shown.length;
  return rest > 0 ? `${shown.join(", ")} and ${rest} more` : shown.join(", ");
}
