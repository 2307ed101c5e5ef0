/**
 * Command-line options of `npm run bench`. Every default is the one docs/benchmarks.md describes.
 */
import { parseArgs } from "node:util";

export const SCENARIO_NAMES = [
  "single",
  "batch",
  "hidden",
  "fleet",
  "baseline",
  "scale",
  "cold",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Everything a benchmark run is parameterised by. */
export interface BenchOptions {
  /** Print one JSON object instead of the table. */
  readonly json: boolean;
  /** Also run the larger sizes (scenario "scale"). */
  readonly full: boolean;
  /** R: the simulator's rate limit, requests/s, in every scenario but "hidden". */
  readonly rate: number;
  /** Jobs per scenario (scale: scaleJobs). */
  readonly jobs: number;
  readonly scaleJobs: number;
  /** Simulator latency: latencyMs ± jitterMs (uniform). */
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** Batch latency model: every path of a batch body adds this much. */
  readonly batchPerPathMs: number;
  /** The simulator's token bucket size; 0 = one second of its rate (the simulator's default). */
  readonly burst: number;
  /** The rate the simulator enforces in "hidden" while the client starts at `rate`. */
  readonly hiddenRate: number;
  /** Seconds of the fleet scenario's phases: all containers busy, one alone, grown back. */
  readonly fleetPhaseSeconds: {
    readonly fleet: number;
    readonly alone: number;
    readonly regrow: number;
  };
  /** Whether the fleet's containers share the fleet board (dynalite), as deployed. */
  readonly fleetBoard: boolean;
  /** Wall-time cap of the baseline scenario, seconds. */
  readonly baselineTimeLimitSeconds: number;
  /** Batch mode runs this many times (it is short and noisy); the median is reported. */
  readonly batchRepeats: number;
  /** Fresh processes per handler in the cold-start measurement. */
  readonly coldStartProcesses: number;
  /** Visibility timeout of every local queue; the function timeout is what it leaves / 6. */
  readonly visibilityTimeoutSeconds: number;
  /** The scenarios to run. */
  readonly only: readonly ScenarioName[];
  /** Run the ledger benchmark (bench/ledger.ts) alone instead of the load scenarios. */
  readonly ledger: boolean;
  /** Results in the generated ledger. */
  readonly ledgerResults: number;
  /**
   * Experiments: replace serverless.yml's event source mapping settings in every load scenario.
   * Undefined = as serverless.yml says.
   */
  readonly mapping: {
    readonly batchSize?: number;
    readonly maximumBatchingWindowSeconds?: number;
    readonly maximumConcurrency?: number;
  };
}

export const USAGE = `Usage: npm run bench -- [options]

Runs the delete-directories handler through the local runner against fauxqs and the SMH
simulator and prints a table (or, with --json, one JSON object). See docs/benchmarks.md.

  --json                      print one JSON object with every figure
  --full                      also run the scale scenario (--scale-jobs jobs)
  --rate <R>                  simulator rate limit, requests/s (default 200)
  --jobs <n>                  jobs per scenario (default 5000)
  --scale-jobs <n>            jobs of the scale scenario (default 50000)
  --latency-ms <ms>           simulator latency, mean (default 20)
  --jitter-ms <ms>            ± uniform jitter around it (default 5)
  --batch-per-path-ms <ms>    batch latency per path in a batch body (default 1)
  --burst <n>                 simulator bucket size; 0 = one second of its rate (default 0)
  --hidden-rate <r>           rate enforced, unannounced, in "hidden" and "fleet" (default 150)
  --fleet-phases <f,a,r>      seconds of the fleet scenario's phases: fleet, alone, regrow
                              (default 30,20,20)
  --fleet-without-board       the fleet's limiters on their own, from 429s alone (no DynamoDB)
  --baseline-time-limit <s>   cap of the baseline scenario (default 60; 180 with --full)
  --batch-repeats <n>         runs of the batch scenario, median reported (default 3)
  --cold-processes <n>        fresh processes per handler for cold start (default 10)
  --visibility-timeout <s>    visibility timeout of the local queues (default 60)
  --only <a,b,…>              scenarios: ${SCENARIO_NAMES.join(", ")}
  --ledger                    instead: the ledger benchmark alone (a generated ledger in
                              fauxqs S3; ledger --plan-id and restore --plan-id --dry-run, timed,
                              with peak RSS); prints JSON
  --ledger-results <n>        results in the generated ledger (default 1000000)
  experiments (change serverless.yml's event source mapping for every load scenario):
  --batch-size <n>            records per invocation
  --batching-window <s>       maximum batching window, seconds
  --max-concurrency <n>       concurrent invocations (pollers)
  -h, --help                  this text
`;

/** Parses argv (without node and the script). Throws a RangeError on a bad value. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      json: { type: "boolean", default: false },
      full: { type: "boolean", default: false },
      rate: { type: "string" },
      jobs: { type: "string" },
      "scale-jobs": { type: "string" },
      "latency-ms": { type: "string" },
      "jitter-ms": { type: "string" },
      "batch-per-path-ms": { type: "string" },
      burst: { type: "string" },
      "hidden-rate": { type: "string" },
      "fleet-phases": { type: "string" },
      "fleet-without-board": { type: "boolean", default: false },
      "baseline-time-limit": { type: "string" },
      "batch-repeats": { type: "string" },
      "cold-processes": { type: "string" },
      "visibility-timeout": { type: "string" },
      only: { type: "string" },
      ledger: { type: "boolean", default: false },
      "ledger-results": { type: "string" },
      "batch-size": { type: "string" },
      "batching-window": { type: "string" },
      "max-concurrency": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const full = values.full ?? false;
  const only = values.only
    ? values.only.split(",").map((name) => {
        const trimmed = name.trim();
        if (!(SCENARIO_NAMES as readonly string[]).includes(trimmed)) {
          throw new RangeError(
            `--only: unknown scenario "${trimmed}" (${SCENARIO_NAMES.join(", ")})`,
          );
        }
        return trimmed as ScenarioName;
      })
    : SCENARIO_NAMES.filter((name) => full || name !== "scale");
  const options: BenchOptions = {
    json: values.json ?? false,
    full,
    rate: number(values.rate, "--rate", 200, { min: 1 }),
    jobs: number(values.jobs, "--jobs", 5000, { min: 100, integer: true }),
    scaleJobs: number(values["scale-jobs"], "--scale-jobs", 50_000, { min: 100, integer: true }),
    latencyMs: number(values["latency-ms"], "--latency-ms", 20, { min: 0 }),
    jitterMs: number(values["jitter-ms"], "--jitter-ms", 5, { min: 0 }),
    batchPerPathMs: number(values["batch-per-path-ms"], "--batch-per-path-ms", 1, { min: 0 }),
    burst: number(values.burst, "--burst", 0, { min: 0, integer: true }),
    hiddenRate: number(values["hidden-rate"], "--hidden-rate", 150, { min: 1 }),
    fleetPhaseSeconds: fleetPhases(values["fleet-phases"]),
    fleetBoard: !(values["fleet-without-board"] ?? false),
    baselineTimeLimitSeconds: number(
      values["baseline-time-limit"],
      "--baseline-time-limit",
      full ? 180 : 60,
      { min: 5 },
    ),
    batchRepeats: number(values["batch-repeats"], "--batch-repeats", 3, { min: 1, integer: true }),
    coldStartProcesses: number(values["cold-processes"], "--cold-processes", 10, {
      min: 1,
      integer: true,
    }),
    visibilityTimeoutSeconds: number(values["visibility-timeout"], "--visibility-timeout", 60, {
      min: 13,
      integer: true,
    }),
    only,
    ledger: values.ledger ?? false,
    ledgerResults: number(values["ledger-results"], "--ledger-results", 1_000_000, {
      min: 1000,
      integer: true,
    }),
    mapping: definedOnly({
      batchSize: optionalNumber(values["batch-size"], "--batch-size", { min: 1, integer: true }),
      maximumBatchingWindowSeconds: optionalNumber(values["batching-window"], "--batching-window", {
        min: 0,
        integer: true,
      }),
      maximumConcurrency: optionalNumber(values["max-concurrency"], "--max-concurrency", {
        min: 2,
        integer: true,
      }),
    }),
  };
  if (options.jitterMs > options.latencyMs) {
    throw new RangeError("--jitter-ms must not exceed --latency-ms (latency = mean ± jitter)");
  }
  if (
    (options.only.includes("hidden") || options.only.includes("fleet")) &&
    options.hiddenRate >= options.rate
  ) {
    throw new RangeError(
      `--hidden-rate (${options.hiddenRate}) must be below --rate (${options.rate}): the client starts at --rate`,
    );
  }
  return options;
}

/** The fleet phases are long enough to settle (10 s) and then measure. */
const MIN_FLEET_PHASE_SECONDS = 15;

function fleetPhases(text: string | undefined): BenchOptions["fleetPhaseSeconds"] {
  const parts = (text ?? "30,20,20").split(",");
  const [fleet, alone, regrow] = parts.map((part) =>
    number(part.trim(), "--fleet-phases", 0, { min: MIN_FLEET_PHASE_SECONDS, integer: true }),
  );
  if (parts.length !== 3 || fleet === undefined || alone === undefined || regrow === undefined) {
    throw new RangeError(`--fleet-phases takes three numbers of seconds, got "${text}"`);
  }
  return { fleet, alone, regrow };
}

function optionalNumber(
  text: string | undefined,
  flag: string,
  rule: { min: number; integer?: boolean },
): number | undefined {
  return text === undefined ? undefined : number(text, flag, rule.min, rule);
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

function number(
  text: string | undefined,
  flag: string,
  fallback: number,
  rule: { min: number; integer?: boolean },
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < rule.min || (rule.integer && !Number.isInteger(value))) {
    throw new RangeError(
      `${flag} must be ${rule.integer ? "an integer" : "a number"} of at least ${rule.min}, got "${text}"`,
    );
  }
  return value;
}
