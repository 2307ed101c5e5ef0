/**
 * One SMH HTTP call as the transport sends it, the budget it runs in, and SMH's answer: the words
 * the transport (which sends), the response readers (which read answers) and the operations share.
 * A leaf of its own so that none of them has to import another for a type.
 */
import type { Library } from "./library.ts";
import type { RetryRule } from "./retry-policy.ts";

/** One SMH HTTP request, before the limiter, retries and timeouts are applied. */
export interface HttpCall {
  /** The client operation, for errors and events. */
  readonly operation: string;
  readonly library: Library;
  readonly method: "GET" | "HEAD" | "POST" | "DELETE";
  /** The path after the base URL, starting with `/api/v1/`, with every segment already encoded. */
  readonly path: string;
  /** Valueless query flags, sent bare as SMH documents them (`?restore`, `?delete`, `?info`). */
  readonly flags?: readonly string[] | undefined;
  /** Query parameters; `undefined` values are left out. */
  readonly query?: Readonly<Record<string, string | undefined>> | undefined;
  /** A JSON body. */
  readonly json?: unknown;
  readonly retry: RetryRule;
  /** Whether the request changes SMH state (decides `mayHaveApplied`). */
  readonly mutating: boolean;
  /** Values to scrub from anything SMH says back (the token or secret in this request). */
  readonly secrets: readonly string[];
}

/** When a call must be over, and what may cancel it. */
export interface CallBudget {
  /** Epoch milliseconds. */
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
}

/** Counts the attempts of one operation's main request, across the re-mint retry. */
export class AttemptLog {
  attempts = 0;
  /** An attempt of a mutating request ended without a clear answer (5xx, timeout, dropped). */
  mayHaveApplied = false;
}

/** SMH's answer: a 2xx status with its (JSON) body. Error statuses become {@link SmhError}s. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly requestId: string | undefined;
  /** The secrets the request carried, to scrub from texts inside the body (per-item messages). */
  readonly secrets: readonly string[];
}
