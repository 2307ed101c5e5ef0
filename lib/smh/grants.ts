/**
 * SMH token permissions (`grant` values) this client asks for. Each operation mints a token with
 * the least grant it needs; listing needs none (a token minted without `grant` is read-only).
 */
export const Grant = {
  /** Move a directory to the recycle bin, or delete it when the recycle bin is off. */
  deleteDirectory: "delete_directory",
  /** Delete a directory permanently while the recycle bin is on (`permanent=1`). */
  deleteDirectoryPermanent: "delete_directory_permanent",
  /** Restore items from the recycle bin. */
  restoreRecycled: "restore_recycled",
  /** Purge items from the recycle bin. */
  deleteRecycled: "delete_recycled",
  /** Administer the library's spaces; only for listing every space of a multi-tenant library. */
  spaceAdmin: "space_admin",
} as const;
export type Grant = (typeof Grant)[keyof typeof Grant];

/** Read-only: listing directories, the recycle bin, tasks. */
export const READ_ONLY: readonly Grant[] = [];

/**
 * The grants a directory delete needs. A permanent delete asks for both directory grants, since a
 * library whose recycle bin is off checks `delete_directory` even when `permanent=1` is sent.
 *
 * @example
 * grantsForDelete(false) // ["delete_directory"]
 * grantsForDelete(true)  // ["delete_directory", "delete_directory_permanent"]
 */
export function grantsForDelete(permanent: boolean): readonly Grant[] {
  return permanent
    ? [Grant.deleteDirectory, Grant.deleteDirectoryPermanent]
    : [Grant.deleteDirectory];
}

/** A stable form of a grant set: sorted, de-duplicated, comma-separated (the `grant` format). */
export function grantList(grants: readonly Grant[]): string {
  return [...new Set(grants)].sort().join(",");
}
