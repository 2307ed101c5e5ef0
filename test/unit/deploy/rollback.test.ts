/**
 * scripts/rollback.sh against a recorded `osls deploy list`: a stand-in osls (OSLS) prints the
 * listing and records every command it is given, so the test sees what the script would run on AWS.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./osls.ts";

const SCRIPT = join(REPO_ROOT, "scripts", "rollback.sh");

/** `osls deploy list` as osls 4 prints it (lib/plugins/aws/deploy-list.js), oldest first. */
function deployList(timestamps: number[]): string {
  return timestamps
    .map((ms) =>
      [
        new Date(ms)
          .toISOString()
          .replace("T", " ")
          .replace(/\.\d+Z$/, " UTC"),
        `Timestamp: ${ms}`,
        "Files:",
        "  - cloudformation-template-update-stack.json",
        "  - deleteDirectories.zip",
        "  - recycleActions.zip",
        "  - retentionScan.zip",
        "  - serverless-state.json",
      ].join("\n"),
    )
    .join("\n");
}

const OLDER = 1_764_900_000_000;
const GOOD = 1_764_990_000_000;
const BAD = 1_765_000_000_000;
const PARAMS = ['--param=smhPolicy={"libraries":{}}', "--param=retentionRulesFile=rules.yml"];

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "smh-rollback-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the script with a stand-in osls that lists `timestamps` (or fails `deploy list`). */
function rollback(args: string[], options: { timestamps?: number[]; listFails?: boolean } = {}) {
  const listing = join(dir, "listing.txt");
  const calls = join(dir, "calls.ndjson");
  writeFileSync(listing, deployList(options.timestamps ?? [OLDER, GOOD, BAD]));
  writeFileSync(calls, "");
  const fake = join(dir, "fake-osls.mjs");
  writeFileSync(
    fake,
    `import { appendFileSync, readFileSync } from "node:fs";
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(calls)}, JSON.stringify(args) + "\\n");
if (args[0] === "deploy" && args[1] === "list") {
  if (${options.listFails === true}) { console.error("AccessDenied"); process.exit(7); }
  process.stdout.write(readFileSync(${JSON.stringify(listing)}, "utf8"));
}
`,
  );
  chmodSync(fake, 0o755);
  const result = spawnSync("bash", [SCRIPT, ...args], {
    encoding: "utf8",
    env: { ...process.env, OSLS: `${process.execPath} ${fake}` },
  });
  const invoked = readFileSync(calls, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string[]);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, invoked };
}

const TARGET = ["--stage", "prod", "--region", "ap-southeast-1"];

describe("scripts/rollback.sh", () => {
  it("refuses without --stage and --region, and runs nothing", () => {
    for (const args of [[], ["--stage", "prod"], ["--region", "ap-southeast-1"]]) {
      const run = rollback(args);
      expect(run.status, args.join(" ")).toBe(2);
      expect(run.stderr).toContain("--stage and --region are required");
      expect(run.invoked).toEqual([]);
    }
  });

  it("refuses a timestamp that is not a number", () => {
    const run = rollback([...TARGET, "--timestamp", "yesterday"]);
    expect(run.status).toBe(2);
    expect(run.invoked).toEqual([]);
  });

  it("plans a rollback to the deployment before the newest in a dry run, and only lists", () => {
    const run = rollback([...TARGET, "--dry-run", "--", ...PARAMS]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`newest deployment ${BAD}, rolling back to ${GOOD}`);
    expect(run.stdout).toContain(`rollback --timestamp ${GOOD}`);
    expect(run.invoked).toEqual([["deploy", "list", ...TARGET, ...PARAMS]]);
  });

  it("rolls back to the deployment before the newest, with the stage's params", () => {
    const run = rollback([...TARGET, "--", ...PARAMS]);
    expect(run.status).toBe(0);
    expect(run.invoked).toEqual([
      ["deploy", "list", ...TARGET, ...PARAMS],
      ["rollback", "--timestamp", String(GOOD), ...TARGET, ...PARAMS],
    ]);
  });

  it("rolls back to the --timestamp given, when osls still keeps it", () => {
    const run = rollback([...TARGET, "--timestamp", String(OLDER), "--", ...PARAMS]);
    expect(run.status).toBe(0);
    expect(run.invoked.at(-1)).toEqual([
      "rollback",
      "--timestamp",
      String(OLDER),
      ...TARGET,
      ...PARAMS,
    ]);
  });

  it("refuses a --timestamp osls does not list, the newest itself, or a stage with one deployment", () => {
    for (const [args, timestamps] of [
      [["--timestamp", "1700000000000"], undefined],
      [["--timestamp", String(BAD)], undefined],
      [[], [BAD]],
      [[], []],
    ] as const) {
      const run = rollback([...TARGET, ...args], timestamps ? { timestamps: [...timestamps] } : {});
      expect(run.status, `${args.join(" ")} / ${timestamps}`).toBe(3);
      expect(run.invoked.map((call) => call[0])).toEqual(["deploy"]);
    }
  });

  it("stops with osls's exit code when the deployments cannot be listed", () => {
    const run = rollback(TARGET, { listFails: true });
    expect(run.status).toBe(7);
    expect(run.invoked.map((call) => call[0])).toEqual(["deploy"]);
  });
});
