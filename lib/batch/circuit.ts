/**
 * A circuit breaker per library. When SMH keeps failing for a library (every operation exhausted
 * the client's retries), the circuit opens: the pipeline stops sending that library's jobs to SMH
 * and parks them (`parking.ts`: re-sent with a growing delay, no attempt spent). After a cooldown
 * one operation is let through as a probe; its success closes the circuit, its failure opens it
 * again (and spends no job's retry budget).
 *
 * State lives as long as the Lambda container (module scope in the handler), like the client's
 * limiter and token cache.
 */

interface LibraryCircuit {
  consecutiveFailures: number;
  openUntil: number;
  probing: boolean;
}

export type CircuitState = "closed" | "open" | "half-open";

export class CircuitBreakers {
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  readonly #circuits = new Map<string, LibraryCircuit>();

  constructor(options: { threshold: number; cooldownMs: number; now?: () => number }) {
    this.#threshold = options.threshold;
    this.#cooldownMs = options.cooldownMs;
    this.#now = options.now ?? Date.now;
  }

  /** The library's state right now. */
  state(libraryId: string): CircuitState {
    const circuit = this.#circuits.get(libraryId);
    if (!circuit || circuit.openUntil === 0) return "closed";
    return this.#now() < circuit.openUntil ? "open" : "half-open";
  }

  /**
   * Whether an operation for the library may start now. In the half-open state only one probe runs
   * at a time; the others wait for the next invocation.
   */
  tryAcquire(libraryId: string): boolean {
    const state = this.state(libraryId);
    if (state === "closed") return true;
    if (state === "open") return false;
    const circuit = this.#circuit(libraryId);
    if (circuit.probing) return false;
    circuit.probing = true;
    return true;
  }

  /** An operation for the library got an answer that was not a transient failure. */
  recordSuccess(libraryId: string): void {
    const circuit = this.#circuit(libraryId);
    circuit.consecutiveFailures = 0;
    circuit.openUntil = 0;
    circuit.probing = false;
  }

  /** An operation for the library failed transiently even after the client's retries. */
  recordFailure(libraryId: string): void {
    const circuit = this.#circuit(libraryId);
    circuit.consecutiveFailures++;
    const wasProbe = circuit.probing;
    circuit.probing = false;
    if (wasProbe || circuit.consecutiveFailures >= this.#threshold) {
      circuit.openUntil = this.#now() + this.#cooldownMs;
    }
  }

  #circuit(libraryId: string): LibraryCircuit {
    let circuit = this.#circuits.get(libraryId);
    if (!circuit) {
      circuit = { consecutiveFailures: 0, openUntil: 0, probing: false };
      this.#circuits.set(libraryId, circuit);
    }
    return circuit;
  }
}
