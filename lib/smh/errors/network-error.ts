import { SmhRetryableError } from "./retryable-error.ts";
import type { SmhErrorDetails } from "./smh-error.ts";

/**
 * Thrown when no HTTP answer came back: connection refused or reset, DNS failure, a response cut
 * off. `networkCode` is the system error code (`ECONNREFUSED`, `ECONNRESET`, …) when known. A
 * refused connection never reached SMH; a reset one may have (`mayHaveApplied`).
 */
export class SmhNetworkError extends SmhRetryableError {
  override readonly name: string = "SmhNetworkError";
  readonly networkCode: string | undefined;

  constructor(details: SmhErrorDetails & { readonly networkCode?: string | undefined }) {
    super(details, `network error${details.networkCode ? ` ${details.networkCode}` : ""}`);
    this.networkCode = details.networkCode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), networkCode: this.networkCode };
  }
}
