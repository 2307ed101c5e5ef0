/**
 * `npm run bench`: the benchmarks of issue 6 (docs/benchmarks.md).
 *
 * Each load scenario runs in a fresh child process (bench/scenario-process.ts): a cold handler
 * module, SMH client and limiter, a new simulator and fauxqs, and a peak RSS of its own. Scenarios
 * run one after the other, never side by side, so they do not compete for the two cores. Progress
 * goes to stderr; stdout carries only the table, or with --json one JSON object (the table then
 * goes to stderr with the progress).
 */
import { spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { type ColdStartMeasurement, measureColdStart } from "./cold-start.ts";
import type { FleetMeasurement, FleetSpec } from "./fleet.ts";
import { runLedgerBench } from "./ledger.ts";
import type { LoadMeasurement, LoadSpec } from "./load.ts";
import { type BenchOptions, parseBenchOptions, USAGE } from "./options.ts";
import { buildFigures, type Measurements } from "./report.ts";
import {
  baselineSpec,
  batchSpec,
  fleetSpec,
  hiddenSpec,
  scaleSpec,
  simulatorModel,
  singleSpec,
} from "./scenarios.ts";
import { renderTable } from "./table.ts";

const SCENARIO_PROCESS = fileURLToPath(new URL("./scenario-process.ts", import.meta.url));

async function main(): Promise<number> {
  let options: BenchOptions | "help";
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.ledger) {
    const command = ["npm run bench --", ...process.argv.slice(2)].join(" ");
    const report = await runLedgerBench(options.ledgerResults, command, progress);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const startedAt = new Date();
  const loadAtStart = loadavg()[0];
  const wallStart = performance.now();
  const m: {
    -readonly [K in keyof Measurements]: Measurements[K];
  } = {};
  const scenarios: Record<
    string,
    LoadMeasurement | readonly LoadMeasurement[] | ColdStartMeasurement | FleetMeasurement
  > = {};
  const run = options.only;

  // A scenario that fails is reported and the others still run: a long run is not thrown away.
  const errors: { scenario: string; error: string }[] = [];
  const attempt = async <T>(scenario: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      progress(`${scenario} failed: ${message}`);
      errors.push({ scenario, error: message });
      return undefined;
    }
  };
  if (run.includes("single"))
    m.single = await attempt("single", () => runScenario(singleSpec(options)));
  if (run.includes("batch")) {
    const batchRuns: LoadMeasurement[] = [];
    for (let i = 1; i <= options.batchRepeats; i++) {
      const measured = await attempt(`batch#${i}`, () => runScenario(batchSpec(options, i)));
      if (measured) batchRuns.push(measured);
    }
    m.batchRuns = batchRuns;
  }
  if (run.includes("hidden"))
    m.hidden = await attempt("hidden", () => runScenario(hiddenSpec(options)));
  if (run.includes("fleet"))
    m.fleet = await attempt("fleet", () => runFleetScenario(fleetSpec(options)));
  if (run.includes("baseline")) {
    m.baseline = await attempt("baseline", () => runScenario(baselineSpec(options)));
  }
  if (run.includes("scale"))
    m.scale = await attempt("scale", () => runScenario(scaleSpec(options)));
  if (run.includes("cold")) {
    progress(`cold start: bundling and ${options.coldStartProcesses} fresh processes per handler`);
    m.coldStart = await attempt("cold", () => measureColdStart(options.coldStartProcesses));
  }
  if (m.single) scenarios.single = m.single;
  if (m.batchRuns) scenarios.batchRuns = m.batchRuns;
  if (m.hidden) scenarios.hidden = m.hidden;
  if (m.fleet) scenarios.fleet = m.fleet;
  if (m.baseline) scenarios.baseline = m.baseline;
  if (m.scale) scenarios.scale = m.scale;
  if (m.coldStart) scenarios.coldStart = m.coldStart;

  const { figures, targets } = buildFigures(options, m);
  const report = {
    date: startedAt.toISOString(),
    command: [
      "npm run bench",
      ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : []),
    ].join(" "),
    durationSeconds: (performance.now() - wallStart) / 1000,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      loadAverage1mAtStart: loadAtStart,
      loadAverage1mAtEnd: loadavg()[0],
    },
    settings: {
      ...options,
      simulator: simulatorModel(options, options.rate),
      model: `SMH latency ${options.latencyMs} ± ${options.jitterMs} ms (uniform) per request, plus ${options.batchPerPathMs} ms per path of a batch body; token bucket of R requests/s, bucket ${options.burst || "one second of R"}; 429 with Retry-After`,
    },
    figures,
    targets,
    errors,
    scenarios,
  };
  let text = `smh-batch-cleaner benchmark — ${report.date}, ${report.command}, ${report.machine.cpus} cores, Node ${report.machine.node}, ${report.durationSeconds.toFixed(0)} s\n${report.settings.model}\n\n${renderTable(figures, targets)}\n`;
  for (const { scenario, error } of errors) text += `\nscenario ${scenario} failed: ${error}\n`;
  if (options.json) {
    // The JSON alone on stdout; the table still reaches the terminal.
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(text);
  } else {
    process.stdout.write(text);
  }
  return errors.length > 0 ? 1 : 0;
}

/** Runs one load scenario in a fresh process and returns its measurement. */
function runScenario(spec: LoadSpec): Promise<LoadMeasurement> {
  progress(
    `${spec.name}: ${spec.jobs} jobs through the ${spec.handler} handler (cap ${spec.timeLimitSeconds} s)`,
  );
  return inFreshProcess<LoadMeasurement>(spec, (measurement) =>
    progress(
      `${spec.name}: ${measurement.deletionsPerSecond.toFixed(1)} deletions/s, ${measurement.deletions}/${measurement.jobs} in ${measurement.wallSeconds.toFixed(1)} s`,
    ),
  );
}

/** Runs the fleet scenario in a fresh process (it starts its containers' processes itself). */
function runFleetScenario(spec: FleetSpec): Promise<FleetMeasurement> {
  const { fleet, alone, regrow } = spec.phaseSeconds;
  progress(
    `${spec.name}: containers with a limiter each, ${fleet} s all busy, ${alone} s one busy, ${regrow} s grown back (${spec.board ? "fleet board" : "429s alone"})`,
  );
  return inFreshProcess<FleetMeasurement>(spec, (measurement) =>
    progress(
      `${spec.name}: ${measurement.phases.map((phase) => `${phase.name} ${(phase.deletions / (phase.toSecond - phase.fromSecond)).toFixed(1)} deletions/s`).join(", ")}`,
    ),
  );
}

/** Runs bench/scenario-process.ts with `spec` and parses the measurement it prints last. */
function inFreshProcess<M>(spec: LoadSpec | FleetSpec, done: (measurement: M) => void): Promise<M> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCENARIO_PROCESS, JSON.stringify(spec)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`scenario ${spec.name} exited with ${code}`));
        return;
      }
      try {
        const measurement = JSON.parse(out.trim().split("\n").at(-1) ?? "") as M;
        done(measurement);
        resolve(measurement);
      } catch (error) {
        reject(new Error(`scenario ${spec.name} printed no measurement: ${String(error)}`));
      }
    });
  });
}

function progress(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

process.exitCode = await main();
