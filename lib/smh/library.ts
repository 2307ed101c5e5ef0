import { resolveBaseUrl, type SecretSource } from "./config.ts";
import { SmhConfigurationError } from "./errors/configuration-error.ts";
import { emit } from "./events.ts";
import { LibraryLimiter } from "./limiter/limiter.ts";
import type { ResolvedOptions } from "./options.ts";

/** A configured library as the client uses it: where it is, how to authenticate, its limiter. */
export interface Library {
  readonly libraryId: string;
  /** The base URL without a trailing slash; request paths (`/api/v1/…`) are appended to it. */
  readonly baseUrl: string;
  readonly secret: SecretSource;
  readonly userId: string | undefined;
  readonly tokenPeriodSeconds: number;
  /** Shared by every operation and every attempt on this library. */
  readonly limiter: LibraryLimiter;
}

/** Builds every configured library up front, so a bad base URL fails at start-up, not mid-run. */
export function createLibraries(options: ResolvedOptions): ReadonlyMap<string, Library> {
  const libraries = new Map<string, Library>();
  for (const config of options.libraries) {
    const { libraryId } = config;
    libraries.set(libraryId, {
      libraryId,
      baseUrl: resolveBaseUrl(options.baseUrlTemplate, libraryId, config.baseUrl).href.replace(
        /\/+$/,
        "",
      ),
      secret: config.librarySecret,
      userId: config.userId ?? options.userId,
      tokenPeriodSeconds: config.tokenPeriodSeconds ?? options.tokenPeriodSeconds,
      limiter: new LibraryLimiter(
        options.limiter,
        (change) => emit(options.onEvent, { type: "rateChanged", libraryId, ...change }),
        options.fleetBoard && {
          board: options.fleetBoard,
          libraryId,
          onError: (error) =>
            emit(options.onEvent, {
              type: "fleetBoardFailed",
              libraryId,
              // The board's errors name a table and AWS codes, never an SMH token or secret.
              reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            }),
        },
      ),
    });
  }
  return libraries;
}

/** The library named `libraryId`, or an {@link SmhConfigurationError} when it is not configured. */
export function findLibrary(
  libraries: ReadonlyMap<string, Library>,
  libraryId: string,
  operation: string,
): Library {
  const library = libraries.get(libraryId);
  if (library) return library;
  throw new SmhConfigurationError(
    { operation, libraryId, attempts: 0 },
    `library ${libraryId} is not configured`,
  );
}
