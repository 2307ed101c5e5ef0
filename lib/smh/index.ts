/**
 * The SMH (Tencent Cloud Smart Media Hosting) business-API client: delete directories and albums,
 * list directories and the recycle bin, restore and purge, batch operations and tasks. One limiter
 * and one retry policy per library; tokens minted with the least grant; errors typed and free of
 * secrets. See {@link createSmhClient}.
 *
 * Exports are listed by module path: the client, configuration, errors (one class per file under
 * `errors/`), events, grants, the limiter, operation request and result types, options, paths,
 * redaction, retry rules and the shared call types.
 */
export type { DeleteOutcome } from "./batch-results.ts";
export { createSmhClient, SmhClient } from "./client.ts";
export {
  DEFAULT_BASE_URL_TEMPLATE,
  resolveBaseUrl,
  type SecretSource,
  type SmhLibraryConfig,
  SmhLibraryConfigSchema,
  secretFromEnvironment,
} from "./config.ts";
export { SmhAuthError } from "./errors/auth-error.ts";
export { classifySmhError, createSmhError } from "./errors/classify.ts";
export { SmhConfigurationError } from "./errors/configuration-error.ts";
export { SmhInvalidRequestError } from "./errors/invalid-request-error.ts";
export { SmhNetworkError } from "./errors/network-error.ts";
export { SmhNotFoundError } from "./errors/not-found-error.ts";
export { SmhPermissionError } from "./errors/permission-error.ts";
export { SmhRetryableError } from "./errors/retryable-error.ts";
export { SmhError, type SmhErrorDetails, SmhErrorKind, type TaskId } from "./errors/smh-error.ts";
export { SmhTaskFailedError } from "./errors/task-failed-error.ts";
export { SmhTimeoutError } from "./errors/timeout-error.ts";
export { SmhUnexpectedResponseError } from "./errors/unexpected-response-error.ts";
export type {
  SmhEvent,
  SmhEventListener,
  SmhFleetBoardFailedEvent,
  SmhRateChangedEvent,
  SmhRequestEvent,
  SmhRetryEvent,
  SmhThrottleEvent,
  SmhTokenMintedEvent,
  SmhTokenRefreshedEvent,
} from "./events.ts";
export { Grant, grantsForDelete } from "./grants.ts";
export {
  AdaptiveRate,
  type AdaptiveRateSettings,
  PROBE_RATE,
  type RateChangeReason,
} from "./limiter/adaptive-rate.ts";
export {
  BALANCING_PULL,
  balancedRate,
  FLEET_PERIOD_MS,
  FLEET_STALE_AFTER_MS,
  type FleetBoard,
  type FleetPost,
  fairShare,
  peersOf,
  releasedShare,
} from "./limiter/fleet.ts";
export {
  LibraryLimiter,
  type LimiterFleet,
  type LimiterOptions,
  type LimiterStats,
  limiterDefaults,
  type RateChange,
  type RequestOutcome,
} from "./limiter/limiter.ts";
export { TokenBucket } from "./limiter/token-bucket.ts";
export type {
  BatchDeleteItem,
  BatchDeleteItemResult,
  BatchDeleteRequest,
  BatchDeleteResult,
} from "./operations/batch-delete.ts";
export type {
  DeleteDirectoryRequest,
  DeleteDirectoryResult,
} from "./operations/delete-directory.ts";
export type {
  DirectoryExistsResult,
  DirectoryInfo,
  DirectoryInfoResult,
  DirectoryRequest,
} from "./operations/directory-info.ts";
export type {
  DirectoryEntry,
  DirectoryPage,
  ListDirectoryRequest,
} from "./operations/list-directory.ts";
export type {
  PurgeRecycledItemRequest,
  PurgeRecycledItemsRequest,
  PurgeRecycledItemsResult,
} from "./operations/purge.ts";
export type {
  FindRecycledItemRequest,
  FindRecycledItemResult,
  ListRecycleBinRequest,
  RecycleBinPage,
  RecycledItem,
} from "./operations/recycle-bin-listing.ts";
export type {
  ConflictResolution,
  RestoreItemOutcome,
  RestorePathStrategy,
  RestoreRecycledItemRequest,
  RestoreRecycledItemResult,
  RestoreRecycledItemsRequest,
  RestoreRecycledItemsResult,
} from "./operations/restore.ts";
export type { ListSpacesRequest, Space, SpacePage } from "./operations/spaces.ts";
export type {
  QueryTasksRequest,
  QueryTasksResult,
  TaskState,
  TaskStatus,
  WaitForTaskRequest,
  WaitForTaskResult,
} from "./operations/tasks.ts";
export type { SmhClientOptions, SmhRetryOptions, TaskPollingOptions } from "./options.ts";
export {
  encodePath,
  InvalidPathError,
  isRootPath,
  MAX_SEGMENT_LENGTH,
  normalizePath,
  PathProblem,
  type PathUse,
  samePath,
  toSegments,
} from "./paths.ts";
export { REDACTED, redactText, redactUrl } from "./redact.ts";
export { MAX_BATCH_ITEMS } from "./requests.ts";
export { RetryRule } from "./retry-policy.ts";
export type { CallMeta, CallOptions, SpaceRef } from "./types.ts";
