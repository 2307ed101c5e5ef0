import { describe, expect, it } from "vitest";
import type { BenchOptions } from "../../../bench/options.ts";
import { parseBenchOptions } from "../../../bench/options.ts";
import {
  baselineSpec,
  batchSpec,
  fleetSpec,
  hiddenSpec,
  scaleSpec,
  singleSpec,
} from "../../../bench/scenarios.ts";
import { refuseRetiredVariables } from "../../../lib/config/env.ts";
import { readSmhEnv } from "../../../lib/config/smh-client.ts";

/**
 * A scenario's handler environment is read by the same code as a deployed handler's: a retired
 * variable there (the fleet scenario once set SMH_RATE_LIMIT) makes every container exit at start,
 * and the scenario fails only when the whole benchmark runs.
 */
describe("benchmark scenarios' handler environments", () => {
  const options = parseBenchOptions([]) as BenchOptions;
  const specs = {
    single: singleSpec(options),
    batch: batchSpec(options, 0),
    hidden: hiddenSpec(options),
    baseline: baselineSpec(options),
    scale: scaleSpec(options),
    fleet: fleetSpec(options),
  };

  it.each(Object.entries(specs))(
    "%s: no retired variable, and the SMH settings parse",
    (_, spec) => {
      expect(() => refuseRetiredVariables(spec.env)).not.toThrow();
      expect(() => readSmhEnv(spec.env)).not.toThrow();
    },
  );
});
