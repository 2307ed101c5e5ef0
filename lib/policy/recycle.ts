/**
 * Whether the policy allows a recycle-bin action (restore or purge) in a library's space.
 *
 * A recycle command names recycle-bin item IDs, not paths, so the rules are per library and space:
 *
 * - **restore** undoes a deletion: allowed for every library in the policy, in any of its spaces
 *   (a space taken off the policy's list stops further deletions there, not the undoing of earlier
 *   ones).
 * - **purge** cannot be undone and acts on any item of the space, including items this product
 *   never deleted: the library must be in the policy, the space among its allowed spaces, and the
 *   library must set `allowPurge: true`.
 */
import type { DeletionPolicy } from "./config.ts";
import { PolicyRule, type PolicyVerdict, type PolicyViolation } from "./rules.ts";

/** What the policy looks at in a recycle command. */
export interface RecycleActionSubject {
  libraryId: string;
  spaceId: string;
  action: "restore" | "purge";
}

/**
 * Evaluates a recycle action against `policy`: `{ allowed: true }`, or every rule it breaks.
 *
 * @example
 * const verdict = evaluateRecycleAction(policy, { libraryId, spaceId, action: "purge" });
 */
export function evaluateRecycleAction(
  policy: DeletionPolicy,
  subject: RecycleActionSubject,
): PolicyVerdict {
  const library = policy.libraries.get(subject.libraryId);
  if (library === undefined) {
    return {
      allowed: false,
      violations: [
        {
          rule: PolicyRule.libraryNotAllowed,
          message: `library ${JSON.stringify(subject.libraryId)} is not in the deletion policy`,
        },
      ],
    };
  }
  if (subject.action === "restore") return { allowed: true };
  const violations: PolicyViolation[] = [];
  if (library.spaces !== "*" && !library.spaces.has(subject.spaceId)) {
    violations.push({
      rule: PolicyRule.spaceNotAllowed,
      message: `space ${JSON.stringify(subject.spaceId)} is not allowed in library ${library.libraryId}: its recycle bin may not be purged`,
    });
  }
  if (!library.allowPurge) {
    violations.push({
      rule: PolicyRule.purgeNotAllowed,
      message: `library ${library.libraryId} does not allow purging recycle-bin items (set allowPurge: true in its policy); restore is allowed`,
    });
  }
  return violations.length === 0 ? { allowed: true } : { allowed: false, violations };
}
