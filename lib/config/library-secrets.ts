/**
 * The library secrets, held in memory for the SMH client's token mints. Locally they come from
 * `SMH_LIBRARY_SECRETS` (JSON `{"<libraryId>": "<secret>"}`); in Lambda from ONE SSM SecureString
 * parameter with the same JSON, fetched at cold start by middy's SSM middleware (cached, refreshed
 * on its expiry) and handed over with {@link LibrarySecrets.update}.
 *
 * The secrets never leave this object except through {@link LibrarySecrets.source}, which the SMH
 * client calls when it mints a token; error messages name the library, never the value.
 */
import * as z from "zod";
import type { SecretSource } from "../smh/config.ts";

const SecretsSchema = z.record(
  z.string().regex(/^[A-Za-z0-9_-]+$/, "a library ID has only letters, digits, _ and -"),
  z.string().min(1, "a library secret cannot be empty"),
);

/** Thrown for a secrets document that is not JSON or not `{libraryId: secret}`; never echoes it. */
export class LibrarySecretsError extends Error {
  override readonly name = "LibrarySecretsError";
}

export class LibrarySecrets {
  #secrets = new Map<string, string>();

  /**
   * Replaces the secrets with those of `document` (the JSON text, or an already parsed object, as
   * middy's SSM middleware may hand it over). Throws {@link LibrarySecretsError}.
   */
  update(document: unknown, origin: string): void {
    let value = document;
    if (typeof document === "string") {
      try {
        value = JSON.parse(document);
      } catch {
        throw new LibrarySecretsError(
          `${origin} is not JSON: expected {"<libraryId>": "<secret>"}`,
        );
      }
    }
    const parsed = SecretsSchema.safeParse(value);
    if (!parsed.success) {
      // Issue paths name library IDs, which are not secret; the values are never shown.
      const where = parsed.error.issues.map((issue) => issue.path.join(".") || "(top)").join(", ");
      throw new LibrarySecretsError(
        `${origin} must be {"<libraryId>": "<secret>"}; invalid entries: ${where}`,
      );
    }
    this.#secrets = new Map(Object.entries(parsed.data));
  }

  /** The library IDs that have a secret. */
  libraryIds(): string[] {
    return [...this.#secrets.keys()];
  }

  /** A {@link SecretSource} for the SMH client: resolved at each mint, so updates take effect. */
  source(libraryId: string): SecretSource {
    return () => {
      const secret = this.#secrets.get(libraryId);
      if (secret === undefined)
        throw new LibrarySecretsError(`no secret is configured for library ${libraryId}`);
      return secret;
    };
  }
}
