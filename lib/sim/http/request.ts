import type { IncomingMessage } from "node:http";
import { SmhError } from "../errors.ts";

/** The largest request body accepted (a 1,000-item batch is far below it). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** A request target split into raw (still percent-encoded) path segments and query. */
export interface RequestTarget {
  readonly segments: string[];
  readonly query: URLSearchParams;
}

/** Splits `req.url`. Segments stay encoded so `%2F` inside a directory path can be told apart. */
export function parseTarget(rawUrl: string): RequestTarget {
  const questionMark = rawUrl.indexOf("?");
  const path = questionMark < 0 ? rawUrl : rawUrl.slice(0, questionMark);
  const search = questionMark < 0 ? "" : rawUrl.slice(questionMark + 1);
  const segments = path.split("/");
  if (segments[0] === "") segments.shift();
  return { segments, query: new URLSearchParams(search) };
}

/** Percent-decodes a fixed path segment (library id, space id, item id). */
export function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new SmhError("ParamInvalid", "Path is not valid percent-encoding.");
  }
}

/**
 * Whether an operation flag is set. SMH docs write flags bare (`?restore`), the JS SDK sends
 * `restore=1`: both count, and so does any value except `0`/`false`.
 */
export function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && value !== "0" && value.toLowerCase() !== "false";
}

/**
 * A non-negative integer query parameter, or `fallback` when absent or empty.
 * @throws SmhError `400 ParamInvalid` for anything else, or a value below `min`.
 */
export function integerParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min = 0,
): number {
  const raw = query.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^\d{1,15}$/.test(raw)) throw new SmhError("ParamInvalid", `${name} must be an integer.`);
  const value = Number(raw);
  if (value < min) throw new SmhError("ParamInvalid", `${name} must be at least ${min}.`);
  return value;
}

/**
 * One of `allowed`, or `fallback` when absent or empty.
 * @throws SmhError `400 ParamInvalid` (or `code`) for any other value.
 */
export function enumParam<T extends string>(
  query: URLSearchParams,
  name: string,
  allowed: readonly T[],
  fallback: T | null,
  code: "ParamInvalid" | "InvalidConflictResolutionStrategy" = "ParamInvalid",
): T | null {
  const raw = query.get(name);
  if (raw === null || raw === "") return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new SmhError(code, `${name} must be one of ${allowed.join(", ")}.`);
  }
  return raw as T;
}

/** A comma-separated query parameter (encoded or not) as a set of non-empty values. */
export function listParam(query: URLSearchParams, name: string): Set<string> | null {
  const raw = query.get(name);
  if (raw === null || raw === "") return null;
  return new Set(
    raw
      .split(",")
      .map((value) => value.trim())
      .filter((value) => value.length > 0),
  );
}

/**
 * Reads the whole request body as UTF-8.
 * @throws SmhError `413 RequestEntityTooLarge` past {@link MAX_BODY_BYTES}.
 */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_BODY_BYTES) throw new SmhError("RequestEntityTooLarge");
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof SmhError) throw error;
    // The client went away mid-body: an ordinary event under chaos testing, not a simulator bug.
    throw new SmhError("ParamInvalid", "Request body could not be read.");
  }
  return Buffer.concat(chunks).toString("utf8");
}
