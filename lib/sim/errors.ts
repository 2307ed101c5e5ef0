/**
 * SMH business-API error codes the simulator can answer with, their HTTP status and message.
 *
 * The table follows smh-api.md §7: the official error table plus the codes from the JS SDK's
 * `ServerErrorCode`. Two codes are invented: `TaskNotFound` (the real service's answer to an
 * unknown task id is undocumented; see `unknownTaskIdStatus` in options.ts) and
 * `NotSupportedBySimulator`, the answer to any request the simulator does not implement (see
 * http/supported.ts): it never pretends to have done what it cannot do.
 */
export const ERROR_CATALOG = {
  EmptyLibraryIdOrSecret: [400, "Library ID or secret is empty."],
  EmptyLibraryId: [400, "Library ID is empty."],
  EmptyLibrarySecret: [400, "Library secret is empty."],
  NotMultiSpaceLibrary: [400, "The library is not a multi-tenant library."],
  EmptyAccessToken: [400, "Access token is empty."],
  EmptyPath: [400, "Path is empty."],
  DirectoryNameLengthExceed: [400, "Directory name is too long."],
  DirectoryLevelExceed: [400, "Directory level exceeds the limit of this space."],
  IllegalFileName: [400, "Illegal file or directory name."],
  ParamInvalid: [400, "Invalid parameter."],
  RecycleBinNotEnabled: [400, "Recycle bin is not enabled."],
  TooManyItems: [400, "Too many items."],
  NoItemsProvided: [400, "No items provided."],
  InvalidConflictResolutionStrategy: [400, "Invalid conflict resolution strategy."],
  NotSupportedBySimulator: [400, "This operation is not supported by the SMH simulator."],
  InvalidAccessToken: [403, "Access token is invalid or expired."],
  AccessTokenNotMatchSpace: [403, "Access token does not match the space."],
  NoPermission: [403, "No permission."],
  LibraryNotFound: [404, "Library not found."],
  SpaceNotFound: [404, "Space not found."],
  WrongLibraryIdOrSecret: [404, "Wrong library ID or secret."],
  DirectoryNotFound: [404, "Directory not found."],
  FileNotFound: [404, "File not found."],
  PathNotFound: [404, "Path not found."],
  RecycledItemNotFound: [404, "Recycled item not found."],
  MarkerNotFound: [404, "Marker not found."],
  RouteNotFound: [404, "Route not found."],
  TaskNotFound: [404, "Task not found."],
  SameNameDirectoryOrFileExists: [409, "A directory or file with the same name already exists."],
  SpaceNotEmpty: [409, "Space is not empty."],
  PathConflict: [409, "Operation conflict, avoid operating on the same path at the same time."],
  ReadRequestTimeout: [408, "Reading the request timed out."],
  RequestEntityTooLarge: [413, "Request entity too large."],
  RateLimitExceeded: [429, "Rate limit exceeded, please retry later."],
  InternalServerError: [500, "Internal server error."],
  ServerOverloaded: [503, "Server is overloaded."],
  RequestTimeout: [503, "The request timed out."],
} as const satisfies Record<string, readonly [number, string]>;

/** One of the error codes in {@link ERROR_CATALOG}. */
export type ErrorCode = keyof typeof ERROR_CATALOG;

/**
 * An SMH error answer. Route handlers throw it; the HTTP layer turns it into
 * `{code, message, requestId}` with `status`. Batch operations put it into per-item results instead.
 */
export class SmhError extends Error {
  override readonly name = "SmhError";
  readonly status: number;
  readonly code: ErrorCode;
  /** Extra response headers (for example `Retry-After` on 429). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { status?: number; headers?: Record<string, string> } = {},
  ) {
    const [status, defaultMessage] = ERROR_CATALOG[code];
    super(message ?? defaultMessage);
    this.code = code;
    this.status = options.status ?? status;
    this.headers = options.headers ?? {};
  }
}

/** Shorthand for `new SmhError(code, message)`. */
export function smhError(code: ErrorCode, message?: string): SmhError {
  return new SmhError(code, message);
}
