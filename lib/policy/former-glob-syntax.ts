/**
 * Protected globs were read by picomatch before they moved to the product's glob dialect
 * (docs/globs.md). Where picomatch gave a piece of syntax a meaning that protected names the
 * dialect's reading would not, a policy written for it must not silently protect less: that
 * syntax is refused when the policy is loaded (the handler then refuses to start), with a message
 * saying what to write instead. Each entry here is such a piece, found by comparing the two
 * readings (test/unit/policy/protected-glob.property.test.ts).
 *
 * What picomatch read differently but the protected reading still covers is not refused: `?` on
 * an emoji (a protection also counts UTF-16 units), a `[...]` matching its own text (so does a
 * protection), the whole pattern matching itself as a path (so does a protection).
 */

/** A piece of syntax picomatch read with a meaning the dialect does not have. */
interface FormerSyntax {
  /** Where it occurs in a pattern (escapes taken into account). */
  readonly found: RegExp;
  /** What it meant to picomatch, and what to write instead. */
  readonly problem: string;
}

/** `source` not escaped: preceded by an even number of backslashes. */
const unescaped = (source: string) => new RegExp(String.raw`(?<!\\)(?:\\\\)*${source}`, "u");

const FORMER_SYNTAX: readonly FormerSyntax[] = [
  {
    found: unescaped("[()]"),
    problem:
      "'(' and ')' are ordinary characters in the glob dialect, but the policy's former matcher (picomatch) read them as a group or an extglob such as @(a|b): write \\( and \\) for the characters, or {a,b} for alternatives",
  },
  {
    found: unescaped(String.raw`\|`),
    problem:
      "'|' is an ordinary character in the glob dialect, but the policy's former matcher (picomatch) read it as 'or': write \\| for the character, or {a,b} for alternatives",
  },
  {
    found: unescaped(`"`),
    problem:
      '\'"\' is an ordinary character in the glob dialect, but the policy\'s former matcher (picomatch) read "..." as quoted text without the quotes: write \\" for the character',
  },
  {
    found: unescaped(String.raw`\[!`),
    problem:
      "[!a] means 'any character but a' in the glob dialect, but the policy's former matcher (picomatch) read it as '!' or 'a': write [^a] for 'any character but a', or [a!] for the characters",
  },
  {
    found: unescaped(String.raw`[\]}]\+`),
    problem:
      "'+' after ']' or '}' is an ordinary character in the glob dialect, but the policy's former matcher (picomatch) read it as 'once or more': write * for any run, or \\+ for the character",
  },
  {
    // Picomatch's quick path for one-segment patterns escapes only the first of a run: `c++`
    // matched `c+` and `c+++`, `a$$` matched `a$`. Escaping does not help there, so a run is
    // refused however it is written.
    found: /\+\+|\$\$/u,
    problem:
      "'++' and '$$' are ordinary characters in the glob dialect, but the policy's former matcher (picomatch) read the repeat as a regex ('c++' also matched 'c+' and 'c+++'): write [+] or [$] for each of the characters",
  },
  {
    found: /\\\\/u,
    problem:
      "'\\\\' (an escaped backslash) matches a backslash, which no path a job may delete holds, and the policy's former matcher (picomatch) read backslashes its own way: remove it",
  },
  {
    found: unescaped(String.raw`\\[0-9A-Za-z]`),
    problem:
      "'\\' before a letter or digit means that letter or digit in the glob dialect, but the policy's former matcher (picomatch) read \\d, \\w, \\s and the like as a regex class: write a set such as [0-9], or the character without '\\'",
  },
  {
    found: unescaped(String.raw`\{[^}]*\.\.`),
    problem:
      "'..' inside {...} is two dots in the glob dialect, but the policy's former matcher (picomatch) read {a..c} as a range: list the alternatives, {a,b,c}",
  },
];

/**
 * Why `pattern` cannot be a protected glob because picomatch read it differently (see the module
 * comment), or `undefined` when it means at least as much as it did.
 *
 * @example formerSyntaxProblem("2019-@(a|b)") // "'(' and ')' are ordinary characters …"
 */
export function formerSyntaxProblem(pattern: string): string | undefined {
  return FORMER_SYNTAX.find(({ found }) => found.test(pattern))?.problem;
}
