import { SmhError } from "../smh/errors/smh-error.ts";
import type { SimulatorAssumptions } from "./assumptions.ts";
import type { ProbeAnswer } from "./library-probe.ts";
import type { ScratchSession } from "./session.ts";

/**
 * One side of a comparison: `key` is what is compared (the library's against the simulator's),
 * `text` what the table shows (defaults to the key).
 */
export interface Reading {
  readonly key: string;
  readonly text?: string;
}

/** What a check cannot tell on this library (its recycle bin is off, a fixture failed, …). */
export interface NotApplicable {
  readonly notApplicable: string;
}

/** Simulator settings that make it behave like the library, for a behaviour that differs. */
export interface Tuning {
  /** A behaviour-options patch (`smh-cleaner sim --options`, `PUT /_sim/options`). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** A faults patch (`--faults`, `PUT /_sim/faults/{L}`). */
  readonly faults?: Readonly<Record<string, unknown>>;
  /** When the library's answer is only partly expressible, or a bound rather than a value. */
  readonly note?: string;
}

/** What the run learned about the library before the checks. */
export interface LibraryFacts {
  /** Whether the space has a recycle bin (its listing answers rather than `RecycleBinNotEnabled`). */
  readonly recycleBin: boolean;
}

/** What a check works with. */
export interface CheckContext {
  readonly session: ScratchSession;
  readonly facts: LibraryFacts;
  /** Fixtures and readings one check leaves for a later one. */
  readonly memo: Map<string, unknown>;
  /** When the run began (epoch ms): recycle-bin lookups look no further back. */
  readonly startedAt: number;
}

/**
 * One behaviour the product depends on. `observe` provokes it inside the scratch directory and
 * reads what the library did; `assumed` says what the simulator does (from its options, or the
 * behaviour docs/simulator.md documents); the two keys agree or differ.
 */
export interface Check {
  readonly id: string;
  readonly behaviour: string;
  readonly assumed: (assumptions: SimulatorAssumptions, facts: LibraryFacts) => Reading;
  /** Absent for a behaviour that cannot be provoked safely; see {@link Check.unobservable}. */
  readonly observe?: (context: CheckContext) => Promise<Reading | NotApplicable>;
  /** Why the behaviour is not provoked (shown instead of the library's answer). */
  readonly unobservable?: string;
  /** Skipped (not applicable) on a space without a recycle bin. */
  readonly needsRecycleBin?: boolean;
  /** The simulator settings that reproduce what the library did, when they differ. */
  readonly tune?: (observed: Reading) => Tuning | undefined;
}

/** The outcome of one check. */
export type Verdict = "agree" | "differ" | "not checked" | "failed" | "not run";

/** One row of the conformance table. */
export interface CheckResult {
  readonly id: string;
  readonly behaviour: string;
  /** What the library did (or why it was not observed). */
  readonly library: string;
  /** What the simulator assumes. */
  readonly simulator: string;
  readonly verdict: Verdict;
  readonly tuning?: Tuning;
}

/** `404 DirectoryNotFound`: an answer's status and SMH code as a reading key. */
export function statusKey(status: number | undefined, code: string | undefined): string {
  return [status ?? "no status", code].filter((part) => part !== undefined).join(" ");
}

/** A raw answer as a reading: its status and code. */
export function answerReading(answer: ProbeAnswer): Reading {
  return { key: statusKey(answer.status, answer.code) };
}

/** An SMH client error as a reading: its status and code. */
export function errorReading(error: SmhError): Reading {
  return { key: statusKey(error.status, error.code) };
}

/**
 * Awaits a call expected to fail: resolves with the `SmhError` it failed with, or undefined when
 * it succeeded. Anything else (an interrupt, a network failure of the probe) is thrown on.
 */
export async function failureOf(call: Promise<unknown>): Promise<SmhError | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    if (error instanceof SmhError) return error;
    throw error;
  }
}

/** Builds a not-applicable outcome. */
export function notApplicable(reason: string): NotApplicable {
  return { notApplicable: reason };
}
