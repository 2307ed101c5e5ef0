import * as z from "zod";

/** A time in a seed: epoch milliseconds, an ISO-8601 string or a Date. */
const seedTime = z
  .union([z.number().finite(), z.iso.datetime({ offset: true }), z.date()])
  .transform((value) => (typeof value === "number" ? value : new Date(value).getTime()));

/** A file to seed (metadata only). */
export const seedFileSchema = z.strictObject({
  name: z.string().min(1),
  size: z.number().int().min(0).default(0),
  contentType: z.string().min(1).default("application/octet-stream"),
  creationTime: seedTime.optional(),
  modificationTime: seedTime.optional(),
});

/**
 * A directory (or album) to seed, created like `mkdir -p`. Its files are added after it; an
 * explicit `modificationTime` is applied last, so it wins over the files' creation times.
 */
export const seedDirectorySchema = z.strictObject({
  path: z.string().min(1),
  creationTime: seedTime.optional(),
  modificationTime: seedTime.optional(),
  files: z.array(seedFileSchema).default([]),
});

/** A space to seed. Single-tenant libraries have exactly one, `-`, created automatically. */
export const seedSpaceSchema = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(["files", "albums"]).default("files"),
  userId: z.string().default(""),
  creationTime: seedTime.optional(),
  directories: z.array(seedDirectorySchema).default([]),
});

/** A library to seed. */
export const seedLibrarySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "library ids are 1-64 letters, digits, _ or -"),
  secret: z.string().min(1),
  multiSpace: z.boolean().default(true),
  recycleBin: z.boolean().default(true),
  retentionDays: z.number().int().min(1).max(10_000).default(30),
  spaces: z.array(seedSpaceSchema).default([]),
});

/**
 * The seed format: libraries, their spaces and trees. Example:
 * ```json
 * { "libraries": [{ "id": "smhtest", "secret": "s3cret", "spaces": [
 *   { "id": "space1", "directories": [
 *     { "path": "events/2024-01-party", "creationTime": "2024-01-05T10:00:00Z",
 *       "files": [{ "name": "a.jpg", "size": 1024, "contentType": "image/jpeg" }] } ] } ] }] }
 * ```
 */
export const seedSchema = z.strictObject({ libraries: z.array(seedLibrarySchema) });

/** A seed as written by hand (defaults optional). */
export type SeedInput = z.input<typeof seedSchema>;
/** A parsed seed (defaults filled, times in epoch ms). */
export type Seed = z.output<typeof seedSchema>;
export type SeedLibrary = z.output<typeof seedLibrarySchema>;
export type SeedLibraryInput = z.input<typeof seedLibrarySchema>;
export type SeedDirectory = z.output<typeof seedDirectorySchema>;
export type SeedDirectoryInput = z.input<typeof seedDirectorySchema>;
export type SeedFileInput = z.input<typeof seedFileSchema>;

/**
 * Parses an untrusted seed.
 * @throws Error with zod's readable description of what is wrong.
 */
export function parseSeed(input: unknown): Seed {
  const parsed = seedSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid seed: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
