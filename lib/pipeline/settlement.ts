/**
 * Where each accepted job stands while a batch is processed, and how an SMH answer or error
 * becomes that standing.
 */
import type { DeletionFacts } from "../messages/index.ts";
import { SmhError, SmhErrorKind } from "../smh/index.ts";
import type { AcceptedJob } from "./intake.ts";

/**
 * - `done`: the outcome is known (`facts`); the job gets its result.
 * - `lookup`: SMH said 404 (or a task finished without per-item detail): the recycle bin decides
 *   between `recovered` and `otherwise`.
 * - `transient`: it failed in a way a later attempt may not (throttled, 5xx, timeout, a
 *   configuration error being fixed); the record comes back through the queue.
 * - `deferred`: not started (the invocation's deadline, or the library's circuit is open).
 */
export type Settlement =
  | { readonly kind: "done"; readonly facts: DeletionFacts }
  | { readonly kind: "lookup"; readonly otherwise: "already_absent" | "deleted" }
  | { readonly kind: "transient"; readonly error: FailureInfo }
  | { readonly kind: "deferred"; readonly reason: string };

/** What a failure looked like, for logs and the `failed` result. */
export interface FailureInfo {
  readonly status?: number | undefined;
  readonly code?: string | undefined;
  readonly message: string;
  /** The client's error kind, or `internal` for an error that is not an SMH error. */
  readonly kind: SmhErrorKind | "internal" | "deadline" | "circuit";
}

/** The mutable state of one accepted job in one invocation. */
export interface JobState {
  readonly accepted: AcceptedJob;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  /** SMH attempts spent on this job's delete (single or its share of a batch request). */
  attempts: number;
  requestId: string | undefined;
  settlement: Settlement;
}

/** A new state: nothing started yet. */
export function initialState(accepted: AcceptedJob): JobState {
  return {
    accepted,
    startedAt: undefined,
    finishedAt: undefined,
    attempts: 0,
    requestId: undefined,
    settlement: { kind: "deferred", reason: "not started" },
  };
}

/** How the pipeline treats an error from the SMH client. */
export type ErrorVerdict =
  /** The directory is not there: look in the recycle bin. */
  | "not-found"
  /** SMH refused the request itself (other 4xx): retrying cannot help; the job fails now. */
  | "fail-now"
  /** Transient or fixable: the job comes back through the queue; counts against the circuit. */
  | "transient-smh"
  /** Fixable configuration (permission, unknown library or space): comes back; not SMH's health. */
  | "transient-config";

/** Classifies an error thrown by the SMH client (or anything else) for the pipeline. */
export function judgeError(error: unknown): ErrorVerdict {
  if (!(error instanceof SmhError)) return "transient-smh";
  switch (error.kind) {
    case SmhErrorKind.notFound:
      return "not-found";
    case SmhErrorKind.invalid:
      return "fail-now";
    case SmhErrorKind.permission:
    case SmhErrorKind.configuration:
      return "transient-config";
    case SmhErrorKind.auth:
    case SmhErrorKind.retryable:
    case SmhErrorKind.unexpected:
      return "transient-smh";
  }
}

/** The {@link FailureInfo} of an error, safe to publish (SMH errors carry no secrets). */
export function failureInfo(error: unknown): FailureInfo {
  if (error instanceof SmhError) {
    return { status: error.status, code: error.code, message: error.message, kind: error.kind };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { message, kind: "internal" };
}
