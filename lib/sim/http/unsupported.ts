import { SmhError } from "../errors.ts";
import type { RouteName } from "../route-names.ts";
import { type BodyShape, SUPPORTED_REQUESTS, type SupportedRequest } from "./supported.ts";

/** A value that asks for nothing: `0`, `false` or empty. */
const OFF = new Set(["", "0", "false"]);

/** Names are echoed in the refusal only when they look like names (never values, never secrets). */
function printable(name: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : "(unprintable name)";
}

function refusal(what: string, names: readonly string[], where: string): SmhError {
  const listed = names.length === 0 ? "" : ` ${[...new Set(names.map(printable))].join(", ")}`;
  return new SmhError(
    "NotSupportedBySimulator",
    `The SMH simulator does not support ${what}${listed} on ${where}; nothing was done.`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unknownKeys(value: unknown, keys: readonly string[]): string[] {
  if (!isPlainObject(value)) return [];
  return Object.keys(value).filter((key) => !keys.includes(key));
}

/** The body keys (or the whole body) a route does not implement; empty when it does. */
function unsupportedBody(shape: BodyShape, text: string): string[] | "body" {
  if (text.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // A malformed body on a route that takes one is the handler's 400 ParamInvalid.
    return shape.kind === "none" ? "body" : [];
  }
  switch (shape.kind) {
    case "none":
      return isPlainObject(parsed) && Object.keys(parsed).length === 0 ? [] : "body";
    case "object":
      return unknownKeys(parsed, shape.keys);
    case "items":
      return Array.isArray(parsed) ? parsed.flatMap((item) => unknownKeys(item, shape.keys)) : [];
    case "ids":
      return [];
  }
}

/**
 * Refuses what a matched route does not implement: a query parameter it does not know (or one of
 * its `onlyOff` parameters asking for something), or a body key it does not know. Returns the
 * `400 NotSupportedBySimulator` to answer, or null when the request is supported. Nothing has been
 * read or changed when it refuses, not even a token's expiry.
 *
 * @example
 * unsupportedRequest("directory.create", new URLSearchParams("calibrate=1"), "") // NotSupportedBySimulator
 * unsupportedRequest("directory.create", new URLSearchParams(), '{"copyFrom":"a"}') // NotSupportedBySimulator
 */
export function unsupportedRequest(
  name: RouteName,
  query: URLSearchParams,
  body: string,
): SmhError | null {
  const supported: SupportedRequest = SUPPORTED_REQUESTS[name];
  const params: string[] = [];
  for (const [key, value] of query) {
    if (supported.query.includes(key)) continue;
    if (supported.onlyOff?.includes(key) && OFF.has(value.toLowerCase())) continue;
    params.push(key);
  }
  if (params.length > 0) return refusal("the query parameter(s)", params, name);
  const keys = unsupportedBody(supported.body, body);
  if (keys === "body") return refusal("a request body", [], name);
  if (keys.length > 0) return refusal("the body key(s)", keys, name);
  return null;
}

/**
 * The answer to a request no SMH route of the simulator matches. Under `/api/` it is an SMH
 * business-API request the simulator does not implement (`400 NotSupportedBySimulator`: move,
 * copy, upload, search, the V2 task API, another method on a known path, …); anywhere else it is
 * not an SMH path at all (`404 RouteNotFound`, what SMH answers, for example, to a base URL with a
 * wrong path prefix).
 */
export function unmatchedRequest(method: string, segments: readonly string[]): SmhError {
  if (segments[0] !== "api") return new SmhError("RouteNotFound");
  const shown = segments
    .slice(0, 3)
    .map((segment) => (/^[A-Za-z0-9_-]{1,32}$/.test(segment) ? segment : "…"));
  const where = `${printable(method)} /${shown.join("/")}${segments.length > 3 ? "/…" : ""}`;
  return new SmhError(
    "NotSupportedBySimulator",
    `The SMH simulator does not implement ${where}; nothing was done.`,
  );
}
