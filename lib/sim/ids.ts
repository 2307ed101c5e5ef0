import { createHash, randomBytes } from "node:crypto";
import type { Random } from "./random.ts";

const ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * Request ids for the `X-Request-Id` header: a per-process random prefix plus a counter, so minting
 * one costs a string concatenation rather than a crypto call on every request.
 */
export class RequestIds {
  readonly #prefix = randomBytes(4).toString("hex");
  #counter = 0;

  next(): string {
    this.#counter += 1;
    return `${this.#prefix}${this.#counter.toString(36).padStart(8, "0")}`;
  }
}

/** A fresh access token shaped like SMH's (`acctk` + 40 lowercase alphanumerics), from `node:crypto`. */
export function mintAccessToken(): string {
  const bytes = randomBytes(40);
  let token = "acctk";
  for (const byte of bytes) token += ALPHANUMERIC[byte % 36];
  return token;
}

/**
 * A short, stable, one-way fingerprint of a token for inspection output: enough to correlate log
 * entries, useless to call the API with.
 */
export function tokenFingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 12);
}

/** A space id shaped like SMH's (`space` + 13 alphanumerics), drawn from a seeded generator. */
export function newSpaceId(random: Random): string {
  let id = "space";
  for (let i = 0; i < 13; i++) id += ALPHANUMERIC[random.int(36)];
  return id;
}

/** FNV-1a over a string, as 8 hex digits: cheap stable fake eTags and checksums. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}
