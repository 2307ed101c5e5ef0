/**
 * The deletion policy: what may be deleted at all. Loaded once at startup
 * ({@link loadPolicyFromEnv}), consulted for every job ({@link evaluatePolicy}).
 */
export {
  type DeletionPolicy,
  type DeletionPolicyConfig,
  type LibraryPolicy,
  parsePolicy,
} from "./config.ts";
export { PolicyConfigError, type PolicyConfigIssue } from "./errors.ts";
export { evaluatePolicy, type PolicySubject } from "./evaluate.ts";
export { loadPolicyFromEnv, PolicyEnv, parsePolicyText } from "./load.ts";
export {
  compileProtectedGlob,
  exactProtection,
  type ProtectedGlob,
  ProtectedGlobError,
  Protection,
} from "./protection.ts";
export { evaluateRecycleAction, type RecycleActionSubject } from "./recycle.ts";
export { PolicyRule, type PolicyVerdict, type PolicyViolation } from "./rules.ts";
