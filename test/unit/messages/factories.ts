/** Builders for the message tests: valid bodies, jobs, commands and run facts. */
import {
  createDeleteJob,
  type DeleteJob,
  type DeleteJobInput,
} from "../../../lib/messages/delete-job.ts";
import {
  createRecycleCommand,
  type RecycleCommand,
} from "../../../lib/messages/recycle-command.ts";
import type { RunFacts, Timing } from "../../../lib/messages/result-fields.ts";

/** A valid job body, as a producer would write it, with `overrides` applied. */
export function jobBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, libraryId: "smh1", path: "events/2024/party", source: "bulk", ...overrides };
}

/** A parsed job. */
export function job(overrides: Partial<Omit<DeleteJobInput, "v">> = {}): DeleteJob {
  return createDeleteJob({
    libraryId: "smh1",
    path: "events/2024/party",
    source: "bulk",
    ...overrides,
  });
}

/** A parsed restore command for items 11, 12 and 13. */
export function restoreCommand(): RecycleCommand {
  return createRecycleCommand({
    action: "restore",
    commandId: "cmd-restore-1",
    libraryId: "smh1",
    recycledItemIds: [11, 12, 13],
    requestedBy: "ops@example.com",
  });
}

/** A parsed purge command for items 21 and 22. */
export function purgeCommand(): RecycleCommand {
  return createRecycleCommand({
    action: "purge",
    commandId: "cmd-purge-1",
    libraryId: "smh1",
    spaceId: "space1",
    recycledItemIds: [21, 22],
  });
}

/** Fixed timings: started at 12:00:00, finished 1.5 s later. */
export const timing: Timing = {
  startedAt: new Date("2025-05-01T12:00:00.000Z"),
  finishedAt: new Date("2025-05-01T12:00:01.500Z"),
};

/** One SMH call that answered with request ID `req-1`. */
export const run: RunFacts = { attempts: 1, requestId: "req-1", ...timing };
