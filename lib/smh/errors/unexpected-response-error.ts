import { SmhError, type SmhErrorDetails, SmhErrorKind } from "./smh-error.ts";

/**
 * Thrown when SMH answered with a status this client does not expect for the operation, a 404
 * without a not-found code, or a body that does not match the documented shape. Not retried, since
 * the call may have taken effect (`mayHaveApplied`).
 */
export class SmhUnexpectedResponseError extends SmhError {
  override readonly name = "SmhUnexpectedResponseError";
  readonly kind = SmhErrorKind.unexpected;

  constructor(details: SmhErrorDetails, summary = "SMH answered unexpectedly") {
    super(details, summary);
  }
}
