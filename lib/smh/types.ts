/** Options every operation accepts. */
export interface CallOptions {
  /**
   * When the call must be over, in epoch milliseconds: typically `Date.now()` plus the Lambda's
   * remaining time minus a reserve for reporting. Retries, backoff, token minting and task polling
   * all fit inside it. Default: now plus the client's `defaultBudgetMs`.
   */
  readonly deadline?: number | undefined;
  /** Cancels the call; it then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Act as this SMH user: tokens are minted (and cached) with this `user_id`. */
  readonly userId?: string | undefined;
}

/** What every result carries, for reports and support tickets. */
export interface CallMeta {
  /** The request ID of the answer (body `requestId` or the `X-Request-Id` header), if SMH sent one. */
  readonly requestId: string | undefined;
  /** HTTP attempts of the operation's main request, retries and the re-mint retry included. */
  readonly attempts: number;
}

/** A space of a library. `spaceId` is `-` for a single-tenant library. */
export interface SpaceRef {
  readonly libraryId: string;
  readonly spaceId: string;
}
