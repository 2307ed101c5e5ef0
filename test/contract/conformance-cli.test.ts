import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CHECKS } from "../../lib/conformance/checks/all.ts";
import { SCRATCH_PARENT } from "../../lib/conformance/scratch.ts";
import { type Simulator, startSimulator } from "../../lib/sim/index.ts";
import { changesOutsideScratch, libraryState, logMark } from "./helpers/conformance.ts";
import { LoopbackRelay } from "./helpers/relay.ts";
import { contractSeed, LIB, SECRET, SPACE } from "./helpers/simulator.ts";

/**
 * `smh-cleaner conformance` as a user runs it: a child process against the simulator, the secret
 * in the environment, the table on stdout, an exit code, and Ctrl-C / SIGTERM honoured.
 */

const CLI = fileURLToPath(new URL("../../bin/smh-cleaner.js", import.meta.url));
const closing: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(closing.map((server) => server.close()));
});

async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const sim = await startSimulator({ port: 0, seed: contractSeed(), ...options });
  closing.push(sim);
  sim.createDirectory(LIB, SPACE, "keep/a");
  return sim;
}

/** The environment without anything that could point the CLI at another SMH. */
function environment(secrets: Record<string, string> | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("SMH_")) env[name] = value;
  }
  if (secrets) env.SMH_LIBRARY_SECRETS = JSON.stringify(secrets);
  return env;
}

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function conformance(
  baseUrl: string,
  extra: readonly string[] = [],
  secrets: Record<string, string> | null = { [LIB]: SECRET },
): Run {
  const child = spawn(
    process.execPath,
    [CLI, "conformance", "--base-url", baseUrl, "--library", LIB, "--space", SPACE, ...extra],
    { env: environment(secrets), stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    },
  );
  return { child, done };
}

describe("smh-cleaner conformance", () => {
  it("prints one row per behaviour and exits 0 when the library behaves as the simulator assumes; no secret or token is printed", async () => {
    const sim = await simulator();
    const relay = await LoopbackRelay.start(sim.url);
    closing.push(relay);
    const before = libraryState(sim);
    const { code, stdout, stderr } = await conformance(relay.url).done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Behaviour\s+Library\s+Simulator assumes\s+Verdict$/m);
    for (const check of CHECKS) expect(stdout).toContain(check.behaviour);
    expect(stdout).toContain("30 agree, 0 differ, 3 not checked, 0 failed, 0 not run");
    expect(stdout).toMatch(/Cleanup: __smh_cleaner_conformance__\/\S+ removed/);
    expect(relay.secrets.size).toBeGreaterThan(1);
    for (const secret of relay.secrets) expect(`${stdout}${stderr}`).not.toContain(secret);
    expect(libraryState(sim)).toEqual(before);
  });

  it("exits 1 with --json when the library differs, naming the simulator options that reproduce it", async () => {
    const sim = await simulator({ options: { missingPathCode: "PathNotFound" } });
    const { code, stdout } = await conformance(sim.url, ["--json", "--quiet"]).done;
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.summary.differ).toBe(2);
    expect(report.suggested.options).toEqual({ missingPathCode: "PathNotFound" });
    expect(report.cleanup.leftovers).toEqual([]);
  });

  it("on SIGTERM mid-run stops, removes its scratch directory and exits 130", async () => {
    const sim = await simulator();
    const relay = await LoopbackRelay.start(sim.url);
    closing.push(relay);
    const before = libraryState(sim);
    const mark = logMark(sim);
    let held = false;
    // Freeze the run in its first batch delete, well inside its checks, then interrupt it there.
    relay.holdWhen = (request) => {
      if (held || !request.rawPath.startsWith("/api/v1/batch/")) return false;
      held = true;
      return true;
    };
    const run = conformance(relay.url);
    await relay.nextHold();
    expect(sim.exists(LIB, SPACE, SCRATCH_PARENT)).toBe(true);
    run.child.kill("SIGTERM");
    const { code, stdout, stderr } = await run.done;
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopping: removing __smh_cleaner_conformance__\//);
    expect(stdout).toContain("Interrupted: the remaining checks were not run.");
    expect(sim.exists(LIB, SPACE, SCRATCH_PARENT)).toBe(false);
    expect(libraryState(sim)).toEqual(before);
    expect(changesOutsideScratch(sim, mark)).toEqual([]);
  });

  it("refuses to run without the secret in SMH_LIBRARY_SECRETS (exit 2), sending nothing", async () => {
    const sim = await simulator();
    sim.resetStats();
    const { code, stderr } = await conformance(sim.url, [], null).done;
    expect(code).toBe(2);
    expect(stderr).toContain("SMH_LIBRARY_SECRETS");
    expect(sim.stats().total).toBe(0);
  });
});
