import * as z from "zod";
import {
  DEFAULT_BASE_URL_TEMPLATE,
  type SmhLibraryConfig,
  SmhLibraryConfigSchema,
} from "./config.ts";
import type { SmhEventListener } from "./events.ts";
import type { FleetBoard } from "./limiter/fleet.ts";
import type { LimiterOptions } from "./limiter/limiter.ts";

/**
 * How failed attempts are retried (inside one call, within its deadline). Backoff is exponential
 * with full jitter: retry `n` waits a random time in `[0, min(maxDelayMs, baseDelayMs·2^(n−1))]`.
 * A 429 or 503 with `Retry-After` waits exactly that long instead, unless that is longer than
 * `maxRetryAfterMs` or than what is left of the call's budget; then the call fails at once with
 * a retryable error carrying `retryAfterMs`, instead of sleeping into its own deadline.
 */
export interface SmhRetryOptions {
  /** Retries after the first attempt. @default 4 */
  readonly limit?: number;
  /** @default 250 */
  readonly baseDelayMs?: number;
  /** @default 5000 */
  readonly maxDelayMs?: number;
  /** @default 20000 */
  readonly maxRetryAfterMs?: number;
}

/** How an asynchronous SMH task (202 + `taskId`) is polled until it finishes. */
export interface TaskPollingOptions {
  /** The first wait before asking again. @default 250 */
  readonly initialDelayMs?: number;
  /** Each wait is the previous one times this (with jitter). @default 2 */
  readonly factor?: number;
  /** The longest wait between two polls. @default 5000 */
  readonly maxDelayMs?: number;
}

/** Everything {@link createSmhClient} accepts. Only `libraries` is required. */
export interface SmhClientOptions {
  /** The libraries this client may call. */
  readonly libraries: readonly SmhLibraryConfig[];
  /**
   * The base URL of every library without its own `baseUrl`; `{libraryId}` is replaced.
   * @default "https://{libraryId}.api.tencentsmh.cn"
   */
  readonly baseUrlTemplate?: string;
  /** `user_id` for minted tokens (a library's own `userId` wins). @default none */
  readonly userId?: string;
  /**
   * Token `period`: validity, and the extension SMH applies on each use. Short, because a
   * serverless worker lives minutes, not days. @default 3600
   */
  readonly tokenPeriodSeconds?: number;
  /**
   * Mint a new token this long before the cached one expires (at most half its lifetime).
   * @default 300
   */
  readonly tokenRefreshMarginSeconds?: number;
  /**
   * Timeout of one HTTP attempt, counted from when the limiter lets it go (time spent waiting
   * for a rate token does not count). @default 15000
   */
  readonly attemptTimeoutMs?: number;
  /** The budget of a call that passes no `deadline`. @default 60000 */
  readonly defaultBudgetMs?: number;
  /** See {@link SmhRetryOptions}. */
  readonly retry?: SmhRetryOptions;
  /** The per-library limiter; see {@link LimiterOptions}. */
  readonly limiter?: LimiterOptions;
  /**
   * Shared state through which this client's limiters share each library's limit with the other
   * containers sending to it (see `limiter/fleet.ts`). @default none: each finds its share alone
   */
  readonly fleetBoard?: FleetBoard;
  /** See {@link TaskPollingOptions}. */
  readonly taskPolling?: TaskPollingOptions;
  /** Receives request, retry, throttle, token and rate events. @default none */
  readonly onEvent?: SmhEventListener;
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** The wall clock (epoch ms) for deadlines and token expiry; tests inject one. @default Date.now */
  readonly now?: () => number;
}

/** {@link SmhClientOptions} with every default applied. */
export interface ResolvedOptions {
  readonly libraries: readonly SmhLibraryConfig[];
  readonly baseUrlTemplate: string;
  readonly userId: string | undefined;
  readonly tokenPeriodSeconds: number;
  readonly tokenRefreshMarginSeconds: number;
  readonly attemptTimeoutMs: number;
  readonly defaultBudgetMs: number;
  readonly retry: Required<SmhRetryOptions>;
  readonly limiter: LimiterOptions;
  readonly fleetBoard: FleetBoard | undefined;
  readonly taskPolling: Required<TaskPollingOptions>;
  readonly onEvent: SmhEventListener | undefined;
  readonly fetch: typeof globalThis.fetch;
  readonly now: () => number;
}

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const OptionsSchema = z.object({
  libraries: z.array(SmhLibraryConfigSchema),
  baseUrlTemplate: z.string().default(DEFAULT_BASE_URL_TEMPLATE),
  userId: z.string().min(1).optional(),
  tokenPeriodSeconds: positiveInt.default(3600),
  tokenRefreshMarginSeconds: nonNegativeInt.default(300),
  attemptTimeoutMs: positiveInt.default(15_000),
  defaultBudgetMs: positiveInt.default(60_000),
  retry: z
    .object({
      limit: nonNegativeInt.default(4),
      baseDelayMs: nonNegativeInt.default(250),
      maxDelayMs: nonNegativeInt.default(5000),
      maxRetryAfterMs: nonNegativeInt.default(20_000),
    })
    .prefault({}),
  taskPolling: z
    .object({
      initialDelayMs: positiveInt.default(250),
      factor: z.number().min(1).default(2),
      maxDelayMs: positiveInt.default(5000),
    })
    .prefault({}),
});

/**
 * Applies the defaults documented on {@link SmhClientOptions} and checks the values.
 * @throws a `ZodError` naming every invalid option.
 */
export function resolveOptions(options: SmhClientOptions): ResolvedOptions {
  const parsed = OptionsSchema.parse(options);
  const libraryIds = parsed.libraries.map((library) => library.libraryId);
  const duplicate = libraryIds.find((id, index) => libraryIds.indexOf(id) !== index);
  if (duplicate) throw new RangeError(`library ${duplicate} is configured twice`);
  return {
    ...parsed,
    // zod copies objects; keep the caller's functions and limiter settings as given.
    libraries: options.libraries,
    userId: parsed.userId,
    limiter: options.limiter ?? {},
    fleetBoard: options.fleetBoard,
    onEvent: options.onEvent,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    now: options.now ?? Date.now,
  };
}
