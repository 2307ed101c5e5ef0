/**
 * Where the CLI finds SMH, the library secrets and the deletion policy — for the commands that
 * read SMH themselves (`purge-albums` lists albums before it enqueues anything).
 *
 * - Base URL: `SMH_BASE_URL`; else the local stack's (its stack file's `smh.baseUrl`) when one is
 *   running; else, when `SMH_LIBRARY_SECRETS` is set, SMH itself (`https://{libraryId}.api.tencentsmh.cn`).
 * - Secrets: `SMH_LIBRARY_SECRETS` (`{"<libraryId>": "<secret>"}`), else — only when the base URL
 *   is the local stack's — the stack's `local-secrets.json` (0600, written when it runs the
 *   simulator). Secrets are handed to the SMH client and never printed.
 * - Policy: `SMH_POLICY` / `SMH_POLICY_FILE`, else — for the local stack — its `local-policy.json`
 *   (the policy its handlers run with). Without one the command refuses to plan: every album is
 *   checked against the policy before a plan is shown.
 */
import { LibrarySecrets, LibrarySecretsError } from "../config/library-secrets.ts";
import { smhClientFromEnv } from "../config/smh-client.ts";
import {
  LocalSecretsFileError,
  readLocalPolicyText,
  readLocalSecretsText,
} from "../local/local-files.ts";
import { readStackFile, StackFileError, stateDir } from "../local/stack-file.ts";
import type { DeletionPolicy } from "../policy/config.ts";
import { PolicyConfigError } from "../policy/errors.ts";
import { loadPolicyFromEnv, PolicyEnv, parsePolicyText } from "../policy/load.ts";
import type { SmhClient } from "../smh/client.ts";
import { DEFAULT_BASE_URL_TEMPLATE } from "../smh/config.ts";
import { SmhError, SmhErrorKind } from "../smh/errors/smh-error.ts";
import { CliError } from "./errors.ts";
import { ExitCode } from "./exit-codes.ts";

/** The SMH client, the libraries it serves and the policy, for one command run. */
export interface SmhContext {
  readonly client: SmhClient;
  /** Libraries with a secret. */
  readonly libraryIds: readonly string[];
  readonly baseUrl: string;
  /** Whether this is the local stack's SMH (the simulator). */
  readonly local: boolean;
  readonly policy: DeletionPolicy;
  /** Where the policy came from, for messages. */
  readonly policySource: string;
}

export interface SmhContextOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  isAlive?: (pid: number) => boolean;
}

/** Builds the {@link SmhContext}; throws {@link CliError} saying what to configure. */
export async function createSmhContext(options: SmhContextOptions = {}): Promise<SmhContext> {
  const env = options.env ?? process.env;
  const dir = stateDir(env, options.cwd);
  const configuredUrl = env.SMH_BASE_URL?.trim() || undefined;
  let baseUrl = configuredUrl;
  let local = false;
  if (baseUrl === undefined) {
    try {
      const stack = await readStackFile(dir, options.isAlive ? { isAlive: options.isAlive } : {});
      baseUrl = stack.smh.baseUrl;
      local = true;
    } catch (error) {
      if (!(error instanceof StackFileError)) throw error;
      if (!env.SMH_LIBRARY_SECRETS?.trim()) {
        throw new CliError(
          ExitCode.unavailable,
          `no SMH to talk to: set SMH_LIBRARY_SECRETS (and SMH_BASE_URL unless it is ${DEFAULT_BASE_URL_TEMPLATE}), or start the local stack with npm start (${error.message})`,
          { cause: error },
        );
      }
      baseUrl = DEFAULT_BASE_URL_TEMPLATE;
    }
  }

  const secrets = new LibrarySecrets();
  const inline = env.SMH_LIBRARY_SECRETS?.trim() || undefined;
  try {
    if (inline !== undefined) secrets.update(inline, "SMH_LIBRARY_SECRETS");
    else {
      const text = local ? await readLocalSecretsText(dir) : undefined;
      if (text === undefined) {
        throw new CliError(
          ExitCode.usage,
          local
            ? "the local stack runs a real SMH library: set SMH_LIBRARY_SECRETS for the CLI too"
            : 'set SMH_LIBRARY_SECRETS ({"<libraryId>": "<secret>"}) to reach the SMH library at SMH_BASE_URL',
        );
      }
      secrets.update(text, "the local stack's local-secrets.json");
    }
  } catch (error) {
    if (error instanceof LibrarySecretsError || error instanceof LocalSecretsFileError) {
      throw new CliError(ExitCode.usage, error.message, { cause: error });
    }
    throw error;
  }

  const { policy, policySource } = await loadPolicy(env, dir, local);
  const libraryIds = secrets.libraryIds();
  const client = smhClientFromEnv(libraryIds, secrets, undefined, {
    ...env,
    SMH_BASE_URL: baseUrl,
  });
  return { client, libraryIds, baseUrl, local, policy, policySource };
}

async function loadPolicy(
  env: NodeJS.ProcessEnv,
  dir: string,
  local: boolean,
): Promise<{ policy: DeletionPolicy; policySource: string }> {
  try {
    if (env[PolicyEnv.inline]?.trim() || env[PolicyEnv.file]?.trim()) {
      const source = env[PolicyEnv.inline]?.trim() ? PolicyEnv.inline : `${PolicyEnv.file}`;
      return { policy: loadPolicyFromEnv(env), policySource: source };
    }
    const text = local ? await readLocalPolicyText(dir) : undefined;
    if (text !== undefined) {
      const source = "the local stack's policy (local-policy.json)";
      return { policy: parsePolicyText(text, source), policySource: source };
    }
  } catch (error) {
    if (error instanceof PolicyConfigError) {
      throw new CliError(ExitCode.usage, error.message, { cause: error });
    }
    throw error;
  }
  throw new CliError(
    ExitCode.usage,
    "no deletion policy: set SMH_POLICY or SMH_POLICY_FILE (every album is checked against it before a plan is shown)",
  );
}

/**
 * The {@link CliError} for an error the SMH client threw: SMH unreachable or failing (exit 5), a
 * wrong library, space or secret (exit 2), anything else (exit 1). SMH errors carry no secrets.
 */
export function cliErrorFromSmh(error: unknown, doing: string): unknown {
  if (!(error instanceof SmhError)) return error;
  switch (error.kind) {
    case SmhErrorKind.retryable:
    case SmhErrorKind.auth:
      return new CliError(ExitCode.unavailable, `${doing}: ${error.message}`, { cause: error });
    case SmhErrorKind.configuration:
    case SmhErrorKind.permission:
    case SmhErrorKind.notFound:
      return new CliError(ExitCode.usage, `${doing}: ${error.message}`, { cause: error });
    default:
      return new CliError(ExitCode.failure, `${doing}: ${error.message}`, { cause: error });
  }
}
