/**
 * Directory and album paths as SMH sees them.
 *
 * A path names a directory or album inside a space, relative to the space root, with `/` between
 * segments (`events/2024/party`). Deleting is recursive in SMH, so a path that could name the root,
 * or climb out of where the caller meant to be, is refused here before it can reach the network.
 */

/** The longest directory or album name SMH accepts for one level (`DirectoryNameLengthExceed`). */
export const MAX_SEGMENT_LENGTH = 255;

/** Why a path was refused. Stable strings: they end up in `rejected` results. */
export const PathProblem = {
  empty: "empty",
  root: "root",
  dotSegment: "dot-segment",
  controlCharacter: "control-character",
  malformedUnicode: "malformed-unicode",
  segmentTooLong: "segment-too-long",
} as const;
export type PathProblem = (typeof PathProblem)[keyof typeof PathProblem];

/** Thrown by {@link normalizePath} for a path that must never be sent to SMH. */
export class InvalidPathError extends Error {
  override readonly name = "InvalidPathError";
  readonly problem: PathProblem;
  constructor(problem: PathProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

// C0 controls (NUL included), DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Normalises a directory or album path: trims surrounding whitespace, collapses repeated slashes and
 * drops leading and trailing ones (with any whitespace around them). The result is a fixed point:
 * `normalizePath(normalizePath(p)) === normalizePath(p)`. Throws {@link InvalidPathError} for an
 * empty or root path, a `.` or `..` segment, a control character (NUL included), a lone UTF-16
 * surrogate or a segment
 * longer than 255 characters.
 *
 * @example normalizePath(" /events//2024/ ") // "events/2024"
 */
export function normalizePath(input: string): string {
  return toSegments(input).join("/");
}

/**
 * Like {@link normalizePath} but returns the segments (`["events", "2024"]`), the shape SMH uses for
 * `path` and `originalPath` in its responses.
 */
export function toSegments(input: string): string[] {
  if (CONTROL.test(input)) {
    throw new InvalidPathError(PathProblem.controlCharacter, "path contains a control character");
  }
  // A lone UTF-16 surrogate cannot be encoded into a URL: it would fail on every delivery.
  if (!input.isWellFormed()) {
    throw new InvalidPathError(
      PathProblem.malformedUnicode,
      "path contains a lone UTF-16 surrogate (not well-formed Unicode)",
    );
  }
  const trimmed = input.trim();
  if (trimmed === "") throw new InvalidPathError(PathProblem.empty, "path is empty");
  // Whitespace and slashes at either end are peeled together (" / a / " is "a"), so that
  // normalising a normalised path changes nothing.
  const inner = trimmed.replace(/^[\s/]+|[\s/]+$/gu, "");
  const segments = inner.split("/").filter((segment) => segment !== "");
  if (segments.length === 0) {
    throw new InvalidPathError(PathProblem.root, "path names the root of the space");
  }
  for (const segment of segments) {
    if (segment === "." || segment === "..") {
      throw new InvalidPathError(PathProblem.dotSegment, `path contains a "${segment}" segment`);
    }
    // Length in characters (code points), as a person counts a name.
    const length = [...segment].length;
    if (length > MAX_SEGMENT_LENGTH) {
      throw new InvalidPathError(
        PathProblem.segmentTooLong,
        `a path segment is ${length} characters long (at most ${MAX_SEGMENT_LENGTH})`,
      );
    }
  }
  return segments;
}

/**
 * Encodes a normalised path for a URL: each segment with `encodeURIComponent`, joined with `/`.
 * Spaces, `#`, `?`, `%`, `+`, CJK and emoji survive the trip; the slashes stay path separators.
 */
export function encodePath(path: string): string {
  return toSegments(path).map(encodeURIComponent).join("/");
}

/** True when `segments` (as SMH returns them) names the same path as the normalised `path`. */
export function samePath(segments: readonly string[], path: string): boolean {
  return segments.join("/") === path;
}

/**
 * True when `input` names the root of a space: empty, blank, or only slashes. Listing accepts the
 * root; deleting never does ({@link normalizePath} refuses it).
 *
 * @example isRootPath(" / ") // true
 */
export function isRootPath(input: string): boolean {
  return !CONTROL.test(input) && input.trim().replace(/\/+/g, "") === "";
}
