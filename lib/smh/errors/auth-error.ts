import { SmhError, type SmhErrorDetails, SmhErrorKind } from "./smh-error.ts";

/**
 * Thrown when SMH refused the access token (403 `InvalidAccessToken`, `AccessTokenVersionNotMatch`,
 * 401) even after the client minted a fresh token and retried once. The library secret or the token
 * endpoint is likely wrong.
 */
export class SmhAuthError extends SmhError {
  override readonly name = "SmhAuthError";
  readonly kind = SmhErrorKind.auth;

  constructor(details: SmhErrorDetails, summary = "the access token was refused") {
    super(details, summary);
  }
}
