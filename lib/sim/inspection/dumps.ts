import type { SimCore } from "../core.ts";
import type { DeletionRecord, PurgeRecord, RestoreRecord } from "../state/applied-log.ts";
import type { Library } from "../state/library.ts";
import type { Space, SpaceKind } from "../state/space.ts";
import type { TaskRecord } from "../state/tasks.ts";
import {
  countDescendants,
  type EntryType,
  entryTypeOf,
  findNode,
  type TreeNode,
  walkTree,
} from "../state/tree.ts";

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A space as inspection shows it. */
export interface SpaceSummary {
  readonly spaceId: string;
  readonly kind: SpaceKind;
  readonly userId: string;
  readonly creationTime: string;
  readonly retentionDays: number;
  readonly directories: number;
  readonly files: number;
  readonly recycledItems: number;
}

/** A library as inspection shows it: never its secret. */
export interface LibrarySummary {
  readonly libraryId: string;
  readonly multiSpace: boolean;
  readonly recycleBin: boolean;
  readonly retentionDays: number;
  readonly spaces: SpaceSummary[];
}

/** One node of a tree dump. */
export interface TreeDump {
  readonly name: string;
  readonly path: string[];
  readonly type: EntryType;
  readonly creationTime: string;
  readonly modificationTime: string;
  readonly size?: number;
  readonly contentType?: string;
  /** Directories within the requested depth; absent for files and below the depth. */
  readonly children?: TreeDump[];
}

/** One recycled item as inspection shows it. */
export interface RecycledItemDump {
  readonly recycledItemId: number;
  readonly originalPath: readonly string[];
  readonly name: string;
  readonly type: EntryType;
  readonly removalTime: string;
  readonly expiresAt: string;
  readonly remainingTime: number;
  /** Entries the item holds below itself (a directory's whole subtree). */
  readonly entries: number;
}

/** What actually happened, for chaos tests to compare client results against. */
export interface GroundTruth {
  readonly generatedAt: string;
  readonly libraries: Array<{
    readonly libraryId: string;
    readonly recycleBin: boolean;
    readonly spaces: Array<{
      readonly spaceId: string;
      /** Live directories (and albums), as `a/b/c`, sorted. */
      readonly directories: string[];
      /** Live files, as `a/b/file.jpg`, sorted. */
      readonly files: string[];
      readonly recycled: Array<{
        readonly recycledItemId: number;
        readonly originalPath: readonly string[];
        readonly removalTime: string;
        readonly type: EntryType;
      }>;
    }>;
  }>;
  readonly deletions: readonly DeletionRecord[];
  readonly restores: readonly RestoreRecord[];
  readonly purges: readonly PurgeRecord[];
}

/** The library and space named, with expired recycled items dropped; SMH 404 errors otherwise. */
export function locateSpace(core: SimCore, libraryId: string, spaceId: string): [Library, Space] {
  const library = core.requireLibrary(libraryId);
  const space = core.requireSpace(library, spaceId);
  core.expireRecycled(library, space);
  return [library, space];
}

function countKinds(space: Space): { directories: number; files: number } {
  let directories = 0;
  let files = 0;
  walkTree(space.root, (node) => {
    if (node.kind === "dir") directories += 1;
    else files += 1;
  });
  return { directories, files };
}

/** Every library with its spaces and their sizes (walks every tree: for inspection, not hot paths). */
export function summarizeLibraries(core: SimCore): LibrarySummary[] {
  return core.libraries().map((library) => ({
    libraryId: library.id,
    multiSpace: library.multiSpace,
    recycleBin: library.recycleBinEnabled,
    retentionDays: library.retentionDays,
    spaces: [...library.spaces.values()].map((space) => {
      core.expireRecycled(library, space);
      return {
        spaceId: space.id,
        kind: space.kind,
        userId: space.userId,
        creationTime: iso(space.creationTime),
        retentionDays: space.retentionDays,
        ...countKinds(space),
        recycledItems: space.recycleBin.size,
      };
    }),
  }));
}

function dumpNode(node: TreeNode, path: string[], depth: number): TreeDump {
  const base = {
    name: node.name,
    path,
    type: entryTypeOf(node),
    creationTime: iso(node.creationTime),
    modificationTime: iso(node.modificationTime),
  };
  if (node.kind === "file") return { ...base, size: node.size, contentType: node.contentType };
  if (depth <= 0) return base;
  const children = [...node.children.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((child) => dumpNode(child, [...path, child.name], depth - 1));
  return { ...base, children };
}

/** The subtree at `path` down to `depth` levels, or null when nothing is there. */
export function dumpTree(
  core: SimCore,
  libraryId: string,
  spaceId: string,
  path: readonly string[],
  depth: number,
): TreeDump | null {
  const [, space] = locateSpace(core, libraryId, spaceId);
  const node = findNode(space.root, path);
  return node === undefined ? null : dumpNode(node, [...path], depth);
}

/** What is at `path`: a directory, a file type, or nothing. */
export function entryAt(
  core: SimCore,
  libraryId: string,
  spaceId: string,
  path: readonly string[],
): EntryType | null {
  const [, space] = locateSpace(core, libraryId, spaceId);
  const node = findNode(space.root, path);
  return node === undefined ? null : entryTypeOf(node);
}

/** Every item in a space's recycle bin, in id order. */
export function dumpRecycleBin(
  core: SimCore,
  libraryId: string,
  spaceId: string,
): RecycledItemDump[] {
  const [library, space] = locateSpace(core, libraryId, spaceId);
  if (!library.recycleBinEnabled) return [];
  const now = core.clock.now();
  return space.recycleBin.all().map((item) => ({
    recycledItemId: item.id,
    originalPath: item.originalPath,
    name: item.name,
    type: item.type,
    removalTime: iso(item.removalTime),
    expiresAt: iso(item.expiresAt),
    remainingTime: Math.max(0, Math.floor((item.expiresAt - now) / DAY_MS)),
    entries: countDescendants(item.node),
  }));
}

/** The paths with a mutating operation in flight in a space. */
export function inFlightPaths(core: SimCore, libraryId: string, spaceId: string): string[] {
  return locateSpace(core, libraryId, spaceId)[1].locks.paths();
}

/** The tasks of a library. */
export function libraryTasks(core: SimCore, libraryId: string): TaskRecord[] {
  return core.requireLibrary(libraryId).tasks.all();
}

/** The ground truth of every library, plus the applied-operation logs. */
export function groundTruth(core: SimCore): GroundTruth {
  return {
    generatedAt: iso(core.clock.now()),
    libraries: core.libraries().map((library) => ({
      libraryId: library.id,
      recycleBin: library.recycleBinEnabled,
      spaces: [...library.spaces.values()].map((space) => {
        core.expireRecycled(library, space);
        const directories: string[] = [];
        const files: string[] = [];
        walkTree(space.root, (node, segments) => {
          (node.kind === "dir" ? directories : files).push(segments.join("/"));
        });
        return {
          spaceId: space.id,
          directories: directories.sort(),
          files: files.sort(),
          recycled: space.recycleBin.all().map((item) => ({
            recycledItemId: item.id,
            originalPath: item.originalPath,
            removalTime: iso(item.removalTime),
            type: item.type,
          })),
        };
      }),
    })),
    deletions: [...core.applied.deletions],
    restores: [...core.applied.restores],
    purges: [...core.applied.purges],
  };
}
