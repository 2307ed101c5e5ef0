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
import { PolicyConfigError } from "./errors.ts";
import { compileProtectedGlob, type ProtectedGlob, ProtectedGlobError } from "./protection.ts";

const protectedGlob = z
  .string()
  .max(1024)
  .transform((pattern, ctx) => {
    try {
      return compileProtectedGlob(pattern);
    } catch (error) {
      if (!(error instanceof ProtectedGlobError)) throw error;
      ctx.issues.push({ code: "custom", input: pattern, message: error.message });
      return z.NEVER;
    }
  });

const everything = z.literal("*");

const libraryConfig = z
  .strictObject({
    spaces: z.union([everything, z.array(SpaceIdSchema).min(1)], {
      error: 'must be "*" or a non-empty list of space IDs ("-" for a single-tenant library)',
    }),
    allowedPrefixes: z.array(DirectoryPathSchema).default([]),
    allowedPaths: z.array(DirectoryPathSchema).default([]),
    protectedPaths: z.array(DirectoryPathSchema).default([]),
    protectedGlobs: z.array(protectedGlob).default([]),
    permanentPrefixes: z
      .union([everything, z.array(DirectoryPathSchema)], {
        error: 'must be "*" or a list of path prefixes',
      })
      .default([]),
    albumSpaces: z.array(SpaceIdSchema).default([]),
    minDepth: z.int().min(1).default(1),
    maxDepth: z.int().min(1).optional(),
    allowPurge: z.boolean({ error: "must be a JSON boolean (true or false)" }).default(false),
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

const policyConfig = z.strictObject({
  libraries: z.record(LibraryIdSchema, libraryConfig),
});

/** The configuration as written (JSON or YAML), before validation. */
export type DeletionPolicyConfig = z.input<typeof policyConfig>;

/** One library's rules, validated: paths normalised, globs compiled. */
export interface LibraryPolicy {
  readonly libraryId: string;
  readonly spaces: "*" | ReadonlySet<string>;
  readonly allowedPrefixes: readonly string[];
  readonly allowedPaths: readonly string[];
  readonly protectedPaths: readonly string[];
  readonly protectedGlobs: readonly ProtectedGlob[];
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
  const result = policyConfig.safeParse(config);
  if (!result.success) {
    throw new PolicyConfigError(source, reasonsFromIssues(result.error.issues));
  }
  const libraries = new Map<string, LibraryPolicy>();
  for (const [id, library] of Object.entries(result.data.libraries)) {
    libraries.set(id, {
      libraryId: id,
      spaces: library.spaces === "*" ? "*" : new Set(library.spaces),
      allowedPrefixes: library.allowedPrefixes,
      allowedPaths: library.allowedPaths,
      protectedPaths: library.protectedPaths,
      protectedGlobs: library.protectedGlobs,
      permanentPrefixes: library.permanentPrefixes,
      albumSpaces: new Set(library.albumSpaces),
      minDepth: library.minDepth,
      maxDepth: library.maxDepth,
      allowPurge: library.allowPurge,
    });
  }
  return { libraries };
}
