/**
 * What the local stack leaves next to its stack file for the CLI, when (and only when) it runs the
 * SMH simulator:
 *
 * - `local-secrets.json` — `{"<libraryId>": "<secret>"}` of the simulator's made-up libraries, so
 *   that `smh-cleaner purge-albums` can list albums through the SMH client. Mode 0600 in the 0700
 *   state directory; removed when the stack stops. The stack file itself holds no secrets.
 * - `local-policy.json` — the deletion policy the stack's handlers run with (the demo policy), so
 *   the CLI checks a plan against the same rules. Not secret.
 *
 * With a real SMH library the stack writes neither: the CLI then needs `SMH_LIBRARY_SECRETS` and
 * `SMH_POLICY`/`SMH_POLICY_FILE` in its own environment, as the stack did.
 */
import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomically } from "./atomic-file.ts";

/** The secrets file inside the state directory. */
export const LOCAL_SECRETS_FILE_NAME = "local-secrets.json";
/** The policy file inside the state directory. */
export const LOCAL_POLICY_FILE_NAME = "local-policy.json";

/** Thrown when the secrets file is unsafe or unreadable; never carries its content. */
export class LocalSecretsFileError extends Error {
  override readonly name = "LocalSecretsFileError";
}

/**
 * Writes the secrets document (`{"<libraryId>": "<secret>"}`, as `SMH_LIBRARY_SECRETS` holds it) to
 * `<dir>/local-secrets.json`, mode 0600, atomically.
 */
export async function writeLocalSecrets(dir: string, secretsJson: string): Promise<string> {
  return writeAtomically(dir, LOCAL_SECRETS_FILE_NAME, `${secretsJson.trim()}\n`);
}

/** Writes the policy text (JSON or YAML, as `SMH_POLICY` holds it) to `<dir>/local-policy.json`. */
export async function writeLocalPolicy(dir: string, policyText: string): Promise<string> {
  return writeAtomically(dir, LOCAL_POLICY_FILE_NAME, `${policyText.trim()}\n`);
}

/**
 * The secrets file's text, or `undefined` when there is none. Refuses (throws
 * {@link LocalSecretsFileError}) a file that other users may read or write: a secret someone else
 * could have replaced is not one to mint tokens with.
 */
export async function readLocalSecretsText(dir: string): Promise<string | undefined> {
  const path = join(dir, LOCAL_SECRETS_FILE_NAME);
  try {
    const info = await stat(path);
    if (process.platform !== "win32" && (info.mode & 0o077) !== 0) {
      throw new LocalSecretsFileError(
        `${path} is accessible to other users (mode ${(info.mode & 0o777).toString(8)}); restart the local stack or chmod 600 it`,
      );
    }
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    if (error instanceof LocalSecretsFileError) throw error;
    throw new LocalSecretsFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The policy file's text, or `undefined` when there is none. */
export async function readLocalPolicyText(dir: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, LOCAL_POLICY_FILE_NAME), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Removes both files (missing ones are fine). */
export async function removeLocalFiles(dir: string): Promise<void> {
  await Promise.all(
    [LOCAL_SECRETS_FILE_NAME, LOCAL_POLICY_FILE_NAME].map((name) =>
      rm(join(dir, name), { force: true }),
    ),
  );
}

/** Writes `<dir>/<name>` atomically, mode 0600 (creating `dir` with mode 0700 when missing). */
async function writeAtomically(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFileAtomically(path, text, { mode: 0o600, createDirectory: true });
  return path;
}
