import { SmhError, type SmhErrorDetails, SmhErrorKind } from "./smh-error.ts";

/**
 * Thrown when the token's grants or space binding do not allow the call (403 `NoPermission`,
 * `AccessTokenNotMatchSpace`, `AccessTokenNotMatchLibrary`, `ReadForbidden`, `WriteForbidden`,
 * `SpaceBanned`, `LibraryServiceExpired`, …). A configuration error: fix the grants or the library,
 * do not retry.
 */
export class SmhPermissionError extends SmhError {
  override readonly name = "SmhPermissionError";
  readonly kind = SmhErrorKind.permission;

  constructor(details: SmhErrorDetails, summary = "permission denied") {
    super(details, summary);
  }
}
