import { SmhError } from "./errors.ts";

/** The longest name SMH accepts for one directory level (`DirectoryNameLengthExceed`). */
export const MAX_NAME_LENGTH = 255;

/**
 * Splits a path into its segments. Leading, trailing and doubled slashes are ignored, so `a/b`,
 * `/a/b/` and (after percent-decoding) `a%2Fb` all name the same directory.
 */
export function splitPath(path: string): string[] {
  const segments: string[] = [];
  for (const segment of path.split("/")) if (segment.length > 0) segments.push(segment);
  return segments;
}

/** The map key of a path: its segments joined with `/`. */
export function pathKey(segments: readonly string[]): string {
  return segments.join("/");
}

/**
 * Percent-decodes URL path segments and splits them again on `/`, because clients send the
 * directory path either with raw slashes or with each slash encoded as `%2F`.
 */
export function decodePathSegments(rawSegments: readonly string[]): string[] {
  const segments: string[] = [];
  for (const raw of rawSegments) {
    if (raw.length === 0) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      throw new SmhError("ParamInvalid", "Path is not valid percent-encoding.");
    }
    for (const segment of splitPath(decoded)) segments.push(segment);
  }
  return segments;
}

/**
 * Refuses names SMH would never store: `.`/`..` (they would let a path climb), control characters,
 * and names over {@link MAX_NAME_LENGTH} characters.
 */
export function assertValidSegments(segments: readonly string[]): void {
  for (const segment of segments) {
    if (segment === "." || segment === "..") {
      throw new SmhError("IllegalFileName", `Illegal name: ${segment}`);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject.
    if (/[\u0000-\u001f\u007f]/.test(segment)) {
      throw new SmhError("IllegalFileName", "Names cannot contain control characters.");
    }
    if (segment.length > MAX_NAME_LENGTH) throw new SmhError("DirectoryNameLengthExceed");
  }
}
