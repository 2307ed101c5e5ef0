/**
 * The names of the policy's rules. They appear in `rejected` results (`{ rule, message }`), so
 * they are stable strings: alerting and dashboards may match on them.
 */
export const PolicyRule = {
  /** The job's library is not listed in the policy: every library must be allowed by name. */
  libraryNotAllowed: "library-not-allowed",
  /** The job's space is not among the library's allowed spaces. */
  spaceNotAllowed: "space-not-allowed",
  /** The path is not one SMH may be sent (empty, root, `..`, control character, ...). */
  invalidPath: "invalid-path",
  /** The path has fewer segments than the library's `minDepth`. */
  pathTooShallow: "path-too-shallow",
  /** The path has more segments than the library's `maxDepth`. */
  pathTooDeep: "path-too-deep",
  /** The path is neither strictly under an allowed prefix nor one of the allowed paths. */
  prefixNotAllowed: "prefix-not-allowed",
  /** The path is a protected path or lies inside one. */
  protectedPath: "protected-path",
  /** The path is an ancestor of a protected path: deleting it would delete the protected one. */
  protectsDescendant: "protects-descendant",
  /** The job asks for permanent deletion where the library does not allow it. */
  permanentNotAllowed: "permanent-not-allowed",
  /** A purge of recycle-bin items where the library does not set `allowPurge: true`. */
  purgeNotAllowed: "purge-not-allowed",
} as const;

/** A rule name, as it appears in a violation. */
export type PolicyRule = (typeof PolicyRule)[keyof typeof PolicyRule];

/** One broken rule: its name and what, for this job, broke it. */
export interface PolicyViolation {
  rule: PolicyRule;
  message: string;
}

/** The policy's answer for one job: allowed, or every rule it breaks. */
export type PolicyVerdict = { allowed: true } | { allowed: false; violations: PolicyViolation[] };
