// End to end: jobs go onto the jobs queue in fauxqs (with the queues and redrive policy of
// serverless.yml), the local runner invokes the real delete-directories handler, the handler
// deletes in the SMH simulator over HTTP and writes results to the results queue through the SQS
// fault proxy. Every result is checked against the simulator's ground truth.
//
// One stack serves every scenario (the handler builds its pipeline once per process); scenarios
// run at the same time, each on libraries of its own, so their faults and recycle bins never mix.
// The scenario that kills the function mid-batch runs first, sharing its start only with the
// dead-letter jobs (which have nothing to lose in a dead batch); the others are sent once it is
// over, so none of their records shares its batch.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeletionResult } from "../../lib/messages/deletion-result.ts";
import { DEMO } from "../../lib/sim/seeds/demo.ts";
import type { DeletionRecord } from "../../lib/sim/state/applied-log.ts";
import {
  dedupe,
  jobFor,
  type PipelineStack,
  SETTLED,
  startPipelineStack,
  type TestLibrary,
  testLibrary,
} from "./helpers/pipeline-stack.ts";

const MULTI = DEMO.multiTenant;
const SINGLE_TENANT = DEMO.singleTenant;
const LONG = 90_000;

const LIB = {
  single: testLibrary("single", ["jobs/one"]),
  batch: testLibrary("batch", ["jobs/b1", "jobs/b2", "jobs/b3"]),
  mixed: testLibrary("mixed", ["jobs/here1", "jobs/here2", "jobs/gone"]),
  async: testLibrary("async", ["jobs/t1", "jobs/t2", "jobs/t3", "jobs/t4"]),
  prior: testLibrary("prior", ["jobs/prior"]),
  lostAnswer: testLibrary("lostanswer", ["jobs/lost"]),
  dup: testLibrary("dup", ["jobs/twice"]),
  flaky: testLibrary("flaky", ["jobs/f1", "jobs/f2"]),
  steady: testLibrary("steady", ["jobs/s1", "jobs/s2"]),
  down: testLibrary("down", ["jobs/d1", "jobs/d2"]),
  results: testLibrary("results", [
    "jobs/r1",
    "jobs/r2",
    "jobs/r3",
    "jobs/r4",
    "jobs/r5",
    "jobs/r6",
  ]),
  slowSqs: testLibrary("slowsqs", ["jobs/w1", "jobs/w2"]),
} satisfies Record<string, TestLibrary>;

const ARCHIVE_PATH = "archive/2099/e2e-permanent";
const SCRATCH_PATH = "scratch/e2e-bin-off";

let p: PipelineStack;

/** What the scenarios saw, each settled independently so one failure does not hide the others. */
const runs = {} as {
  slowResults: Promise<{ slowIds: string[]; timedOut: { requestId: string; deleted: string[] } }>;
  dlq: Promise<{ messageIds: string[] }>;
  outcomes: Promise<void>;
  mixed: Promise<void>;
  async: Promise<void>;
  rejected: Promise<void>;
  lostAnswer: Promise<void>;
  dup: Promise<{ first: DeletionResult[]; second: DeletionResult[] }>;
  partial: Promise<{ flaky: string[]; steady: string[] }>;
  resultsDrop: Promise<{
    droppedJobs: string[];
    keptJobs: string[];
    failedEntries: number;
    droppedMessageIds: string[];
  }>;
};
/** Recycled item ids of the directories deleted through the simulator's HTTP API by the test. */
const priorIds = new Map<string, number>();

function settle<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Deletes a directory through the simulator's own HTTP API (not through the pipeline). */
async function deleteDirectly(library: TestLibrary, path: string): Promise<number> {
  const token = p.sim.issueToken(library.libraryId, { grants: ["admin"] });
  const response = await fetch(
    `${p.sim.url}/api/v1/directory/${library.libraryId}/-/${path}?permanent=0`,
    { method: "DELETE", headers: { authorization: `Bearer ${token}` } },
  );
  if (response.status !== 200) throw new Error(`direct delete answered ${response.status}`);
  const { recycledItemId } = (await response.json()) as { recycledItemId: number };
  priorIds.set(`${library.libraryId}/${path}`, recycledItemId);
  return recycledItemId;
}

function jobId(library: TestLibrary | string, path: string): string {
  return String(jobFor(library, path).jobId);
}

/** The results of a job once deduplicated, settled outcomes only. */
function settledOf(id: string): DeletionResult[] {
  return dedupe(p.resultsOf(id)).filter(({ outcome }) => SETTLED.has(outcome));
}

/** Waits until each job has a settled result. */
function untilSettled(ids: readonly string[], what: string) {
  return p.until(what, () => ids.every((id) => settledOf(id).length > 0), 60_000);
}

/** Deletions the simulator applied at a (library, space, path). */
function deletionsAt(libraryId: string, spaceId: string, path: string): DeletionRecord[] {
  return p.sim
    .groundTruth()
    .deletions.filter(
      (deletion) =>
        deletion.libraryId === libraryId &&
        deletion.spaceId === spaceId &&
        deletion.path.join("/") === path,
    );
}

/** The one deletion of a test library's path (fails when there is not exactly one). */
function onlyDeletion(library: TestLibrary, path: string): DeletionRecord {
  const deletions = deletionsAt(library.libraryId, "-", path);
  expect(deletions, `${library.libraryId}/${path} deletions`).toHaveLength(1);
  return deletions[0] as DeletionRecord;
}

/** The one settled (deduplicated) result of a job. */
function onlySettled(id: string): DeletionResult {
  const settled = settledOf(id);
  expect(
    settled.map(({ outcome }) => outcome),
    `settled results of ${id}`,
  ).toHaveLength(1);
  return settled[0] as DeletionResult;
}

/** What a redelivery reports when the first delivery's work was done but its answer was cut. */
const REDELIVERED_AS = { recycled: "recovered", deleted: "already_absent" } as const;

/** Whether the handler parked a job (re-sent it to the jobs queue to be tried again). */
function wasParked(id: string): boolean {
  return p.logLines.some((line) => line.includes(id) && line.includes("job returns to the queue"));
}

/**
 * Whether the job came back to the handler: it logged the job with a receive count above 1, or
 * parked it (re-sent to the jobs queue, as it does with a job its invocation had no time for).
 */
function wasRedelivered(id: string): boolean {
  if (wasParked(id)) return true;
  return p.logLines.some((line) => {
    if (!line.includes(id)) return false;
    try {
      const entry = JSON.parse(line) as { jobId?: string; receiveCount?: number };
      return entry.jobId === id && (entry.receiveCount ?? 0) > 1;
    } catch {
      return false;
    }
  });
}

/**
 * What SMH answered a library's batch deletes: the first call's answer, and any later call only
 * for a redelivery after a deadline cut (as settledAs allows).
 */
function expectOneBatchCall(library: TestLibrary, paths: readonly string[], status: number) {
  const answers = batchAnswers(library);
  expect(answers[0]).toBe(status);
  if (answers.length > 1) {
    expect(
      paths.some((path) => wasRedelivered(jobId(library, path))),
      `a second batch call (${answers.join(", ")}) without a redelivery`,
    ).toBe(true);
  }
}

/**
 * The one settled result of a job its first delivery should settle as `outcome`. On a loaded
 * machine an answer can be lost after SMH did the work: the invocation hits its deadline (the
 * local function timeout is 1 s) before the answer is read or the result written, and the
 * redelivery reports the fact; or, within the same delivery, a batch call whose answer was lost
 * (it "may have applied") is retried as single deletes, which answer 404. Either way the job is
 * reported the only way it can be: `recovered` from the recycle bin for `recycled`,
 * `already_absent` for `deleted` (no recycle bin to read). Callers check the result against the
 * simulator's ground truth (the one deletion, its recycledItemId), which is what makes the
 * equivalent outcome correct; the receive count does not (seen: `recovered` on the first delivery
 * of the async batch, at load average 17).
 */
function settledAs(id: string, outcome: keyof typeof REDELIVERED_AS): DeletionResult {
  const result = onlySettled(id);
  if (result.outcome !== outcome) {
    expect(result.outcome, `${id}: ${outcome}, or its lost answer's equivalent`).toBe(
      REDELIVERED_AS[outcome],
    );
  }
  return result;
}

/** The HTTP statuses SMH answered the batch-delete requests of a library with. */
function batchAnswers(library: TestLibrary): (number | string)[] {
  return p.sim
    .calls()
    .filter(({ libraryId, route }) => libraryId === library.libraryId && route === "batch.delete")
    .map(({ status }) => status)
    .filter((status) => status !== 403);
}

/** How the simulator fingerprints a token in its token log (SHA-256, first 12 hex digits). */
function tokenFingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 12);
}

function messageIdsIn(event: { messageIds: string[] }, ids: readonly string[]): boolean {
  return ids.some((id) => event.messageIds.includes(id));
}

beforeAll(async () => {
  p = await startPipelineStack({
    libraries: Object.values(LIB),
    captureLogs: true,
    // Fail fast inside an invocation (the function timeout is 1 s): what does not succeed is
    // parked (the local stack scales the parking delays to a second or so). A job SMH keeps
    // failing is given up after 3 failed attempts. Those count only while its library's circuit
    // is closed (a failed probe does not: SMH is down, the job may be fine), so no circuit opens
    // here: the down library's jobs are the poison jobs of a library SMH otherwise serves.
    env: { SMH_RETRY_LIMIT: "1", MAX_SMH_ATTEMPTS: "3", CIRCUIT_FAILURE_THRESHOLD: "1000" },
  });

  // Tokens are invalidated every 1.5 s everywhere: the client must mint again, mid-run.
  p.sim.setFaults("*", { tokenInvalidationEveryMs: 1_500 });
  p.sim.setFaults(LIB.async.libraryId, { asyncBatchThreshold: 2, asyncTaskDelayMs: 50 });
  p.sim.setFaults(LIB.lostAnswer.libraryId, {
    acceptThenFailRatio: 1,
    routes: ["directory.delete"],
  });
  p.sim.setFaults(LIB.flaky.libraryId, {
    error503Ratio: 1,
    routes: ["directory.delete", "batch.delete"],
  });
  p.sim.setFaults(LIB.down.libraryId, { error503Ratio: 1 });
  p.sim.createDirectory(MULTI.libraryId, MULTI.archiveSpaceId, ARCHIVE_PATH);
  p.sim.createDirectory(SINGLE_TENANT.libraryId, "-", SCRATCH_PATH);
  await deleteDirectly(LIB.prior, "jobs/prior");
  await deleteDirectly(LIB.mixed, "jobs/gone");

  // First and alone: the function dies after deleting, while writing its results.
  const slow = startSlowResults();
  runs.slowResults = settle(slow.done);
  const afterGate = <T>(run: () => Promise<T>) => settle(slow.healed.then(run));
  runs.dlq = afterGate(runDeadLetter);
  runs.outcomes = afterGate(runOutcomes);
  runs.mixed = afterGate(runMixed);
  runs.async = afterGate(runAsync);
  runs.rejected = afterGate(runRejected);
  runs.lostAnswer = afterGate(runLostAnswer);
  runs.dup = afterGate(runDuplicate);
  runs.partial = afterGate(runPartial);
  runs.resultsDrop = afterGate(runResultsDrop);
});

afterAll(async () => {
  await p?.stop();
}, 60_000);

// ---------------------------------------------------------------------------------------------
// Scenario drivers: each sends its jobs and waits for what it is about.

/** An invocation's end, as the runner reports it. */
type InvocationFinished = Extract<(typeof p.events)[number], { type: "invocation-finished" }>;

/** Lambda's own timeout, or middy's early timeout a few ms before it (a TimeoutError). */
function timedOut(event: InvocationFinished): boolean {
  return (
    event.outcome === "timeout" ||
    (event.outcome === "error" && (event.error as Error | undefined)?.name === "TimeoutError")
  );
}

/** The invocations that held these messages, in the order they finished. */
function invocationsHolding(messageIds: readonly string[]): InvocationFinished[] {
  return p.events.flatMap((event) =>
    event.type === "invocation-finished" && messageIdsIn(event, messageIds) ? [event] : [],
  );
}

/** The invocation that held these messages first and died (timed out) without acknowledging any. */
function deadInvocation(messageIds: readonly string[]) {
  const event = invocationsHolding(messageIds)[0];
  return event !== undefined && timedOut(event) ? event : undefined;
}

function startSlowResults() {
  let heal: () => void = () => {};
  const healed = new Promise<void>((resolve) => {
    heal = resolve;
  });
  const done = (async () => {
    // Results of this library hang 1.5 s on the results queue, then fail: the 1 s function
    // times out after its deletes, before any of its results is written.
    p.sqsProxy.setFaults({
      queueUrls: [p.resultsUrl],
      bodyContains: LIB.slowSqs.libraryId,
      latencyMs: 1_500,
      error500Ratio: 1,
    });
    const slowIds = await p.send([jobFor(LIB.slowSqs, "jobs/w1"), jobFor(LIB.slowSqs, "jobs/w2")]);
    try {
      await p.until(
        "the invocation holding the slow jobs to time out, and its abandoned publish to fail",
        () => {
          const dead = deadInvocation(slowIds);
          // In-process the timed-out handler runs on; once it has given up on its results,
          // healing the results queue cannot let them through late.
          return (
            dead !== undefined &&
            p.logLines.some(
              (line) =>
                line.includes("results could not be written") && line.includes(dead.requestId),
            )
          );
        },
      );
    } finally {
      p.sqsProxy.setFaults({ bodyContains: null, latencyMs: 0, error500Ratio: 0 });
      heal();
    }
    const dead = deadInvocation(slowIds);
    if (!dead) throw new Error("no dead invocation");
    await untilSettled(
      ["jobs/w1", "jobs/w2"].map((path) => jobId(LIB.slowSqs, path)),
      "the redelivered slow jobs to be recovered",
    );
    return { slowIds, timedOut: { requestId: dead.requestId, deleted: dead.deleted } };
  })();
  return { healed, done };
}

async function runDeadLetter() {
  const paths = ["jobs/d1", "jobs/d2"];
  const messageIds = await p.send(paths.map((path) => jobFor(LIB.down, path)));
  const ids = paths.map((path) => jobId(LIB.down, path));
  await p.until(
    "the failing jobs to reach the DLQ with their failed results",
    () =>
      ids.every(
        (id) =>
          p.deadLetters.some((body) => body.includes(id)) &&
          p.resultsOf(id).some(({ outcome }) => outcome === "failed"),
      ),
    75_000,
  );
  return { messageIds };
}

async function runOutcomes() {
  await Promise.all([
    p.send([jobFor(LIB.single, "jobs/one")]),
    p.send(["jobs/b1", "jobs/b2", "jobs/b3"].map((path) => jobFor(LIB.batch, path))),
    p.send([jobFor(LIB.prior, "jobs/prior")]),
    p.send([
      {
        v: 1,
        jobId: "demo-permanent",
        libraryId: MULTI.libraryId,
        spaceId: MULTI.archiveSpaceId,
        path: ARCHIVE_PATH,
        permanent: true,
        source: "bulk",
      },
      {
        v: 1,
        jobId: "demo-bin-off",
        libraryId: SINGLE_TENANT.libraryId,
        path: SCRATCH_PATH,
        source: "bulk",
      },
    ]),
  ]);
  await untilSettled(
    [
      jobId(LIB.single, "jobs/one"),
      ...["jobs/b1", "jobs/b2", "jobs/b3"].map((path) => jobId(LIB.batch, path)),
      jobId(LIB.prior, "jobs/prior"),
      "demo-permanent",
      "demo-bin-off",
    ],
    "the plain outcomes",
  );
}

async function runMixed() {
  await p.send(
    ["jobs/here1", "jobs/here2", "jobs/gone", "jobs/never"].map((path) => jobFor(LIB.mixed, path)),
  );
  await untilSettled(
    ["jobs/here1", "jobs/here2", "jobs/gone", "jobs/never"].map((path) => jobId(LIB.mixed, path)),
    "the 207 batch's results",
  );
}

async function runAsync() {
  const paths = ["jobs/t1", "jobs/t2", "jobs/t3", "jobs/t4"];
  await p.send(paths.map((path) => jobFor(LIB.async, path)));
  await untilSettled(
    paths.map((path) => jobId(LIB.async, path)),
    "the asynchronous batch's results",
  );
}

const REJECTED = {
  dotDot: "rej-dot-dot",
  unknownKey: "rej-unknown-key",
  permanentString: "rej-permanent-string",
  library: "rej-library",
  protectedPath: "rej-protected",
  descendant: "rej-descendant",
  permanent: "rej-permanent",
} as const;

async function runRejected() {
  const files = { v: 1, libraryId: MULTI.libraryId, spaceId: MULTI.filesSpaceId, source: "bulk" };
  await p.send([
    "{ this is not JSON",
    { ...files, jobId: REJECTED.dotDot, path: "events/../users/u1001" },
    { ...files, jobId: REJECTED.unknownKey, path: "events/e2e-x", dryRun: true },
    {
      ...files,
      jobId: REJECTED.permanentString,
      spaceId: MULTI.archiveSpaceId,
      path: "archive/2099/x",
      permanent: "true",
    },
    { ...files, jobId: REJECTED.library, libraryId: "smhnotallowed", path: "events/x" },
    { ...files, jobId: REJECTED.protectedPath, path: "users/u1001" },
    { ...files, jobId: REJECTED.descendant, path: "cases/CASE-2024-0001" },
    { ...files, jobId: REJECTED.permanent, path: "events/e2e-x", permanent: true },
  ]);
  await p.until("every rejection", () => {
    const ids = Object.values(REJECTED);
    const rejected = p.results.filter(({ result }) => result.outcome === "rejected");
    return (
      ids.every((id) => rejected.some(({ result }) => result.jobId === id)) &&
      rejected.some(({ result }) => result.jobId.startsWith("body-"))
    );
  });
}

async function runLostAnswer() {
  await p.send([jobFor(LIB.lostAnswer, "jobs/lost")]);
  await untilSettled([jobId(LIB.lostAnswer, "jobs/lost")], "the lost answer's recovery");
}

async function runDuplicate() {
  const id = jobId(LIB.dup, "jobs/twice");
  await p.send([jobFor(LIB.dup, "jobs/twice")]);
  await p.until("the first delivery's result", () => p.resultsOf(id).length === 1);
  const first = p.resultsOf(id);
  // The same job again, in another message: a batch of its own, after the first one is done.
  await p.send([jobFor(LIB.dup, "jobs/twice")]);
  await p.until("the second delivery's result", () => p.resultsOf(id).length === 2);
  return { first, second: p.resultsOf(id).slice(1) };
}

/** The handler's "job returns to the queue" log lines of a job (it was parked). */
function parkings(
  id: string,
): { reason: string; parkedForSeconds: number; failedAttempts: number }[] {
  return p.logLines.flatMap((line) => {
    if (!line.includes(id) || !line.includes("job returns to the queue")) return [];
    try {
      const entry = JSON.parse(line) as {
        jobId?: string;
        reason?: string;
        parkedForSeconds?: number;
        failedAttempts?: number;
      };
      return entry.jobId === id
        ? [
            {
              reason: entry.reason ?? "",
              parkedForSeconds: entry.parkedForSeconds ?? -1,
              failedAttempts: entry.failedAttempts ?? -1,
            },
          ]
        : [];
    } catch {
      return [];
    }
  });
}

async function runPartial() {
  const flaky = ["jobs/f1", "jobs/f2"].map((path) => jobId(LIB.flaky, path));
  const steady = ["jobs/s1", "jobs/s2"].map((path) => jobId(LIB.steady, path));
  await p.send([
    jobFor(LIB.flaky, "jobs/f1"),
    jobFor(LIB.steady, "jobs/s1"),
    jobFor(LIB.flaky, "jobs/f2"),
    jobFor(LIB.steady, "jobs/s2"),
  ]);
  // SMH fails every call of the flaky library until each of its jobs has been parked after a
  // failed attempt (not merely turned away by the deadline, as on a loaded machine).
  await p.until("each flaky job to be parked after a failed SMH attempt", () =>
    flaky.every((id) => parkings(id).some(({ failedAttempts }) => failedAttempts >= 1)),
  );
  // SMH recovers for that library: the parked jobs come back after their delay and succeed.
  p.sim.setFaults(LIB.flaky.libraryId, { error503Ratio: 0 });
  await untilSettled([...flaky, ...steady], "every job of the partially failed batch");
  return { flaky, steady };
}

async function runResultsDrop() {
  const paths = ["jobs/r1", "jobs/r2", "jobs/r3", "jobs/r4", "jobs/r5", "jobs/r6"];
  p.sqsProxy.resetCounters();
  // Every results call loses two of this library's `recycled` results, re-sends included, for as
  // long as the scenario runs: a job whose deletion result was lost must come back, find its
  // directory in the recycle bin and report it `recovered` (which the faults let through). Which
  // jobs lose their result depends on how the runner batches them (and on a loaded machine, on the
  // deadline), so the test reads it from what reached the queue, not from the first invocation.
  p.sqsProxy.setFaults({
    queueUrls: [p.resultsUrl],
    bodyContains: [LIB.results.libraryId, '"outcome":"recycled"'],
    partialFailureRatio: 1,
    failedEntriesPerCall: 2,
  });
  const messageIds = await p.send(paths.map((path) => jobFor(LIB.results, path)));
  const jobIds = paths.map((path) => jobId(LIB.results, path));
  try {
    await untilSettled(jobIds, "every results-drop job's result");
  } finally {
    p.sqsProxy.setFaults({ bodyContains: null, partialFailureRatio: 0 });
  }
  const failedEntries = p.sqsProxy.counters().failedEntries;
  const recycledWritten = (id: string) =>
    p.resultsOf(id).some(({ outcome }) => outcome === "recycled");
  const droppedJobs = jobIds.filter((id) => !recycledWritten(id));
  const keptJobs = jobIds.filter(recycledWritten);
  const droppedMessageIds = messageIds.filter(
    (_, index) => !recycledWritten(String(jobIds[index])),
  );
  return { droppedJobs, keptJobs, failedEntries, droppedMessageIds };
}

// ---------------------------------------------------------------------------------------------

describe("every outcome, checked against the simulator's ground truth", () => {
  it(
    "recycles a lone directory with a single delete, reporting the recycle-bin item the simulator holds",
    async () => {
      await runs.outcomes;
      const result = settledAs(jobId(LIB.single, "jobs/one"), "recycled");
      const deletion = onlyDeletion(LIB.single, "jobs/one");
      expect(result).toMatchObject({ libraryId: LIB.single.libraryId });
      expect(deletion).toMatchObject({ via: "directory", permanent: false });
      expect("recycledItemId" in result && result.recycledItemId).toBe(deletion.recycledItemId);
      expect(p.sim.findRecycled(LIB.single.libraryId, "-", "jobs/one")).toEqual([
        expect.objectContaining({ recycledItemId: deletion.recycledItemId, type: "dir" }),
      ]);
      expect(p.sim.exists(LIB.single.libraryId, "-", "jobs/one")).toBe(false);
    },
    LONG,
  );

  it(
    "recycles a group of directories with one batch delete (200)",
    async () => {
      await runs.outcomes;
      for (const path of ["jobs/b1", "jobs/b2", "jobs/b3"]) {
        const result = settledAs(jobId(LIB.batch, path), "recycled");
        const deletion = onlyDeletion(LIB.batch, path);
        expect(deletion.via).toBe("batch");
        expect(result).toMatchObject({ recycledItemId: deletion.recycledItemId });
      }
      expectOneBatchCall(LIB.batch, ["jobs/b1", "jobs/b2", "jobs/b3"], 200);
    },
    LONG,
  );

  it(
    "deletes for ever under a permanent prefix, and in a library whose recycle bin is off",
    async () => {
      await runs.outcomes;
      expect(settledAs("demo-permanent", "deleted")).toMatchObject({ permanent: true });
      expect(deletionsAt(MULTI.libraryId, MULTI.archiveSpaceId, ARCHIVE_PATH)).toEqual([
        expect.objectContaining({ permanent: true, recycledItemId: null }),
      ]);
      expect(p.sim.findRecycled(MULTI.libraryId, MULTI.archiveSpaceId, ARCHIVE_PATH)).toEqual([]);

      // The job asked for the recycle bin; the library has none, so SMH deleted it for good.
      expect(settledAs("demo-bin-off", "deleted")).toMatchObject({ permanent: false });
      expect(deletionsAt(SINGLE_TENANT.libraryId, "-", SCRATCH_PATH)).toEqual([
        expect.objectContaining({ permanent: true, recycledItemId: null }),
      ]);
    },
    LONG,
  );

  it(
    "recovers the recycledItemId of a directory already deleted when its job arrived",
    async () => {
      await runs.outcomes;
      const result = onlySettled(jobId(LIB.prior, "jobs/prior"));
      expect(result).toMatchObject({
        outcome: "recovered",
        recycledItemId: priorIds.get(`${LIB.prior.libraryId}/jobs/prior`),
      });
      // The pipeline deleted nothing itself: the only deletion is the test's own.
      expect(onlyDeletion(LIB.prior, "jobs/prior").via).toBe("directory");
    },
    LONG,
  );

  it(
    "settles every item of a batch answered 207: recycled, recovered from the bin, or already absent",
    async () => {
      await runs.mixed;
      for (const path of ["jobs/here1", "jobs/here2"]) {
        const deletion = onlyDeletion(LIB.mixed, path);
        expect(deletion.via).toBe("batch");
        expect(settledAs(jobId(LIB.mixed, path), "recycled")).toMatchObject({
          recycledItemId: deletion.recycledItemId,
        });
      }
      expect(onlySettled(jobId(LIB.mixed, "jobs/gone"))).toMatchObject({
        outcome: "recovered",
        recycledItemId: priorIds.get(`${LIB.mixed.libraryId}/jobs/gone`),
      });
      expect(onlySettled(jobId(LIB.mixed, "jobs/never")).outcome).toBe("already_absent");
      expect(deletionsAt(LIB.mixed.libraryId, "-", "jobs/never")).toEqual([]);
      expectOneBatchCall(LIB.mixed, ["jobs/here1", "jobs/here2", "jobs/gone", "jobs/never"], 207);
    },
    LONG,
  );

  it(
    "waits for an asynchronous batch delete (202 + task) and reports each item",
    async () => {
      await runs.async;
      for (const path of ["jobs/t1", "jobs/t2", "jobs/t3", "jobs/t4"]) {
        const deletion = onlyDeletion(LIB.async, path);
        expect(deletion.via).toBe("task");
        expect(settledAs(jobId(LIB.async, path), "recycled")).toMatchObject({
          recycledItemId: deletion.recycledItemId,
        });
      }
      const asyncPaths = ["jobs/t1", "jobs/t2", "jobs/t3", "jobs/t4"];
      expectOneBatchCall(LIB.async, asyncPaths, 202);
      const [task, ...later] = p.sim.tasks(LIB.async.libraryId);
      expect(task).toMatchObject({ kind: "batchDelete", status: 200 });
      if (later.length > 0) {
        expect(asyncPaths.some((path) => wasRedelivered(jobId(LIB.async, path)))).toBe(true);
      }
    },
    LONG,
  );

  it(
    "rejects invalid and forbidden jobs with every reason, and never sends them to SMH",
    async () => {
      await runs.rejected;
      const rejection = (match: (result: DeletionResult) => boolean) => {
        const found = p.results.map(({ result }) => result).filter(match);
        expect(found.length).toBeGreaterThanOrEqual(1);
        const [result] = found;
        if (result?.outcome !== "rejected") throw new Error("not rejected");
        return result;
      };
      const byId = (id: string) => rejection((result) => result.jobId === id);
      const fields = (id: string) =>
        byId(id).reasons.map((reason) => ("path" in reason ? reason.path : null));
      const rules = (id: string) =>
        byId(id).reasons.map((reason) => ("rule" in reason ? reason.rule : null));

      const notJson = rejection((result) => result.jobId.startsWith("body-"));
      expect(notJson.reasons.map((reason) => ("path" in reason ? reason.path : null))).toEqual([
        "",
      ]);
      expect(fields(REJECTED.dotDot)).toEqual(["path"]);
      expect(fields(REJECTED.unknownKey)).toEqual(["dryRun"]);
      expect(fields(REJECTED.permanentString)).toEqual(["permanent"]);
      expect(rules(REJECTED.library)).toEqual(["library-not-allowed"]);
      expect(rules(REJECTED.protectedPath)).toEqual(["protected-path"]);
      expect(rules(REJECTED.descendant)).toEqual(["protects-descendant"]);
      expect(rules(REJECTED.permanent)).toEqual(["permanent-not-allowed"]);
      for (const id of Object.values(REJECTED)) {
        expect(byId(id).reasons.every((reason) => reason.message.length > 0)).toBe(true);
        expect(byId(id).attempts).toBe(0);
      }
      // SMH never heard of the library the policy does not list, and the protected directory is
      // still there.
      expect(p.sim.calls().filter(({ libraryId }) => libraryId === "smhnotallowed")).toEqual([]);
      expect(p.sim.exists(MULTI.libraryId, MULTI.filesSpaceId, "users/u1001")).toBe(true);
      expect(deletionsAt(MULTI.libraryId, MULTI.filesSpaceId, "users/u1001")).toEqual([]);
    },
    LONG,
  );

  it(
    "writes every outcome: recycled, deleted, recovered, already_absent, rejected and failed",
    async () => {
      await Promise.all([runs.outcomes, runs.mixed, runs.rejected, runs.dlq]);
      const outcomes = new Set(p.results.map(({ result }) => result.outcome));
      expect([...outcomes].sort()).toEqual([
        "already_absent",
        "deleted",
        "failed",
        "recovered",
        "recycled",
        "rejected",
      ]);
      expect(p.unreadable).toEqual([]);
    },
    LONG,
  );
});

describe("retries through the queue", () => {
  it(
    "parks the jobs SMH failed, with their failed attempts counted, while the others of the batch finish; the parked ones finish once SMH answers",
    async () => {
      const { flaky, steady } = await runs.partial;
      for (const id of flaky) {
        // Parked after a failed attempt, the attempt counted, and never given up. A parking for
        // SMH's sake waits; one because the invocation's time ran short does not, and carries the
        // count along (seen once, at load average 1 in a full run: a flaky job's second parking).
        const counted = parkings(id).filter(({ failedAttempts }) => failedAttempts >= 1);
        expect(counted.length, `${id} parked after a failed attempt`).toBeGreaterThan(0);
        for (const { parkedForSeconds, reason } of counted) {
          if (!/remaining time|deadline/.test(reason))
            expect(parkedForSeconds, reason).toBeGreaterThan(0);
        }
      }
      // A steady job is parked only when its invocation ran out of time (a loaded machine),
      // never for SMH's sake: its library answered every call.
      for (const id of steady) {
        for (const { reason, failedAttempts } of parkings(id)) {
          expect(reason, id).toMatch(/remaining time|deadline/);
          expect(failedAttempts, id).toBe(0);
        }
      }
      for (const [library, paths] of [
        [LIB.flaky, ["jobs/f1", "jobs/f2"]],
        [LIB.steady, ["jobs/s1", "jobs/s2"]],
      ] as const) {
        for (const path of paths) {
          const deletion = onlyDeletion(library, path);
          const results = p.resultsOf(jobId(library, path));
          // No failed result, and exactly one settled result after dedup, with the real item id.
          expect(results.map(({ outcome }) => outcome)).not.toContain("failed");
          expect(settledAs(jobId(library, path), "recycled")).toMatchObject({
            recycledItemId: deletion.recycledItemId,
          });
        }
      }
    },
    LONG,
  );

  it(
    "gives up jobs SMH keeps failing after MAX_SMH_ATTEMPTS failed attempts: one failed result saying so, then the DLQ",
    async () => {
      await runs.dlq;
      for (const path of ["jobs/d1", "jobs/d2"]) {
        const id = jobId(LIB.down, path);
        // One result after dedup (an invocation that died after giving up gives up again, with
        // the same dedupKey), written before its job went to the DLQ.
        const results = dedupe(p.resultsOf(id));
        expect(results.map(({ outcome }) => outcome)).toEqual(["failed"]);
        const [result] = results;
        if (result?.outcome !== "failed") throw new Error("not failed");
        expect(result.error.message).toContain(
          "given up after 3 failed SMH attempts (MAX_SMH_ATTEMPTS 3); moving to the DLQ",
        );
        // SMH's answer, or — when the batch failed and its singles found no time left — that.
        expect(result.error.message).toMatch(/ServerOverloaded|remaining time/);
        const dead = p.deadLetters.filter((body) => body.includes(id));
        expect(dead.length).toBeGreaterThan(0);
        for (const body of dead) expect(JSON.parse(body)).toMatchObject({ jobId: id, path });
        expect(deletionsAt(LIB.down.libraryId, "-", path)).toEqual([]);
        expect(p.sim.exists(LIB.down.libraryId, "-", path)).toBe(true);
      }
      // SMH's own answer reached the results: a 503 ServerOverloaded, after every retry.
      const logged = p.logLines.filter(
        (line) => line.includes("e2edown") && line.includes("ServerOverloaded"),
      );
      expect(
        logged.length,
        `${p.logLines.filter((line) => line.includes("e2edown")).length} lines of e2edown`,
      ).toBeGreaterThan(0);
    },
    LONG,
  );

  it(
    "recovers the recycledItemId when SMH applied a delete but its answer was lost (404 on the retry)",
    async () => {
      await runs.lostAnswer;
      const deletion = onlyDeletion(LIB.lostAnswer, "jobs/lost");
      expect(deletion.via).toBe("directory");
      expect(onlySettled(jobId(LIB.lostAnswer, "jobs/lost"))).toMatchObject({
        outcome: "recovered",
        recycledItemId: deletion.recycledItemId,
      });
      expect(p.sim.stats().byFault.acceptThenFail).toBeGreaterThanOrEqual(1);
    },
    LONG,
  );

  it(
    "answers the same job delivered twice, in separate batches, with results that share a dedupKey and keep the recycledItemId",
    async () => {
      const { first, second } = await runs.dup;
      const deletion = onlyDeletion(LIB.dup, "jobs/twice");
      expect(first).toEqual([
        expect.objectContaining({ outcome: "recycled", recycledItemId: deletion.recycledItemId }),
      ]);
      expect(second).toEqual([
        expect.objectContaining({ outcome: "recovered", recycledItemId: deletion.recycledItemId }),
      ]);
      expect(second[0]?.dedupKey).toBe(first[0]?.dedupKey);
      const kept = dedupe([...first, ...second]);
      expect(kept).toHaveLength(1);
      expect(kept[0]).toMatchObject({ recycledItemId: deletion.recycledItemId });
    },
    LONG,
  );
});

describe("when the results queue fails", () => {
  it(
    "loses no result when the results queue fails some entries: their records come back and get their result",
    async () => {
      const { droppedJobs, keptJobs, failedEntries, droppedMessageIds } = await runs.resultsDrop;
      expect(failedEntries).toBeGreaterThan(0);
      expect(droppedJobs.length).toBeGreaterThan(0);
      // Each lost result's record was not acknowledged: it came back.
      for (const id of droppedMessageIds) expect(p.deliveries(id)).toBeGreaterThanOrEqual(2);
      for (const id of [...droppedJobs, ...keptJobs]) {
        const path = id.slice(id.indexOf(":") + 1);
        const deletion = onlyDeletion(LIB.results, path);
        const settled = onlySettled(id);
        expect(settled).toMatchObject({ recycledItemId: deletion.recycledItemId });
        // A dropped result never reached the queue: the job's later delivery found the
        // directory in the recycle bin.
        expect(settled.outcome).toBe(droppedJobs.includes(id) ? "recovered" : "recycled");
      }
    },
    LONG,
  );

  it(
    "redelivers the whole batch when the function dies after deleting and before writing results, and recovers every recycledItemId",
    async () => {
      const { slowIds, timedOut } = await runs.slowResults;
      expect(timedOut.deleted).toEqual([]);
      for (const id of slowIds) expect(p.deliveries(id)).toBeGreaterThanOrEqual(2);
      for (const path of ["jobs/w1", "jobs/w2"]) {
        const deletion = onlyDeletion(LIB.slowSqs, path);
        const results = p.resultsOf(jobId(LIB.slowSqs, path));
        // The dead invocation's results were never written; the redelivery recovered them.
        expect(results.map(({ outcome }) => outcome)).not.toContain("recycled");
        expect(onlySettled(jobId(LIB.slowSqs, path))).toMatchObject({
          outcome: "recovered",
          recycledItemId: deletion.recycledItemId,
        });
      }
    },
    LONG,
  );
});

describe("safety", () => {
  it(
    "deletes exactly the directories the jobs named, each once",
    async () => {
      await Promise.allSettled(Object.values(runs));
      const expected = new Set([
        `${MULTI.libraryId}/${MULTI.archiveSpaceId}/${ARCHIVE_PATH}`,
        `${SINGLE_TENANT.libraryId}/-/${SCRATCH_PATH}`,
        ...Object.values(LIB)
          .filter((library) => library !== LIB.down)
          .flatMap((library) =>
            library.directories.map((path) => `${library.libraryId}/-/${path}`),
          ),
      ]);
      const applied = p.sim
        .groundTruth()
        .deletions.map(
          ({ libraryId, spaceId, path }) => `${libraryId}/${spaceId}/${path.join("/")}`,
        );
      expect([...applied].sort()).toEqual([...expected].sort());
      for (const target of expected) {
        const [libraryId = "", spaceId = "", ...path] = target.split("/");
        expect(p.sim.exists(libraryId, spaceId, path.join("/")), target).toBe(false);
      }
    },
    LONG,
  );

  it(
    "never writes a library secret or an access token in a log line or a result, with tokens invalidated mid-run",
    async () => {
      await Promise.allSettled(Object.values(runs));
      const secrets = [
        MULTI.librarySecret,
        SINGLE_TENANT.librarySecret,
        ...Object.values(LIB).map(({ secret }) => secret),
      ];
      const tokens = p.smhCapture.tokens();
      // The captured strings are the tokens the simulator minted for the handler…
      const minted = p.sim.tokens();
      const fingerprints = new Set(minted.map(({ fingerprint }) => fingerprint));
      expect(tokens.length).toBeGreaterThan(0);
      for (const token of tokens) expect(fingerprints.has(tokenFingerprint(token))).toBe(true);
      // …and the handler minted again after its tokens were invalidated mid-run.
      const captured = new Set(tokens.map(tokenFingerprint));
      const remintedAfterInvalidation = minted.some(
        (invalidated) =>
          invalidated.status === "invalidated" &&
          captured.has(invalidated.fingerprint) &&
          minted.some(
            (later) =>
              later.libraryId === invalidated.libraryId &&
              captured.has(later.fingerprint) &&
              later.mintedAt >= (invalidated.invalidatedAt ?? ""),
          ),
      );
      expect(remintedAfterInvalidation).toBe(true);
      // The handlers really logged (the capture works), including failures with SMH details.
      expect(p.logLines.some((line) => line.includes('"job done"'))).toBe(true);
      expect(p.logLines.some((line) => line.includes("ServerOverloaded"))).toBe(true);

      const haystacks = [...p.logLines, ...p.results.map(({ body }) => body), ...p.unreadable];
      for (const secret of [...secrets, ...tokens]) {
        const leaks = haystacks.filter((text) => text.includes(secret));
        expect(leaks, "a secret or token leaked").toEqual([]);
      }
      for (const text of haystacks) {
        expect(text).not.toMatch(/access_token=(?!\[REDACTED\]|REDACTED)[^&\s"]+/);
        expect(text).not.toMatch(/library_secret=(?!\[REDACTED\]|REDACTED)[^&\s"]+/);
      }
    },
    LONG,
  );
});
