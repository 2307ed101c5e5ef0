import { SmhError } from "../errors.ts";

/** Permission names accepted in a token's `grant` list (SDK `CreateTokenGrantEnum`). */
export const GRANTS = [
  "admin",
  "create_space",
  "delete_space",
  "space_admin",
  "create_directory",
  "delete_directory",
  "delete_directory_permanent",
  "move_directory",
  "copy_directory",
  "upload_file",
  "upload_file_force",
  "begin_upload",
  "begin_upload_force",
  "confirm_upload",
  "create_symlink",
  "create_symlink_force",
  "delete_file",
  "delete_file_permanent",
  "move_file",
  "move_file_force",
  "copy_file",
  "copy_file_force",
  "delete_recycled",
  "restore_recycled",
] as const;
export type Grant = (typeof GRANTS)[number];

const KNOWN = new Set<string>(GRANTS);
/** Library-level grants that `space_admin` (an administrator of spaces) does not imply. */
const LIBRARY_LEVEL = new Set<Grant>(["create_space", "delete_space"]);

/** Parses a comma-separated `grant` parameter; empty means read-only. Unknown names are 400. */
export function parseGrants(text: string | null): Set<Grant> {
  const grants = new Set<Grant>();
  if (text === null) return grants;
  for (const raw of text.split(",")) {
    const name = raw.trim();
    if (name.length === 0) continue;
    if (!KNOWN.has(name)) throw new SmhError("ParamInvalid", `Unknown grant: ${name}`);
    grants.add(name as Grant);
  }
  return grants;
}

/** Whether `grants` allow an operation needing `needed`: `admin` covers all, `space_admin` all but library-level ones. */
export function hasGrant(grants: ReadonlySet<Grant>, needed: Grant): boolean {
  if (grants.has("admin") || grants.has(needed)) return true;
  return grants.has("space_admin") && !LIBRARY_LEVEL.has(needed);
}

/** Throws `403 NoPermission` unless {@link hasGrant}. */
export function requireGrant(grants: ReadonlySet<Grant>, needed: Grant): void {
  if (!hasGrant(grants, needed))
    throw new SmhError("NoPermission", `Missing permission: ${needed}`);
}

/**
 * The grant a deletion needs (delete-directory page): `delete_directory` when the recycle bin is
 * off or the delete goes to the bin, `delete_directory_permanent` when the bin is on and the delete
 * is permanent; likewise for files.
 */
export function deletionGrant(
  kind: "dir" | "file",
  recycleBinEnabled: boolean,
  permanent: boolean,
): Grant {
  const permanentDelete = recycleBinEnabled && permanent;
  if (kind === "dir") return permanentDelete ? "delete_directory_permanent" : "delete_directory";
  return permanentDelete ? "delete_file_permanent" : "delete_file";
}
