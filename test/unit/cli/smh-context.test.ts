/**
 * Where purge-albums finds SMH, the library secrets and the policy: the environment first; the
 * local stack's files only when the CLI is talking to the local stack; never printing a secret.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError } from "../../../lib/cli/errors.ts";
import { ExitCode } from "../../../lib/cli/exit-codes.ts";
import { createSmhContext } from "../../../lib/cli/smh.ts";
import { writeLocalPolicy, writeLocalSecrets } from "../../../lib/local/local-files.ts";
import { writeStackFile } from "../../../lib/local/stack-file.ts";
import { stackInfo } from "./factories.ts";

const SECRET = "local-secret-that-must-never-be-printed";
const POLICY = JSON.stringify({ libraries: { smh1: { spaces: "*", allowPurge: true } } });

let dir: string;
let state: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "smh-cli-smh-"));
  state = join(dir, "state");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function localStack(): Promise<void> {
  await writeStackFile(state, stackInfo());
  await writeLocalSecrets(state, JSON.stringify({ smh1: SECRET }));
  await writeLocalPolicy(state, POLICY);
}

async function failure(env: NodeJS.ProcessEnv): Promise<CliError> {
  try {
    await createSmhContext({ env: { SMH_CLEANER_STATE_DIR: state, ...env }, cwd: dir });
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error("expected a CliError");
}

describe("the CLI's SMH context", () => {
  it("uses the running local stack's simulator, secrets file and policy when nothing is configured", async () => {
    await localStack();
    const smh = await createSmhContext({ env: { SMH_CLEANER_STATE_DIR: state }, cwd: dir });
    expect(smh).toMatchObject({
      local: true,
      baseUrl: "http://127.0.0.1:8080",
      libraryIds: ["smh1"],
    });
    expect(smh.policy.libraries.get("smh1")?.allowPurge).toBe(true);
    expect(smh.policySource).toContain("local-policy.json");
  });

  it("prefers SMH_LIBRARY_SECRETS and SMH_POLICY to the stack's files", async () => {
    await localStack();
    const smh = await createSmhContext({
      env: {
        SMH_CLEANER_STATE_DIR: state,
        SMH_LIBRARY_SECRETS: JSON.stringify({ smh9: "x" }),
        SMH_POLICY: JSON.stringify({ libraries: {} }),
      },
      cwd: dir,
    });
    expect(smh.libraryIds).toEqual(["smh9"]);
    expect(smh.policy.libraries.size).toBe(0);
  });

  it("never reads the local secrets file for an SMH given by SMH_BASE_URL", async () => {
    await localStack();
    const error = await failure({ SMH_BASE_URL: "https://{libraryId}.api.tencentsmh.cn" });
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain("SMH_LIBRARY_SECRETS");
  });

  it("refuses a secrets file other users may read, without showing its content", async () => {
    await localStack();
    await chmod(join(state, "local-secrets.json"), 0o644);
    const error = await failure({});
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain("accessible to other users");
    expect(error.message).not.toContain(SECRET);
  });

  it("says what to set when there is neither a local stack nor SMH settings (exit 5)", async () => {
    const error = await failure({});
    expect(error.exitCode).toBe(ExitCode.unavailable);
    expect(error.message).toContain("SMH_LIBRARY_SECRETS");
  });

  it("refuses to plan without a policy when SMH is configured by the environment", async () => {
    const error = await failure({ SMH_LIBRARY_SECRETS: JSON.stringify({ smh1: SECRET }) });
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain("SMH_POLICY");
    expect(error.message).not.toContain(SECRET);
  });
});
