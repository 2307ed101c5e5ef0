import { PathLocks } from "./path-locks.ts";
import { RecycleBin } from "./recycle-bin.ts";
import { type DirectoryNode, newDirectoryNode } from "./tree.ts";

/** `files`: directories nest freely. `albums`: albums are top-level directories, one level only. */
export type SpaceKind = "files" | "albums";

/** The space id of a single-tenant library. */
export const SINGLE_TENANT_SPACE_ID = "-";

/** One tenant space: a directory tree, its recycle bin and its in-flight paths. */
export class Space {
  readonly id: string;
  readonly kind: SpaceKind;
  /** The user that created the space (space listing shows non-admins only their own). */
  readonly userId: string;
  readonly creationTime: number;
  readonly root: DirectoryNode;
  readonly recycleBin = new RecycleBin();
  readonly locks = new PathLocks();
  /** Days a recycled item is kept; starts as the library's, changed by the lifecycle call. */
  retentionDays: number;

  constructor(init: {
    id: string;
    kind: SpaceKind;
    userId: string;
    creationTime: number;
    retentionDays: number;
    rootInode: string;
  }) {
    this.id = init.id;
    this.kind = init.kind;
    this.userId = init.userId;
    this.creationTime = init.creationTime;
    this.retentionDays = init.retentionDays;
    this.root = newDirectoryNode("", init.creationTime, init.rootInode);
  }
}
