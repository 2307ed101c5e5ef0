import type { SimCore } from "../core.ts";
import { SmhError } from "../errors.ts";
import { fnv1a } from "../ids.ts";
import { assertValidSegments } from "../paths.ts";
import type { Library } from "../state/library.ts";
import type { Space } from "../state/space.ts";
import {
  attachChild,
  type DirectoryNode,
  type FileNode,
  freeName,
  newDirectoryNode,
  newFileNode,
  setCreationTime,
  setModificationTime,
} from "../state/tree.ts";

function checkShape(space: Space, segments: readonly string[]): void {
  if (segments.length === 0) throw new SmhError("EmptyPath");
  assertValidSegments(segments);
  // Album spaces hold one level of albums (DirectoryLevelExceed, error table).
  if (space.kind === "albums" && segments.length > 1) throw new SmhError("DirectoryLevelExceed");
}

/**
 * Walks to the parent of `segments`, creating missing directories at `time` (SMH creates the
 * intermediate parents). A parent that is a file is `409 SameNameDirectoryOrFileExists`.
 */
function ensureParent(
  library: Library,
  space: Space,
  segments: readonly string[],
  time: number,
): DirectoryNode {
  let dir = space.root;
  for (const name of segments.slice(0, -1)) {
    const existing = dir.children.get(name);
    if (existing?.kind === "file") throw new SmhError("SameNameDirectoryOrFileExists");
    if (existing) {
      dir = existing;
      continue;
    }
    const created = newDirectoryNode(name, time, library.allocateInode());
    attachChild(dir, created, time);
    dir = created;
  }
  return dir;
}

/**
 * The create-directory API (`PUT /api/v1/directory/…`): creates the directory and any missing
 * parents at the current time. On a name clash, `ask` is `409 SameNameDirectoryOrFileExists` and
 * `rename` picks `name (1)`. Returns the final path.
 */
export function createDirectory(
  core: SimCore,
  library: Library,
  space: Space,
  segments: readonly string[],
  conflict: "ask" | "rename",
): string[] {
  checkShape(space, segments);
  const now = core.clock.now();
  const parent = ensureParent(library, space, segments, now);
  let name = segments[segments.length - 1] as string;
  if (parent.children.has(name)) {
    if (conflict === "ask") throw new SmhError("SameNameDirectoryOrFileExists");
    name = freeName(parent, name, false);
  }
  attachChild(parent, newDirectoryNode(name, now, library.allocateInode()), now);
  return [...segments.slice(0, -1), name];
}

/** Times a seeded directory is given; absent ones default to the simulator's now. */
export interface SeedTimes {
  readonly creationTime?: number;
  readonly modificationTime?: number;
}

/**
 * Seeding: makes sure a directory exists (like `mkdir -p`), with the given times. Missing parents
 * are created at the same creation time. An existing directory takes the given times; an explicit
 * `modificationTime` wins over the "last direct child change" rule, so seeds can state any age.
 * @throws SmhError when a file is in the way or the path is not valid for the space.
 */
export function seedDirectory(
  core: SimCore,
  library: Library,
  space: Space,
  segments: readonly string[],
  times: SeedTimes = {},
): DirectoryNode {
  checkShape(space, segments);
  const created = times.creationTime ?? core.clock.now();
  const parent = ensureParent(library, space, segments, created);
  const name = segments[segments.length - 1] as string;
  let dir = parent.children.get(name);
  if (dir?.kind === "file") throw new SmhError("SameNameDirectoryOrFileExists");
  if (dir === undefined) {
    dir = newDirectoryNode(name, created, library.allocateInode());
    attachChild(parent, dir, created);
  } else if (times.creationTime !== undefined) {
    setCreationTime(dir, times.creationTime);
  }
  if (times.modificationTime !== undefined) setModificationTime(dir, times.modificationTime);
  return dir;
}

/** A file to seed. Times default to the simulator's now; local times default to the SMH times. */
export interface SeedFile {
  readonly size: number;
  readonly contentType: string;
  readonly creationTime?: number;
  readonly modificationTime?: number;
}

/**
 * Seeding: adds a file (metadata only), creating missing parent directories at its creation time.
 * @throws SmhError `409 SameNameDirectoryOrFileExists` when the name is taken.
 */
export function seedFile(
  core: SimCore,
  library: Library,
  space: Space,
  segments: readonly string[],
  file: SeedFile,
): FileNode {
  if (segments.length === 0) throw new SmhError("EmptyPath");
  assertValidSegments(segments);
  const creationTime = file.creationTime ?? core.clock.now();
  const modificationTime = file.modificationTime ?? creationTime;
  const parent = ensureParent(library, space, segments, creationTime);
  const name = segments[segments.length - 1] as string;
  if (parent.children.has(name)) throw new SmhError("SameNameDirectoryOrFileExists");
  const fingerprint = fnv1a(`${segments.join("/")}:${file.size}:${creationTime}`);
  const node = newFileNode(
    name,
    {
      size: file.size,
      contentType: file.contentType,
      creationTime,
      modificationTime,
      localCreationTime: creationTime,
      localModificationTime: modificationTime,
      eTag: `"${fingerprint}${fnv1a(fingerprint)}"`,
      crc64: String(Number.parseInt(fingerprint, 16)),
    },
    library.allocateInode(),
  );
  attachChild(parent, node, creationTime);
  return node;
}
