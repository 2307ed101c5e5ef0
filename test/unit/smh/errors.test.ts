import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { SmhAuthError } from "../../../lib/smh/errors/auth-error.ts";
import { classifySmhError, createSmhError } from "../../../lib/smh/errors/classify.ts";
import { SmhConfigurationError } from "../../../lib/smh/errors/configuration-error.ts";
import { SmhInvalidRequestError } from "../../../lib/smh/errors/invalid-request-error.ts";
import { SmhNotFoundError } from "../../../lib/smh/errors/not-found-error.ts";
import { SmhPermissionError } from "../../../lib/smh/errors/permission-error.ts";
import { SmhRetryableError } from "../../../lib/smh/errors/retryable-error.ts";
import type { SmhError, SmhErrorKind } from "../../../lib/smh/errors/smh-error.ts";
import { SmhTimeoutError } from "../../../lib/smh/errors/timeout-error.ts";
import { SmhUnexpectedResponseError } from "../../../lib/smh/errors/unexpected-response-error.ts";

/** Every code of the official error table and the JS SDK's list (smh-api.md §7), by kind. */
const DOCUMENTED: ReadonlyArray<readonly [number, string, SmhErrorKind]> = [
  [400, "EmptyLibraryIdOrSecret", "configuration"],
  [400, "EmptyLibrarySecret", "configuration"],
  [400, "EmptyLibraryId", "configuration"],
  [400, "NotMultiSpaceLibrary", "configuration"],
  [400, "SpaceIdInvalid", "configuration"],
  [400, "RecycleBinNotEnabled", "configuration"],
  [400, "EmptyAccessToken", "auth"],
  [400, "EmptyPath", "invalid"],
  [400, "DirectoryNameLengthExceed", "invalid"],
  [400, "DirectoryNotAllowed", "invalid"],
  [400, "DirectoryLevelExceed", "invalid"],
  [400, "EmptyFileName", "invalid"],
  [400, "FileNameLengthExceed", "invalid"],
  [400, "ExtnameNotAllowed", "invalid"],
  [400, "UploadToRootDirectoryNotAllowed", "invalid"],
  [400, "CoverNotSupportedInFileLibrary", "invalid"],
  [400, "CoverNotSupportedInRootDirectory", "invalid"],
  [400, "InvalidSourceDirectory", "invalid"],
  [400, "InvalidSourceFile", "invalid"],
  [400, "FileTypeNotMatched", "invalid"],
  [400, "BadRequest", "invalid"],
  [400, "ParamInvalid", "invalid"],
  [400, "IllegalFileName", "invalid"],
  [400, "InvalidSpaceOrDirectoryPath", "invalid"],
  [400, "RootDirectoryNotAllowed", "invalid"],
  [400, "TooManyItems", "invalid"],
  [400, "NoItemsProvided", "invalid"],
  [400, "QuotaLimitReached", "invalid"],
  [400, "InvalidConflictResolutionStrategy", "invalid"],
  [403, "InvalidAccessToken", "auth"],
  [403, "AccessTokenVersionNotMatch", "auth"],
  [403, "AccessTokenNotMatchSpace", "permission"],
  [403, "AccessTokenNotMatchLibrary", "permission"],
  [403, "NoPermission", "permission"],
  [403, "UploadNotBelongYou", "permission"],
  [403, "ReadForbidden", "permission"],
  [403, "WriteForbidden", "permission"],
  [403, "LibraryServiceExpired", "permission"],
  [403, "SpaceBanned", "permission"],
  [403, "LibraryInitializing", "retryable"],
  [404, "LibraryNotFound", "configuration"],
  [404, "SpaceNotFound", "configuration"],
  [404, "WrongLibraryIdOrSecret", "configuration"],
  [404, "RouteNotFound", "configuration"],
  [404, "DirectoryNotFound", "notFound"],
  [404, "PathNotFound", "notFound"],
  [404, "FileNotFound", "notFound"],
  [404, "RecycledItemNotFound", "notFound"],
  [404, "SourceDirectoryNotFound", "notFound"],
  [404, "SourceFileNotFound", "notFound"],
  [404, "UploadNotFound", "unexpected"],
  [404, "MarkerNotFound", "unexpected"],
  [404, "CosObjectNonexistent", "unexpected"],
  [408, "ReadRequestTimeout", "retryable"],
  [409, "PathConflict", "retryable"],
  [409, "SameNameDirectoryOrFileExists", "invalid"],
  [409, "SpaceNotEmpty", "invalid"],
  [409, "RenameTooManyTimes", "invalid"],
  [409, "UploadComplete", "invalid"],
  [409, "DuplicateQuota", "invalid"],
  [413, "RequestEntityTooLarge", "invalid"],
  [414, "URITooLong", "invalid"],
  [429, "RateLimitExceeded", "retryable"],
  [431, "HeaderFieldsTooLarge", "invalid"],
  [451, "SensitiveContentRecognized", "invalid"],
  [499, "ClientDisconnected", "retryable"],
  [500, "InternalServerError", "retryable"],
  [503, "ServerOverloaded", "retryable"],
  [500, "RequestTimeout", "retryable"],
  [503, "RequestTimeout", "retryable"],
];

const CLASSES: Record<SmhErrorKind, new (...args: never[]) => SmhError> = {
  retryable: SmhRetryableError,
  auth: SmhAuthError,
  notFound: SmhNotFoundError,
  permission: SmhPermissionError,
  configuration: SmhConfigurationError,
  invalid: SmhInvalidRequestError,
  unexpected: SmhUnexpectedResponseError,
};

describe("error classification", () => {
  it.each(DOCUMENTED)("HTTP %i %s is %s", (status, code, kind) => {
    expect(classifySmhError(status, code)).toBe(kind);
    const error = createSmhError({ operation: "deleteDirectory", status, code, attempts: 1 });
    expect(error).toBeInstanceOf(CLASSES[kind]);
    expect(error.kind).toBe(kind);
  });

  it("falls back to the HTTP status for codes it does not know", () => {
    expect(classifySmhError(429, undefined)).toBe("retryable");
    expect(classifySmhError(502, undefined)).toBe("retryable");
    expect(classifySmhError(504, "SomethingNew")).toBe("retryable");
    expect(classifySmhError(408, undefined)).toBe("retryable");
    expect(classifySmhError(401, undefined)).toBe("auth");
    expect(classifySmhError(403, "SomethingNew")).toBe("permission");
    expect(classifySmhError(409, undefined)).toBe("invalid");
    expect(classifySmhError(422, undefined)).toBe("invalid");
    expect(classifySmhError(501, undefined)).toBe("unexpected");
    expect(classifySmhError(302, undefined)).toBe("unexpected");
  });

  it("never reads a 404 without a not-found code as an already-deleted directory", () => {
    expect(classifySmhError(404, undefined)).toBe("unexpected");
  });
});

describe("SmhError", () => {
  const error = createSmhError({
    operation: "deleteDirectory",
    libraryId: "smh1",
    status: 429,
    code: "RateLimitExceeded",
    serverMessage: "slow down",
    requestId: "req-9",
    attempts: 3,
    retryAfterMs: 2000,
  });

  it("says what failed, with status, code, request ID and attempts", () => {
    expect(error.message).toBe(
      "deleteDirectory failed: SMH could not handle the request now (HTTP 429 RateLimitExceeded): slow down [library smh1, 3 attempts, request req-9]",
    );
    expect(error).toBeInstanceOf(SmhRetryableError);
    expect((error as SmhRetryableError).throttled).toBe(true);
  });

  it("serialises to a plain object without a stack or cause", () => {
    const json = JSON.parse(JSON.stringify(error));
    expect(json).toMatchObject({
      name: "SmhRetryableError",
      kind: "retryable",
      status: 429,
      code: "RateLimitExceeded",
      requestId: "req-9",
      attempts: 3,
      retryAfterMs: 2000,
      mayHaveApplied: false,
    });
    expect(json).not.toHaveProperty("stack");
    expect(json).not.toHaveProperty("cause");
  });

  it("keeps a timeout catchable as retryable", () => {
    const timeout = new SmhTimeoutError({ operation: "batchDelete", attempts: 2, taskId: 5 });
    expect(timeout).toBeInstanceOf(SmhRetryableError);
    expect(timeout.kind).toBe("retryable");
    expect(timeout.name).toBe("SmhTimeoutError");
    expect(inspect(timeout)).toContain("taskId: 5");
  });
});
