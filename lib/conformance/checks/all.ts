import type { Check } from "../check.ts";
import { DELETION_CHECKS } from "./deletion.ts";
import { DIRECTORY_CHECKS } from "./directories.ts";
import { RECYCLE_BIN_CHECKS } from "./recycle-bin.ts";
import { TOKEN_CHECKS, UNOBSERVABLE_CHECKS } from "./tokens.ts";

/**
 * Every conformance check, in the order a run performs them: directories and listing (the large
 * batch delete last, on the listing's fixture), deletion, the recycle bin, tokens, and the
 * behaviours that cannot be provoked safely.
 */
export const CHECKS: readonly Check[] = [
  ...DIRECTORY_CHECKS,
  ...DELETION_CHECKS,
  ...RECYCLE_BIN_CHECKS,
  ...TOKEN_CHECKS,
  ...UNOBSERVABLE_CHECKS,
];
