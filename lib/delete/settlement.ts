/**
 * Where each accepted job stands while a batch is processed, and how an SMH answer or error
 * becomes that standing.
 */
import {
  type Deferred,
  type Done,
  notStarted,
  type Transient,
  type WorkState,
} from "../batch/work.ts";
import type { DeletionFacts } from "../messages/deletion-result.ts";
import { SmhError, SmhErrorKind } from "../smh/errors/smh-error.ts";
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
  | Done<DeletionFacts>
  | { readonly kind: "lookup"; readonly otherwise: "already_absent" | "deleted" }
  | Transient
  | Deferred;

/** The mutable state of one accepted job in one invocation. */
export type JobState = WorkState<AcceptedJob, Settlement>;

/** A new state: nothing started yet. */
export function initialState(accepted: AcceptedJob): JobState {
  return notStarted(accepted);
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
