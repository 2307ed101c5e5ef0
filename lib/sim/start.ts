import { SimCore } from "./core.ts";
import { DEFAULT_FAULTS, parseFaultsPatch } from "./faults.ts";
import { dispatch } from "./http/dispatch.ts";
import { listen, SIMULATOR_HOST } from "./http/server.ts";
import { DEFAULT_BEHAVIOUR, parseBehaviourPatch } from "./options.ts";
import { RunningSimulator } from "./running-simulator.ts";
import { applySeed } from "./seeds/apply.ts";
import { demoSeed, emptySeed } from "./seeds/demo.ts";
import { parseSeed } from "./seeds/schema.ts";
import type { Simulator, SimulatorOptions } from "./simulator.ts";

/**
 * Starts an SMH simulator on 127.0.0.1.
 *
 * @example
 * const sim = await startSimulator({ seed: "demo" });
 * const [library] = sim.credentials();
 * const res = await fetch(`${sim.url}/api/v1/token?library_id=${library.libraryId}` +
 *   `&library_secret=${library.librarySecret}&grant=admin`);
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  if (options.host !== undefined && options.host !== SIMULATOR_HOST) {
    throw new Error(`the simulator only listens on ${SIMULATOR_HOST}, not ${String(options.host)}`);
  }
  const core = new SimCore({
    randomSeed: String(options.randomSeed ?? "smh-sim"),
    behaviour: { ...DEFAULT_BEHAVIOUR, ...parseBehaviourPatch(options.options ?? {}) },
    faults: { ...DEFAULT_FAULTS, ...parseFaultsPatch(options.faults ?? {}) },
  });
  const seed = options.seed ?? "empty";
  const input =
    seed === "demo" ? demoSeed(core.clock.now()) : seed === "empty" ? emptySeed() : seed;
  applySeed(core, parseSeed(input));
  for (const [libraryId, faults] of Object.entries(options.libraryFaults ?? {})) {
    core.setFaults(libraryId, parseFaultsPatch(faults));
  }
  const server = await listen((req, res) => {
    dispatch(core, req, res).catch((error: unknown) => {
      // dispatch answers every error itself; getting here means writing the answer failed.
      process.stderr.write(`smh-sim: could not answer a request: ${String(error)}\n`);
      res.destroy();
    });
  }, options.port ?? 0);
  return new RunningSimulator(core, server);
}
