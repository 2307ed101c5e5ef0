/**
 * Parsing a queue message body without ever throwing.
 *
 * A body that throws inside a batch handler is retried until the DLQ and burns every retry; a body
 * that is refused here becomes a `rejected` result at once, with every reason.
 */
import type { z } from "zod";
import { duplicateKeys } from "./duplicate-keys.ts";
import { type FieldReason, reasonsFromIssues } from "./reasons.ts";

/** The outcome of {@link parseBody}. `raw` is the decoded JSON, when the body was JSON at all. */
export type BodyParse<T> =
  | { ok: true; value: T }
  | { ok: false; reasons: FieldReason[]; raw: unknown };

/** How {@link parseBody} reads a body. */
export interface BodyOptions {
  /**
   * Refuse a body that gives a key twice (see `duplicate-keys.ts`): for messages that act, where
   * each field must mean one thing. @default false (results are read leniently)
   */
  readonly refuseDuplicateKeys?: boolean;
}

/**
 * Decodes `body` as JSON and validates it with `schema`. Never throws: a non-string, an oversized
 * body (over `maxBytes` of UTF-8), a body that is not JSON, a key given twice (when refused) and
 * every schema issue become reasons. An oversized body is still decoded, only so that the caller
 * can tell which message it was.
 */
export function parseBody<T>(
  body: unknown,
  schema: z.ZodType<T>,
  maxBytes: number,
  options: BodyOptions = {},
): BodyParse<T> {
  if (typeof body !== "string") {
    return { ok: false, reasons: [{ path: "", message: "body must be a string" }], raw: undefined };
  }
  const decoded = decodeJson(body);
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > maxBytes) {
    const message = `body is ${bytes} bytes; at most ${maxBytes} are accepted`;
    return { ok: false, reasons: [{ path: "", message }], raw: decoded.value };
  }
  if (!decoded.ok) return { ok: false, reasons: [decoded.reason], raw: undefined };
  const duplicates: FieldReason[] = options.refuseDuplicateKeys
    ? duplicateKeys(body).map(({ path }) => ({
        path,
        code: "duplicate-key",
        message:
          "given twice in the body: give each field once (JSON readers differ on which of the two they keep)",
      }))
    : [];
  const result = schema.safeParse(decoded.value);
  if (result.success && duplicates.length === 0) return { ok: true, value: result.data };
  const issues = result.success ? [] : reasonsFromIssues(result.error.issues);
  return { ok: false, reasons: [...duplicates, ...issues], raw: decoded.value };
}

function decodeJson(
  body: string,
): { ok: true; value: unknown } | { ok: false; reason: FieldReason; value?: undefined } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    // SyntaxError, or RangeError for absurdly deep nesting: either way, not a message.
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: { path: "", message: `body is not JSON: ${detail}` } };
  }
}

/**
 * Reads `key` from a decoded body when it is an own property of a plain JSON object and `schema`
 * accepts it; otherwise `undefined`. Used to say which message a rejected body was.
 */
export function pickField<T>(raw: unknown, key: string, schema: z.ZodType<T>): T | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  if (!Object.hasOwn(raw, key)) return undefined;
  const result = schema.safeParse((raw as Record<string, unknown>)[key]);
  return result.success ? result.data : undefined;
}

/**
 * {@link pickField} for every key of `schemas`: the fields of a decoded body that are valid, and no
 * others. Only the listed keys are read, so `__proto__` and friends are never looked at.
 */
export function pickFields<S extends Record<string, z.ZodType>>(
  raw: unknown,
  schemas: S,
): { [K in keyof S]?: z.output<S[K]> } {
  const picked: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(schemas)) {
    const value = pickField(raw, key, schema);
    if (value !== undefined) picked[key] = value;
  }
  return picked as { [K in keyof S]?: z.output<S[K]> };
}
