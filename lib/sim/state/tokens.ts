import { SmhError } from "../errors.ts";
import { mintAccessToken, tokenFingerprint } from "../ids.ts";
import type { Grant } from "./grants.ts";

/** SMH's default token validity and sliding extension, in seconds. */
export const DEFAULT_TOKEN_PERIOD_SECONDS = 86_400;

/** Why a token stopped working before it expired. */
export type InvalidationReason = "deleted" | "deletedForUser" | "invalidated" | "periodic";

/** What a token is minted with. */
export interface MintRequest {
  readonly libraryId: string;
  /** The spaces the token is bound to; null = not bound (admin tokens, or single-tenant `-`). */
  readonly spaceIds: readonly string[] | null;
  readonly userId: string;
  readonly clientId: string;
  readonly sessionId: string;
  readonly grants: ReadonlySet<Grant>;
  readonly periodSeconds: number;
}

/** A minted access token and its state. Only the store and the auth check ever see `token`. */
export interface TokenRecord extends MintRequest {
  readonly token: string;
  readonly fingerprint: string;
  readonly mintedAt: number;
  lastUsedAt: number;
  expiresAt: number;
  invalidatedAt: number | null;
  invalidationReason: InvalidationReason | null;
}

/** Periodic invalidation of a library's tokens: every `everyMs` since `sinceMs`. */
export interface PeriodicInvalidation {
  readonly everyMs: number;
  readonly sinceMs: number;
}

/** A token as inspection shows it: fingerprinted, never the token itself. */
export interface TokenLogEntry {
  readonly fingerprint: string;
  readonly libraryId: string;
  readonly spaceIds: readonly string[] | null;
  readonly userId: string;
  readonly clientId: string;
  readonly sessionId: string;
  readonly grants: string[];
  readonly periodSeconds: number;
  readonly mintedAt: string;
  readonly lastUsedAt: string;
  readonly expiresAt: string;
  readonly status: "active" | "expired" | "invalidated";
  readonly invalidatedAt: string | null;
  readonly invalidationReason: InvalidationReason | null;
}

/**
 * All access tokens. A token is valid for its own library only, until `expiresAt`; every
 * successful use pushes `expiresAt` to now + period (SMH's sliding validity).
 */
export class TokenStore {
  readonly #tokens = new Map<string, TokenRecord>();

  /** Mints a token valid from `now` for its period. */
  mint(request: MintRequest, now: number): TokenRecord {
    const token = mintAccessToken();
    const record: TokenRecord = {
      ...request,
      token,
      fingerprint: tokenFingerprint(token),
      mintedAt: now,
      lastUsedAt: now,
      expiresAt: now + request.periodSeconds * 1000,
      invalidatedAt: null,
      invalidationReason: null,
    };
    this.#tokens.set(token, record);
    return record;
  }

  /**
   * The record of a token usable on `libraryId` at `now`, its expiry slid forward; otherwise
   * `403 InvalidAccessToken` (unknown, expired, invalidated, or another library's token).
   */
  use(
    token: string,
    libraryId: string,
    now: number,
    periodic: PeriodicInvalidation | null,
  ): TokenRecord {
    const record = this.#tokens.get(token);
    if (record === undefined || record.libraryId !== libraryId) {
      throw new SmhError("InvalidAccessToken");
    }
    if (record.invalidatedAt === null && periodic !== null && periodic.everyMs > 0) {
      // Lazily applies "invalidate every N ms": a token minted before the latest boundary is dead.
      const elapsed = now - periodic.sinceMs;
      const lastBoundary =
        periodic.sinceMs + Math.floor(elapsed / periodic.everyMs) * periodic.everyMs;
      if (elapsed >= periodic.everyMs && record.mintedAt < lastBoundary) {
        record.invalidatedAt = lastBoundary;
        record.invalidationReason = "periodic";
      }
    }
    if (record.invalidatedAt !== null || now >= record.expiresAt) {
      throw new SmhError("InvalidAccessToken");
    }
    record.lastUsedAt = now;
    record.expiresAt = now + record.periodSeconds * 1000;
    return record;
  }

  /** Revokes one token of `libraryId`; unknown tokens are ignored (deleting is idempotent). */
  revoke(token: string, libraryId: string, now: number): void {
    const record = this.#tokens.get(token);
    if (record?.libraryId === libraryId) this.#invalidate(record, now, "deleted");
  }

  /**
   * Revokes the tokens of a user, optionally only those with one of `clientIds`/`sessionIds`.
   * Returns how many were revoked.
   */
  revokeForUser(
    libraryId: string,
    userId: string,
    clientIds: ReadonlySet<string> | null,
    sessionIds: ReadonlySet<string> | null,
    now: number,
  ): number {
    let count = 0;
    for (const record of this.#tokens.values()) {
      if (record.libraryId !== libraryId || record.userId !== userId) continue;
      if (clientIds !== null && !clientIds.has(record.clientId)) continue;
      if (sessionIds !== null && !sessionIds.has(record.sessionId)) continue;
      if (this.#invalidate(record, now, "deletedForUser")) count += 1;
    }
    return count;
  }

  /** Invalidates every live token (of one library, or all). Returns how many. */
  invalidateAll(libraryId: string | null, now: number): number {
    let count = 0;
    for (const record of this.#tokens.values()) {
      if (libraryId !== null && record.libraryId !== libraryId) continue;
      if (now < record.expiresAt && this.#invalidate(record, now, "invalidated")) count += 1;
    }
    return count;
  }

  /** Every token ever minted, for inspection; tokens are fingerprinted. */
  log(now: number): TokenLogEntry[] {
    const iso = (ms: number) => new Date(ms).toISOString();
    return [...this.#tokens.values()].map((record) => ({
      fingerprint: record.fingerprint,
      libraryId: record.libraryId,
      spaceIds: record.spaceIds,
      userId: record.userId,
      clientId: record.clientId,
      sessionId: record.sessionId,
      grants: [...record.grants],
      periodSeconds: record.periodSeconds,
      mintedAt: iso(record.mintedAt),
      lastUsedAt: iso(record.lastUsedAt),
      expiresAt: iso(record.expiresAt),
      status:
        record.invalidatedAt !== null
          ? "invalidated"
          : now >= record.expiresAt
            ? "expired"
            : "active",
      invalidatedAt: record.invalidatedAt === null ? null : iso(record.invalidatedAt),
      invalidationReason: record.invalidationReason,
    }));
  }

  #invalidate(record: TokenRecord, now: number, reason: InvalidationReason): boolean {
    if (record.invalidatedAt !== null) return false;
    record.invalidatedAt = now;
    record.invalidationReason = reason;
    return true;
  }
}
