/**
 * Name globs: whether one directory name matches a shell-style pattern, in time proportional to
 * (name length × pattern length), whatever the pattern.
 *
 * A glob compiled to a backtracking regular expression (as picomatch does) takes seconds on one
 * 255-character name for a pattern as ordinary as `*a*a*a*x`; a retention scan tests 100,000
 * names. So globs here have their own matcher, the classic two-pointer wildcard algorithm
 * (`wildcard.ts`).
 *
 * The product's one glob dialect (docs/globs.md): retention rules' `include`/`exclude`,
 * `purge-albums --name` and, one per segment of a path (`path-glob.ts`), the deletion policy's
 * protected globs.
 *
 * Syntax (one name, never a path):
 * - `*` any run of characters, empty included; `?` exactly one character;
 * - `[abc]`, `[a-z]`, `[!a-z]` or `[^a-z]` one character from (or not from) a set;
 * - `{2019,2020}-*` alternatives (nesting allowed, at most {@link MAX_ALTERNATIVES} in all);
 * - `\` makes the next character literal;
 * - anything else is itself. `*` matches a leading `.` too: SMH has no hidden names.
 *
 * Refused: an empty pattern, a `/`, a leading `!` (write an `exclude` instead), an unclosed `[` or
 * `{`, a `{...}` without a `,`, an empty `[]`, a trailing `\`, a control character.
 * Characters are Unicode code points, and pattern and name are compared in NFC.
 *
 * {@link compileGlob} is the reading that selects deletions. {@link compileNameGlob} takes the
 * options a protection reads a glob with as well (see {@link GlobOptions}): protections err
 * towards keeping, so they may match more than the pattern's selection reading, never less.
 */
import { matchesWithStars } from "./wildcard.ts";

/** The most alternatives `{...}` groups may expand a glob into. */
export const MAX_ALTERNATIVES = 64;
/** The longest glob accepted, in code points. */
export const MAX_GLOB_LENGTH = 512;

/** Thrown by {@link compileGlob} for a pattern that is not a valid name glob. */
export class GlobError extends Error {
  override readonly name = "GlobError";
}

/** What a glob counts as one character (for `?`, a set and a literal). */
export type GlobCharacters = "code points" | "UTF-16 code units";

/** How a glob is read. The defaults are the dialect's reading, the one that selects deletions. */
export interface GlobOptions {
  /** Compare letters without regard to case. @default false */
  readonly ignoreCase?: boolean;
  /**
   * One character is a Unicode code point (the dialect: `?` matches one emoji), or a UTF-16 code
   * unit (how JavaScript strings count, and so picomatch, which read protected globs before:
   * `??` matched one emoji). @default "code points"
   */
  readonly characters?: GlobCharacters;
  /**
   * The glob also matches names spelled as it is written: the whole glob (`{a,b}` matches the
   * name `{a,b}` as well as `a` and `b`), and each `[...]` within it, brackets included
   * (`Photos [2019]*` matches `Photos [2019] raw` as well as `Photos 2 raw`). For protections,
   * where a pattern an operator pasted from a name must still protect that name. @default false
   */
  readonly alsoAsWritten?: boolean;
  /**
   * The glob is one segment of a path glob (`path-glob.ts`), where `**` stands alone between
   * slashes for any depth: a run of stars inside a name is refused rather than read as one `*`.
   * @default false
   */
  readonly segmentOfPath?: boolean;
}

type Token = { kind: "literal"; char: string } | { kind: "one" } | { kind: "star" } | SetToken;
type SetToken = {
  kind: "set";
  negated: boolean;
  items: readonly SetItem[];
  /** The set's own text, brackets included, when it may match that too. */
  text?: readonly string[];
};
type SetItem = { from: string; to: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Compiles a name glob into a predicate over names, read as it selects deletions. `ignoreCase`
 * compares letters without regard to case. Throws {@link GlobError} for the patterns the module
 * comment refuses.
 *
 * @example compileGlob("{2019,2020}-*")("2019-summer") // true
 */
export function compileGlob(pattern: string, ignoreCase = false): (name: string) => boolean {
  return compileNameGlob(pattern, { ignoreCase });
}

/**
 * Compiles a name glob into a predicate over names, read with `options` (defaults: as
 * {@link compileGlob}). Throws {@link GlobError} for the patterns the module comment refuses.
 *
 * @example compileNameGlob("Photos [2019]", { alsoAsWritten: true })("Photos [2019]") // true
 */
export function compileNameGlob(
  pattern: string,
  options: GlobOptions = {},
): (name: string) => boolean {
  const normalized = pattern.normalize("NFC");
  // The limit counts code points whatever the reading, so both readings accept the same globs.
  const length = [...normalized].length;
  if (length === 0) throw new GlobError("glob is empty");
  if (length > MAX_GLOB_LENGTH) {
    throw new GlobError(`glob is ${length} characters long (at most ${MAX_GLOB_LENGTH})`);
  }
  if (CONTROL.test(pattern)) throw new GlobError("glob contains a control character");
  if (normalized.startsWith("!")) {
    throw new GlobError("a glob cannot be negated with '!': list the names to keep in exclude");
  }
  const characters = splitter(options.characters ?? "code points");
  const alternatives = expandBraces(characters(normalized)).map((alternative) =>
    tokenize(alternative, options),
  );
  const ignoreCase = options.ignoreCase === true;
  const fold = ignoreCase ? foldCase : (char: string) => char;
  const matchers = alternatives.map((tokens) =>
    matcherOf(
      tokens.map((token) => foldToken(token, fold)),
      ignoreCase,
    ),
  );
  const written =
    options.alsoAsWritten === true ? characters(normalized).map(fold).join("") : undefined;
  return (name) => {
    const raw = characters(name.normalize("NFC"));
    const chars = { raw, folded: ignoreCase ? raw.map(fold) : raw };
    if (written !== undefined && chars.folded.join("") === written) return true;
    return matchers.some((matches) => matches(chars));
  };
}

/**
 * One character without its case: upper then lower case, so that the forms lower case alone
 * keeps apart are one (ς and σ, ſ and s). Character by character, so a character stays one
 * however many its folded form has (`İ` is `i̇`, `ß` is `ss`): `?` still takes it whole.
 */
function foldCase(char: string): string {
  const code = char.charCodeAt(0);
  // ASCII, most of every name, the quick way (a scan folds up to 100,000 names).
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 0x20) : char;
  return char.toUpperCase().toLowerCase();
}

function splitter(characters: GlobCharacters): (text: string) => string[] {
  return characters === "code points" ? (text) => [...text] : (text) => text.split("");
}

/** Expands `{a,b}` groups (outside `[...]`, not escaped) into plain alternatives. */
function expandBraces(chars: readonly string[]): string[][] {
  const open = findBraceOpen(chars);
  if (open === -1) return [[...chars]];
  const { close, commas } = findBraceClose(chars, open);
  const before = chars.slice(0, open);
  const after = chars.slice(close + 1);
  const bounds = [open, ...commas, close];
  const expanded: string[][] = [];
  for (let index = 0; index + 1 < bounds.length; index++) {
    const start = bounds[index] ?? 0;
    const end = bounds[index + 1] ?? 0;
    for (const tail of expandBraces([...before, ...chars.slice(start + 1, end), ...after])) {
      expanded.push(tail);
      if (expanded.length > MAX_ALTERNATIVES) {
        throw new GlobError(`glob expands to more than ${MAX_ALTERNATIVES} alternatives`);
      }
    }
  }
  return expanded;
}

function findBraceOpen(chars: readonly string[]): number {
  let inSet = false;
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index];
    if (char === "\\") index++;
    else if (inSet) inSet = char !== "]";
    else if (char === "[") inSet = true;
    else if (char === "{") return index;
    else if (char === "}")
      throw new GlobError("'}' without a matching '{' (write \\} for a brace)");
  }
  return -1;
}

function findBraceClose(
  chars: readonly string[],
  open: number,
): { close: number; commas: number[] } {
  const commas: number[] = [];
  let depth = 0;
  let inSet = false;
  for (let index = open + 1; index < chars.length; index++) {
    const char = chars[index];
    if (char === "\\") index++;
    else if (inSet) inSet = char !== "]";
    else if (char === "[") inSet = true;
    else if (char === "{") depth++;
    else if (char === "}" && depth > 0) depth--;
    else if (char === "}") {
      if (commas.length === 0) {
        throw new GlobError(
          "'{...}' needs at least one ',' between alternatives (write \\{ for a brace)",
        );
      }
      return { close: index, commas };
    } else if (char === "," && depth === 0) commas.push(index);
  }
  throw new GlobError("'{' is never closed (write \\{ for a brace)");
}

function tokenize(chars: readonly string[], options: GlobOptions): Token[] {
  const tokens: Token[] = [];
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index] ?? "";
    if (char === "/") throw new GlobError("a glob matches one name: it cannot contain '/'");
    if (char === "\\") {
      const next = chars[++index];
      if (next === undefined) throw new GlobError("glob ends with a lone '\\'");
      tokens.push({ kind: "literal", char: next });
    } else if (char === "*") {
      // Consecutive stars mean the same as one; keeping one keeps matching linear.
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
      else if (options.segmentOfPath === true) {
        throw new GlobError(
          "'**' means any depth only as a whole segment between slashes: write * within a name",
        );
      }
    } else if (char === "?") {
      tokens.push({ kind: "one" });
    } else if (char === "[") {
      const { token, end } = parseSet(chars, index);
      tokens.push(
        options.alsoAsWritten === true ? { ...token, text: chars.slice(index, end + 1) } : token,
      );
      index = end;
    } else if (char === "]" || char === "{" || char === "}") {
      throw new GlobError(`unexpected '${char}' (write \\${char} for the character itself)`);
    } else {
      tokens.push({ kind: "literal", char });
    }
  }
  return tokens;
}

function parseSet(chars: readonly string[], open: number): { token: SetToken; end: number } {
  let index = open + 1;
  const negated = chars[index] === "!" || chars[index] === "^";
  if (negated) index++;
  const items: SetItem[] = [];
  for (; index < chars.length; index++) {
    let char = chars[index] ?? "";
    if (char === "]" && items.length > 0)
      return { token: { kind: "set", negated, items }, end: index };
    if (char === "]") throw new GlobError("'[]' is an empty set (write \\] for a bracket)");
    if (char === "/") throw new GlobError("a glob matches one name: it cannot contain '/'");
    if (char === "\\") char = chars[++index] ?? "";
    let to = char;
    if (chars[index + 1] === "-" && chars[index + 2] !== undefined && chars[index + 2] !== "]") {
      index += 2;
      to = chars[index] === "\\" ? (chars[++index] ?? "") : (chars[index] ?? "");
      if ((to.codePointAt(0) ?? 0) < (char.codePointAt(0) ?? 0)) {
        throw new GlobError(`range '${char}-${to}' is backwards`);
      }
    }
    if (char === "" || to === "") break;
    items.push({ from: char, to });
  }
  throw new GlobError("'[' is never closed (write \\[ for a bracket)");
}

/** A name as the tokens are matched against it: its characters, and the same folded for case. */
interface NameChars {
  readonly raw: readonly string[];
  readonly folded: readonly string[];
}

function foldToken(token: Token, fold: (char: string) => string): Token {
  if (token.kind === "literal") return { kind: "literal", char: fold(token.char) };
  if (token.kind === "set" && token.text !== undefined) {
    return { ...token, text: token.text.map(fold) };
  }
  return token;
}

function inSet(token: SetToken, char: string, ignoreCase: boolean): boolean {
  // Only a one-character case form can be in a range: `ß` is not in [s] for its `SS`.
  const candidates = ignoreCase
    ? [char, char.toLowerCase(), char.toUpperCase(), foldCase(char)].filter(
        (candidate) => [...candidate].length === 1,
      )
    : [char];
  const hit = candidates.some((candidate) => {
    const point = candidate.codePointAt(0) ?? -1;
    return token.items.some(
      (item) => point >= (item.from.codePointAt(0) ?? 0) && point <= (item.to.codePointAt(0) ?? 0),
    );
  });
  return hit !== token.negated;
}

/** Whether `token` (not a star) matches the name's character at `index`. */
function matchesAt(token: Token, name: NameChars, index: number, ignoreCase: boolean): boolean {
  if (token.kind === "one") return true;
  if (token.kind === "literal") return token.char === name.folded[index];
  if (token.kind === "set") return inSet(token, name.raw[index] ?? "", ignoreCase);
  return false;
}

/** Whether one alternative's tokens match a name. */
function matcherOf(tokens: readonly Token[], ignoreCase: boolean): (name: NameChars) => boolean {
  const withStars = (name: NameChars) =>
    matchesWithStars(
      tokens,
      name.raw.length,
      (token) => token.kind === "star",
      (token, index) => matchesAt(token, name, index, ignoreCase),
    );
  if (!tokens.some((token) => token.kind === "set" && token.text !== undefined)) return withStars;
  // A set's text starts with '[': a name without one can only match the sets as sets.
  return (name) =>
    name.raw.includes("[") ? matchesWithSetTexts(tokens, name, ignoreCase) : withStars(name);
}

/**
 * Matching when a set may also match its own text, so a token may take one character or several
 * and the two-pointer algorithm no longer applies: `reached[n]` says whether the tokens so far
 * can match the first `n` characters of the name, one row per token. O(name × pattern × the
 * longest set text), bounded like the rest by the glob's length.
 */
function matchesWithSetTexts(
  tokens: readonly Token[],
  name: NameChars,
  ignoreCase: boolean,
): boolean {
  const length = name.raw.length;
  let reached = new Uint8Array(length + 1);
  reached[0] = 1;
  for (const token of tokens) {
    const next = new Uint8Array(length + 1);
    for (let n = 0; n <= length; n++) {
      if (token.kind === "star") {
        next[n] = reached[n] === 1 || (n > 0 && next[n - 1] === 1) ? 1 : 0;
        continue;
      }
      const one = n > 0 && reached[n - 1] === 1 && matchesAt(token, name, n - 1, ignoreCase);
      const text = token.kind === "set" ? token.text : undefined;
      const start = n - (text?.length ?? 0);
      const asText =
        text !== undefined &&
        start >= 0 &&
        reached[start] === 1 &&
        text.every((char, offset) => name.folded[start + offset] === char);
      next[n] = one || asText ? 1 : 0;
    }
    reached = next;
  }
  return reached[length] === 1;
}
