import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach } from "vitest";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const OSLS_BIN = join(REPO_ROOT, "node_modules", "osls", "bin", "serverless.js");

// Build output and VCS data: never part of what osls packages.
const NOT_COPIED = new Set(["node_modules", ".git", ".serverless", ".esbuild", "coverage", ".tmp"]);

/**
 * The environment `osls package` runs in here: the caller's, minus every AWS_* variable (no
 * profile, no keys, no region) and every SLS_* / SERVERLESS_* one, with a throw-away HOME so no
 * ~/.aws or ~/.serverless of the machine is read or written, nor anything left in the OS temp dir. osls 4 has no telemetry, notification
 * or update check to switch off; AWS_EC2_METADATA_DISABLED keeps any credential lookup from waiting
 * on the instance metadata service.
 */
export function offlineEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(AWS_|SLS_|SERVERLESS_)/.test(name)) continue;
    env[name] = value;
  }
  return {
    ...env,
    HOME: home,
    USERPROFILE: home,
    // serverless-esbuild bundles into the OS temp dir and leaves its folders behind: keep them
    // inside the throw-away home, which the test removes.
    TMPDIR: home,
    SLS_SCHEMA_CACHE_BASE_DIR: home,
    AWS_EC2_METADATA_DISABLED: "true",
    CI: "true",
    NO_COLOR: "1",
  };
}

export interface PackageRun {
  /** The directory osls wrote the CloudFormation templates and zips to. */
  packageDir: string;
  /** What osls printed, for failure messages. */
  output: string;
}

/**
 * Copies the service into `<workDir>/service` as a fresh clone has it: no build output (no
 * `.serverless`, no `.esbuild`), node_modules linked. The copy keeps parallel runs from sharing
 * serverless-esbuild's `.esbuild` work folder and leaves the repository untouched.
 */
function copyService(workDir: string): { serviceDir: string; home: string } {
  const serviceDir = join(workDir, "service");
  const home = join(workDir, "home");
  cpSync(REPO_ROOT, serviceDir, {
    recursive: true,
    filter: (source) => {
      const top = relative(REPO_ROOT, source).split(sep)[0] ?? "";
      return !NOT_COPIED.has(top);
    },
  });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(serviceDir, "node_modules"), "dir");
  mkdirSync(home);
  return { serviceDir, home };
}

/**
 * Copies the service and runs `osls package` there offline. Rejects with osls's output when it
 * fails.
 */
export async function packageService(
  workDir: string,
  args: { stage: string; region?: string; params: Record<string, string> },
): Promise<PackageRun> {
  const { serviceDir, home } = copyService(workDir);
  const packageDir = join(workDir, "package");
  const cli = [
    OSLS_BIN,
    "package",
    "--stage",
    args.stage,
    ...(args.region === undefined ? [] : ["--region", args.region]),
    "--package",
    packageDir,
    ...Object.entries(args.params).map(([name, value]) => `--param=${name}=${value}`),
  ];
  const { code, output } = await run(process.execPath, cli, serviceDir, offlineEnvironment(home));
  if (code !== 0) {
    throw new Error(`osls package exited with ${code}:\n${output}`);
  }
  return { packageDir, output };
}

/** Where docs/deployment.md shows the CI packaging command. */
export const DEPLOYMENT_DOC = join(REPO_ROOT, "docs", "deployment.md");
const CI_SECTION = "## Packaging offline (CI)";

/**
 * The CI packaging command exactly as docs/deployment.md shows it: the first `sh` code block of
 * its "Packaging offline (CI)" section.
 */
export function documentedCiCommand(): string {
  const doc = readFileSync(DEPLOYMENT_DOC, "utf8");
  const section = doc.split(CI_SECTION)[1]?.split(/\n## /)[0];
  const command = section?.match(/```sh\n([\s\S]*?)```/)?.[1]?.trim();
  if (command === undefined) {
    throw new Error(`docs/deployment.md has no sh code block under "${CI_SECTION}"`);
  }
  return command;
}

/**
 * Runs the documented CI command as written (with bash, in a fresh copy of the service, offline)
 * and returns where it wrote the package: its `--package` directory, or osls's default
 * `.serverless`.
 */
export async function packageAsDocumented(workDir: string): Promise<PackageRun> {
  const command = documentedCiCommand();
  const { serviceDir, home } = copyService(workDir);
  const env = offlineEnvironment(home);
  // npx must be the Node that runs the tests (22.18+), whatever PATH says.
  env.PATH = [dirname(process.execPath), env.PATH].filter(Boolean).join(":");
  const { code, output } = await run("bash", ["-c", command], serviceDir, env);
  if (code !== 0) {
    throw new Error(`the documented command exited with ${code}:\n${command}\n${output}`);
  }
  const packageOption = command.match(/--package[= ]+(\S+)/)?.[1];
  return { packageDir: resolve(serviceDir, packageOption ?? ".serverless"), output };
}

/**
 * Packages the service once for a test file (beforeAll, at most 180 s) in a fresh work directory
 * named `<workDirPrefix>…`, which afterAll removes, and hands the package directory to `read`:
 * with the stage, region and params given, or with the command docs/deployment.md shows
 * (`asDocumented`).
 * `check` runs first, to fail with a clearer reason than osls would give. If any of it fails, every
 * test fails with its reason (beforeEach) instead of being skipped.
 */
export function usePackagedService(
  options: {
    workDirPrefix: string;
    check?: () => void;
    read: (packageDir: string) => void;
  } & ({ stage: string; region?: string; params: Record<string, string> } | { asDocumented: true }),
): void {
  let workDir: string | undefined;
  let packagingError: unknown;

  beforeAll(async () => {
    try {
      options.check?.();
      workDir = mkdtempSync(join(tmpdir(), options.workDirPrefix));
      const { packageDir } =
        "asDocumented" in options
          ? await packageAsDocumented(workDir)
          : await packageService(workDir, {
              stage: options.stage,
              ...(options.region === undefined ? {} : { region: options.region }),
              params: options.params,
            });
      options.read(packageDir);
    } catch (error) {
      packagingError = error;
    }
  }, 180_000);

  beforeEach(() => {
    if (packagingError !== undefined) throw packagingError;
  });

  afterAll(() => {
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });
}

/** A resource of the CloudFormation template. */
export interface TemplateResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** What the tests read of the CloudFormation template. */
export interface Template {
  Resources: Record<string, TemplateResource>;
  Outputs: Record<string, { Value: unknown }>;
}

/** The CloudFormation template `osls package` wrote to `packageDir`, parsed. */
export function readTemplate(packageDir: string): Template {
  return JSON.parse(
    readFileSync(join(packageDir, "cloudformation-template-update-stack.json"), "utf8"),
  ) as Template;
}

const PACKAGE_TIMEOUT_MS = 150_000;

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} did not finish within ${PACKAGE_TIMEOUT_MS} ms:\n${output}`));
    }, PACKAGE_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
