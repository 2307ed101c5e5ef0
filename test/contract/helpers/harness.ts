import { afterAll, afterEach, beforeEach } from "vitest";
import type { Simulator } from "../../../lib/sim/simulator.ts";
import { LoopbackRelay } from "./relay.ts";
import {
  resetSimulator,
  startContractSimulator,
  type TokenLogEntry,
  tokenLogMark,
} from "./simulator.ts";

/** One contract simulator shared by the tests of a file. */
export interface ContractHarness {
  readonly sim: Simulator;
  /** The tokens minted (for one library, the contract library by default) since the test began. */
  newTokens(libraryId?: string): TokenLogEntry[];
}

/** The harness with a loopback relay in front of the simulator. */
export interface RelayedContractHarness extends ContractHarness {
  readonly relay: LoopbackRelay;
}

export interface ContractHarnessOptions {
  /** Start a {@link LoopbackRelay} in front of the simulator (closed before it). */
  readonly relay?: boolean;
  /**
   * Isolate the tests from each other (default): before each, reset the stats, mark the token log
   * and drop any relay rewrite; after each, put every fault and behaviour option back.
   */
  readonly isolateTests?: boolean;
}

/**
 * Starts the contract simulator (and, on request, a relay in front of it) for the test file that
 * awaits this at its top level, and registers the hooks that isolate its tests and close both
 * after the last one.
 */
export async function useContractSimulator(
  options: ContractHarnessOptions & { readonly relay: true },
): Promise<RelayedContractHarness>;
export async function useContractSimulator(
  options?: ContractHarnessOptions,
): Promise<ContractHarness>;
export async function useContractSimulator(
  options: ContractHarnessOptions = {},
): Promise<ContractHarness | RelayedContractHarness> {
  const sim = await startContractSimulator();
  const relay = options.relay ? await LoopbackRelay.start(sim.url) : undefined;
  afterAll(async () => {
    await relay?.close();
    await sim.close();
  });

  let sinceTestBegan = tokenLogMark(sim);
  if (options.isolateTests ?? true) {
    beforeEach(() => {
      sim.resetStats();
      if (relay) relay.rewrite = undefined;
      sinceTestBegan = tokenLogMark(sim);
    });
    afterEach(() => resetSimulator(sim));
  }

  const newTokens = (libraryId?: string) => sinceTestBegan(libraryId);
  return relay ? { sim, relay, newTokens } : { sim, newTokens };
}
