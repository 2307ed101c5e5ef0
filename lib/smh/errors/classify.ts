import { SmhAuthError } from "./auth-error.ts";
import { SmhConfigurationError } from "./configuration-error.ts";
import { SmhInvalidRequestError } from "./invalid-request-error.ts";
import { SmhNotFoundError } from "./not-found-error.ts";
import { SmhPermissionError } from "./permission-error.ts";
import { SmhRetryableError } from "./retryable-error.ts";
import { type SmhError, type SmhErrorDetails, SmhErrorKind } from "./smh-error.ts";
import { SmhUnexpectedResponseError } from "./unexpected-response-error.ts";

/**
 * SMH error codes by what they mean for the caller. Codes come from the official error table
 * (cloud.tencent.com/document/product/1339/50072) and the official JS SDK's `ServerErrorCode`
 * list (see `/work/shared/smh-api.md` §7); a code not listed falls back to its HTTP status.
 */
const NOT_FOUND_CODES = new Set([
  "DirectoryNotFound",
  "PathNotFound",
  "FileNotFound",
  "RecycledItemNotFound",
  "SourceDirectoryNotFound",
  "SourceFileNotFound",
]);

const CONFIGURATION_CODES = new Set([
  "LibraryNotFound",
  "SpaceNotFound",
  "WrongLibraryIdOrSecret",
  "RouteNotFound",
  "EmptyLibraryIdOrSecret",
  "EmptyLibrarySecret",
  "EmptyLibraryId",
  "NotMultiSpaceLibrary",
  "SpaceIdInvalid",
  "RecycleBinNotEnabled",
]);

/** Token problems that a freshly minted token fixes. */
const AUTH_CODES = new Set([
  "InvalidAccessToken",
  "AccessTokenVersionNotMatch",
  "EmptyAccessToken",
]);

/** 403s that are transient rather than a missing permission. */
const RETRYABLE_403_CODES = new Set(["LibraryInitializing"]);

/** Codes after which minting a new token and retrying once can succeed. */
export const REMINT_CODES: ReadonlySet<string> = new Set([
  "InvalidAccessToken",
  "AccessTokenVersionNotMatch",
]);

/**
 * Classifies an SMH error answer by HTTP status and SMH `code`.
 *
 * @example
 * classifySmhError(404, "DirectoryNotFound") // "notFound"
 * classifySmhError(404, "SpaceNotFound")     // "configuration"
 * classifySmhError(429, "RateLimitExceeded") // "retryable"
 */
export function classifySmhError(status: number, code: string | undefined): SmhErrorKind {
  if (code && AUTH_CODES.has(code)) return SmhErrorKind.auth;
  if (code && CONFIGURATION_CODES.has(code)) return SmhErrorKind.configuration;
  if (status === 401) return SmhErrorKind.auth;
  if (status === 403) {
    return code && RETRYABLE_403_CODES.has(code) ? SmhErrorKind.retryable : SmhErrorKind.permission;
  }
  if (status === 404) {
    // A 404 without a known not-found code may come from a proxy or a wrong base URL; calling it
    // "not found" would make a caller believe a directory is already gone.
    return code && NOT_FOUND_CODES.has(code) ? SmhErrorKind.notFound : SmhErrorKind.unexpected;
  }
  if (status === 408 || status === 429 || status === 499) return SmhErrorKind.retryable;
  if (status === 409)
    return code === "PathConflict" ? SmhErrorKind.retryable : SmhErrorKind.invalid;
  if (status >= 500 && status <= 599 && status !== 501 && status !== 505) {
    return SmhErrorKind.retryable;
  }
  if (status >= 400 && status <= 499) return SmhErrorKind.invalid;
  return SmhErrorKind.unexpected;
}

/**
 * Builds the {@link SmhError} subclass for an error answer.
 *
 * @example
 * const error = createSmhError({ operation: "deleteDirectory", status: 404, code: "DirectoryNotFound", attempts: 1 });
 * error instanceof SmhNotFoundError // true
 */
export function createSmhError(details: SmhErrorDetails & { readonly status: number }): SmhError {
  const kind = classifySmhError(details.status, details.code);
  switch (kind) {
    case SmhErrorKind.retryable:
      return new SmhRetryableError(details);
    case SmhErrorKind.auth:
      return new SmhAuthError(details);
    case SmhErrorKind.notFound:
      return new SmhNotFoundError(details);
    case SmhErrorKind.permission:
      return new SmhPermissionError(details);
    case SmhErrorKind.configuration:
      return new SmhConfigurationError(details);
    case SmhErrorKind.invalid:
      return new SmhInvalidRequestError(details);
    case SmhErrorKind.unexpected:
      return new SmhUnexpectedResponseError(details);
  }
}
