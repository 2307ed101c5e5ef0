/**
 * How a command fails: a {@link CliError} carries the exit code the user's script branches on, and
 * {@link exitCodeFor} maps everything else a command can throw (SDK errors, network errors).
 */
import { StackFileError } from "../local/stack-file.ts";
import { QueueNotFoundError } from "../queues/urls.ts";
import { ExitCode } from "./exit-codes.ts";

/** A failure with a message meant for the user and the exit code it ends the command with. */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

// Node's codes for "could not reach the other end".
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

// SDK error names that mean SQS (or the credentials to reach it) is unavailable, not that the
// command's work failed.
const UNAVAILABLE_NAMES = new Set([
  "CredentialsProviderError",
  "TimeoutError",
  "RequestTimeout",
  "ServiceUnavailable",
  "AccessDenied",
  "AccessDeniedException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "ExpiredToken",
  "ExpiredTokenException",
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
]);

/** True when `error` (or its cause chain) says a dependency could not be reached. */
export function isUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof QueueNotFoundError || current instanceof StackFileError) return true;
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    if (typeof name === "string" && UNAVAILABLE_NAMES.has(name)) return true;
    if (current instanceof AggregateError && current.errors.some(isUnavailable)) return true;
    current = cause;
  }
  return false;
}

/** The exit code for an error a command threw. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  return isUnavailable(error) ? ExitCode.unavailable : ExitCode.failure;
}

/** A one-line description of an error for stderr (never a stack trace). */
export function describeError(error: unknown): string {
  if (error instanceof CliError || error instanceof StackFileError) return error.message;
  if (error instanceof AggregateError && error.errors.length > 0) {
    return describeError(error.errors[0]);
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message || error.name;
    return typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error);
}
