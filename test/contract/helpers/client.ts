import type { Simulator } from "../../../lib/sim/simulator.ts";
import { createSmhClient, type SmhClient } from "../../../lib/smh/client.ts";
import type { SmhEvent } from "../../../lib/smh/events.ts";
import type { SmhClientOptions } from "../../../lib/smh/options.ts";
import { LIB, SECRET, SINGLE, SINGLE_SECRET } from "./simulator.ts";

/** A real client talking HTTP to a simulator (or to a relay in front of one). */
export interface ContractClient {
  readonly client: SmhClient;
  /** Every event the client emitted, in order. */
  readonly events: SmhEvent[];
  /** Adds a listener that sees each event as it is emitted (synchronously); returns its removal. */
  listen(listener: (event: SmhEvent) => void): () => void;
}

/**
 * A client for both contract libraries at `baseUrl` (the simulator's URL by default), with retry,
 * polling and pacing short enough for tests. Nothing is stubbed: requests go over loopback HTTP.
 */
export function contractClient(
  target: Simulator | { readonly url: string },
  overrides: Partial<SmhClientOptions> = {},
): ContractClient {
  const events: SmhEvent[] = [];
  const listeners = new Set<(event: SmhEvent) => void>();
  const client = createSmhClient({
    libraries: [
      { libraryId: LIB, librarySecret: SECRET, baseUrl: target.url },
      { libraryId: SINGLE, librarySecret: SINGLE_SECRET, baseUrl: target.url },
    ],
    retry: { limit: 4, baseDelayMs: 5, maxDelayMs: 40 },
    taskPolling: { initialDelayMs: 10, factor: 2, maxDelayMs: 40 },
    limiter: { initialRate: 2000, maxRate: 5000, burst: 200, maxInFlight: 64 },
    onEvent: (event) => {
      events.push(event);
      for (const listener of listeners) listener(event);
    },
    ...overrides,
  });
  return {
    client,
    events,
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Turns a simulator fault on for the next `attempts` HTTP attempts of one client operation, then
 * off again. The client reports every attempt synchronously (a `request` event) before it decides
 * on a retry, so the fault is gone exactly when the next attempt is sent: deterministic, no ratios
 * below 1, no timing.
 */
export function faultForAttempts(
  sim: Simulator,
  contract: ContractClient,
  options: {
    readonly libraryId?: string;
    readonly operation: string;
    readonly fault: Parameters<Simulator["setFaults"]>[1];
    readonly attempts?: number;
  },
): void {
  const libraryId = options.libraryId ?? LIB;
  const before = sim.faults(libraryId);
  const restore = Object.fromEntries(
    Object.keys(options.fault).map((key) => [key, before[key as keyof typeof before]]),
  );
  sim.setFaults(libraryId, options.fault);
  let remaining = options.attempts ?? 1;
  const stop = contract.listen((event) => {
    if (event.type !== "request" || event.operation !== options.operation) return;
    remaining -= 1;
    if (remaining > 0) return;
    sim.setFaults(libraryId, restore);
    stop();
  });
}

/**
 * Makes the simulator refuse every token `contract` gets: each is invalidated the moment the
 * client reports it minted or refreshed.
 */
export function revokeEveryMintedToken(sim: Simulator, contract: ContractClient): void {
  contract.listen((event) => {
    if (event.type === "tokenMinted" || event.type === "tokenRefreshed") sim.invalidateTokens(LIB);
  });
}

/** Resolves with the rejection of `promise`; fails if it fulfils. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Reads every page of an async page generator. */
export async function allPages<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const page of pages) result.push(page);
  return result;
}

/** Waits until `check()` holds, polling every few milliseconds; fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > giveUp) throw new Error("the awaited condition never held");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
