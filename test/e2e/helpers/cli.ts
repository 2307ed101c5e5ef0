/** Runs `smh-cleaner` as a user does: a child process of `bin/smh-cleaner.js`, output collected. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The CLI's entry point. */
export const CLI_BIN = fileURLToPath(new URL("../../../bin/smh-cleaner.js", import.meta.url));

/** Variables that would point the CLI at other queues than the local stack file's. */
export const QUEUE_LOCATION_VARIABLES = [
  "SQS_ENDPOINT",
  "AWS_REGION",
  "JOBS_QUEUE_URL",
  "JOBS_DLQ_URL",
  "RESULTS_QUEUE_URL",
  "RECYCLE_ACTIONS_QUEUE_URL",
  "RECYCLE_ACTIONS_DLQ_URL",
] as const;

/** How one run of the CLI ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `process.env` without the variables `names` (those that would point the CLI elsewhere). */
export function environmentWithout(names: readonly string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

/** Spawns `smh-cleaner …args` in `cwd` with `env`, writes `stdin` (or nothing) and closes it. */
export function spawnCli(
  args: readonly string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly stdin?: string },
): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: options.cwd, env: options.env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.stdin.end(options.stdin ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
