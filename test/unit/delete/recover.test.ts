// Recovery: a delete that answered 404 is matched against the recycle bin (newest first) by
// original path, type and time window, to recover the recycledItemId an earlier delivery lost.
// A lookup that cannot finish settles nothing: the job comes back rather than being reported
// already_absent while its directory sits in the recycle bin.
import { describe, expect, it } from "vitest";
import { type RecoverContext, recoverFromRecycleBin } from "../../../lib/delete/recover.ts";
import { initialState, type JobState, type Settlement } from "../../../lib/delete/settlement.ts";
import { SmhTimeoutError } from "../../../lib/smh/errors/timeout-error.ts";
import { acceptedJob, binItem, FakeClock, StubSmh, smhError, T0 } from "./factories.ts";

const SENT = T0 - 60_000; // factories' records were sent a minute before T0
const SKEW = 120_000;

function setup(overrides: Partial<RecoverContext> = {}) {
  const clock = new FakeClock();
  const smh = new StubSmh();
  const context: RecoverContext = {
    smh,
    recoverySkewMs: SKEW,
    callDeadline: T0 + 100_000,
    now: clock.now,
    ...overrides,
  };
  return { clock, smh, context };
}

/** A job in the lookup state (SMH said 404), for `path`. */
function lookup(
  path: string,
  otherwise: "already_absent" | "deleted" = "already_absent",
  overrides: Record<string, unknown> = {},
): JobState {
  const state = initialState(acceptedJob(path, overrides));
  state.settlement = { kind: "lookup", otherwise };
  return state;
}

function recovered(recycledItemId: number, removedAt: number): Settlement {
  return {
    kind: "done",
    facts: { outcome: "recovered", recycledItemId, removedAt: new Date(removedAt) },
  };
}

describe("recycle-bin recovery: matching", () => {
  it("recovers the recycledItemId of the directory deleted at the job's path", async () => {
    const { smh, context } = setup();
    smh.bin = [binItem(3, "events/other", SENT + 2_000), binItem(2, "events/a", SENT + 1_000)];
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toEqual(recovered(2, SENT + 1_000));
    expect(state.finishedAt).toBeInstanceOf(Date);
  });

  it("reads the bin newest first, with the call deadline, and takes the newest match", async () => {
    const { smh, context } = setup();
    smh.bin = [binItem(9, "events/a", SENT + 5_000), binItem(4, "events/a", SENT + 1_000)];
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toEqual(recovered(9, SENT + 5_000));
    const [call] = smh.callsOf("list");
    expect(call?.request).toMatchObject({ libraryId: "smh1", spaceId: "-", orderByType: "desc" });
    expect(call?.options).toEqual({ deadline: T0 + 100_000 });
  });

  it("matches directories only: a file deleted at the same path is not the job's deletion", async () => {
    const { smh, context } = setup();
    smh.bin = [binItem(5, "events/a", SENT + 1_000, "image")];
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toEqual({ kind: "done", facts: { outcome: "already_absent" } });
  });

  it("ignores a deletion from before the job was sent (less the clock skew): the directory was already absent", async () => {
    const { smh, context } = setup();
    smh.bin = [binItem(5, "events/a", SENT - SKEW - 1)];
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toEqual({ kind: "done", facts: { outcome: "already_absent" } });
  });

  it("accepts a deletion just inside the clock-skew window", async () => {
    const { smh, context } = setup();
    smh.bin = [binItem(5, "events/a", SENT - SKEW)];
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toEqual(recovered(5, SENT - SKEW));
  });

  it("falls back to when the job started when the record carries no send time", async () => {
    const { smh, context } = setup();
    const state = lookup("events/a");
    state.accepted.sentAt = undefined;
    state.startedAt = new Date(T0 - 30_000);
    // Inside the window counted from when the job started, outside one counted from now.
    smh.bin = [binItem(7, "events/a", T0 - 30_000 - SKEW + 1)];
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toEqual(recovered(7, T0 - 30_000 - SKEW + 1));
  });

  it("reports deleted rather than already_absent for an asynchronous delete without detail and no match", async () => {
    const { context } = setup();
    const state = lookup("events/a", "deleted");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toEqual({ kind: "done", facts: { outcome: "deleted" } });
  });

  it("never looks in the bin for a permanent delete: nothing of it can be there", async () => {
    const { smh, context } = setup();
    smh.bin = [binItem(5, "events/tmp/a", SENT + 1)];
    const state = lookup("events/tmp/a", "already_absent", { permanent: true });
    await recoverFromRecycleBin([state], context);
    expect(smh.calls).toEqual([]);
    expect(state.settlement).toEqual({ kind: "done", facts: { outcome: "already_absent" } });
  });

  it("lists each (library, space) once for all its jobs, and leaves jobs not in lookup alone", async () => {
    const { smh, context } = setup();
    smh.bin = [binItem(8, "events/b", SENT + 2), binItem(7, "events/a", SENT + 1)];
    const a = lookup("events/a");
    const b = lookup("events/b");
    const other = lookup("events/c", "already_absent", { spaceId: "space2" });
    const done = initialState(acceptedJob("events/d"));
    done.settlement = { kind: "done", facts: { outcome: "recycled", recycledItemId: 1 } };
    await recoverFromRecycleBin([a, b, other, done], context);
    expect(
      smh
        .callsOf("list")
        .map(({ request }) => request.spaceId)
        .sort(),
    ).toEqual(["-", "space2"]);
    expect(a.settlement).toEqual(recovered(7, SENT + 1));
    expect(b.settlement).toEqual(recovered(8, SENT + 2));
    expect(done.settlement).toEqual({
      kind: "done",
      facts: { outcome: "recycled", recycledItemId: 1 },
    });
  });
});

describe("recycle-bin recovery: how far it reads", () => {
  it("reads further pages until it finds the match", async () => {
    const { smh, context } = setup();
    smh.pageSize = 2;
    smh.bin = [
      binItem(10, "events/x", SENT + 10),
      binItem(9, "events/y", SENT + 9),
      binItem(8, "events/z", SENT + 8),
      binItem(7, "events/a", SENT + 7),
      binItem(6, "events/w", SENT + 6),
    ];
    const pages: number[] = [];
    smh.onPage = (index) => pages.push(index);
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toEqual(recovered(7, SENT + 7));
    expect(pages).toEqual([0, 1]);
  });

  it("stops once a page goes past every job's window, and settles what is unmatched", async () => {
    const { smh, context } = setup();
    smh.pageSize = 2;
    smh.bin = [
      binItem(10, "events/x", SENT + 10),
      binItem(9, "events/y", SENT - SKEW - 1),
      binItem(8, "events/a", SENT - SKEW - 2),
      binItem(7, "events/a", SENT - SKEW - 3),
    ];
    const pages: number[] = [];
    smh.onPage = (index) => pages.push(index);
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(pages).toEqual([0]);
    expect(state.settlement).toEqual({ kind: "done", facts: { outcome: "already_absent" } });
  });
});

describe("recycle-bin recovery: when the lookup cannot finish", () => {
  it("settles as already_absent (or deleted) when the library has no recycle bin", async () => {
    const { smh, context } = setup();
    smh.listError = smhError(400, "RecycleBinNotEnabled", { operation: "listRecycleBin" });
    const absent = lookup("events/a");
    const deleted = lookup("events/b", "deleted");
    await recoverFromRecycleBin([absent, deleted], context);
    expect(absent.settlement).toEqual({ kind: "done", facts: { outcome: "already_absent" } });
    expect(deleted.settlement).toEqual({ kind: "done", facts: { outcome: "deleted" } });
  });

  it("hands the job back (transient), never already_absent, when SMH fails the listing", async () => {
    const { smh, context } = setup();
    smh.listError = smhError(503, "ServerOverloaded", { operation: "listRecycleBin" });
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toMatchObject({
      kind: "transient",
      error: { status: 503, code: "ServerOverloaded" },
      // SMH answered the delete (404): a failed lookup is no failed attempt of the job.
      followUp: true,
    });
  });

  it("hands the job back cut by the deadline (not an SMH failure) when the listing call runs out of the invocation's time", async () => {
    const { smh, clock, context } = setup({ callDeadline: T0 + 1_000 });
    clock.advance(1_000);
    // As the client throws it when the call waited at the library's limiter past its deadline.
    smh.listError = new SmhTimeoutError({
      operation: "listRecycleBin",
      libraryId: "smh1",
      attempts: 0,
      mayHaveApplied: false,
    });
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toMatchObject({
      kind: "transient",
      error: { kind: "deadline", message: expect.stringContaining("did not finish") },
    });
  });

  it("keeps an attempt timeout before the deadline a (follow-up) SMH failure", async () => {
    const { smh, context } = setup();
    smh.listError = new SmhTimeoutError(
      { operation: "listRecycleBin", libraryId: "smh1", attempts: 3, mayHaveApplied: false },
      "the attempt timed out",
    );
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toMatchObject({
      kind: "transient",
      error: { kind: "retryable" },
      followUp: true,
    });
  });

  it("keeps the matches already made when a later page fails, and hands back the rest", async () => {
    const { smh, context } = setup();
    smh.pageSize = 1;
    smh.bin = [binItem(7, "events/a", SENT + 7), binItem(6, "events/z", SENT + 6)];
    smh.listError = smhError(500, "InternalServerError", { operation: "listRecycleBin" });
    smh.listFailsAfterPages = 1;
    const a = lookup("events/a");
    const b = lookup("events/b");
    await recoverFromRecycleBin([a, b], context);
    expect(a.settlement).toEqual(recovered(7, SENT + 7));
    expect(b.settlement).toMatchObject({ kind: "transient" });
  });

  it("hands the job back (inconclusive), never already_absent, when the deadline passes with pages left to read", async () => {
    const { smh, clock, context } = setup({ callDeadline: T0 + 1_000 });
    smh.pageSize = 1;
    smh.bin = [binItem(7, "events/x", SENT + 7), binItem(6, "events/a", SENT + 6)];
    smh.onPage = () => clock.advance(1_000);
    const state = lookup("events/a");
    await recoverFromRecycleBin([state], context);
    expect(state.settlement).toMatchObject({
      kind: "transient",
      error: { kind: "deadline", message: expect.stringContaining("did not finish") },
    });
  });
});
