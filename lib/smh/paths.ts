/**
 * Directory and album paths as SMH sees them, taken exactly as the caller wrote them.
 *
 * A path names a directory or album inside a space, relative to the space root, with `/` between
 * segments (`events/2024/party`). Deleting is recursive in SMH, so a path that could name the root,
 * climb out of where the caller meant to be, or pass for another name is refused here before it can
 * reach the network.
 *
 * The one rewriting allowed is the one that cannot change which directory is meant: slashes at
 * either end and repeated slashes are dropped (`/events//2024/` is `events/2024`). Nothing else is
 * trimmed, decoded, folded or normalised: `"scratch/1 "` is not `"scratch/1"`, and a path that
 * would only be safe after such a change is refused with a {@link PathProblem} and a message that
 * says what to send instead.
 */
import {
  codePointLabel,
  firstInvisible,
  fullyPercentDecoded,
  hasEdgeWhitespace,
  percentDecodings,
  shownName,
  trimWhitespace,
  withoutInvisible,
} from "./name-characters.ts";

/** The longest directory or album name SMH accepts for one level (`DirectoryNameLengthExceed`). */
export const MAX_SEGMENT_LENGTH = 255;

/**
 * Why a path was refused. Stable strings: they are the `code` of a `rejected` result's reason.
 *
 * Every use refuses the first six. A path to *delete* (the default {@link PathUse}) must also be
 * free of the look-alikes: whitespace at either end of a segment, invisible characters, `\`, and
 * percent-escapes that decode to `.`, `..`, a separator or a control character.
 */
export const PathProblem = {
  empty: "empty",
  root: "root",
  dotSegment: "dot-segment",
  controlCharacter: "control-character",
  malformedUnicode: "malformed-unicode",
  segmentTooLong: "segment-too-long",
  edgeWhitespace: "edge-whitespace",
  invisibleCharacter: "invisible-character",
  backslash: "backslash",
  encodedDotSegment: "encoded-dot-segment",
  encodedSeparator: "encoded-separator",
  encodedControlCharacter: "encoded-control-character",
} as const;
export type PathProblem = (typeof PathProblem)[keyof typeof PathProblem];

/**
 * What a path is for. `delete` (every path a job, a rule or a policy names) refuses look-alikes;
 * `read` (listing, inspecting, finding an item in the recycle bin) takes any name SMH can hold, so
 * a directory whose name really ends in a space can still be listed and looked at.
 */
export type PathUse = "delete" | "read";

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

/** The longest name or suggestion a message quotes in full. */
const QUOTED_LENGTH = 120;

/**
 * The path in its one canonical form: leading, trailing and repeated slashes dropped, nothing else
 * changed. The result is a fixed point: `normalizePath(normalizePath(p)) === normalizePath(p)`.
 * Throws {@link InvalidPathError} for a path that must not be sent (see {@link toSegments}).
 *
 * @example normalizePath("/events//2024/") // "events/2024"
 * @example normalizePath("events/2024 ") // throws: edge-whitespace
 */
export function normalizePath(input: string, use: PathUse = "delete"): string {
  return toSegments(input, use).join("/");
}

/**
 * Like {@link normalizePath} but returns the segments (`["events", "2024"]`), the shape SMH uses for
 * `path` and `originalPath` in its responses. Throws {@link InvalidPathError} for an empty path,
 * the root, a `.` or `..` segment, a control character (NUL included), a lone UTF-16 surrogate or a
 * segment longer than 255 characters; for `use: "delete"` (the default) also for a segment with
 * whitespace at either end, an invisible character (zero-width, bidi, format; an emoji's own
 * joiners are fine), a backslash, or percent-escapes that decode (once or repeatedly) to `.`, `..`,
 * a `/` or `\`, or a control character.
 */
export function toSegments(input: string, use: PathUse = "delete"): string[] {
  const control = CONTROL.exec(input);
  if (control !== null) {
    throw new InvalidPathError(
      PathProblem.controlCharacter,
      `path contains the control character ${codePointLabel(control[0].codePointAt(0) ?? 0)}: no directory name holds one; check how the path was produced`,
    );
  }
  // A lone UTF-16 surrogate cannot be encoded into a URL: it would fail on every delivery.
  if (!input.isWellFormed()) {
    throw new InvalidPathError(
      PathProblem.malformedUnicode,
      "path contains a lone UTF-16 surrogate (not well-formed Unicode): send the name as well-formed UTF-8 or UTF-16",
    );
  }
  if (input === "") {
    throw new InvalidPathError(
      PathProblem.empty,
      'path is empty: name the directory, relative to the space root ("events/2024")',
    );
  }
  const segments = input.split("/").filter((segment) => segment !== "");
  if (segments.length === 0) {
    throw new InvalidPathError(
      PathProblem.root,
      "path names the root of the space: name a directory inside it; a whole space is never deleted",
    );
  }
  for (const [index, segment] of segments.entries()) {
    const where = `segment ${index + 1} (${quoted(segment)})`;
    if (segment === "." || segment === "..") {
      throw new InvalidPathError(
        PathProblem.dotSegment,
        `${where} is "${segment}": paths are taken as written, never resolved; name the directory itself`,
      );
    }
    if (use === "delete") checkLookAlike(input, segment, where);
    // Length in characters (code points), as a person counts a name.
    const length = [...segment].length;
    if (length > MAX_SEGMENT_LENGTH) {
      throw new InvalidPathError(
        PathProblem.segmentTooLong,
        `${where} is ${length} characters long; a name has at most ${MAX_SEGMENT_LENGTH}`,
      );
    }
  }
  return segments;
}

/** Refuses a segment that passes for another name (see {@link PathProblem}). */
function checkLookAlike(input: string, segment: string, where: string): void {
  if (segment.includes("\\")) {
    throw new InvalidPathError(
      PathProblem.backslash,
      `${where} contains a backslash, which some servers read as a separator; a name holding one cannot be deleted through this service. Separate directories with "/"${ifYouMean(input, PathProblem.backslash)}`,
    );
  }
  const invisible = firstInvisible(segment);
  if (invisible !== undefined) {
    throw new InvalidPathError(
      PathProblem.invisibleCharacter,
      `${where} contains ${codePointLabel(invisible)}, an invisible character (zero-width, bidi or format control), so it reads as another name. Names are taken exactly as written${ifYouMean(input, PathProblem.invisibleCharacter)}`,
    );
  }
  if (hasEdgeWhitespace(segment)) {
    const blank = trimWhitespace(segment) === "";
    const what = blank ? "is blank" : "begins or ends with whitespace";
    throw new InvalidPathError(
      PathProblem.edgeWhitespace,
      `${where} ${what}. Names are taken exactly as written: this names a directory whose name ${blank ? "is only whitespace" : "has that whitespace"}, not the trimmed one${ifYouMean(input, PathProblem.edgeWhitespace)}`,
    );
  }
  for (const decoded of percentDecodings(segment)) {
    const problem =
      decoded === "." || decoded === ".."
        ? PathProblem.encodedDotSegment
        : decoded.includes("/") || decoded.includes("\\")
          ? PathProblem.encodedSeparator
          : CONTROL.test(decoded)
            ? PathProblem.encodedControlCharacter
            : undefined;
    if (problem === undefined) continue;
    throw new InvalidPathError(
      problem,
      `${where} percent-decodes to ${quoted(decoded)}: a server that decodes twice would act on another directory. Paths are plain text here and are never decoded: send the names themselves, "/" between them${ifYouMean(input, problem)}`,
    );
  }
}

/**
 * `. If you mean "x", send that` when cleaning `input` of the problem's kind (and the other
 * look-alikes) gives a path that is itself valid and short enough to quote; otherwise `""`.
 */
function ifYouMean(input: string, problem: PathProblem): string {
  const decode =
    problem === PathProblem.encodedSeparator ||
    problem === PathProblem.encodedDotSegment ||
    problem === PathProblem.encodedControlCharacter;
  const cleaned = (decode ? fullyPercentDecoded(input) : input)
    .split(/[/\\]/)
    .map((segment) => trimWhitespace(withoutInvisible(segment)))
    .filter((segment) => segment !== "")
    .join("/");
  if (cleaned === "" || cleaned.length > QUOTED_LENGTH) return "";
  try {
    toSegments(cleaned);
  } catch (error) {
    if (error instanceof InvalidPathError) return "";
    throw error;
  }
  return `. If you mean ${shownName(cleaned)}, send that`;
}

function quoted(name: string): string {
  const shown = shownName(name);
  return shown.length <= QUOTED_LENGTH ? shown : `${shown.slice(0, QUOTED_LENGTH - 2)}…"`;
}

/**
 * Encodes a path for a URL: each segment with `encodeURIComponent`, joined with `/`. Spaces, `#`,
 * `?`, `%`, `+`, CJK and emoji survive the trip; the slashes stay path separators. `%` itself is
 * encoded, so SMH receives the name `%2e%2e` as written, never `..`.
 */
export function encodePath(path: string, use: PathUse = "delete"): string {
  return toSegments(path, use).map(encodeURIComponent).join("/");
}

/** True when `segments` (as SMH returns them) names the same path as the canonical `path`. */
export function samePath(segments: readonly string[], path: string): boolean {
  return segments.join("/") === path;
}

/**
 * True when `input` names the root of a space: empty, or only slashes. Listing accepts the root;
 * deleting never does ({@link normalizePath} refuses it). A blank path is not the root: it is a
 * name made of whitespace.
 *
 * @example isRootPath("/") // true
 * @example isRootPath(" ") // false
 */
export function isRootPath(input: string): boolean {
  return /^\/*$/.test(input);
}
