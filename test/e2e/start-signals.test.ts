// End to end: `npm start` (the README's command) stopped as people and process managers stop it —
// SIGTERM to npm's PID, and Ctrl-C, which the terminal sends to the whole process group and npm
// forwards once more. The whole tree stops, and the local stack removes its files (the stack file
// and the simulator's secrets file) on the way out.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { CLI_BIN, environmentWithout, QUEUE_LOCATION_VARIABLES } from "./helpers/cli.ts";
import { until } from "./helpers/stack-io.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "smh-start-signals-"));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm start -- --no-demo` in its own process group, and the PID of the CLI under it. */
async function npmStart(state: string): Promise<{ npm: ChildProcess; cli: number }> {
  const npm = spawn("npm", ["start", "--", "--no-demo"], {
    cwd: REPO,
    env: {
      ...environmentWithout([...QUEUE_LOCATION_VARIABLES, "SMH_BASE_URL", "SMH_LIBRARY_SECRETS"]),
      SMH_CLEANER_STATE_DIR: state,
    },
    detached: true,
    stdio: "ignore",
  });
  const stackFile = join(state, "local-stack.json");
  let cli = 0;
  // Whatever the test saw, nothing it started outlives it.
  onTestFinished(() => {
    if (npm.pid !== undefined && isRunning(npm.pid)) process.kill(-npm.pid, "SIGKILL");
    if (cli > 0 && isRunning(cli)) process.kill(cli, "SIGKILL");
  });
  await until(
    "the local stack to write its stack file",
    async () => {
      cli = (JSON.parse(await readFile(stackFile, "utf8").catch(() => "{}")) as { pid?: number })
        .pid as number;
      return typeof cli === "number" && cli > 0;
    },
    60_000,
    100,
  );
  expect(cli).not.toBe(npm.pid);
  return { npm, cli };
}

describe("npm start", () => {
  it.each([
    ["SIGTERM to npm's PID", "npm" as const],
    ["Ctrl-C (SIGINT to the process group)", "group" as const],
  ])(
    "stops the whole process tree and removes the stack's files on %s",
    async (_, target) => {
      const state = join(work, target);
      const { npm, cli } = await npmStart(state);
      expect((await readdir(state)).sort()).toEqual([
        "local-policy.json",
        "local-secrets.json",
        "local-stack.json",
      ]);
      const exited = once(npm, "exit");
      if (target === "npm") process.kill(npm.pid as number, "SIGTERM");
      else process.kill(-(npm.pid as number), "SIGINT");
      await exited;
      await until("the CLI under npm to exit", () => !isRunning(cli), 30_000, 100);
      expect(await readdir(state)).toEqual([]);
    },
    90_000,
  );

  // The stack's files appear one by one while it starts, a moment before its stop handlers used to
  // be installed; a Ctrl-C in that moment killed the CLI outright and left them behind (once, in a
  // full .ci/run beside two CPU burners). Here the signal comes as soon as the first file shows.
  it("stops cleanly and removes the stack's files on a Ctrl-C while the stack is still starting", async () => {
    const state = join(work, "starting");
    const cli = spawn(process.execPath, [CLI_BIN, "local", "--no-demo"], {
      cwd: REPO,
      env: {
        ...environmentWithout([...QUEUE_LOCATION_VARIABLES, "SMH_BASE_URL", "SMH_LIBRARY_SECRETS"]),
        SMH_CLEANER_STATE_DIR: state,
      },
      stdio: "ignore",
    });
    onTestFinished(() => {
      if (cli.pid !== undefined && isRunning(cli.pid)) cli.kill("SIGKILL");
    });
    const exited = once(cli, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
    await until(
      "the local stack to write its first file",
      async () => (await readdir(state).catch(() => [])).length > 0,
      60_000,
      2,
    );
    cli.kill("SIGINT");
    const [code, signal] = await exited;
    // Ended by its own handler (128 + SIGINT's number), not by the signal's default action.
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(await readdir(state)).toEqual([]);
  }, 90_000);
});
