/**
 * Where the deletion policy comes from: the environment, read once at startup.
 *
 * - `SMH_POLICY`: the policy inline, as JSON (or YAML).
 * - `SMH_POLICY_FILE`: the path of a JSON or YAML file holding it.
 *
 * Exactly one must be set. With neither, loading fails with a {@link PolicyConfigError} rather than
 * falling back to a default: a function that cannot say what it may delete must not start, and
 * its jobs stay on the queue (then the DLQ) until the policy is fixed, instead of being consumed as
 * `rejected`. To deploy a function that deliberately refuses everything, configure
 * `{"libraries": {}}`.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type DeletionPolicy, parsePolicy } from "./config.ts";
import { PolicyConfigError } from "./errors.ts";

/** The environment variables the policy is read from. */
export const PolicyEnv = { inline: "SMH_POLICY", file: "SMH_POLICY_FILE" } as const;

/**
 * Loads and validates the deletion policy from `env` (default `process.env`). Throws
 * {@link PolicyConfigError} when neither or both variables are set, the file cannot be read, the
 * text is not JSON/YAML, or a field is invalid (named by its dotted path).
 *
 * @example const policy = loadPolicyFromEnv(); // at cold start, outside the handler
 */
export function loadPolicyFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DeletionPolicy {
  const inline = env[PolicyEnv.inline]?.trim() || undefined;
  const file = env[PolicyEnv.file]?.trim() || undefined;
  if (inline !== undefined && file !== undefined) {
    throw new PolicyConfigError(
      "environment",
      [{ path: "", message: `set ${PolicyEnv.inline} or ${PolicyEnv.file}, not both` }],
      "ambiguous deletion policy",
    );
  }
  if (inline !== undefined) return parsePolicyText(inline, PolicyEnv.inline);
  if (file !== undefined) {
    const source = `${PolicyEnv.file} ${file}`;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new PolicyConfigError(source, [
        { path: "", message: `cannot read the file: ${detail}` },
      ]);
    }
    return parsePolicyText(text, source);
  }
  throw new PolicyConfigError(
    "environment",
    [
      {
        path: "",
        message: `set ${PolicyEnv.inline} (inline JSON) or ${PolicyEnv.file} (a JSON or YAML file); to refuse every deletion, configure {"libraries": {}}`,
      },
    ],
    "no deletion policy configured",
  );
}

/**
 * Decodes a policy written as JSON or YAML (YAML 1.2, a superset of JSON; duplicate keys are an
 * error) and validates it. Throws {@link PolicyConfigError}.
 */
export function parsePolicyText(text: string, source: string): DeletionPolicy {
  let config: unknown;
  try {
    config = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PolicyConfigError(source, [
      { path: "", message: `not valid JSON or YAML: ${detail}` },
    ]);
  }
  return parsePolicy(config, source);
}
