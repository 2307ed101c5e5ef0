/**
 * Keeps SMH secrets out of anything printed. SMH takes the access token as the `access_token` query
 * parameter, the token endpoint takes the library secret as `library_secret`, and the token renew
 * and delete endpoints put the token in the path (`/api/v1/token/{LibraryId}/{AccessToken}`).
 */

/** What a redacted value is replaced with. */
export const REDACTED = "REDACTED";

/** Query parameter names whose values are secrets (matched case-insensitively). */
const SENSITIVE_PARAMETER = /token|secret|password|signature|credential/i;

/** `/api/v1/token/{LibraryId}/{AccessToken}`: the segment after the library ID is a token. */
const TOKEN_PATH = /(\/api\/v1\/token\/[^/?#\s]+\/)[^/?#\s"'<>]+/g;

/** `name=value` pairs in free text, for the sensitive parameter names SMH uses. */
const SENSITIVE_PAIR =
  /((?:access_token|library_secret|accessToken|librarySecret)["']?\s*[=:]\s*["']?)[^&\s"'<>,;}]+/gi;

/**
 * Returns `url` with every secret replaced by `REDACTED`: query parameters whose name mentions a
 * token, secret, password, signature or credential, and the token segment of token endpoints.
 * Anything that does not parse as a URL is redacted as text.
 *
 * @example
 * redactUrl("https://lib.api.tencentsmh.cn/api/v1/directory/lib/-/a?access_token=acctk123&user_id=u")
 * // "https://lib.api.tencentsmh.cn/api/v1/directory/lib/-/a?access_token=REDACTED&user_id=u"
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return redactText(String(url));
  }
  for (const name of new Set(parsed.searchParams.keys())) {
    if (SENSITIVE_PARAMETER.test(name)) parsed.searchParams.set(name, REDACTED);
  }
  parsed.pathname = parsed.pathname.replace(TOKEN_PATH, `$1${REDACTED}`);
  // URLSearchParams serialises "REDACTED" as is; the rest of the query is re-encoded unchanged.
  return parsed.toString();
}

/**
 * Redacts secrets inside free text: `access_token=…`/`library_secret=…` pairs (also in JSON form),
 * tokens in token-endpoint paths, and every exact occurrence of the given secret values (raw and
 * URL-encoded). Use it on any text that may have seen a URL or a server message.
 *
 * @example
 * redactText("GET /api/v1/token?library_secret=s3cr3t failed") // "GET /api/v1/token?library_secret=REDACTED failed"
 */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let result = text.replace(SENSITIVE_PAIR, `$1${REDACTED}`).replace(TOKEN_PATH, `$1${REDACTED}`);
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      result = result.split(form).join(REDACTED);
    }
  }
  return result;
}
