import type * as Ky from "ky";
import type { HTTPError } from "ky";
import { createSmhError } from "./errors/classify.ts";
import { SmhNetworkError } from "./errors/network-error.ts";
import { SmhError, type SmhErrorDetails } from "./errors/smh-error.ts";
import { SmhTimeoutError } from "./errors/timeout-error.ts";
import { SmhUnexpectedResponseError } from "./errors/unexpected-response-error.ts";
import { emit, type SmhRequestEvent } from "./events.ts";
import type { AttemptLog, CallBudget, HttpAnswer, HttpCall } from "./http-call.ts";
import type { RequestOutcome } from "./limiter/limiter.ts";
import type { ResolvedOptions } from "./options.ts";
import { redactText } from "./redact.ts";
import { readErrorBody } from "./responses.ts";
import {
  mayRetryStatus,
  mayRetryWithoutAnswer,
  networkCodeOf,
  neverSent,
  parseRetryAfter,
  type RetryRule,
} from "./retry-policy.ts";

// ky runs a feature test when it is imported that loads Node's fetch implementation (undici): about
// 10 ms of a Lambda cold start. It is loaded with the first request instead.
let kyModule: typeof Ky | undefined;

async function loadKy(): Promise<typeof Ky> {
  kyModule ??= await import("ky");
  return kyModule;
}

/** ky, once the first request has loaded it (every caller below runs after a request). */
function loadedKy(): typeof Ky {
  if (kyModule === undefined) throw new Error("ky is used before the first request loaded it");
  return kyModule;
}

/** ky's `timeout`/`totalTimeout` must not exceed this. */
const MAX_TIMEOUT_MS = 2_147_483_647;
/** A retry that would leave less than this of the budget is not worth starting. */
const MIN_ATTEMPT_BUDGET_MS = 250;
/** Statuses whose responses cannot carry a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Thrown inside the fetch wrapper when one attempt outlives `attemptTimeoutMs`. */
class AttemptTimeout extends Error {
  override readonly name = "AttemptTimeout";
}

/**
 * Sends SMH requests: every attempt passes through the library's limiter (one slot, one token),
 * has its own timeout, and is retried by ky within the call's deadline (`totalTimeout`) as the
 * endpoint's {@link RetryRule} allows. Failures come out as {@link SmhError}s that carry no URL.
 */
export class Transport {
  readonly #options: ResolvedOptions;

  constructor(options: ResolvedOptions) {
    this.#options = options;
  }

  /** Sends `call` and returns SMH's 2xx answer; throws an {@link SmhError} otherwise. */
  async send(call: HttpCall, budget: CallBudget, log: AttemptLog): Promise<HttpAnswer> {
    const remaining = budget.deadline - this.#options.now();
    if (remaining <= 0) {
      budget.signal?.throwIfAborted();
      throw new SmhTimeoutError(this.#details(call, log, {}));
    }
    const timing = { lastEndedAt: performance.now() };
    const { retry } = this.#options;
    try {
      const { default: ky } = await loadKy();
      const response = await ky(buildUrl(call), {
        method: call.method,
        ...(call.json === undefined ? {} : { json: call.json }),
        headers: { accept: "application/json" },
        // Per-attempt timeouts live in the fetch wrapper, so queueing at the limiter is not billed
        // to the attempt; the call as a whole is bounded here.
        timeout: false,
        totalTimeout: Math.min(remaining, MAX_TIMEOUT_MS),
        throwHttpErrors: true,
        ...(budget.signal ? { signal: budget.signal } : {}),
        retry: {
          limit: retry.limit,
          methods: ["get", "head", "post", "delete"],
          // Only consulted when shouldRetry defers to ky, i.e. to honour Retry-After.
          statusCodes: [429, 503],
          afterStatusCodes: [429, 503],
          maxRetryAfter: retry.maxRetryAfterMs,
          backoffLimit: retry.maxDelayMs,
          delay: (attempt) => retry.baseDelayMs * 2 ** (attempt - 1),
          jitter: true,
          shouldRetry: ({ error }) => this.#shouldRetry(error, call, budget),
        },
        fetch: (input, init) => this.#attempt(input as Request, init, call, log, timing),
        hooks: {
          beforeRetry: [
            ({ error }) => {
              emit(this.#options.onEvent, {
                type: "retry",
                libraryId: call.library.libraryId,
                operation: call.operation,
                attempt: log.attempts + 1,
                reason: describeFailure(error),
                waitedMs: Math.round(performance.now() - timing.lastEndedAt),
              });
            },
          ],
        },
      });
      const text = await response.text();
      const body = parseJsonBody(text);
      if (body === INVALID_JSON) {
        throw new SmhUnexpectedResponseError(
          this.#details(call, log, { status: response.status, mayHaveApplied: call.mutating }),
          "the answer is not JSON",
        );
      }
      return {
        status: response.status,
        body,
        requestId: requestIdOf(body, response.headers),
        secrets: call.secrets,
      };
    } catch (error) {
      throw this.#toSmhError(error, call, budget, log);
    }
  }

  /** One attempt: limiter slot and token, then fetch with the attempt timeout, body buffered. */
  #attempt(
    request: Request,
    init: RequestInit | undefined,
    call: HttpCall,
    log: AttemptLog,
    timing: { lastEndedAt: number },
  ): Promise<Response> {
    const { limiter, libraryId } = call.library;
    return limiter.run(request.signal, async (sentAt) => {
      log.attempts++;
      const attempt = log.attempts;
      const started = performance.now();
      const attemptTimeout = new AbortController();
      const timer = setTimeout(() => attemptTimeout.abort(), this.#options.attemptTimeoutMs);
      let outcome: RequestOutcome = "noAnswer";
      try {
        const response = await this.#options.fetch(request, {
          ...init,
          signal: AbortSignal.any([request.signal, attemptTimeout.signal]),
        });
        // Buffering the (small) body inside the attempt keeps the slot and the timeout honest.
        const buffer = await response.arrayBuffer();
        const throttled = response.status === 429;
        outcome = throttled ? "throttled" : "accepted";
        if (call.mutating && response.status >= 500) log.mayHaveApplied = true;
        const requestId = requestIdOf(undefined, response.headers);
        emit(
          this.#options.onEvent,
          requestEvent(call, attempt, started, {
            outcome: "response",
            status: response.status,
            requestId,
          }),
        );
        if (throttled) {
          emit(this.#options.onEvent, {
            type: "throttle",
            libraryId,
            operation: call.operation,
            retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), Date.now()),
          });
        }
        const empty = NULL_BODY_STATUSES.has(response.status) || buffer.byteLength === 0;
        return new Response(empty ? null : buffer, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      } catch (error) {
        const failure =
          attemptTimeout.signal.aborted && !request.signal.aborted
            ? "timeout"
            : request.signal.aborted
              ? "aborted"
              : "networkError";
        if (call.mutating && !(failure === "networkError" && neverSent(networkCodeOf(error)))) {
          log.mayHaveApplied = true;
        }
        emit(this.#options.onEvent, requestEvent(call, attempt, started, { outcome: failure }));
        if (failure === "timeout") throw new AttemptTimeout("the attempt timed out");
        throw error;
      } finally {
        clearTimeout(timer);
        timing.lastEndedAt = performance.now();
        limiter.report(sentAt, outcome);
      }
    });
  }

  /**
   * ky's retry decision: `false` to stop, `true` to back off (full jitter), `undefined` to let ky
   * wait exactly `Retry-After`.
   */
  #shouldRetry(error: Error, call: HttpCall, budget: CallBudget): boolean | undefined {
    if (loadedKy().isHTTPError(error)) {
      const status = error.response.status;
      const { code } = readErrorBody(error.data);
      if (!mayRetryStatus(call.retry, status, code)) return false;
      if (status !== 429 && status !== 503) return true;
      const retryAfter = parseRetryAfter(error.response.headers.get("retry-after"), Date.now());
      if (retryAfter === undefined) return true;
      const remaining = budget.deadline - this.#options.now();
      // Sleeping into the deadline helps nobody: fail now, carrying retryAfterMs for the caller.
      if (retryAfter > this.#options.retry.maxRetryAfterMs) return false;
      if (retryAfter + MIN_ATTEMPT_BUDGET_MS > remaining) return false;
      return undefined;
    }
    if (error instanceof AttemptTimeout) return mayRetryWithoutAnswer(call.retry, undefined);
    if (loadedKy().isNetworkError(error))
      return mayRetryWithoutAnswer(call.retry, networkCodeOf(error));
    return false;
  }

  #toSmhError(error: unknown, call: HttpCall, budget: CallBudget, log: AttemptLog): unknown {
    if (error instanceof SmhError) return error;
    if (loadedKy().isHTTPError(error)) return this.#fromHttpError(error, call, log);
    if (budget.signal?.aborted) return budget.signal.reason;
    if (loadedKy().isTimeoutError(error)) return new SmhTimeoutError(this.#details(call, log, {}));
    if (error instanceof AttemptTimeout) {
      return new SmhTimeoutError(this.#details(call, log, {}), "the attempt timed out");
    }
    if (loadedKy().isNetworkError(error)) {
      return new SmhNetworkError({
        ...this.#details(call, log, {}),
        networkCode: networkCodeOf(error),
      });
    }
    // Not an HTTP outcome (a bug, or a runtime error). Its text may quote the request URL, so only
    // a redacted copy of the message goes along, never the error object itself.
    const description =
      error instanceof Error
        ? `${error.name}: ${redactText(error.message, call.secrets)}`
        : typeof error;
    return new SmhUnexpectedResponseError(
      { ...this.#details(call, log, {}), mayHaveApplied: log.mayHaveApplied || call.mutating },
      `the request failed with ${description}`,
    );
  }

  #fromHttpError(error: HTTPError, call: HttpCall, log: AttemptLog): SmhError {
    const body = readErrorBody(error.data);
    const headers = error.response.headers;
    return createSmhError(
      this.#details(call, log, {
        status: error.response.status,
        code: body.code,
        serverMessage:
          body.message === undefined ? undefined : redactText(body.message, call.secrets),
        requestId: body.requestId ?? requestIdOf(undefined, headers),
        retryAfterMs: parseRetryAfter(headers.get("retry-after"), Date.now()),
      }) as SmhErrorDetails & { status: number },
    );
  }

  #details(call: HttpCall, log: AttemptLog, extra: Partial<SmhErrorDetails>): SmhErrorDetails {
    return {
      operation: call.operation,
      libraryId: call.library.libraryId,
      attempts: log.attempts,
      mayHaveApplied: log.mayHaveApplied,
      ...extra,
    };
  }
}

/** The full URL of `call`: base URL, path, bare flags, then the query parameters. */
function buildUrl(call: Pick<HttpCall, "library" | "path" | "flags" | "query">): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(call.query ?? {})) {
    if (value !== undefined) parameters.append(name, value);
  }
  const search = [...(call.flags ?? []), parameters.toString()].filter((part) => part !== "");
  const query = search.length > 0 ? `?${search.join("&")}` : "";
  return `${call.library.baseUrl}${call.path}${query}`;
}

const INVALID_JSON = Symbol("invalid JSON");

function parseJsonBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}

/** The request ID from a body (`requestId`, `reqId`, `requestID`) or the response headers. */
function requestIdOf(body: unknown, headers: Headers): string | undefined {
  const fromBody = body === undefined ? undefined : readErrorBody(body).requestId;
  return fromBody ?? headers.get("x-request-id") ?? headers.get("x-smh-request-id") ?? undefined;
}

/** The `request` event of an attempt that began at `started` and ended as `end` says. */
function requestEvent(
  call: HttpCall,
  attempt: number,
  started: number,
  end: Pick<SmhRequestEvent, "outcome" | "status" | "requestId">,
): SmhRequestEvent {
  return {
    type: "request",
    libraryId: call.library.libraryId,
    operation: call.operation,
    method: call.method,
    attempt,
    ...end,
    durationMs: Math.round(performance.now() - started),
  };
}

/** A short, secret-free reason for a retry event. */
function describeFailure(error: Error): string {
  if (loadedKy().isHTTPError(error)) {
    const { code } = readErrorBody(error.data);
    return `HTTP ${error.response.status}${code ? ` ${code}` : ""}`;
  }
  if (error instanceof AttemptTimeout) return "timeout";
  if (loadedKy().isNetworkError(error)) return `network ${networkCodeOf(error) ?? "error"}`;
  return error.name;
}
