/**
 * The spaces a rule is scanned in, asking SMH for as little as possible:
 *
 * - a rule that lists its spaces: those;
 * - a rule on every space (`"*"`) of a library whose deletion policy lists its spaces: the
 *   policy's spaces — any other could never yield a deletion, and no space needs listing;
 * - a rule on every space of a library whose policy allows every space: the spaces SMH lists.
 *   Listing every space takes a `space_admin` token, so that grant is asked for in this case only
 *   (`"-"` alone for a single-tenant library).
 */
import type { DeletionPolicy } from "../policy/config.ts";
import type { DirectorySource } from "./listing.ts";
import type { RetentionRule } from "./rules.ts";

/** The spaces `rule` is scanned in, sorted as written or listed. Throws what the listing throws. */
export async function spacesOf(
  rule: RetentionRule,
  policy: DeletionPolicy,
  source: DirectorySource,
  options: { deadline?: number | undefined },
): Promise<string[]> {
  if (rule.spaces !== "*") return [...rule.spaces];
  const library = policy.libraries.get(rule.libraryId);
  if (library === undefined) {
    throw new RangeError(
      `library ${rule.libraryId} is not in the deletion policy: retention rule ${JSON.stringify(rule.id)} can delete nothing`,
    );
  }
  if (library.spaces !== "*") return [...library.spaces].sort();
  return source.spaces(rule.libraryId, options);
}
