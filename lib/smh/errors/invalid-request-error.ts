import { SmhError, type SmhErrorDetails, SmhErrorKind } from "./smh-error.ts";

/**
 * Thrown when SMH rejected the request itself (any other 4xx, e.g. 400 `TooManyItems`, 409
 * `SameNameDirectoryOrFileExists`, 413, 414), or when the client refused it before sending (an
 * empty batch, more than 1,000 items). Retrying the same request cannot help.
 */
export class SmhInvalidRequestError extends SmhError {
  override readonly name = "SmhInvalidRequestError";
  readonly kind = SmhErrorKind.invalid;

  constructor(details: SmhErrorDetails, summary = "the request was rejected") {
    super(details, summary);
  }
}
