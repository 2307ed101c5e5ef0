/**
 * Retention rules: which directories or albums a scheduled run may delete for their age.
 *
 * ```yaml
 * v: 1
 * rules:
 *   - id: events-after-a-year          # unique; letters, digits, . _ -
 *     description: Party albums are kept one year
 *     libraryId: smh3zw5tnrzpcmzl
 *     spaces: ["-"]                    # or "*": every space of the library
 *     parent: events                   # direct children of this directory; "/" = the space root
 *     match:
 *       type: dir                      # the only type: albums are directories in SMH
 *       include: ["20??-*", { regex: "^archive-\\d+$" }]   # default: every name
 *       exclude: [{ glob: "*-keep", ignoreCase: true }]
 *     age: { field: creationTime, maxAge: 365d }           # field defaults to creationTime
 *     permanent: false                 # default: to the recycle bin
 *     caps: { maxDeletesPerRun: 100, maxFractionPerRun: 0.5 }   # the defaults
 *     enabled: true
 *     dryRun: false
 * ```
 *
 * Decisions:
 * - **Only directories.** `match.type` is `dir`; a job deletes through SMH's directory API, so a
 *   rule that could select files would be a rule that cannot be carried out.
 * - **The space root is a legitimate parent** (albums live there), written `"/"`; an empty
 *   `parent` is refused, since it is what an unset template variable looks like. A rule on the
 *   root must write both caps: no default is the right bound for a whole space.
 * - **An empty `include` list is refused**: it would read as "nothing"; leave `include` out to
 *   match every name.
 * - **Caps**: `maxDeletesPerRun` 1–1,000 (default 100), `maxFractionPerRun` in (0, 1] with at most
 *   4 decimals (default 0.5). A run that would break either enqueues nothing (see `caps.ts`).
 * - `maxAge` follows `duration.ts`; "older than" is defined once, in `age.ts`.
 * - Every object is strict: a misspelt key is an error, never a silently ignored option.
 */
import * as z from "zod";
// fields.ts, not the messages index: lib/messages may list this schema in its JSON Schema export.
import { boundedText, libraryId, MAX_PATH_LENGTH, spaceId } from "../messages/fields.ts";
import { AgeField } from "../messages/retention-result.ts";
import { InvalidPathError, toSegments } from "../smh/paths.ts";
import { DurationError, parseDuration } from "./duration.ts";
import { type NamePattern, NamePatternSchema } from "./patterns.ts";

/** Caps a rule gets when it does not write them (not allowed for the space root). */
export const DEFAULT_CAPS = { maxDeletesPerRun: 100, maxFractionPerRun: 0.5 } as const;
/** The highest `maxDeletesPerRun` a rule may set (SMH's batch size; also bounds a continuation). */
export const MAX_DELETES_PER_RUN = 1000;
/** The most rules one file may hold. */
export const MAX_RULES = 500;
/** The most patterns one `include` or `exclude` list may hold. */
export const MAX_PATTERNS = 100;

/** A duration as written and in milliseconds. */
export interface Duration {
  readonly text: string;
  readonly ms: number;
}

/** The run caps of a rule, defaults applied. */
export interface RuleCaps {
  readonly maxDeletesPerRun: number;
  readonly maxFractionPerRun: number;
}

/** A validated retention rule: defaults applied, parent as segments, patterns compiled. */
export interface RetentionRule {
  readonly id: string;
  readonly description?: string;
  readonly libraryId: string;
  readonly spaces: "*" | readonly string[];
  /** The parent directory as segments; `[]` is the space root. */
  readonly parent: readonly string[];
  readonly match: {
    readonly type: "dir";
    /** `undefined`: every name is included. */
    readonly include?: readonly NamePattern[];
    readonly exclude: readonly NamePattern[];
  };
  readonly age: { readonly field: AgeField; readonly maxAge: Duration };
  readonly permanent: boolean;
  readonly caps: RuleCaps;
  readonly enabled: boolean;
  readonly dryRun: boolean;
}

/** A validated rules file. */
export interface RetentionRules {
  readonly v: 1;
  readonly rules: readonly RetentionRule[];
}

const strictBoolean = (description: string, fallback: boolean) =>
  z
    .boolean({ error: "must be a JSON boolean (true or false)" })
    .default(fallback)
    .meta({ description });

const ruleId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
  })
  .meta({ description: "Unique rule ID; part of every job ID the rule produces." });

const spaces = z
  .union([z.literal("*"), z.array(spaceId).min(1)], {
    error:
      'must be "*" (every space of the library) or a non-empty list of space IDs ("-" for a single-tenant library)',
  })
  .superRefine((list, ctx) => {
    if (list === "*") return;
    list.forEach((space, index) => {
      const first = list.indexOf(space);
      if (first !== index) {
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `duplicate space ${JSON.stringify(space)} (first at [${first}])`,
        });
      }
    });
  })
  .meta({ description: 'Spaces the rule applies to, or "*" for every space of the library.' });

const parent = z
  .string()
  .max(MAX_PATH_LENGTH)
  .transform((input, ctx): string[] => {
    if (input === "") {
      ctx.issues.push({
        code: "custom",
        input,
        message: 'is empty: write "/" for the root of the space',
      });
      return z.NEVER;
    }
    if (/^\/+$/.test(input)) return [];
    // Checked like a job's path: the rule deletes children of exactly this directory.
    try {
      return toSegments(input);
    } catch (error) {
      if (!(error instanceof InvalidPathError)) throw error;
      ctx.issues.push({
        code: "custom",
        input,
        message: `${error.message} (${error.problem})`,
        params: { code: error.problem },
      });
      return z.NEVER;
    }
  })
  .meta({
    description:
      'Directory whose direct children the rule looks at, relative to the space root, taken exactly as written (like a job\'s path: whitespace at either end of a name, invisible characters, backslashes and escapes that decode to ".." or a separator are refused); "/" is the root itself.',
    examples: ["events/2024", "/"],
  });

const patternList = z.array(NamePatternSchema).max(MAX_PATTERNS);

const match = z
  .strictObject({
    type: z
      .literal("dir", {
        error:
          'only "dir" is supported: albums are directories in SMH, and retention deletes directories only',
      })
      .default("dir")
      .meta({ description: "Entry type to match: directories (albums included)." }),
    include: patternList
      .min(1, {
        error: "an empty include list matches nothing: leave include out to match every name",
      })
      .optional()
      .meta({ description: "A name is selected when any pattern matches; absent: every name." }),
    exclude: patternList
      .default([])
      .meta({ description: "A name any of these patterns matches is never selected." }),
  })
  .default({ type: "dir", exclude: [] })
  .meta({ description: "Which direct children of parent are considered." });

const maxAge = z
  .string({
    error: (issue) =>
      typeof issue.input === "number"
        ? `a bare number has no unit: write ${issue.input}d for days`
        : 'must be a duration such as "365d", "12h" or "1d12h"',
  })
  .transform((text, ctx): Duration => {
    try {
      return { text, ms: parseDuration(text) };
    } catch (error) {
      if (!(error instanceof DurationError)) throw error;
      ctx.issues.push({ code: "custom", input: text, message: error.message });
      return z.NEVER;
    }
  })
  .meta({
    description:
      "Entries strictly older than this are deleted. Units w, d, h, m (minutes), s, largest first (1d12h); at least 1h.",
    examples: ["365d", "12h", "1d12h"],
  });

const age = z
  .strictObject({
    field: z
      .enum([AgeField.creationTime, AgeField.modificationTime])
      .default(AgeField.creationTime)
      .meta({
        description:
          "Listing field the age is measured from. A directory's modificationTime moves only when a direct child is added or removed.",
      }),
    maxAge,
  })
  .meta({ description: "How old an entry must be to be deleted." });

const caps = z
  .strictObject({
    maxDeletesPerRun: z.int().min(1).max(MAX_DELETES_PER_RUN).optional().meta({
      description: "A run that would delete more directories than this deletes none.",
      default: DEFAULT_CAPS.maxDeletesPerRun,
    }),
    maxFractionPerRun: z
      .number()
      .gt(0)
      .lte(1)
      .refine((fraction) => Math.abs(fraction * 10_000 - Math.round(fraction * 10_000)) < 1e-6, {
        error: "must have at most 4 decimals (0.25, 0.0005)",
      })
      .optional()
      .meta({
        description:
          "A run that would delete more than this share of the parent's child directories deletes none.",
        default: DEFAULT_CAPS.maxFractionPerRun,
      }),
  })
  .meta({ description: "Limits that refuse a whole run when it would delete too much." });

const rule = z
  .strictObject({
    id: ruleId,
    description: boundedText(1024, "What the rule is for, in words.").optional(),
    libraryId,
    spaces,
    parent,
    match,
    age,
    permanent: strictBoolean(
      "true deletes for ever (the deletion policy must allow it); false moves to the recycle bin.",
      false,
    ),
    caps: caps.optional(),
    enabled: strictBoolean("false: the rule is not run at all.", true),
    dryRun: strictBoolean("true: runs write their plan and enqueue nothing.", false),
  })
  .superRefine((written, ctx) => {
    if (written.parent.length > 0) return;
    const missing = (["maxDeletesPerRun", "maxFractionPerRun"] as const).filter(
      (cap) => written.caps?.[cap] === undefined,
    );
    if (missing.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["caps"],
        message: `a rule on the space root must set ${missing.join(" and ")} explicitly`,
      });
    }
  })
  .transform(
    (written): RetentionRule => ({
      id: written.id,
      ...(written.description === undefined ? {} : { description: written.description }),
      libraryId: written.libraryId,
      spaces: written.spaces,
      parent: written.parent,
      match: {
        type: written.match.type,
        ...(written.match.include === undefined ? {} : { include: written.match.include }),
        exclude: written.match.exclude,
      },
      age: written.age,
      permanent: written.permanent,
      caps: {
        maxDeletesPerRun: written.caps?.maxDeletesPerRun ?? DEFAULT_CAPS.maxDeletesPerRun,
        maxFractionPerRun: written.caps?.maxFractionPerRun ?? DEFAULT_CAPS.maxFractionPerRun,
      },
      enabled: written.enabled,
      dryRun: written.dryRun,
    }),
  );

/** The rules file schema. Input: what an operator writes. Output: {@link RetentionRules}. */
export const RetentionRulesSchema = z
  .strictObject({
    v: z
      .literal(1, {
        error: (issue) =>
          issue.input === undefined
            ? 'missing "v": add v: 1 (the rules file format version)'
            : `unsupported rules file version ${JSON.stringify(issue.input)}: this version reads v: 1`,
      })
      .meta({ description: "Rules file format version." }),
    rules: z.array(rule).max(MAX_RULES),
  })
  .superRefine((file, ctx) => {
    const first = new Map<string, number>();
    file.rules.forEach((written, index) => {
      const earlier = first.get(written.id);
      if (earlier === undefined) first.set(written.id, index);
      else {
        ctx.addIssue({
          code: "custom",
          path: ["rules", index, "id"],
          message: `duplicate rule id ${JSON.stringify(written.id)} (first at rules[${earlier}])`,
        });
      }
    });
  })
  .transform((file): RetentionRules => ({ v: 1, rules: file.rules }));

/** A rules file as an operator writes it. */
export type RetentionRulesInput = z.input<typeof RetentionRulesSchema>;

/** The parent (or any segments) for a message: `"/"` for the root, else `a/b`. */
export function displayPath(segments: readonly string[]): string {
  return segments.length === 0 ? "/" : segments.join("/");
}

/** True when `rule` applies to `spaceId` (listed, or the rule says `"*"`). */
export function ruleCoversSpace(rule: RetentionRule, spaceId: string): boolean {
  return rule.spaces === "*" || rule.spaces.includes(spaceId);
}
