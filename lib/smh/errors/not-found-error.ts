import { SmhError, type SmhErrorDetails, SmhErrorKind } from "./smh-error.ts";

/**
 * Thrown for 404 `DirectoryNotFound`, `PathNotFound`, `FileNotFound` or `RecycledItemNotFound`: the
 * directory, path or recycled item does not exist. Never thrown for a wrong library or space (see
 * {@link SmhConfigurationError}). When `mayHaveApplied` is true, an earlier attempt of the same
 * call may have done the deletion itself.
 */
export class SmhNotFoundError extends SmhError {
  override readonly name = "SmhNotFoundError";
  readonly kind = SmhErrorKind.notFound;

  constructor(details: SmhErrorDetails, summary = "not found") {
    super(details, summary);
  }
}
