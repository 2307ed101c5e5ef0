/**
 * Where a lost restore handle is found again. A delete that answers 404 is usually a redelivery:
 * an earlier delivery (or an earlier attempt of the same call) moved the directory to the recycle
 * bin and its result was never written — the Lambda timed out, crashed, or the answer was lost.
 * SMH's recycle bin is the ground truth: it is read newest first, once per (library, space) for all
 * such jobs of the invocation, and an item whose original path is the job's path, of type `dir`,
 * removed after the job was first sent (less a clock skew), is that job's deletion: `recovered`,
 * with its `recycledItemId`. When the scan has gone past every job's window without a match, the
 * directory was already absent.
 *
 * A scan that cannot finish (the deadline, an SMH error) settles nothing: those jobs come back
 * through the queue, because reporting `already_absent` for a directory that is in the recycle bin
 * would lose its restore handle. Neither spends the job's retry budget (`parking.ts`): a scan the
 * invocation's deadline cut (between pages, or a listing call that ran out of time) is parked
 * without a delay, and a listing SMH failed is a follow-up (`Transient.followUp`), parked with the
 * growing delay. SMH already answered that the directory is gone — usually because an earlier
 * delivery of the same job deleted it and wrote its result — so a `failed` result after a spent
 * budget would contradict that result; at 20,000 jobs the recycle bins are thousands of items deep
 * and such scans are cut or throttled again and again.
 */
import { failureInfo } from "../batch/work.ts";
import type { SmhClient } from "../smh/client.ts";
import { SmhError } from "../smh/errors/smh-error.ts";
import { SmhTimeoutError } from "../smh/errors/timeout-error.ts";
import { normalizePath } from "../smh/paths.ts";
import type { JobState } from "./settlement.ts";

export interface RecoverContext {
  readonly smh: Pick<SmhClient, "listRecycleBin">;
  readonly recoverySkewMs: number;
  /** Deadline passed to SMH calls (epoch ms); the scan stops when it passes. */
  readonly callDeadline: number;
  readonly now: () => number;
}

/** Settles every job in the `lookup` state. Never throws. */
export async function recoverFromRecycleBin(
  jobs: readonly JobState[],
  context: RecoverContext,
): Promise<void> {
  const groups = new Map<string, JobState[]>();
  for (const state of jobs) {
    if (state.settlement.kind !== "lookup") continue;
    const { job } = state.accepted;
    if (job.permanent) {
      // A permanent delete never goes to the recycle bin: nothing to recover.
      state.settlement = { kind: "done", facts: { outcome: state.settlement.otherwise } };
      continue;
    }
    const key = JSON.stringify([job.libraryId, job.spaceId]);
    const group = groups.get(key);
    if (group) group.push(state);
    else groups.set(key, [state]);
  }
  await Promise.all([...groups.values()].map((group) => scanForGroup(group, context)));
  const finishedAt = new Date(context.now());
  for (const state of jobs) if (state.finishedAt === undefined) state.finishedAt = finishedAt;
}

async function scanForGroup(group: JobState[], context: RecoverContext): Promise<void> {
  const first = group[0];
  if (!first) return;
  const { libraryId, spaceId } = first.accepted.job;
  // path → jobs waiting for it, each with the earliest removal time that can be its deletion.
  const pending: Pending = new Map();
  for (const state of group) {
    const sentAt = state.accepted.sentAt ?? state.startedAt?.getTime() ?? context.now();
    const entry = { state, windowStart: sentAt - context.recoverySkewMs };
    // Keyed as SMH writes originalPath: the canonical path, not the job's spelling of it.
    const path = normalizePath(state.accepted.job.path);
    const waiting = pending.get(path);
    if (waiting) waiting.push(entry);
    else pending.set(path, [entry]);
  }
  const earliestWindow = () =>
    Math.min(...[...pending.values()].flat().map(({ windowStart }) => windowStart));
  try {
    const pages = context.smh.listRecycleBin(
      { libraryId, spaceId, orderByType: "desc" },
      { deadline: context.callDeadline },
    );
    for await (const page of pages) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const item of page.items) {
        const removedAt =
          item.removalTime === undefined ? Number.NaN : Date.parse(item.removalTime);
        if (!Number.isNaN(removedAt)) oldest = Math.min(oldest, removedAt);
        if (item.type !== "dir" || Number.isNaN(removedAt)) continue;
        const waiting = pending.get(item.originalPath);
        if (!waiting) continue;
        // Newest first: the first match inside a job's window is its deletion.
        const matched = waiting.filter(({ windowStart }) => removedAt >= windowStart);
        for (const { state } of matched) {
          state.settlement = {
            kind: "done",
            facts: {
              outcome: "recovered",
              recycledItemId: item.recycledItemId,
              removedAt: new Date(removedAt),
            },
          };
        }
        const rest = waiting.filter(({ windowStart }) => removedAt < windowStart);
        if (rest.length === 0) pending.delete(item.originalPath);
        else pending.set(item.originalPath, rest);
      }
      if (pending.size === 0 || oldest < earliestWindow()) break;
      if (context.now() >= context.callDeadline) {
        return leavePending(pending, "the recycle-bin lookup did not finish before the deadline");
      }
    }
    // The whole window was read: what is still pending was not deleted by this job.
    settleUnmatched(pending);
  } catch (error) {
    if (error instanceof SmhError && error.code === "RecycleBinNotEnabled") {
      // No recycle bin: a 404 can only mean the directory is gone for good.
      return settleUnmatched(pending);
    }
    if (error instanceof SmhTimeoutError && context.now() >= context.callDeadline) {
      // The listing call ran out of the invocation's time (waiting at the library's limiter, or
      // in flight): the deadline cut the scan, SMH did not fail it.
      return leavePending(pending, "the recycle-bin lookup did not finish before the deadline");
    }
    // SMH answered the deletion itself (404); only the lookup failed: not a failed attempt.
    for (const waiting of pending.values()) {
      for (const { state } of waiting)
        state.settlement = { kind: "transient", error: failureInfo(error), followUp: true };
    }
  }
}

type Pending = Map<string, { state: JobState; windowStart: number }[]>;

function settleUnmatched(pending: Pending): void {
  for (const waiting of pending.values()) {
    for (const { state } of waiting) {
      if (state.settlement.kind === "lookup") {
        state.settlement = { kind: "done", facts: { outcome: state.settlement.otherwise } };
      }
    }
  }
}

function leavePending(pending: Pending, message: string): void {
  for (const waiting of pending.values()) {
    for (const { state } of waiting) {
      state.settlement = { kind: "transient", error: { message, kind: "deadline" } };
    }
  }
}
