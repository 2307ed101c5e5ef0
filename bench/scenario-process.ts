/**
 * Runs one load scenario in this (fresh) process and prints its measurement as one JSON line on
 * stdout. Started by bench/run.ts: `node bench/scenario-process.ts '<LoadSpec or FleetSpec JSON>'`.
 */
import { type FleetSpec, runFleet } from "./fleet.ts";
import { type LoadSpec, runLoad } from "./load.ts";

const spec = JSON.parse(process.argv[2] ?? "") as LoadSpec | FleetSpec;
const measurement = "scenario" in spec ? await runFleet(spec) : await runLoad(spec);
// Exit once the line is written: sockets of the stopped servers may linger, and nothing else
// this process could still do matters.
process.stdout.write(`${JSON.stringify(measurement)}\n`, () => process.exit(0));
