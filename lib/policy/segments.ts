/**
 * Comparing paths segment by segment, so `events` is never a prefix of `eventsX`.
 *
 * Allowing compares segments exactly (code point for code point): an allowlist must never match
 * more than it says, so a look-alike (`ｅvents`, `events\u200b`) is *not* inside an allowed prefix.
 *
 * Protecting compares *folded* paths ({@link foldPath}): percent-decoded, Unicode NFKC (so
 * full-width `ａｐｏｌｌｏ` and decomposed `café` read as `apollo` and `café`), without invisible
 * characters (zero-width, bidi, format, variation selectors), without whitespace at either end of a
 * segment and, unless the library sets `protectionIgnoresCase: false`, case-folded. If SMH treats
 * two such spellings as one name, a protection written either way still holds; if it does not, the
 * cost is a refused job, never a lost directory.
 */
import { fullyPercentDecoded, trimWhitespace, withoutInvisible } from "../smh/name-characters.ts";

/** True when `path` lies strictly below `prefix` (`events/a` under `events`; not `events` itself). */
export function isStrictlyUnder(path: readonly string[], prefix: readonly string[]): boolean {
  return path.length > prefix.length && prefix.every((segment, index) => segment === path[index]);
}

/** True when both name the same path, segment for segment. */
export function isSamePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((segment, index) => segment === b[index]);
}

/** How a protection compares names. */
export interface FoldOptions {
  /** Case-fold too (`Apollo` protects `APOLLO`). */
  readonly ignoreCase: boolean;
  /**
   * Percent-decode each segment first, until nothing decodes (`apoll%6F` reads as `apollo`). A
   * decoded `/` or `\` splits the segment. @default true
   */
  readonly decode?: boolean;
}

/**
 * The form protected paths are compared in (see the module comment): every segment folded, the
 * empty ones dropped.
 *
 * @example foldPath(["Projects", "apollo\u200b"], { ignoreCase: true }) // ["projects", "apollo"]
 * @example foldPath(["projects", "%61pollo%20"], { ignoreCase: true }) // ["projects", "apollo"]
 */
export function foldPath(path: readonly string[], options: FoldOptions): string[] {
  const decode = options.decode ?? true;
  return path
    .flatMap((segment) => (decode ? decodedText(segment).split(/[/\\]/) : [segment]))
    .map((segment) => foldName(segment, options.ignoreCase))
    .filter((segment) => segment !== "");
}

/** How many rounds of NFKC and decoding {@link decodedText} does at most. */
const DECODING_ROUNDS = 16;

/**
 * `name` without invisible characters, percent-decoded, under NFKD, and again until nothing
 * changes: escapes may themselves be disguised (full-width `％６１` is `%61`, so is `%6\u200b1`), and
 * what they decode to may be (`%EF%BC%85` is a full-width `％`). NFKD, not NFKC: composing would
 * glue an escape's last digit to a combining mark after it (`%6E` and U+0303 are `ñ` once decoded,
 * but `%6Ẽ` under NFKC).
 */
function decodedText(name: string): string {
  let current = name;
  for (let round = 0; round < DECODING_ROUNDS; round++) {
    const next = fullyPercentDecoded(withoutInvisible(current)).normalize("NFKD");
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** One name in folded form: NFKC, invisible characters and edge whitespace removed, maybe case. */
export function foldName(name: string, ignoreCase: boolean): string {
  const visible = trimWhitespace(withoutInvisible(name.normalize("NFKC")).normalize("NFKC"));
  if (!ignoreCase) return visible;
  // Upper then lower case folds what lower case alone keeps apart (ß and SS). Lower case writes Σ
  // as ς at the end of a word and σ elsewhere, so a glob's `*` after it (`οδος*`) would stand
  // between the two spellings: σ stands for both.
  return visible.toUpperCase().toLowerCase().normalize("NFKC").replaceAll("ς", "σ");
}
