/**
 * Name globs: whether one directory name matches a shell-style pattern, in time proportional to
 * (name length × pattern length), whatever the pattern.
 *
 * A glob compiled to a backtracking regular expression (as picomatch does) takes seconds on one
 * 255-character name for a pattern as ordinary as `*a*a*a*x`; a retention scan tests 100,000
 * names. So globs here have their own matcher, the classic two-pointer wildcard algorithm.
 *
 * The product's one glob dialect (docs/globs.md): retention rules' `include`/`exclude` and
 * `purge-albums --name`.
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
 */

/** The most alternatives `{...}` groups may expand a glob into. */
export const MAX_ALTERNATIVES = 64;
/** The longest glob accepted, in code points. */
export const MAX_GLOB_LENGTH = 512;

/** Thrown by {@link compileGlob} for a pattern that is not a valid name glob. */
export class GlobError extends Error {
  override readonly name = "GlobError";
}

type Token =
  | { kind: "literal"; char: string }
  | { kind: "one" }
  | { kind: "star" }
  | { kind: "set"; negated: boolean; items: readonly SetItem[] };
type SetItem = { from: string; to: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Compiles a name glob into a predicate over names. `ignoreCase` compares letters without regard
 * to case. Throws {@link GlobError} for the patterns the module comment refuses.
 *
 * @example compileGlob("{2019,2020}-*")("2019-summer") // true
 */
export function compileGlob(pattern: string, ignoreCase = false): (name: string) => boolean {
  const chars = [...pattern.normalize("NFC")];
  if (chars.length === 0) throw new GlobError("glob is empty");
  if (chars.length > MAX_GLOB_LENGTH) {
    throw new GlobError(`glob is ${chars.length} characters long (at most ${MAX_GLOB_LENGTH})`);
  }
  if (CONTROL.test(pattern)) throw new GlobError("glob contains a control character");
  if (chars[0] === "!") {
    throw new GlobError("a glob cannot be negated with '!': list the names to keep in exclude");
  }
  const alternatives = expandBraces(chars).map((alternative) => tokenize(alternative));
  const fold = ignoreCase ? (text: string) => text.toLowerCase() : (text: string) => text;
  const folded = alternatives.map((tokens) => tokens.map((token) => foldToken(token, fold)));
  return (name) => {
    const nameChars = [...fold(name.normalize("NFC"))];
    return folded.some((tokens) => matches(tokens, nameChars, ignoreCase));
  };
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

function tokenize(chars: readonly string[]): Token[] {
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
    } else if (char === "?") {
      tokens.push({ kind: "one" });
    } else if (char === "[") {
      const { token, end } = parseSet(chars, index);
      tokens.push(token);
      index = end;
    } else if (char === "]" || char === "{" || char === "}") {
      throw new GlobError(`unexpected '${char}' (write \\${char} for the character itself)`);
    } else {
      tokens.push({ kind: "literal", char });
    }
  }
  return tokens;
}

function parseSet(chars: readonly string[], open: number): { token: Token; end: number } {
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

function foldToken(token: Token, fold: (text: string) => string): Token {
  return token.kind === "literal" ? { kind: "literal", char: fold(token.char) } : token;
}

function inSet(token: Extract<Token, { kind: "set" }>, char: string, ignoreCase: boolean): boolean {
  const candidates = ignoreCase ? [char, char.toLowerCase(), char.toUpperCase()] : [char];
  const hit = candidates.some((candidate) => {
    const point = candidate.codePointAt(0) ?? -1;
    return token.items.some(
      (item) => point >= (item.from.codePointAt(0) ?? 0) && point <= (item.to.codePointAt(0) ?? 0),
    );
  });
  return hit !== token.negated;
}

function matchesOne(token: Token, char: string, ignoreCase: boolean): boolean {
  if (token.kind === "one") return true;
  if (token.kind === "literal") return token.char === char;
  if (token.kind === "set") return inSet(token, char, ignoreCase);
  return false;
}

/**
 * Two-pointer wildcard matching: on a mismatch, retry from the most recent `*` with it swallowing
 * one more character. Earlier stars never need revisiting, so the work is O(name × pattern).
 */
function matches(tokens: readonly Token[], name: readonly string[], ignoreCase: boolean): boolean {
  let t = 0;
  let n = 0;
  let star = -1;
  let starName = 0;
  while (n < name.length) {
    const token = tokens[t];
    if (
      token !== undefined &&
      token.kind !== "star" &&
      matchesOne(token, name[n] ?? "", ignoreCase)
    ) {
      t++;
      n++;
    } else if (token?.kind === "star") {
      star = t++;
      starName = n;
    } else if (star !== -1) {
      t = star + 1;
      n = ++starName;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}
