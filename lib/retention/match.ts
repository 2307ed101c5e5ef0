/**
 * Which listing entries a rule looks at, and which of those its name filter selects.
 *
 * A rule only ever deletes **direct children of its parent** of type `dir`. An entry is taken as
 * one only when SMH's own `path` for it is exactly the parent's segments followed by its `name`;
 * a listing of the wrong directory, or an entry without a path, selects nothing. A child whose
 * name holds a `/`, or that a job could not name exactly (`.`/`..`, control characters,
 * whitespace at either end, invisible characters, a backslash, escapes that decode to `..` or a
 * separator, a name over 255 characters, a path over 4,096 characters), is never selected either:
 * the job would be refused, or name another directory than the one listed.
 *
 * Name filter: with no `include`, every name is included; with one, a name is included when any
 * pattern matches. A name any `exclude` pattern matches is excluded, whatever `include` says.
 */
import { MAX_PATH_LENGTH } from "../messages/fields.ts";
import { InvalidPathError, normalizePath } from "../smh/paths.ts";
import type { RetentionRule } from "./rules.ts";

/**
 * One entry of an SMH directory listing (smh-api.md §4), as the scanner passes it on. Only these
 * fields are read; anything else SMH sends is ignored. Values are checked here, not trusted.
 */
export interface ListingEntry {
  readonly name?: unknown;
  readonly path?: unknown;
  readonly type?: unknown;
  readonly creationTime?: unknown;
  readonly modificationTime?: unknown;
}

/** How an entry relates to a rule's parent. */
export type ChildVerdict =
  | { kind: "child"; name: string; path: string }
  | { kind: "not-a-directory" }
  | { kind: "not-direct-child" }
  | { kind: "unsafe-name"; name: string };

/**
 * Classifies `entry` against `parent` (segments, `[]` for the space root): a directory that is a
 * direct child with a path SMH can be sent unchanged (`child`, with that path), or why not.
 */
export function classifyEntry(parent: readonly string[], entry: ListingEntry): ChildVerdict {
  if (entry.type !== "dir") return { kind: "not-a-directory" };
  const { name, path } = entry;
  if (typeof name !== "string" || !Array.isArray(path)) return { kind: "not-direct-child" };
  const isDirectChild =
    path.length === parent.length + 1 &&
    parent.every((segment, index) => path[index] === segment) &&
    path[parent.length] === name;
  if (!isDirectChild) return { kind: "not-direct-child" };
  const joined = [...parent, name].join("/");
  // A "/" in a name would make the job's path name a grandchild that was never listed.
  const unsafe =
    name.includes("/") || joined.length > MAX_PATH_LENGTH || !isUnchangedByNormalising(joined);
  if (unsafe) {
    return { kind: "unsafe-name", name };
  }
  return { kind: "child", name, path: joined };
}

function isUnchangedByNormalising(path: string): boolean {
  try {
    return normalizePath(path) === path;
  } catch (error) {
    if (error instanceof InvalidPathError) return false;
    throw error;
  }
}

/** True when the rule's name filter selects `name` (see the module comment). */
export function matchesName(match: RetentionRule["match"], name: string): boolean {
  const included =
    match.include === undefined || match.include.some((pattern) => pattern.test(name));
  return included && !match.exclude.some((pattern) => pattern.test(name));
}
