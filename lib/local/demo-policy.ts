/**
 * The deletion policy of the local demo, over the simulator's demo seed. It shows every kind of
 * rule: prefixes, an album space, protected paths and globs, and permanent deletion allowed only
 * under one prefix.
 */
import type { DeletionPolicyConfig } from "../policy/index.ts";
import { DEMO } from "../sim/index.ts";

/** The demo policy, as it would be written in `SMH_POLICY`. */
export function demoPolicy(): DeletionPolicyConfig {
  const multi = DEMO.multiTenant;
  return {
    libraries: {
      [multi.libraryId]: {
        spaces: [multi.filesSpaceId, multi.albumSpaceId, multi.archiveSpaceId],
        allowedPrefixes: ["events", "users", "cases", "archive"],
        albumSpaces: [multi.albumSpaceId],
        // Case evidence is under legal hold: never deleted, nor the cases that hold it.
        protectedGlobs: ["cases/*/evidence"],
        protectedPaths: ["users/u1001"],
        permanentPrefixes: ["archive"],
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
