/**
 * Name regexes, compiled only when they are safe to run against 100,000 names.
 *
 * JavaScript regexes backtrack: on one 255-character name (SMH's longest), `\d+\d+\d+\d+x` takes
 * about a minute and `(a|a)?` repeated 20 times longer still. A rule that hangs the scan is an
 * outage; one that a reviewer cannot predict is worse. So a regex is accepted only when:
 *
 * - it compiles with the `u` flag and is at most {@link MAX_REGEX_LENGTH} characters long;
 * - it has no backreference (`\1`, `\k<name>`) and no lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`):
 *   neither is needed to match a name, and both defeat the bound below;
 * - it is not too ambiguous: an upper bound on the number of ways the engine may try to match one
 *   name of 255 characters is at most {@link MAX_MATCH_PATHS}. The bound multiplies along a
 *   sequence, adds across `|` alternatives, and counts a repetition of something with `p` ways
 *   `{min,max}` times as `p^min + … + p^max` (unbounded repetitions stop at 255). So `^\d+-\d+$`
 *   (256 × 256 ways) passes, three unbounded repetitions in a row do not, `(a|b)*` does not (write
 *   `[ab]*`), and `(-old)?` is fine.
 *
 * The bound is deliberately pessimistic: it refuses some regexes that would run fast, never the
 * other way round. A regex matches anywhere in the name unless anchored with `^` and `$`.
 */

/** The longest regex source accepted, in UTF-16 code units. */
export const MAX_REGEX_LENGTH = 256;
/** The most ways to match one name a regex may have (see the module comment). */
export const MAX_MATCH_PATHS = 65_536;
/** The name length the ambiguity bound assumes: SMH's longest directory name. */
const NAME_LENGTH = 255;

/** Thrown by {@link compileRegex} for a regex that is invalid or unsafe to run. */
export class RegexError extends Error {
  override readonly name = "RegexError";
}

/**
 * Compiles a name regex (flags `u`, plus `i` when `ignoreCase`) after the checks in the module
 * comment. Throws {@link RegexError} saying which check failed.
 *
 * @example compileRegex("^20(19|20)-").test("2019-party") // true
 */
export function compileRegex(source: string, ignoreCase = false): RegExp {
  if (source === "") {
    throw new RegexError("an empty regex matches every name: leave include out instead");
  }
  if (source.length > MAX_REGEX_LENGTH) {
    throw new RegexError(`regex is ${source.length} characters long (at most ${MAX_REGEX_LENGTH})`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, ignoreCase ? "iu" : "u");
  } catch (error) {
    throw new RegexError(`not a valid regex: ${error instanceof Error ? error.message : error}`);
  }
  const paths = new AmbiguityScanner(source).scan();
  if (paths > MAX_MATCH_PATHS) {
    const shown = Number.isFinite(paths) ? paths.toExponential(1) : "astronomically many";
    throw new RegexError(
      `regex is too ambiguous to run safely: it may try ${shown} ways to match one name (at most ${MAX_MATCH_PATHS}); use fewer repetitions (*, +, {n,}), optional parts or alternatives, and repeat single characters or classes rather than groups`,
    );
  }
  return regex;
}

/**
 * Walks a regex source that already compiled with the `u` flag (so its syntax is valid) and
 * computes the ambiguity bound, refusing backreferences and lookarounds on the way.
 */
class AmbiguityScanner {
  private index = 0;
  private readonly source: string;

  constructor(source: string) {
    this.source = source;
  }

  scan(): number {
    const paths = this.alternation();
    if (this.index < this.source.length) throw new RegexError("unbalanced ')' in regex");
    return paths;
  }

  private peek(offset = 0): string | undefined {
    return this.source[this.index + offset];
  }

  private alternation(): number {
    let paths = this.sequence();
    while (this.peek() === "|") {
      this.index++;
      paths += this.sequence();
    }
    return paths;
  }

  private sequence(): number {
    let paths = 1;
    for (let char = this.peek(); char !== undefined && char !== "|" && char !== ")"; ) {
      paths *= this.quantified(this.atom());
      char = this.peek();
    }
    return paths;
  }

  private atom(): number {
    const char = this.source[this.index++];
    if (char === "(") return this.group();
    if (char === "[") this.skipClass();
    else if (char === "\\") this.escape();
    return 1;
  }

  private group(): number {
    if (this.peek() === "?") {
      const next = this.peek(1);
      const lookbehind = next === "<" && (this.peek(2) === "=" || this.peek(2) === "!");
      if (next === "=" || next === "!" || lookbehind) {
        throw new RegexError("lookaround ((?=, (?!, (?<=, (?<!) is not allowed in a name regex");
      }
      // (?:...), (?<name>...) and modifiers such as (?i:...): skip to where the body starts.
      const body =
        next === "<" ? this.source.indexOf(">", this.index) : this.source.indexOf(":", this.index);
      this.index = body + 1;
    }
    const paths = this.alternation();
    this.index++; // ")"
    return paths;
  }

  private skipClass(): void {
    while (this.index < this.source.length && this.peek() !== "]") {
      if (this.source[this.index++] === "\\") this.escape();
    }
    this.index++; // "]"
  }

  private escape(): void {
    const char = this.source[this.index++];
    if (char !== undefined && char >= "1" && char <= "9") {
      throw new RegexError("backreferences (\\1, \\k<name>) are not allowed in a name regex");
    }
    if (char === "k" && this.peek() === "<") {
      throw new RegexError("backreferences (\\1, \\k<name>) are not allowed in a name regex");
    }
    if ((char === "p" || char === "P" || char === "u") && this.peek() === "{") {
      this.index = this.source.indexOf("}", this.index) + 1;
    } else if (char === "u") this.index += 4;
    else if (char === "x") this.index += 2;
    else if (char === "c") this.index += 1;
  }

  private quantified(paths: number): number {
    const char = this.peek();
    let range: [number, number] | undefined;
    if (char === "*") range = [0, Number.POSITIVE_INFINITY];
    else if (char === "+") range = [1, Number.POSITIVE_INFINITY];
    else if (char === "?") range = [0, 1];
    else if (char === "{") range = this.braces();
    if (range === undefined) return paths;
    this.index += char === "{" ? 0 : 1;
    if (this.peek() === "?") this.index++; // lazy: the same choices, in another order
    return repetitions(paths, range[0], range[1]);
  }

  private braces(): [number, number] | undefined {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.index));
    if (match === null) return undefined;
    this.index += match[0].length;
    const min = Number(match[1]);
    if (match[2] === undefined) return [min, min];
    return [min, match[3] === "" ? Number.POSITIVE_INFINITY : Number(match[3])];
  }
}

/** `p^min + … + p^max`, with `max` capped at the name length; `Infinity` once it is too large. */
function repetitions(paths: number, min: number, max: number): number {
  const top = Math.min(max, NAME_LENGTH);
  if (min > top) return 1; // can never match a name; costs one attempt
  if (paths === 1) return top - min + 1;
  let total = 0;
  for (let count = min; count <= top && total <= MAX_MATCH_PATHS; count++) {
    total += paths ** count;
  }
  return total;
}
