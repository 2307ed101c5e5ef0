/**
 * Name patterns of a rule's `match.include` and `match.exclude`, as written and as compiled.
 *
 * ```yaml
 * include:
 *   - "20??-*"                          # a string is a glob (see glob.ts)
 *   - { glob: "TMP-*", ignoreCase: true }
 *   - { regex: "^\\d{4}-\\d{2}-" }      # a regex says so (see regex.ts for what is refused)
 * ```
 *
 * The explicit `{ regex: ... }` form means a glob is never mistaken for a regex (`2019.*` is a glob
 * of names starting `2019.`, not "anything starting 2019"), nor the other way round. Names are
 * tested in Unicode NFC.
 */
import * as z from "zod";
import { compileGlob, GlobError } from "../glob/glob.ts";
import { compileRegex, RegexError } from "./regex.ts";

/** A compiled name pattern: how it was written, and its test. */
export interface NamePattern {
  readonly kind: "glob" | "regex";
  readonly source: string;
  readonly ignoreCase: boolean;
  /** True when `name` (one directory name, not a path) matches. */
  test(name: string): boolean;
}

const ignoreCase = z
  .boolean({ error: "must be a JSON boolean (true or false)" })
  .default(false)
  .meta({ description: "Compare letters without regard to case." });

const globText = z.string().meta({
  description:
    "Shell-style glob over one name: * any run, ? one character, [a-z] a set ([!a-z] not in it), {a,b} alternatives, \\ escapes.",
  examples: ["2019-*", "tmp-??", "{draft,tmp}-*"],
});

const regexText = z.string().meta({
  description:
    "JavaScript regex (u flag) over one name, unanchored unless written with ^ and $. No backreferences or lookaround; refused when too ambiguous to run safely.",
  examples: ["^\\d{4}-\\d{2}-\\d{2}$"],
});

function fromGlob(source: string, fold: boolean, ctx: z.RefinementCtx): NamePattern {
  try {
    const test = compileGlob(source, fold);
    return { kind: "glob", source, ignoreCase: fold, test };
  } catch (error) {
    if (!(error instanceof GlobError)) throw error;
    ctx.issues.push({ code: "custom", input: source, message: `invalid glob: ${error.message}` });
    return z.NEVER;
  }
}

function fromRegex(source: string, fold: boolean, ctx: z.RefinementCtx): NamePattern {
  try {
    const regex = compileRegex(source, fold);
    return {
      kind: "regex",
      source,
      ignoreCase: fold,
      test: (name) => regex.test(name.normalize("NFC")),
    };
  } catch (error) {
    if (!(error instanceof RegexError)) throw error;
    ctx.issues.push({ code: "custom", input: source, message: `invalid regex: ${error.message}` });
    return z.NEVER;
  }
}

/** One name pattern: a glob string, `{ glob, ignoreCase? }` or `{ regex, ignoreCase? }`. */
export const NamePatternSchema = z
  .union(
    [
      globText,
      z.strictObject({ glob: globText, ignoreCase }),
      z.strictObject({ regex: regexText, ignoreCase }),
    ],
    {
      error:
        'must be a glob string, { glob: "..." } or { regex: "..." } (with an optional ignoreCase: true)',
    },
  )
  // Compiled after the union, so a bad pattern's own message is not buried in a union error.
  .transform((written, ctx) => {
    if (typeof written === "string") return fromGlob(written, false, ctx);
    if ("glob" in written) return fromGlob(written.glob, written.ignoreCase, ctx);
    return fromRegex(written.regex, written.ignoreCase, ctx);
  });

/** How a pattern was written, for fingerprints and messages: `glob:2019-*`, `regex/i:^tmp`. */
export function describePattern(pattern: NamePattern): string {
  return `${pattern.kind}${pattern.ignoreCase ? "/i" : ""}:${pattern.source}`;
}
