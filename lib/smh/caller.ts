import { SmhAuthError } from "./errors/auth-error.ts";
import { REMINT_CODES } from "./errors/classify.ts";
import { SmhError } from "./errors/smh-error.ts";
import type { Grant } from "./grants.ts";
import type { AttemptLog, CallBudget, HttpAnswer, HttpCall } from "./http-call.ts";
import { createLibraries, findLibrary, type Library } from "./library.ts";
import type { ResolvedOptions } from "./options.ts";
import { type AccessToken, TokenCache } from "./tokens.ts";
import { Transport } from "./transport.ts";
import type { CallOptions } from "./types.ts";

/** An SMH request that needs an access token for `grants` (none: read-only). */
export interface AuthorizedCall extends Omit<HttpCall, "secrets"> {
  /** The space the token is for; `-` or undefined mints without `space_id`. */
  readonly spaceId: string | undefined;
  readonly grants: readonly Grant[];
  /** `CallOptions.userId`; undefined falls back to the library's configured user. */
  readonly userId: string | undefined;
}

/**
 * What every operation uses: the configured libraries, call budgets, and sending with a token.
 * On 403 `InvalidAccessToken` (or `AccessTokenVersionNotMatch`) it mints a new token once and
 * sends the request once more; that is the only retry outside ky's retry loop, and it is not a
 * repeat of a failed delivery (SMH refused the request before doing anything). A HEAD request's
 * 403 has no body to name the code, so it is treated the same way (see {@link refusedToken}).
 */
export class Caller {
  readonly options: ResolvedOptions;
  readonly #libraries: ReadonlyMap<string, Library>;
  readonly #transport: Transport;
  readonly #tokens: TokenCache;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.#libraries = createLibraries(options);
    this.#transport = new Transport(options);
    this.#tokens = new TokenCache({
      transport: this.#transport,
      now: options.now,
      refreshMarginSeconds: options.tokenRefreshMarginSeconds,
      mintBudgetMs: options.defaultBudgetMs,
      onEvent: options.onEvent,
    });
  }

  /** The configured library; an `SmhConfigurationError` when there is none by that ID. */
  library(libraryId: string, operation: string): Library {
    return findLibrary(this.#libraries, libraryId, operation);
  }

  /** The budget of a call: its deadline (or the default budget from now) and its signal. */
  budget(options: CallOptions | undefined): CallBudget {
    return {
      deadline: options?.deadline ?? this.options.now() + this.options.defaultBudgetMs,
      signal: options?.signal,
    };
  }

  /** Sends `call` with a token for its scope; re-mints and resends once if SMH refuses the token. */
  async send(call: AuthorizedCall, budget: CallBudget, log: AttemptLog): Promise<HttpAnswer> {
    const scope = {
      library: call.library,
      spaceId: call.spaceId,
      grants: call.grants,
      // The call's own user wins over the library's (or the client's) configured user.
      userId: call.userId ?? call.library.userId,
    };
    const token = await this.#tokens.get(scope, budget, call.operation);
    try {
      return await this.#transport.send(withToken(call, token), budget, log);
    } catch (error) {
      if (!refusedToken(error, call)) throw error;
      const fresh = await this.#tokens.replace(scope, token, budget, call.operation);
      return await this.#transport.send(withToken(call, fresh), budget, log);
    }
  }
}

/**
 * True when SMH may have refused the token itself, so that a fresh token can succeed: 403
 * `InvalidAccessToken` (expired, revoked, invalidated) or `AccessTokenVersionNotMatch`. A HEAD
 * answer carries no body, so its 403 cannot say which 403 it is; HEAD is only used for reads,
 * which need no grant, so the likely cause is an expired token, and one re-mint settles it (a
 * second 403 is then reported as it is).
 */
function refusedToken(error: unknown, call: AuthorizedCall): boolean {
  if (error instanceof SmhAuthError) {
    return error.code !== undefined && REMINT_CODES.has(error.code);
  }
  return (
    call.method === "HEAD" &&
    error instanceof SmhError &&
    error.status === 403 &&
    error.code === undefined
  );
}

function withToken(call: AuthorizedCall, token: AccessToken): HttpCall {
  return {
    operation: call.operation,
    library: call.library,
    method: call.method,
    path: call.path,
    flags: call.flags,
    query: { ...call.query, access_token: token.value },
    json: call.json,
    retry: call.retry,
    mutating: call.mutating,
    secrets: [token.value],
  };
}
