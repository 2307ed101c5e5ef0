/**
 * Cold start: each handler bundled as serverless-esbuild packages it (the `custom.esbuild`
 * settings of serverless.yml), its size, and the time a fresh Node process spends initialising it.
 *
 * Initialisation time = median wall time of N fresh `node` processes that import the bundle, minus
 * the median of N bare `node` processes started the same way in the same run (the two are
 * interleaved so background load hits both alike). Each process gets the environment the function
 * gets in Lambda: serverless.yml's `provider.environment` (so `NODE_OPTIONS=--enable-source-maps`
 * too), the secrets as an SSM parameter name (read on the first invocation, not at init) and a
 * results queue URL. Whatever serverless.yml leaves external is resolved from the repository's
 * node_modules, so loading it counts, as it would in Lambda (today nothing is: the AWS SDK is
 * bundled).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { deflateRawSync } from "node:zlib";
import { type BuildOptions, build } from "esbuild";
import { parseDocument } from "yaml";
import { demoPolicy } from "../lib/local/demo-policy.ts";
import { readTopology } from "../lib/local/topology.ts";
import { REPO_ROOT } from "./stack.ts";
import { median } from "./statistics.ts";

/** What was measured for one handler. */
export interface HandlerColdStart {
  /** serverless.yml function name. */
  readonly functionName: string;
  readonly handler: string;
  /** The bundled `.mjs`, bytes. */
  readonly bundleBytes: number;
  /** Its linked source map, bytes (shipped in the zip, read only for stack traces). */
  readonly sourceMapBytes: number;
  /** Zip of bundle + map as packaged, estimated: raw deflate of each file plus zip headers. */
  readonly zipBytesEstimate: number;
  /** The largest inputs of the bundle (bytes of output they account for), biggest first. */
  readonly largestInputs: { readonly input: string; readonly bytes: number }[];
  /** Median wall time of a fresh process importing the bundle, ms. */
  readonly importProcessMsMedian: number;
  /** importProcessMsMedian − bareNodeMsMedian: the initialisation the handler adds. */
  readonly initMsOverBareNode: number;
  /** Median time of the `import()` itself, measured inside the process, ms. */
  readonly importMsInProcessMedian: number;
  /** Set when the handler could not be bundled or initialised; the timings are then 0. */
  readonly error?: string;
}

export interface ColdStartMeasurement {
  readonly processes: number;
  readonly bareNodeMsMedian: number;
  /** The esbuild options used (from serverless.yml), for the record. */
  readonly esbuild: Record<string, unknown>;
  readonly handlers: HandlerColdStart[];
}

/** serverless-esbuild's own options: not esbuild's, removed before it calls esbuild. */
const PLUGIN_ONLY_OPTIONS = new Set([
  "concurrency",
  "zipConcurrency",
  "exclude",
  "nativeZip",
  "packager",
  "packagePath",
  "watch",
  "keepOutputDirectory",
  "packagerOptions",
  "installExtraArgs",
  "outputFileExtension",
  "outputBuildFolder",
  "outputWorkFolder",
  "nodeExternals",
  "skipBuild",
  "skipRebuild",
  "skipBuildExcludeFns",
  "stripEntryResolveExtensions",
  "disposeContext",
]);

/**
 * The esbuild options serverless-esbuild derives from `custom.esbuild` (its own keys removed,
 * `exclude` → `external`, `outputFileExtension` → `outExtension`), as its `bundle()` does.
 */
export function esbuildOptionsFromServerless(yamlText: string): BuildOptions {
  const document = parseDocument(yamlText, { logLevel: "silent" });
  const custom = document.getIn(["custom", "esbuild"]) as { toJSON(): unknown } | undefined;
  const settings = (custom?.toJSON() ?? {}) as Record<string, unknown>;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (!PLUGIN_ONLY_OPTIONS.has(key)) options[key] = value;
  }
  const exclude = [settings.exclude ?? ["aws-sdk"]].flat().map(String);
  const external = [settings.external ?? []].flat().map(String);
  options.external = [...external, ...(exclude.includes("*") ? [] : exclude)];
  const extension = String(settings.outputFileExtension ?? ".js");
  if (extension !== ".js") options.outExtension = { ".js": extension };
  return { bundle: true, platform: "node", ...options } as BuildOptions;
}

/** Every function's handler (topology.yml, which serverless.yml reads), in file order. */
export function functionHandlers(): { functionName: string; handler: string }[] {
  return readTopology().functions.map(({ functionName, handler }) => ({ functionName, handler }));
}

/** Bundles every function of serverless.yml and times its initialisation. */
export async function measureColdStart(processes: number): Promise<ColdStartMeasurement> {
  const serverlessPath = join(REPO_ROOT, "serverless.yml");
  const yamlText = readFileSync(serverlessPath, "utf8");
  const esbuildOptions = esbuildOptionsFromServerless(yamlText);
  const definitions = readTopology();
  const workDir = mkdtempSync(join(tmpdir(), "smh-bench-cold-"));
  try {
    // The runtime provides the AWS SDK; here node_modules does (bare imports resolve upwards).
    symlinkSync(join(REPO_ROOT, "node_modules"), join(workDir, "node_modules"), "dir");
    const env = lambdaEnvironment(yamlText, definitions.environment);
    const bundles: Bundle[] = [];
    const failed: HandlerColdStart[] = [];
    for (const fn of functionHandlers()) {
      const modulePath = fn.handler.slice(0, fn.handler.lastIndexOf("."));
      const result = await build({
        ...esbuildOptions,
        entryPoints: [join(REPO_ROOT, `${modulePath}.ts`)],
        outdir: join(workDir, modulePath.slice(0, modulePath.lastIndexOf("/"))),
        absWorkingDir: REPO_ROOT,
        metafile: true,
        logLevel: "silent",
      });
      const outputs = Object.entries(result.metafile.outputs);
      const bundleEntry = outputs.find(([file]) => file.endsWith(".mjs") || file.endsWith(".js"));
      if (!bundleEntry) throw new Error(`esbuild wrote no bundle for ${fn.handler}`);
      const bundlePath = join(REPO_ROOT, bundleEntry[0]);
      const mapPath = `${bundlePath}.map`;
      const mapBytes = fileSize(mapPath);
      bundles.push({
        fn,
        bundlePath,
        bundleBytes: statSync(bundlePath).size,
        sourceMapBytes: mapBytes,
        zipBytesEstimate: zipEstimate([
          [`${modulePath}.mjs`, bundlePath],
          ...(mapBytes > 0 ? [[`${modulePath}.mjs.map`, mapPath] as [string, string]] : []),
        ]),
        largestInputs: largestInputs(bundleEntry[1].inputs, 8),
      });
    }

    // A handler that cannot initialise (a configuration this benchmark does not provide) is
    // reported with its error and left out of the timing rounds; the others are still measured.
    for (const bundle of [...bundles]) {
      try {
        await timeProcess(bundle.bundlePath, env);
      } catch (error) {
        bundles.splice(bundles.indexOf(bundle), 1);
        failed.push({
          ...describe(bundle, [], []),
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const bare: number[] = [];
    const timings = new Map(
      bundles.map((b) => [b.fn.functionName, { wall: [] as number[], inner: [] as number[] }]),
    );
    for (let round = 0; round < processes; round++) {
      bare.push((await timeProcess(null, env)).wallMs);
      for (const bundle of bundles) {
        const run = await timeProcess(bundle.bundlePath, env);
        const entry = timings.get(bundle.fn.functionName);
        entry?.wall.push(run.wallMs);
        if (run.importMs !== undefined) entry?.inner.push(run.importMs);
      }
    }
    const bareMedian = median(bare) ?? 0;
    return {
      processes,
      bareNodeMsMedian: bareMedian,
      esbuild: esbuildOptions as Record<string, unknown>,
      handlers: [
        ...bundles.map((bundle) => {
          const entry = timings.get(bundle.fn.functionName) ?? { wall: [], inner: [] };
          return describe(bundle, entry.wall, entry.inner, bareMedian);
        }),
        ...failed,
      ],
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface Bundle {
  fn: { functionName: string; handler: string };
  bundlePath: string;
  bundleBytes: number;
  sourceMapBytes: number;
  zipBytesEstimate: number;
  largestInputs: { input: string; bytes: number }[];
}

function describe(
  bundle: Bundle,
  wall: number[],
  inner: number[],
  bareMedian = 0,
): HandlerColdStart {
  const wallMedian = median(wall) ?? 0;
  return {
    functionName: bundle.fn.functionName,
    handler: bundle.fn.handler,
    bundleBytes: bundle.bundleBytes,
    sourceMapBytes: bundle.sourceMapBytes,
    zipBytesEstimate: bundle.zipBytesEstimate,
    largestInputs: bundle.largestInputs,
    importProcessMsMedian: wallMedian,
    initMsOverBareNode: wall.length > 0 ? wallMedian - bareMedian : 0,
    importMsInProcessMedian: median(inner) ?? 0,
  };
}

/**
 * What Lambda gives a function: topology.yml's environment, a queue URL for each `…_QUEUE_URL`
 * variable of provider.environment that CloudFormation fills in (`!Ref SomeQueue`), the SMH
 * settings' defaults (the parameters' defaults are the code's), the demo policy for the
 * `${param:smhPolicy}`
 * every deployment passes, and empty retention rules (`rules: []`: valid, runs nothing) instead of
 * the packaged rules file. The secrets stay an SSM parameter name: read on the first invocation.
 */
function lambdaEnvironment(
  yamlText: string,
  literalEnv: Record<string, string>,
): NodeJS.ProcessEnv {
  const document = parseDocument(yamlText, { logLevel: "silent" });
  const declared = document.getIn(["provider", "environment"]) as { toJSON(): unknown } | undefined;
  const fromCloudFormation: Record<string, string> = {};
  for (const name of Object.keys((declared?.toJSON() ?? {}) as Record<string, unknown>)) {
    if (name in literalEnv) continue;
    // What CloudFormation fills in at deploy time (!Ref of a queue or of the ledger bucket).
    if (name.endsWith("_QUEUE_URL") || name.endsWith("_DLQ_URL")) {
      fromCloudFormation[name] =
        `https://sqs.ap-southeast-1.amazonaws.com/000000000000/bench-${name.toLowerCase()}`;
    } else if (name === "LEDGER_BUCKET") {
      fromCloudFormation[name] = "bench-ledger-bucket";
    }
  }
  return {
    PATH: process.env.PATH,
    ...literalEnv,
    ...fromCloudFormation,
    AWS_REGION: "ap-southeast-1",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    SMH_LIBRARY_SECRETS_SSM_PARAMETER: "/smh-batch-cleaner/bench/library-secrets",
    SMH_POLICY: JSON.stringify(demoPolicy()),
    RETENTION_RULES: "v: 1\nrules: []",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  };
}

/**
 * One fresh process: imports `bundle` (or nothing, for the bare start) and exits. Wall time is from
 * spawn to exit, seen from here; the import time is measured inside the process.
 */
function timeProcess(
  bundle: string | null,
  env: NodeJS.ProcessEnv,
): Promise<{ wallMs: number; importMs: number | undefined }> {
  const script =
    bundle === null
      ? "0"
      : `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)}); process.stdout.write(String(performance.now() - t));`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`importing ${bundle} exited with ${code}: ${err.slice(0, 2000)}`));
        return;
      }
      resolve({ wallMs, importMs: out === "" ? undefined : Number(out) });
    });
  });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A zip's size: per file a local header (30 + name), a central entry (46 + name), deflated data. */
function zipEstimate(files: [name: string, path: string][]): number {
  let bytes = 22;
  for (const [name, path] of files) {
    const nameBytes = Buffer.byteLength(name);
    bytes += 30 + 46 + 2 * nameBytes + deflateRawSync(readFileSync(path), { level: 9 }).length;
  }
  return bytes;
}

/** Bytes of output per package (or per source folder), biggest first. */
function largestInputs(
  inputs: Record<string, { bytesInOutput: number }>,
  count: number,
): { input: string; bytes: number }[] {
  const byGroup = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const group = match ? match[1] : input.split("/").slice(0, 2).join("/");
    byGroup.set(group as string, (byGroup.get(group as string) ?? 0) + bytesInOutput);
  }
  return [...byGroup]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([input, bytes]) => ({ input, bytes }));
}
