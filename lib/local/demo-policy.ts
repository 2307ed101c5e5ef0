/**
 * The deletion policy of the local demo, over the simulator's demo seed. It shows every kind of
 * rule: prefixes, album spaces, protected paths and globs, permanent deletion allowed only under
 * one prefix, and purging the recycle bin allowed in the multi-tenant library only.
 */
import type { DeletionPolicyConfig } from "../policy/config.ts";
import { DEMO } from "../sim/seeds/demo.ts";

/** The demo policy, as it would be written in `SMH_POLICY`. */
export function demoPolicy(): DeletionPolicyConfig {
  const multi = DEMO.multiTenant;
  return {
    libraries: {
      [multi.libraryId]: {
        spaces: [
          multi.filesSpaceId,
          multi.albumSpaceId,
          multi.archiveSpaceId,
          multi.bulkAlbumSpaceId,
        ],
        allowedPrefixes: ["events", "users", "cases", "archive"],
        albumSpaces: [multi.albumSpaceId, multi.bulkAlbumSpaceId],
        // Case evidence is under legal hold: never deleted, nor the cases that hold it.
        protectedGlobs: ["cases/*/evidence"],
        protectedPaths: ["users/u1001"],
        permanentPrefixes: ["archive"],
        // Restore and purge of recycle-bin items (smh-cleaner restore / purge).
        allowPurge: true,
      },
      [DEMO.singleTenant.libraryId]: {
        spaces: ["-"],
        allowedPrefixes: ["scratch", "projects"],
        protectedPaths: ["projects/apollo"],
        permanentPrefixes: "*",
      },
    },
  };
}
