import type { SimCore } from "../core.ts";
import { seedDirectory, seedFile } from "../operations/create.ts";
import { splitPath } from "../paths.ts";
import type { Library } from "../state/library.ts";
import { SINGLE_TENANT_SPACE_ID, type Space } from "../state/space.ts";
import { setModificationTime } from "../state/tree.ts";
import { type Seed, type SeedDirectory, type SeedLibrary, seedFileSchema } from "./schema.ts";

/**
 * Creates a directory (with missing parents) and its files, then applies an explicit
 * modification time last so that it wins.
 */
export function applyDirectory(
  core: SimCore,
  library: Library,
  space: Space,
  directory: SeedDirectory,
): void {
  const segments = splitPath(directory.path);
  const times =
    directory.creationTime === undefined ? {} : { creationTime: directory.creationTime };
  const dir = seedDirectory(core, library, space, segments, times);
  for (const file of directory.files) {
    seedFile(core, library, space, [...segments, file.name], {
      size: file.size,
      contentType: file.contentType,
      creationTime: file.creationTime ?? directory.creationTime,
      modificationTime: file.modificationTime,
    });
  }
  if (directory.modificationTime !== undefined)
    setModificationTime(dir, directory.modificationTime);
}

/**
 * Adds one file (metadata only) at `path`, creating missing parent directories at its creation
 * time. `file` is validated like a seed file without its `name` (the path's last segment):
 * `{size?, contentType?, creationTime?, modificationTime?}`.
 * @throws ZodError for an invalid `file`; SmhError `409 SameNameDirectoryOrFileExists` when the
 * name is taken, `400 EmptyPath`/`IllegalFileName` for a bad path.
 */
export function applyFile(
  core: SimCore,
  library: Library,
  space: Space,
  path: readonly string[],
  file: unknown,
): void {
  const parsed = seedFileSchema.omit({ name: true }).parse(file ?? {});
  seedFile(core, library, space, path, {
    size: parsed.size,
    contentType: parsed.contentType,
    ...(parsed.creationTime === undefined ? {} : { creationTime: parsed.creationTime }),
    ...(parsed.modificationTime === undefined ? {} : { modificationTime: parsed.modificationTime }),
  });
}

/**
 * Adds one seeded library with its spaces and trees.
 * @throws Error when ids clash or a single-tenant library names a space other than `-`.
 */
export function applyLibrary(core: SimCore, seed: SeedLibrary): Library {
  const library = core.addLibrary({
    id: seed.id,
    secret: seed.secret,
    multiSpace: seed.multiSpace,
    recycleBin: seed.recycleBin,
    retentionDays: seed.retentionDays,
  });
  for (const spaceSeed of seed.spaces) {
    let space: Space;
    if (!library.multiSpace) {
      if (spaceSeed.id !== SINGLE_TENANT_SPACE_ID) {
        throw new Error(`library ${seed.id} is single-tenant: its only space is "-"`);
      }
      space = core.requireSpace(library, SINGLE_TENANT_SPACE_ID);
    } else {
      space = core.addSpace(library, {
        id: spaceSeed.id,
        kind: spaceSeed.kind,
        userId: spaceSeed.userId,
        ...(spaceSeed.creationTime === undefined ? {} : { creationTime: spaceSeed.creationTime }),
      });
    }
    for (const directory of spaceSeed.directories) applyDirectory(core, library, space, directory);
  }
  return library;
}

/** Adds every library of a parsed seed. */
export function applySeed(core: SimCore, seed: Seed): Library[] {
  return seed.libraries.map((library) => applyLibrary(core, library));
}
