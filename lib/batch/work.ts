/**
 * What the delete and recycle pipelines share while they call SMH: the standing of one piece of
 * work (a job, an item of a command), how a failure is described, the pool of workers that runs the
 * units of a batch, and the check every unit passes before it starts (time left, the library's
 * circuit). Each domain keeps its own units, its own SMH calls and its own reading of SMH's errors.
 */
import pLimit from "p-limit";
import type { RunFacts, SmhFailure } from "../messages/result-fields.ts";
import { SmhError, type SmhErrorKind } from "../smh/errors/smh-error.ts";
import type { CircuitBreakers } from "./circuit.ts";

/** What a failure looked like, for logs and the `failed` result. */
export interface FailureInfo {
  readonly status?: number | undefined;
  readonly code?: string | undefined;
  readonly message: string;
  /** The client's error kind, or `internal` for an error that is not an SMH error. */
  readonly kind: SmhErrorKind | "internal" | "deadline" | "circuit";
}

/** The {@link FailureInfo} of an error, safe to publish (SMH errors carry no secrets). */
export function failureInfo(error: unknown): FailureInfo {
  if (error instanceof SmhError) {
    return { status: error.status, code: error.code, message: error.message, kind: error.kind };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { message, kind: "internal" };
}

/** The outcome is known (`facts`): the work gets its result. */
export interface Done<Facts> {
  readonly kind: "done";
  readonly facts: Facts;
}

/**
 * It failed in a way a later attempt may not (throttled, 5xx, timeout, a configuration error being
 * fixed): it is parked (see `parking.ts`).
 */
export interface Transient {
  readonly kind: "transient";
  readonly error: FailureInfo;
  /**
   * What failed is a follow-up, not the work's own request: SMH already answered that request (a
   * deletion's 404) and only what the answer left out is still to find (the recycle-bin lookup of
   * the handle). It does not spend the retry budget: the work is done in SMH — often by an earlier
   * delivery whose result is already out — so a `failed` result would contradict it.
   */
  readonly followUp?: true;
}

/**
 * Not started: the invocation's time ran short (`deadline`), or the library's circuit is open
 * (`circuit`). Either way no SMH attempt was spent on it.
 */
export interface Deferred {
  readonly kind: "deferred";
  readonly reason: string;
  readonly cause: "deadline" | "circuit";
}

/** The mutable state of one piece of accepted work in one invocation. */
export interface WorkState<Accepted, Settlement> {
  readonly accepted: Accepted;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  /** SMH attempts spent on this work (its single call, or its share of a batch request). */
  attempts: number;
  /**
   * A unit of this work started while its library's circuit was closed. A failure then counts
   * against the work's retry budget; the failure of a probe (the circuit half-open) does not: it
   * says SMH is still down, not that this work fails, and counting it would spend every waiting
   * job's budget in a long outage.
   */
  startedClosed: boolean;
  requestId: string | undefined;
  settlement: Settlement;
}

/** A new state: nothing started yet. */
export function notStarted<Accepted>(accepted: Accepted): WorkState<Accepted, Deferred> {
  return {
    accepted,
    startedAt: undefined,
    finishedAt: undefined,
    attempts: 0,
    startedClosed: false,
    requestId: undefined,
    settlement: { kind: "deferred", reason: "not started", cause: "deadline" },
  };
}

/**
 * A state as the shared steps see it: they may defer it, fail it transiently, stamp its times and
 * count its attempts. Every domain's settlement includes {@link Deferred} and {@link Transient}.
 */
export type AnyWorkState = WorkState<unknown, Deferred | Transient | { readonly kind: string }>;

/** Adds an SMH answer's (or error's) attempts and request ID to a state. */
export function recordAttempts(
  state: AnyWorkState,
  attempts: number,
  requestId: string | undefined,
): void {
  state.attempts += attempts;
  state.requestId = requestId ?? state.requestId;
}

/** Adds a failed call to a state: an SMH error's attempts and request ID, or one attempt. */
export function recordFailedCall(state: AnyWorkState, error: unknown): void {
  if (error instanceof SmhError) recordAttempts(state, error.attempts, error.requestId);
  else state.attempts += 1;
}

/** Why unsettled work has no result yet: its reason, and the failure when there was one. */
export function pendingReason(
  settlement: Deferred | Transient | { readonly kind: "done" | "lookup" },
): {
  reason: string;
  error: FailureInfo | undefined;
} {
  if (settlement.kind === "transient")
    return { reason: settlement.error.message, error: settlement.error };
  return {
    reason: settlement.kind === "deferred" ? settlement.reason : "unsettled",
    error: undefined,
  };
}

/**
 * How unsettled work went in this delivery, for `parking.ts`: whether it reached SMH and failed
 * retryably (a real attempt: its calls to SMH in this delivery, or a transient failure, started
 * while its library's circuit was closed — not a probe, not a recycle-bin scan cut by the
 * deadline, not a failed follow-up of a request SMH answered (`Transient.followUp`); a batch request that failed counts for the jobs whose single retries the reopened
 * circuit then turned away), and whether it waits for nothing but time.
 */
export function unfinishedWork(
  pending: readonly {
    readonly settlement: { readonly kind: string };
    readonly attempts: number;
    readonly startedClosed: boolean;
  }[],
): { attempted: boolean; onlyOutOfTime: boolean } {
  const cutByDeadline = (settlement: { readonly kind: string }) =>
    settlement.kind === "transient" && (settlement as Transient).error.kind === "deadline";
  const followUp = (settlement: { readonly kind: string }) =>
    settlement.kind === "transient" && (settlement as Transient).followUp === true;
  const outOfTime = (settlement: { readonly kind: string }) =>
    cutByDeadline(settlement) ||
    (settlement.kind === "deferred" && (settlement as Deferred).cause === "deadline");
  return {
    attempted: pending.some(
      ({ settlement, attempts, startedClosed }) =>
        startedClosed &&
        !cutByDeadline(settlement) &&
        !followUp(settlement) &&
        (attempts > 0 || settlement.kind === "transient"),
    ),
    onlyOutOfTime: pending.every(({ settlement }) => outOfTime(settlement)),
  };
}

/**
 * The result a piece of work gets now, if any, built by `build`: its outcome when settled, or —
 * when its work is given up (`givingUp`: which limit, see `parking.ts`) — a `failed` result saying
 * why (it then goes to the DLQ). Times not recorded (it never started) are `now`.
 */
export function resultNow<Facts, Result>(
  state: WorkState<unknown, Done<Facts> | Transient | Deferred | { readonly kind: "lookup" }>,
  givingUp: string | undefined,
  now: () => number,
  build: (facts: Facts | { outcome: "failed"; error: SmhFailure }, run: RunFacts) => Result,
): Result | undefined {
  const run = {
    attempts: state.attempts,
    requestId: state.requestId,
    startedAt: state.startedAt ?? new Date(now()),
    finishedAt: state.finishedAt ?? new Date(now()),
  };
  const { settlement } = state;
  if (settlement.kind === "done") return build(settlement.facts, run);
  if (givingUp === undefined) return undefined;
  const { reason, error } = pendingReason(settlement);
  const message = `${givingUp}: ${reason}`;
  return build(
    { outcome: "failed", error: { status: error?.status, code: error?.code, message } },
    run,
  );
}

/** What the shared executor steps need from the outside world. */
export interface ExecutionLimits {
  readonly circuits: CircuitBreakers;
  /** No unit starts after this instant (epoch ms). */
  readonly stopStartingAt: number;
  readonly now: () => number;
}

/**
 * Whether a unit of `libraryId`'s work may start now. When it may not — the invocation's time runs
 * short, or the library's circuit is open — every state of the unit is deferred with the reason;
 * when it may, each gets its start time (kept from an earlier unit when it has one).
 */
function startUnit(
  states: readonly AnyWorkState[],
  libraryId: string,
  limits: ExecutionLimits,
): boolean {
  if (limits.now() >= limits.stopStartingAt) {
    defer(
      states,
      "not started: the invocation's remaining time fell under the deadline margin",
      "deadline",
    );
    return false;
  }
  const closed = limits.circuits.state(libraryId) === "closed";
  if (!limits.circuits.tryAcquire(libraryId)) {
    defer(
      states,
      `not started: the circuit for library ${libraryId} is open after repeated SMH failures`,
      "circuit",
    );
    return false;
  }
  const startedAt = new Date(limits.now());
  for (const state of states) {
    state.startedAt ??= startedAt;
    if (closed) state.startedClosed = true;
  }
  return true;
}

function defer(states: readonly AnyWorkState[], reason: string, cause: Deferred["cause"]): void {
  for (const state of states) state.settlement = { kind: "deferred", reason, cause };
}

/**
 * What a domain makes of an SMH error, as far as the library's circuit cares. Each domain's own
 * verdicts are drawn from these (a new one must be added here, and so decided for the circuit):
 * - `transient-smh`: SMH's own trouble (5xx, 429, timeout, token): try later; counts against it;
 * - `transient-config`: fixable configuration (permission, unknown library or space): try later;
 * - `not-found`: the target is not there (a deletion then looks in the recycle bin);
 * - `fail-now`: SMH refused the request itself; retrying cannot help;
 * - `done`: the error settles the work (an expired recycle-bin item, a restore conflict).
 */
export type SmhErrorVerdict =
  | "transient-smh"
  | "transient-config"
  | "not-found"
  | "fail-now"
  | "done";

/**
 * Tells a library's circuit how an SMH error went: only SMH's own trouble (`transient-smh`) counts
 * against it; a 404, a refused request or a configuration error is a healthy answer.
 */
export function recordHealth(
  circuits: CircuitBreakers,
  libraryId: string,
  verdict: SmhErrorVerdict,
): void {
  if (verdict === "transient-smh") circuits.recordFailure(libraryId);
  else circuits.recordSuccess(libraryId);
}

/** How {@link runUnits} runs a domain's units. */
export interface UnitRunner<Unit, State extends AnyWorkState> {
  /** Units in flight at once (at least one). */
  readonly concurrency: number;
  /** The states a unit settles. */
  statesOf(unit: Unit): readonly State[];
  /** The library a state's work acts on (a unit acts on one). */
  libraryOf(state: State): string;
  /**
   * Calls SMH for a unit that may start, and settles its states; returns follow-up units. The
   * states get their finishing time when it returns.
   */
  run(unit: Unit): Promise<Unit[]>;
}

/**
 * Runs every unit through a pool of workers. A unit starts only when {@link startUnit} lets it
 * (which stamps its states' start time), and its states' finishing time is stamped when it ends; it
 * may hand back follow-ups (items of a batch to try singly), scheduled once it has left its slot so
 * they never wait on it. Never throws: `run` records every SMH failure itself, and should it throw
 * anyway (a bug), the unit's states fail transiently and come back through the queue.
 */
export async function runUnits<Unit, State extends AnyWorkState>(
  units: readonly Unit[],
  runner: UnitRunner<Unit, State>,
  limits: ExecutionLimits,
): Promise<void> {
  const limit = pLimit(Math.max(1, runner.concurrency));
  const running = new Set<Promise<void>>();
  const runOne = async (unit: Unit): Promise<Unit[]> => {
    const states = runner.statesOf(unit);
    const [first] = states;
    if (!first || !startUnit(states, runner.libraryOf(first), limits)) return [];
    const followUps = await runner.run(unit);
    const finishedAt = new Date(limits.now());
    for (const state of states) state.finishedAt = finishedAt;
    return followUps;
  };
  const schedule = (unit: Unit): void => {
    const done: Promise<void> = limit(() => runOne(unit))
      .catch((error: unknown) => {
        // `run` records every SMH failure itself; this is a bug's last line of defence.
        for (const state of runner.statesOf(unit)) {
          state.settlement = { kind: "transient", error: failureInfo(error) };
        }
        return [];
      })
      // Follow-ups are scheduled after the unit has left its slot, so they never wait on it.
      .then((followUps) => followUps.forEach(schedule))
      .finally(() => running.delete(done));
    running.add(done);
  };
  for (const unit of units) schedule(unit);
  while (running.size > 0) await Promise.all(running);
}
