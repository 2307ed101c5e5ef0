/**
 * The deletion policy's configuration: what may be deleted at all, per library.
 *
 * ```yaml
 * libraries:
 *   smh3zw5tnrzpcmzl:             # a library not listed here is refused
 *     spaces: ["-"]               # or "*" for every space of the library (required)
 *     allowedPrefixes: [events, tmp/uploads]   # paths strictly below these may be deleted
 *     allowedPaths: [scratch]     # these exact directories may be deleted too
 *     protectedPaths: [events/keep]            # never deleted, nor anything in or above them
 *     protectedGlobs: ["events/*\/originals"]  # the same, for every path a glob matches
 *                                 #   (the glob dialect of docs/globs.md, read loosely)
 *     protectionIgnoresCase: true # protections match whatever the letter case (default true)
 *     permanentPrefixes: [tmp]    # permanent deletion only strictly below these; "*": wherever
 *                                 #   deletion is allowed; default []: never
 *     albumSpaces: [spacealbums]  # album spaces: their top-level albums may be deleted (albums
 *                                 #   cannot nest, so this is every album of the space)
 *     minDepth: 2                 # fewest path segments a deleted path may have (default 1)
 *     maxDepth: 6                 # most path segments (default: no limit)
 *     allowPurge: true            # recycle-bin items of the allowed spaces may be purged for good
 *                                 #   (default false: restore only)
 * ```
 *
 * Prefixes are segment-aware and exclusive: `events` allows `events/x` and `events/x/y`, but
 * neither `eventsX` nor `events` itself; list `events` in `allowedPaths` to allow deleting it.
 *
 * What allows matches exactly; what protects matches loosely. `allowedPrefixes`, `allowedPaths`
 * and `permanentPrefixes` compare names code point for code point, so a look-alike (`ｅvents`,
 * `events\u200b`) is not inside them. `protectedPaths` and `protectedGlobs` compare names
 * percent-decoded, under Unicode NFKC, without invisible characters (zero-width, bidi, format,
 * variation selectors) or whitespace at either end and, while `protectionIgnoresCase` is true,
 * whatever their case: a look-alike of a protected path is protected too (see `segments.ts`).
 * Every path written here is itself checked like a job's path (no edge whitespace, invisible
 * characters, backslashes or escapes that decode to a separator).
 * There is no way to allow a whole library: every deletion is under a named prefix or a named
 * path. Because of that, a `minDepth` of 1 (the default) still keeps top-level directories such as
 * `users` safe unless one is named in `allowedPaths`; raise it to make even that impossible.
 *
 * Recycle-bin actions (see `recycle.ts`) are decided per library and space, not per path: a command
 * names recycle-bin item IDs, whose original paths SMH does not tell without listing the bin.
 * Restoring is allowed for every library in the policy (it undoes a deletion). Purging is
 * irreversible and acts on any item of the space, including ones this product never deleted, so it
 * needs `allowPurge: true` and an allowed space, like permanent deletion needs `permanentPrefixes`.
 */
import * as z from "zod";
import { directoryPath as DirectoryPathSchema } from "../messages/delete-job.ts";
import { libraryId as LibraryIdSchema, spaceId as SpaceIdSchema } from "../messages/fields.ts";
import { reasonsFromIssues } from "../messages/reasons.ts";
import { normalizePath } from "../smh/paths.ts";
import { PolicyConfigError } from "./errors.ts";
import { compileProtectedGlob, type ProtectedGlob, ProtectedGlobError } from "./protection.ts";

/** How the JSON Schema describes the two ways of matching. */
const EXACT =
  "Matched exactly, code point for code point, segment by segment: a look-alike (full-width letters, an invisible character, another case) is not inside it.";
const LOOSE =
  "Matched loosely, so that a look-alike is protected too: names are compared percent-decoded, under Unicode NFKC (full-width and composed forms), without invisible characters (zero-width, bidi, format, variation selectors) or whitespace at either end, and case-folded unless protectionIgnoresCase is false.";

const protectedGlob = z
  .string()
  .max(1024)
  .superRefine((pattern, ctx) => {
    try {
      compileProtectedGlob(pattern);
    } catch (error) {
      if (!(error instanceof ProtectedGlobError)) throw error;
      ctx.addIssue({ code: "custom", input: pattern, message: error.message });
    }
  });

const everything = z.literal("*");
const policyPath = DirectoryPathSchema.meta({
  description:
    "A directory path relative to the space root, checked like a job's path: taken as written (only slashes at either end and repeated slashes are dropped); edge whitespace, invisible characters, backslashes and escapes that decode to '.', '..' or a separator are refused.",
  examples: ["events/2024"],
});
const paths = (description: string) => z.array(policyPath).default([]).meta({ description });

const libraryConfig = z
  .strictObject({
    spaces: z
      .union([everything, z.array(SpaceIdSchema).min(1)], {
        error: 'must be "*" or a non-empty list of space IDs ("-" for a single-tenant library)',
      })
      .meta({ description: 'Spaces where deletion is allowed: "*" for every space, or a list.' }),
    allowedPrefixes: paths(
      `Paths strictly below these may be deleted ("events" allows "events/x", not "events" nor "eventsX"). ${EXACT}`,
    ),
    allowedPaths: paths(`These exact directories may be deleted too. ${EXACT}`),
    protectedPaths: paths(
      `Never deleted, nor anything inside them or above them (deleting is recursive). ${LOOSE}`,
    ),
    protectedGlobs: z
      .array(protectedGlob)
      .default([])
      .meta({
        description: `Path globs in the product's glob dialect (docs/globs.md: one name glob per segment, '/' between segments, '**' alone for any depth), protecting every path they match as protectedPaths do. A protection errs towards keeping: each segment and each [...] also matches its own text as written, and '?' also counts UTF-16 units. Syntax the policy's former matcher (picomatch) read differently is refused at load with what to write instead (groups and extglobs, '|', quotes, [!a], '+' after ']' or '}', '++', '$$', a backslash before a letter, digit or backslash, '{a..c}', '**' inside a name). ${LOOSE}`,
      }),
    protectionIgnoresCase: z
      .boolean({ error: "must be a JSON boolean (true or false)" })
      .default(true)
      .meta({
        description:
          "Whether protectedPaths and protectedGlobs match whatever the letter case (default true: a protection errs towards keeping). Allowed prefixes and paths always match case exactly.",
      }),
    permanentPrefixes: z
      .union([everything, z.array(policyPath)], {
        error: 'must be "*" or a list of path prefixes',
      })
      .default([])
      .meta({
        description: `Permanent deletion only strictly below these; "*": wherever deletion is allowed; default []: never. ${EXACT}`,
      }),
    albumSpaces: z
      .array(SpaceIdSchema)
      .default([])
      .meta({ description: "Album spaces: their top-level albums may be deleted." }),
    minDepth: z
      .int()
      .min(1)
      .default(1)
      .meta({ description: "Fewest path segments a deleted path may have." }),
    maxDepth: z
      .int()
      .min(1)
      .optional()
      .meta({ description: "Most path segments a deleted path may have (default: no limit)." }),
    allowPurge: z.boolean({ error: "must be a JSON boolean (true or false)" }).default(false).meta({
      description:
        "Whether recycle-bin items of the allowed spaces may be purged for good (default false: restore only).",
    }),
  })
  .superRefine((library, ctx) => {
    if (library.maxDepth !== undefined && library.maxDepth < library.minDepth) {
      ctx.addIssue({
        code: "custom",
        path: ["maxDepth"],
        message: `must be at least minDepth (${library.minDepth})`,
      });
    }
  });

/** The deletion policy's schema (exported as JSON Schema by `json-schema.ts`). */
export const DeletionPolicySchema = z.strictObject({
  libraries: z.record(LibraryIdSchema, libraryConfig).meta({
    description: "Per library ID, what may be deleted. A library not listed is refused.",
  }),
});

/** The configuration as written (JSON or YAML), before validation. */
export type DeletionPolicyConfig = z.input<typeof DeletionPolicySchema>;

/** One library's rules, validated: paths checked (slashes canonical), globs compiled. */
export interface LibraryPolicy {
  readonly libraryId: string;
  readonly spaces: "*" | ReadonlySet<string>;
  readonly allowedPrefixes: readonly string[];
  readonly allowedPaths: readonly string[];
  readonly protectedPaths: readonly string[];
  readonly protectedGlobs: readonly ProtectedGlob[];
  /** Whether protected paths and globs match whatever the letter case. */
  readonly protectionIgnoresCase: boolean;
  readonly permanentPrefixes: "*" | readonly string[];
  readonly albumSpaces: ReadonlySet<string>;
  readonly minDepth: number;
  readonly maxDepth: number | undefined;
  /** Whether recycle-bin items of the allowed spaces may be purged for good. */
  readonly allowPurge: boolean;
}

/**
 * A validated deletion policy. Libraries are held in a `Map`, so a job for library `constructor`
 * or `toString` finds nothing unless it is configured.
 */
export interface DeletionPolicy {
  readonly libraries: ReadonlyMap<string, LibraryPolicy>;
}

/**
 * Validates a policy configuration (already decoded from JSON or YAML). Throws
 * {@link PolicyConfigError} listing every bad field by its dotted path; `source` says where the
 * configuration came from, for that message.
 *
 * `{ "libraries": {} }` is valid and refuses every job.
 */
export function parsePolicy(config: unknown, source = "policy"): DeletionPolicy {
  const result = DeletionPolicySchema.safeParse(config);
  if (!result.success) {
    throw new PolicyConfigError(source, reasonsFromIssues(result.error.issues));
  }
  // Checked by the schema already; only slashes change (the one rewriting a path may have).
  const canonical = (paths: readonly string[]) => paths.map((path) => normalizePath(path));
  const libraries = new Map<string, LibraryPolicy>();
  for (const [id, library] of Object.entries(result.data.libraries)) {
    libraries.set(id, {
      libraryId: id,
      spaces: library.spaces === "*" ? "*" : new Set(library.spaces),
      allowedPrefixes: canonical(library.allowedPrefixes),
      allowedPaths: canonical(library.allowedPaths),
      protectedPaths: canonical(library.protectedPaths),
      protectedGlobs: library.protectedGlobs.map((pattern) =>
        compileProtectedGlob(pattern, { ignoreCase: library.protectionIgnoresCase }),
      ),
      protectionIgnoresCase: library.protectionIgnoresCase,
      permanentPrefixes:
        library.permanentPrefixes === "*" ? "*" : canonical(library.permanentPrefixes),
      albumSpaces: new Set(library.albumSpaces),
      minDepth: library.minDepth,
      maxDepth: library.maxDepth,
      allowPurge: library.allowPurge,
    });
  }
  return { libraries };
}
