import { resolveSecret } from "./config.ts";
import { withinBudget } from "./deadline.ts";
import { SmhTimeoutError } from "./errors/timeout-error.ts";
import { emit, type SmhEventListener } from "./events.ts";
import { type Grant, grantList } from "./grants.ts";
import { AttemptLog, type CallBudget } from "./http-call.ts";
import type { Library } from "./library.ts";
import { contextOf, readAnswer, TokenSchema } from "./responses.ts";
import { RetryRule } from "./retry-policy.ts";
import type { Transport } from "./transport.ts";

/** What a token is for: one library, one space, one grant set, one user. */
export interface TokenScope {
  readonly library: Library;
  /** The space the calls go to; `-` (single-tenant) or undefined means "mint without `space_id`". */
  readonly spaceId: string | undefined;
  readonly grants: readonly Grant[];
  readonly userId: string | undefined;
}

/** A usable access token. `value` is secret: never log it. */
export interface AccessToken {
  readonly value: string;
}

interface CachedToken {
  readonly value: string;
  /** Wall-clock time after which the token is replaced before use. */
  readonly refreshAt: number;
}

/** Settings of {@link TokenCache}. */
export interface TokenCacheSettings {
  readonly transport: Transport;
  readonly now: () => number;
  readonly refreshMarginSeconds: number;
  /** The budget of one mint, shared by everyone waiting for it. */
  readonly mintBudgetMs: number;
  readonly onEvent: SmhEventListener | undefined;
}

/**
 * Mints and caches access tokens, one per {@link TokenScope}. A token is replaced shortly before it
 * expires, or when SMH refuses it. Concurrent callers that need the same token share one mint: a
 * cold start with a hundred deletes in flight sends one token request, not a hundred.
 */
export class TokenCache {
  readonly #settings: TokenCacheSettings;
  readonly #tokens = new Map<string, CachedToken>();
  readonly #minting = new Map<string, Promise<CachedToken>>();
  readonly #everMinted = new Set<string>();

  constructor(settings: TokenCacheSettings) {
    this.#settings = settings;
  }

  /** A valid token for `scope`: the cached one, or a fresh one (shared with concurrent callers). */
  async get(scope: TokenScope, budget: CallBudget, operation: string): Promise<AccessToken> {
    const key = scopeKey(scope);
    const cached = this.#tokens.get(key);
    if (cached && this.#settings.now() < cached.refreshAt) return { value: cached.value };
    return this.#wait(this.#mint(key, scope, "expiring"), scope, budget, operation);
  }

  /**
   * Replaces `rejected` after SMH refused it (403 `InvalidAccessToken`). When another caller has
   * already replaced it, that newer token is returned without minting again.
   */
  async replace(
    scope: TokenScope,
    rejected: AccessToken,
    budget: CallBudget,
    operation: string,
  ): Promise<AccessToken> {
    const key = scopeKey(scope);
    const cached = this.#tokens.get(key);
    if (cached && cached.value !== rejected.value && this.#settings.now() < cached.refreshAt) {
      return { value: cached.value };
    }
    if (cached?.value === rejected.value) this.#tokens.delete(key);
    return this.#wait(this.#mint(key, scope, "rejected"), scope, budget, operation);
  }

  async #wait(
    minting: Promise<CachedToken>,
    scope: TokenScope,
    budget: CallBudget,
    operation: string,
  ): Promise<AccessToken> {
    const remaining = budget.deadline - this.#settings.now();
    const token = await withinBudget(minting, remaining, budget.signal, () => {
      return new SmhTimeoutError(
        { operation, libraryId: scope.library.libraryId, attempts: 0 },
        "the deadline passed while waiting for an access token",
      );
    });
    return { value: token.value };
  }

  #mint(key: string, scope: TokenScope, reason: "expiring" | "rejected"): Promise<CachedToken> {
    const pending = this.#minting.get(key);
    if (pending) return pending;
    const minting = this.#request(scope).then((minted) => {
      const { value, expiresInSeconds, mintedAt } = minted;
      const lifetimeMs = expiresInSeconds * 1000;
      const marginMs = Math.min(this.#settings.refreshMarginSeconds * 1000, lifetimeMs / 2);
      const token = { value, refreshAt: mintedAt + lifetimeMs - marginMs };
      this.#tokens.set(key, token);
      const event = {
        libraryId: scope.library.libraryId,
        spaceId: mintedSpace(scope.spaceId),
        grants: [...new Set(scope.grants)].sort(),
        userId: scope.userId,
        expiresInSeconds,
      };
      if (this.#everMinted.has(key)) {
        emit(this.#settings.onEvent, { type: "tokenRefreshed", reason, ...event });
      } else {
        emit(this.#settings.onEvent, { type: "tokenMinted", ...event });
      }
      this.#everMinted.add(key);
      return token;
    });
    this.#minting.set(key, minting);
    const forget = () => {
      if (this.#minting.get(key) === minting) this.#minting.delete(key);
    };
    minting.then(forget, forget);
    return minting;
  }

  /** `POST /api/v1/token`: the library secret goes in the query string, as SMH requires. */
  async #request(
    scope: TokenScope,
  ): Promise<{ value: string; expiresInSeconds: number; mintedAt: number }> {
    const { library } = scope;
    const operation = "mintToken";
    const secret = await resolveSecret(library.secret, library.libraryId);
    const mintedAt = this.#settings.now();
    const log = new AttemptLog();
    const grants = grantList(scope.grants);
    const answer = await this.#settings.transport.send(
      {
        operation,
        library,
        method: "POST",
        path: "/api/v1/token",
        query: {
          library_id: library.libraryId,
          library_secret: secret,
          space_id: mintedSpace(scope.spaceId),
          user_id: scope.userId,
          period: String(library.tokenPeriodSeconds),
          grant: grants === "" ? undefined : grants,
        },
        // Minting twice only leaves an unused token behind.
        retry: RetryRule.always,
        mutating: false,
        secrets: [secret],
      },
      { deadline: mintedAt + this.#settings.mintBudgetMs, signal: undefined },
      log,
    );
    const context = contextOf(operation, library, answer, log);
    const body = readAnswer(TokenSchema, answer, context, [200, 201]);
    return {
      value: body.accessToken,
      expiresInSeconds: body.expiresIn ?? library.tokenPeriodSeconds,
      mintedAt,
    };
  }
}

/** Single-tenant libraries (`-`) and library-wide calls mint without `space_id`. */
function mintedSpace(spaceId: string | undefined): string | undefined {
  return spaceId === undefined || spaceId === "-" ? undefined : spaceId;
}

function scopeKey(scope: TokenScope): string {
  return [
    scope.library.libraryId,
    mintedSpace(scope.spaceId) ?? "",
    grantList(scope.grants),
    scope.userId ?? "",
  ].join("\u0000");
}
