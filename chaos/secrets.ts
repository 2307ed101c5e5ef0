/**
 * Looking for secrets in everything a run wrote: the library secrets and every access token the
 * handler used, in log lines, results, dead letters, errors and CLI output. A finding names where
 * it was and what kind of secret it was, never the secret itself.
 */

/** A secret to look for. */
export interface Secret {
  readonly kind: "library secret" | "access token";
  readonly value: string;
}

/** One captured text and where it came from (`log line 12`, `result 40`, `cli stderr`). */
export interface Haystack {
  readonly source: string;
  readonly text: string;
}

/** One leak: where, and what kind. */
export interface Leak {
  readonly source: string;
  readonly kind:
    | Secret["kind"]
    | "token-shaped string"
    | "unredacted access_token parameter"
    | "unredacted library_secret parameter";
}

/** The shape of an SMH access token (the simulator's, like SMH's): `acctk` + 40 alphanumerics. */
const TOKEN_SHAPE = /acctk[0-9a-z]{40}/g;
const UNREDACTED: Record<"access_token" | "library_secret", RegExp> = {
  access_token: /access_token=(?!\[REDACTED\]|REDACTED)[^&\s"]+/g,
  library_secret: /library_secret=(?!\[REDACTED\]|REDACTED)[^&\s"]+/g,
};

/**
 * Every occurrence of a secret in the haystacks: each known secret, each token-shaped string that
 * is not a known token (a token the capture missed is still a token), and each `access_token=` or
 * `library_secret=` query parameter that was not redacted.
 */
export function findLeaks(haystacks: readonly Haystack[], secrets: readonly Secret[]): Leak[] {
  const known = secrets.filter(({ value }) => value.length >= 8);
  const tokens = new Set(known.filter((s) => s.kind === "access token").map((s) => s.value));
  const others = known.filter((s) => s.kind !== "access token");
  const leaks: Leak[] = [];
  for (const { source, text } of haystacks) {
    for (const secret of others) {
      for (let i = 0; i < occurrences(text, secret.value); i++) {
        leaks.push({ source, kind: secret.kind });
      }
    }
    if (text.includes("acctk")) {
      for (const match of text.matchAll(TOKEN_SHAPE)) {
        leaks.push({ source, kind: tokens.has(match[0]) ? "access token" : "token-shaped string" });
      }
      // A known token that is not token-shaped (a real SMH token might not be) is still found.
      for (const token of tokens) {
        if (!/^acctk[0-9a-z]{40}$/.test(token)) {
          for (let i = 0; i < occurrences(text, token); i++) {
            leaks.push({ source, kind: "access token" });
          }
        }
      }
    } else {
      for (const token of tokens) {
        if (token.startsWith("acctk")) continue;
        for (let i = 0; i < occurrences(text, token); i++) {
          leaks.push({ source, kind: "access token" });
        }
      }
    }
    // A parameter whose value is a known secret or token-shaped was counted above.
    const counted = (value: string) =>
      /^acctk[0-9a-z]{40}/.test(value) || known.some((secret) => value.startsWith(secret.value));
    for (const [name, pattern] of Object.entries(UNREDACTED)) {
      if (!text.includes(`${name}=`)) continue;
      for (const match of text.matchAll(pattern)) {
        const value = match[0].slice(name.length + 1);
        if (counted(value)) continue;
        leaks.push({
          source,
          kind:
            name === "access_token"
              ? "unredacted access_token parameter"
              : "unredacted library_secret parameter",
        });
      }
    }
  }
  return leaks;
}

function occurrences(text: string, value: string): number {
  let count = 0;
  for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) {
    count++;
  }
  return count;
}
