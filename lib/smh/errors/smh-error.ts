/**
 * What kind of failure an {@link SmhError} is, i.e. what the caller should do about it.
 *
 * - `retryable`: try again later (throttled, 5xx, 408, 409 `PathConflict`, network error, timeout,
 *   failed task). The client has already retried within the call's budget.
 * - `auth`: the access token was refused even after minting a fresh one.
 * - `notFound`: the directory, path or recycled item does not exist (never a wrong library/space).
 * - `permission`: the token's grants or space binding do not allow the call (`NoPermission`,
 *   `AccessTokenNotMatchSpace`, …): a configuration error, never retried.
 * - `configuration`: the library, space, secret or base URL is wrong (`LibraryNotFound`,
 *   `SpaceNotFound`, `WrongLibraryIdOrSecret`, an unknown library, a secret that cannot be read).
 * - `invalid`: SMH (or the client, before sending) rejected the request itself; never retried.
 * - `unexpected`: SMH answered with something this client does not understand (an unknown status,
 *   a body that fails its schema). Not retried: the call may have taken effect.
 */
export const SmhErrorKind = {
  retryable: "retryable",
  auth: "auth",
  notFound: "notFound",
  permission: "permission",
  configuration: "configuration",
  invalid: "invalid",
  unexpected: "unexpected",
} as const;
export type SmhErrorKind = (typeof SmhErrorKind)[keyof typeof SmhErrorKind];

/** A task ID as SMH returns it (a number in the documented API, a string in task V2). */
export type TaskId = number | string;

/** What every {@link SmhError} carries. None of it is secret. */
export interface SmhErrorDetails {
  /** The client operation that failed (`deleteDirectory`, `mintToken`, …). */
  readonly operation: string;
  /** The library the call went to, when known. */
  readonly libraryId?: string | undefined;
  /** The HTTP status SMH answered with; absent for network errors, timeouts, client-side checks. */
  readonly status?: number | undefined;
  /** SMH's error `code` (`DirectoryNotFound`, `RateLimitExceeded`, …), when it sent one. */
  readonly code?: string | undefined;
  /** SMH's error `message`, with anything secret-looking redacted. */
  readonly serverMessage?: string | undefined;
  /** The request ID (body `requestId` or the `X-Request-Id` header) of the last attempt. */
  readonly requestId?: string | undefined;
  /** HTTP attempts made for the call's main request, retries and the re-mint retry included. */
  readonly attempts: number;
  /**
   * True when an earlier attempt of this call ended in a way that leaves it unknown whether SMH
   * applied it (5xx, timeout, dropped connection). A `notFound` after such an attempt may mean "my
   * own earlier attempt deleted it": recover the recycled item ID from the recycle bin.
   */
  readonly mayHaveApplied?: boolean | undefined;
  /** How long SMH asked the caller to wait (`Retry-After`), when it did. */
  readonly retryAfterMs?: number | undefined;
  /** The SMH task involved, when the call went asynchronous. */
  readonly taskId?: TaskId | undefined;
}

/**
 * The base of every error the SMH client throws. Catch it, then act on {@link SmhError.kind} (or
 * catch a subclass). It carries the HTTP status, SMH's `code` and `message`, the request ID and the
 * number of attempts, and never the request URL, the access token or the library secret: its
 * message, stack, `JSON.stringify` and `util.inspect` output are safe to log.
 */
export abstract class SmhError extends Error {
  abstract readonly kind: SmhErrorKind;
  readonly operation: string;
  readonly libraryId: string | undefined;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly serverMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly attempts: number;
  readonly mayHaveApplied: boolean;
  readonly retryAfterMs: number | undefined;
  readonly taskId: TaskId | undefined;

  /**
   * @param details - what happened; see {@link SmhErrorDetails}.
   * @param summary - a short description for the message when there is no HTTP status to show.
   */
  constructor(details: SmhErrorDetails, summary: string) {
    super(describe(details, summary));
    this.operation = details.operation;
    this.libraryId = details.libraryId;
    this.status = details.status;
    this.code = details.code;
    this.serverMessage = details.serverMessage;
    this.requestId = details.requestId;
    this.attempts = details.attempts;
    this.mayHaveApplied = details.mayHaveApplied ?? false;
    this.retryAfterMs = details.retryAfterMs;
    this.taskId = details.taskId;
  }

  /** A plain, log-ready object: every field above, no stack, no cause. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      operation: this.operation,
      libraryId: this.libraryId,
      status: this.status,
      code: this.code,
      serverMessage: this.serverMessage,
      requestId: this.requestId,
      attempts: this.attempts,
      mayHaveApplied: this.mayHaveApplied,
      retryAfterMs: this.retryAfterMs,
      taskId: this.taskId,
    };
  }
}

function describe(details: SmhErrorDetails, summary: string): string {
  const parts = [`${details.operation} failed: ${summary}`];
  if (details.status !== undefined) {
    parts.push(` (HTTP ${details.status}${details.code ? ` ${details.code}` : ""})`);
  } else if (details.code) {
    parts.push(` (${details.code})`);
  }
  if (details.serverMessage) parts.push(`: ${details.serverMessage}`);
  const notes = [`${details.attempts} attempt${details.attempts === 1 ? "" : "s"}`];
  if (details.libraryId) notes.unshift(`library ${details.libraryId}`);
  if (details.requestId) notes.push(`request ${details.requestId}`);
  if (details.taskId !== undefined) notes.push(`task ${details.taskId}`);
  return `${parts.join("")} [${notes.join(", ")}]`;
}
