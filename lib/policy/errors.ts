/** One problem in a deletion policy: the dotted path of the bad field and what is wrong with it. */
export interface PolicyConfigIssue {
  path: string;
  message: string;
}

/**
 * Thrown at startup when the deletion policy is missing, unreadable or invalid. The message names
 * where the policy came from and every bad field by its dotted path
 * (`libraries.smh1.allowedPrefixes.0`), so the operator can fix it without reading code. Nothing
 * may be deleted until it is fixed.
 */
export class PolicyConfigError extends Error {
  override readonly name = "PolicyConfigError";
  /** Where the policy came from: `SMH_POLICY`, `SMH_POLICY_FILE (/etc/policy.yaml)`, ... */
  readonly source: string;
  readonly issues: readonly PolicyConfigIssue[];

  constructor(
    source: string,
    issues: readonly PolicyConfigIssue[],
    summary = "invalid deletion policy",
  ) {
    const lines = issues.map((issue) =>
      issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`,
    );
    super(`${summary} (${source}):\n${lines.map((line) => `  ${line}`).join("\n")}`);
    this.source = source;
    this.issues = issues;
  }
}
