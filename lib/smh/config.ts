import * as z from "zod";
import { SmhConfigurationError } from "./errors/configuration-error.ts";

/**
 * Where a library secret comes from: the value itself, or a function that resolves it (from the
 * environment now, from SSM or Secrets Manager later). A function is called only when a token is
 * minted, so a cold start that mints nothing never reads the secret, and a rotated secret is
 * picked up by the next mint. The client does not keep the resolved value.
 */
export type SecretSource = string | (() => string | Promise<string>);

/** One media library the client may call. */
export interface SmhLibraryConfig {
  /** The media library ID, as shown in the SMH console (`smh…`). */
  readonly libraryId: string;
  /** The library secret, or where to get it. See {@link SecretSource}. */
  readonly librarySecret: SecretSource;
  /** This library's base URL; wins over the client's `baseUrlTemplate`. */
  readonly baseUrl?: string | undefined;
  /** `user_id` for tokens minted for this library. Default: the client's `userId`, else none. */
  readonly userId?: string | undefined;
  /** Token `period` (validity and sliding extension), seconds. Default: the client's setting. */
  readonly tokenPeriodSeconds?: number | undefined;
}

/** SMH gives every library its own domain; this is its documented shape. */
export const DEFAULT_BASE_URL_TEMPLATE = "https://{libraryId}.api.tencentsmh.cn";

/** Library and space IDs: letters, digits, `_` and `-` (a single-tenant space is `-`). */
const ID = /^[A-Za-z0-9_-]+$/;

/** The shape of {@link SmhLibraryConfig}, checked when a client is created. */
export const SmhLibraryConfigSchema = z.object({
  libraryId: z.string().regex(ID, "a library ID has only letters, digits, _ and -"),
  librarySecret: z.custom<SecretSource>(
    (value) => (typeof value === "string" && value !== "") || typeof value === "function",
    "the library secret must be a non-empty string or a function that resolves it",
  ),
  baseUrl: z.string().optional(),
  userId: z.string().min(1).optional(),
  tokenPeriodSeconds: z.number().int().positive().optional(),
});

/** True for a valid library or space ID. */
export function isValidId(id: string): boolean {
  return ID.test(id);
}

/**
 * Resolves the base URL of a library: its own `baseUrl`, else `template` with `{libraryId}`
 * replaced. HTTPS is required (SMH refuses HTTP, and the token endpoint carries the secret), except
 * for loopback hosts, where the simulator and tests listen.
 *
 * @example
 * resolveBaseUrl("https://{libraryId}.api.tencentsmh.cn", "smh1a2b").href // "https://smh1a2b.api.tencentsmh.cn/"
 */
export function resolveBaseUrl(template: string, libraryId: string, override?: string): URL {
  const raw = override ?? template.replaceAll("{libraryId}", libraryId);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configurationError(libraryId, `the base URL of library ${libraryId} is not a URL`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw configurationError(libraryId, `the base URL of library ${libraryId} must use https`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw configurationError(
      libraryId,
      `the base URL of library ${libraryId} must not carry a query, fragment or credentials`,
    );
  }
  return url;
}

/**
 * A {@link SecretSource} that reads an environment variable when a token is minted.
 *
 * @example
 * createSmhClient({ libraries: [{ libraryId: "smh1a2b", librarySecret: secretFromEnvironment("SMH_SECRET_SMH1A2B") }] });
 */
export function secretFromEnvironment(
  variable: string,
  environment: NodeJS.ProcessEnv = process.env,
): () => string {
  return () => {
    const value = environment[variable];
    if (!value) throw new Error(`environment variable ${variable} is not set`);
    return value;
  };
}

/**
 * Resolves a library's secret for one mint. Failures become an {@link SmhConfigurationError} whose
 * message names the library but never echoes what the source returned.
 */
export async function resolveSecret(source: SecretSource, libraryId: string): Promise<string> {
  let secret: unknown;
  try {
    secret = typeof source === "function" ? await source() : source;
  } catch (error) {
    const reason = error instanceof Error ? `: ${error.message}` : "";
    throw configurationError(
      libraryId,
      `the secret of library ${libraryId} could not be read${reason}`,
    );
  }
  if (typeof secret !== "string" || secret === "") {
    throw configurationError(libraryId, `the secret of library ${libraryId} is empty`);
  }
  return secret;
}

function configurationError(libraryId: string, summary: string): SmhConfigurationError {
  return new SmhConfigurationError({ operation: "configure", libraryId, attempts: 0 }, summary);
}
