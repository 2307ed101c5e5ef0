import ky, { type KyResponse } from "ky";
import type { SecretSource } from "../smh/config.ts";
import { redactText } from "../smh/redact.ts";

/**
 * Raw requests to a library, for what the SMH client deliberately hides: what the library answers
 * when a request leaves a documented choice open (no conflict strategy, a `limit` above 100, a
 * bearer token, a read-only token on a delete). The conformance checks use the client for
 * everything the product does, and this only to observe the library's own answer.
 *
 * It never changes anything by itself: `ScratchSession` decides what may be sent, and refuses any
 * change outside the run's scratch directory. The secret is used to mint tokens and never appears
 * in an error (errors name the method and route, never the URL).
 */

/** One answer: the status, SMH's error `code` when it sent one, and the parsed body. */
export interface ProbeAnswer {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: unknown;
}

/** The library could not be reached (network error, timeout, or throttled past every retry). */
export class ProbeError extends Error {
  override readonly name = "ProbeError";
}

/** How the request carries its token. */
export type ProbeAuth =
  | { readonly kind: "query"; readonly token: string }
  | { readonly kind: "bearer"; readonly token: string }
  | { readonly kind: "none" };

export interface ProbeRequest {
  readonly method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  /** The API path, every segment already encoded (see {@link apiPath}). */
  readonly path: string;
  /** For the error message: the route without ids or names (`PUT directory`). */
  readonly route: string;
  /** Valueless flags, sent bare (`?restore`). */
  readonly flags?: readonly string[];
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly auth: ProbeAuth;
  readonly json?: unknown;
  /**
   * Whether a 5xx or a dropped connection may be retried (the request changes nothing, or doing
   * it twice is harmless). A 429 is always retried: SMH refused it before doing anything.
   */
  readonly idempotent: boolean;
}

export interface LibraryProbeOptions {
  readonly baseUrl: URL;
  readonly libraryId: string;
  readonly spaceId: string;
  readonly secret: SecretSource;
  /** Stops every request in flight (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
  /** @default 30_000 */
  readonly timeoutMs?: number;
  /** @default 4 */
  readonly attempts?: number;
}

/** Encodes path segments for a URL, exactly: nothing is trimmed or collapsed. */
export function encodeSegments(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** `/api/v1/{area}/{LibraryId}/{SpaceId}` plus an optional encoded tail. */
export function apiPath(area: string, libraryId: string, spaceId: string, tail = ""): string {
  const base = `/api/v1/${area}/${encodeURIComponent(libraryId)}/${encodeURIComponent(spaceId)}`;
  return tail === "" ? base : `${base}/${tail}`;
}

const RETRYABLE_STATUS = (status: number) =>
  status === 429 || (status >= 500 && status !== 501 && status !== 505);

export class LibraryProbe {
  readonly libraryId: string;
  readonly spaceId: string;
  readonly #options: LibraryProbeOptions;
  readonly #tokens = new Map<string, Promise<string>>();
  /** Tokens minted so far: scrubbed from every message. */
  readonly #secrets: string[] = [];

  constructor(options: LibraryProbeOptions) {
    this.#options = options;
    this.libraryId = options.libraryId;
    this.spaceId = options.spaceId;
  }

  /**
   * Mints a token for the probe's space with `grants` (empty: read-only), as the SMH client does:
   * `POST /api/v1/token`. Returns the whole answer, so a check can read `expiresIn`.
   */
  async mint(
    grants: readonly string[],
    options: { readonly period?: number; readonly spaceId?: string } = {},
  ): Promise<ProbeAnswer & { readonly token: string | undefined }> {
    const source = this.#options.secret;
    const secret = typeof source === "function" ? await source() : source;
    this.#secrets.push(secret);
    const spaceId = options.spaceId ?? this.spaceId;
    const answer = await this.send({
      method: "POST",
      path: "/api/v1/token",
      route: "POST token",
      query: {
        library_id: this.libraryId,
        library_secret: secret,
        space_id: spaceId === "-" ? undefined : spaceId,
        grant: grants.length === 0 ? undefined : [...grants].sort().join(","),
        period: options.period === undefined ? undefined : String(options.period),
      },
      auth: { kind: "none" },
      idempotent: true,
    });
    const token = (answer.body as { accessToken?: unknown } | undefined)?.accessToken;
    if (typeof token === "string") this.#secrets.push(token);
    return { ...answer, token: typeof token === "string" ? token : undefined };
  }

  /**
   * A token with `grants` for the probe's space, minted once and reused.
   * @throws ProbeError when the library refuses to mint one.
   */
  token(grants: readonly string[]): Promise<string> {
    const key = [...grants].sort().join(",");
    let pending = this.#tokens.get(key);
    if (pending === undefined) {
      pending = this.mint(grants).then((answer) => {
        if (answer.token === undefined) {
          throw new ProbeError(
            `the library refused to mint a token (${answer.status} ${answer.code ?? ""})`.trim(),
          );
        }
        return answer.token;
      });
      pending.catch(() => this.#tokens.delete(key));
      this.#tokens.set(key, pending);
    }
    return pending;
  }

  /** Sends one request (retrying throttles, and for idempotent requests 5xx and resets). */
  async send(request: ProbeRequest): Promise<ProbeAnswer> {
    const attempts = this.#options.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      let response: KyResponse;
      try {
        response = await this.#fetch(request);
      } catch (error) {
        if (this.#options.signal?.aborted) throw this.#options.signal.reason ?? error;
        if (request.idempotent && attempt < attempts) {
          await this.#pause(attempt, undefined);
          continue;
        }
        throw new ProbeError(
          this.#scrub(`${request.route} failed: ${error instanceof Error ? error.message : error}`),
        );
      }
      const answer = await this.#read(response);
      const retry =
        answer.status === 429 || (request.idempotent && RETRYABLE_STATUS(answer.status));
      if (retry && attempt < attempts) {
        await this.#pause(attempt, response.headers.get("retry-after"));
        continue;
      }
      return answer;
    }
  }

  #fetch(request: ProbeRequest): Promise<KyResponse> {
    const url = new URL(request.path.replace(/^\//, ""), ensureSlash(this.#options.baseUrl));
    const parts = [...(request.flags ?? [])];
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) params.set(key, value);
    }
    if (request.auth.kind === "query") params.set("access_token", request.auth.token);
    const search = params.toString();
    if (search !== "") parts.push(search);
    url.search = parts.join("&");
    const headers: Record<string, string> = {};
    if (request.auth.kind === "bearer") headers.authorization = `Bearer ${request.auth.token}`;
    return ky(url, {
      method: request.method,
      headers,
      ...(request.json === undefined ? {} : { json: request.json }),
      throwHttpErrors: false,
      retry: 0,
      timeout: this.#options.timeoutMs ?? 30_000,
      ...(this.#options.signal ? { signal: this.#options.signal } : {}),
    });
  }

  async #read(response: KyResponse): Promise<ProbeAnswer> {
    const text = response.status === 204 ? "" : await response.text();
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const code = (body as { code?: unknown } | undefined)?.code;
    return { status: response.status, code: typeof code === "string" ? code : undefined, body };
  }

  async #pause(attempt: number, retryAfter: string | null | undefined): Promise<void> {
    const seconds = retryAfter ? Number(retryAfter) : Number.NaN;
    const ms = Number.isFinite(seconds)
      ? Math.min(seconds * 1000, 10_000)
      : 200 * 2 ** (attempt - 1);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      this.#options.signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(this.#options.signal?.reason);
        },
        { once: true },
      );
    });
  }

  #scrub(text: string): string {
    return redactText(text, this.#secrets);
  }
}

function ensureSlash(url: URL): URL {
  return url.pathname.endsWith("/") ? url : new URL(`${url.href}/`);
}
