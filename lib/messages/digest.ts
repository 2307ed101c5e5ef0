/**
 * Content digests: the derived job and command IDs and the results' dedup keys.
 *
 * The parts are hashed as a JSON array, so no choice of separator can make two different lists of
 * parts hash alike (`["a/b", "c"]` and `["a", "b/c"]` differ), and a leading domain label keeps a
 * job's digest from ever equalling a command's.
 */
import { createHash } from "node:crypto";

/** One hashed part: a string, a number, a boolean, `null` for absent, or a list of those. */
export type DigestPart = string | number | boolean | null | readonly DigestPart[];

/** SHA-256 (hex, 64 characters) of the JSON array `[domain, ...parts]`. */
export function digest(domain: string, parts: readonly DigestPart[]): string {
  return createHash("sha256")
    .update(JSON.stringify([domain, ...parts]), "utf8")
    .digest("hex");
}

/**
 * The name of a message body too broken to name itself: `body-` and 32 hex characters of its
 * SHA-256, so the same bad body delivered twice gets the same name. A non-string (a caller's bug,
 * never an SQS body) is named after its type, since `String()` can throw.
 */
export function bodyId(body: unknown): string {
  const content = typeof body === "string" ? body : `<${typeof body}>`;
  return `body-${createHash("sha256").update(content, "utf8").digest("hex").slice(0, 32)}`;
}
