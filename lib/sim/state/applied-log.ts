import type { EntryType } from "./tree.ts";

/** Which API applied a deletion. */
export type DeletionVia = "directory" | "file" | "batch" | "task";

/** A deletion that took effect (the ground truth chaos tests compare client results with). */
export interface DeletionRecord {
  readonly libraryId: string;
  readonly spaceId: string;
  readonly path: readonly string[];
  readonly type: EntryType;
  /** null for a permanent deletion (recycle bin off, or permanent requested). */
  readonly recycledItemId: number | null;
  readonly permanent: boolean;
  readonly time: string;
  readonly via: DeletionVia;
}

/** A restore that took effect. */
export interface RestoreRecord {
  readonly libraryId: string;
  readonly spaceId: string;
  readonly recycledItemId: number;
  readonly originalPath: readonly string[];
  readonly restoredPath: readonly string[];
  readonly time: string;
}

/** A recycled item that left the bin for good. */
export interface PurgeRecord {
  readonly libraryId: string;
  readonly spaceId: string;
  readonly recycledItemId: number;
  readonly originalPath: readonly string[];
  readonly time: string;
  readonly reason: "purge" | "empty" | "expired";
}

/** Append-only log of applied deletions, restores and purges, in the order they happened. */
export class AppliedLog {
  readonly deletions: DeletionRecord[] = [];
  readonly restores: RestoreRecord[] = [];
  readonly purges: PurgeRecord[] = [];
}
