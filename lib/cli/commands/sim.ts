import { readFile } from "node:fs/promises";
import { Command, InvalidArgumentError } from "commander";
import { parse as parseYaml } from "yaml";
import { onStopSignals, STOP_SIGNALS } from "../../local/stop-signals.ts";
import { type FaultsPatch, parseFaultsPatch } from "../../sim/faults.ts";
import { type BehaviourPatch, parseBehaviourPatch } from "../../sim/options.ts";
import { parseSeed, type SeedInput } from "../../sim/seeds/schema.ts";
import type { SimulatorOptions } from "../../sim/simulator.ts";
import { startSimulator } from "../../sim/start.ts";
import { ExitCode } from "../exit-codes.ts";

interface SimFlags {
  port: number;
  seed: string;
  randomSeed?: string;
  latencyMs?: number;
  jitterMs?: number;
  perItemLatencyMs?: number;
  rateLimit?: number;
  rateLimitBurst?: number;
  faults?: FaultsPatch;
  options?: BehaviourPatch;
}

function nonNegativeNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0) {
    throw new InvalidArgumentError("expected a number >= 0");
  }
  return number;
}

function nonNegativeInteger(value: string): number {
  const number = nonNegativeNumber(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError("expected an integer >= 0");
  return number;
}

function port(value: string): number {
  const number = nonNegativeInteger(value);
  if (number > 65_535) throw new InvalidArgumentError("expected a port in 0..65535");
  return number;
}

function jsonOption<T>(parse: (input: unknown) => T): (value: string) => T {
  return (value) => {
    let input: unknown;
    try {
      input = JSON.parse(value);
    } catch {
      throw new InvalidArgumentError("expected a JSON object");
    }
    try {
      return parse(input);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

/**
 * `demo`, `empty`, or a JSON/YAML file holding a seed object.
 * @throws Error naming the file when it cannot be read, parsed or validated.
 */
async function loadSeed(seed: string): Promise<"demo" | "empty" | SeedInput> {
  if (seed === "demo" || seed === "empty") return seed;
  try {
    const text = await readFile(seed, "utf8");
    return parseSeed(/\.ya?ml$/i.test(seed) ? parseYaml(text) : JSON.parse(text));
  } catch (error) {
    throw new Error(`seed file ${seed}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Resolves at the first SIGINT or SIGTERM; a second one (while closing) exits at once. */
function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    onStopSignals({ first: resolve, again: (signal) => process.exit(STOP_SIGNALS[signal]) });
  });
}

/**
 * `smh-cleaner sim`: runs the SMH simulator on 127.0.0.1 until SIGINT/SIGTERM.
 *
 * Prints exactly one JSON line on stdout once listening:
 * `{"url", "inspectUrl", "libraryId", "librarySecret", "spaceIds", "libraries": [...]}` (the first
 * library's credentials at the top level, every library in `libraries`). Fault flags apply to every
 * library; `--faults` takes a JSON faults patch and the dedicated flags override it.
 */
export function simCommand(): Command {
  return new Command("sim")
    .description("Run the SMH simulator (HTTP on 127.0.0.1) until interrupted")
    .option("--port <port>", "port to listen on; 0 picks a free port", port, 0)
    .option("--seed <seed>", "demo | empty | path to a JSON/YAML seed file", "demo")
    .option("--random-seed <seed>", "seed for fault draws and generated ids (reproducible runs)")
    .option("--latency-ms <ms>", "fixed latency added to every SMH request", nonNegativeInteger)
    .option("--jitter-ms <ms>", "random extra latency in [0, ms)", nonNegativeInteger)
    .option(
      "--per-item-latency-ms <ms>",
      "extra latency per item of a batch request",
      nonNegativeNumber,
    )
    .option(
      "--rate-limit <rps>",
      "token-bucket rate limit per library, requests/second (0 = off)",
      nonNegativeNumber,
    )
    .option("--rate-limit-burst <n>", "bucket size (default: the rate)", nonNegativeInteger)
    .option(
      "--faults <json>",
      "faults patch as JSON, e.g. '{\"error503Ratio\":0.1}'",
      jsonOption(parseFaultsPatch),
    )
    .option(
      "--options <json>",
      "behaviour options as JSON, e.g. '{\"listLimitMax\":1000}'",
      jsonOption(parseBehaviourPatch),
    )
    .action(async (flags: SimFlags) => {
      const faults: FaultsPatch = { ...flags.faults };
      if (flags.latencyMs !== undefined) faults.latencyMs = flags.latencyMs;
      if (flags.jitterMs !== undefined) faults.jitterMs = flags.jitterMs;
      if (flags.perItemLatencyMs !== undefined) faults.perItemLatencyMs = flags.perItemLatencyMs;
      if (flags.rateLimit !== undefined) faults.rateLimitPerSecond = flags.rateLimit;
      if (flags.rateLimitBurst !== undefined) faults.rateLimitBurst = flags.rateLimitBurst;
      let seed: Awaited<ReturnType<typeof loadSeed>>;
      try {
        seed = await loadSeed(flags.seed);
      } catch (error) {
        process.stderr.write(`smh-cleaner sim: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.invalidInput;
        return;
      }
      const options: SimulatorOptions = {
        port: flags.port,
        seed,
        faults,
        ...(flags.options === undefined ? {} : { options: flags.options }),
        ...(flags.randomSeed === undefined ? {} : { randomSeed: flags.randomSeed }),
      };
      const stopped = untilStopSignal();
      const sim = await startSimulator(options);
      const libraries = sim.credentials();
      const first = libraries[0];
      process.stdout.write(
        `${JSON.stringify({
          url: sim.url,
          inspectUrl: `${sim.url}/_sim`,
          libraryId: first?.libraryId ?? null,
          librarySecret: first?.librarySecret ?? null,
          spaceIds: first?.spaceIds ?? [],
          libraries,
        })}\n`,
      );
      const signal = await stopped;
      await sim.close();
      process.stderr.write(`smh-sim: stopped on ${signal}\n`);
    });
}
