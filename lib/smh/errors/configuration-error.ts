import { SmhError, type SmhErrorDetails, SmhErrorKind } from "./smh-error.ts";

/**
 * Thrown when the library, space, secret or base URL is wrong: 404 `LibraryNotFound`,
 * `SpaceNotFound`, `WrongLibraryIdOrSecret`, `RouteNotFound`; 400 `EmptyLibrarySecret`,
 * `NotMultiSpaceLibrary`, `RecycleBinNotEnabled`, …; or, before any request, an unknown library or
 * a secret that cannot be resolved. Never retried.
 */
export class SmhConfigurationError extends SmhError {
  override readonly name = "SmhConfigurationError";
  readonly kind = SmhErrorKind.configuration;

  constructor(details: SmhErrorDetails, summary = "the configuration is wrong") {
    super(details, summary);
  }
}
