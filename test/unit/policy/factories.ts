/** Builders for the policy tests. */
import type { DeletionPolicyConfig } from "../../../lib/policy/config.ts";
import { type DeletionPolicy, parsePolicy } from "../../../lib/policy/config.ts";
import type { PolicySubject } from "../../../lib/policy/evaluate.ts";

type LibraryConfig = DeletionPolicyConfig["libraries"][string];

/** A policy with one library, `smh1`, in the single-tenant space, allowing deletion under `events`. */
export function policyFor(library: Partial<LibraryConfig> = {}): DeletionPolicy {
  return parsePolicy({
    libraries: { smh1: { spaces: ["-"], allowedPrefixes: ["events"], ...library } },
  });
}

/** A job for `smh1`, space `-`, recycle (not permanent). */
export function subject(path: string, overrides: Partial<PolicySubject> = {}): PolicySubject {
  return { libraryId: "smh1", spaceId: "-", path, permanent: false, ...overrides };
}
