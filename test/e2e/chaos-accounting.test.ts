// How a chaos run is accounted for (chaos/accounting.ts, chaos/secrets.ts): each invariant counts
// what it says, so a broken pipeline cannot pass the chaos run. Built from hand-made results and
// ground truth, each case breaking one invariant.
import { describe, expect, it } from "vitest";
import { account, passed, type RunObservations } from "../../chaos/accounting.ts";
import type { PlannedJob } from "../../chaos/plan.ts";
import { packUnits, planChaos } from "../../chaos/plan.ts";
import { findLeaks } from "../../chaos/secrets.ts";
import { createDeleteJob } from "../../lib/messages/delete-job.ts";
import {
  type DeletionFacts,
  type DeletionResult,
  deletionResult,
  rejectedDeletion,
} from "../../lib/messages/deletion-result.ts";
import { parseJobBody } from "../../lib/messages/job-body.ts";
import type { GroundTruth } from "../../lib/sim/inspection/dumps.ts";

const LIB = "e2echaos0";
const at = new Date("2026-01-01T00:00:00.000Z");
const run = { attempts: 1, requestId: undefined, startedAt: at, finishedAt: at };

function validJob(index: number): PlannedJob {
  const body = JSON.stringify({
    v: 1,
    jobId: `chaos-${index}`,
    libraryId: LIB,
    path: `jobs/d${index}`,
    source: "chaos",
  });
  return {
    index,
    kind: "valid",
    jobId: `chaos-${index}`,
    body,
    target: { libraryId: LIB, spaceId: "-", path: `jobs/d${index}`, permanent: false },
    viaCli: false,
    duplicate: "none",
  };
}

function resultOf(job: PlannedJob, facts: DeletionFacts): DeletionResult {
  return deletionResult(
    createDeleteJob({
      jobId: job.jobId,
      libraryId: LIB,
      path: job.target?.path ?? "x",
      source: "chaos",
    }),
    facts,
    run,
  );
}

function truth(
  live: string[],
  deletions: { path: string; id: number | null }[],
  recycled: { path: string; id: number }[],
): GroundTruth {
  return {
    generatedAt: at.toISOString(),
    libraries: [
      {
        libraryId: LIB,
        recycleBin: true,
        spaces: [
          {
            spaceId: "-",
            directories: live,
            files: [],
            recycled: recycled.map(({ path, id }) => ({
              recycledItemId: id,
              originalPath: path.split("/"),
              removalTime: at.toISOString(),
              type: "dir" as const,
            })),
          },
        ],
      },
    ],
    deletions: deletions.map(({ path, id }) => ({
      libraryId: LIB,
      spaceId: "-",
      path: path.split("/"),
      type: "dir" as const,
      recycledItemId: id,
      permanent: id === null,
      time: at.toISOString(),
      via: "directory" as const,
    })),
    restores: [],
    purges: [],
  };
}

/** A clean run of two jobs: both recycled, both reported. */
function cleanRun(): RunObservations {
  const [a, b] = [validJob(1), validJob(2)];
  return {
    jobs: [a, b],
    results: [
      resultOf(a, { outcome: "recycled", recycledItemId: 11 }),
      resultOf(b, { outcome: "recycled", recycledItemId: 12 }),
    ],
    unreadable: [],
    deadLetters: [],
    truth: truth(
      ["jobs"],
      [
        { path: "jobs/d1", id: 11 },
        { path: "jobs/d2", id: 12 },
      ],
      [
        { path: "jobs/d1", id: 11 },
        { path: "jobs/d2", id: 12 },
      ],
    ),
    secrets: [],
    haystacks: [],
    ledger: ledgerOf([
      resultOf(a, { outcome: "recycled", recycledItemId: 11 }),
      resultOf(b, { outcome: "recycled", recycledItemId: 12 }),
    ]),
  };
}

/** A ledger holding `results`: dedupKey → jobId. */
function ledgerOf(results: readonly DeletionResult[]): Map<string, string> {
  return new Map(results.map((result) => [result.dedupKey, result.jobId]));
}

describe("chaos accounting", () => {
  it("passes a clean run", () => {
    const { counts } = account(cleanRun());
    expect(counts).toMatchObject({ jobs: 2, withResult: 2, lost: 0, rawDuplicates: 0 });
    expect(passed(counts)).toBe(true);
  });

  it("counts a job with neither a result nor a dead letter as lost, and a dead letter as failed", () => {
    const base = cleanRun();
    const lost = account({ ...base, results: base.results.slice(0, 1) }).counts;
    expect(lost.lost).toBe(1);
    expect(passed(lost)).toBe(false);
    const dead = account({
      ...base,
      results: base.results.slice(0, 1),
      deadLetters: [base.jobs[1]?.body ?? ""],
    });
    expect(dead.counts).toMatchObject({ lost: 0, inDlq: 1, failed: 1 });
  });

  it("counts a deletion no allowed job named, and a directory kept without a failed result", () => {
    const base = cleanRun();
    const unrequested = account({
      ...base,
      truth: truth(
        ["jobs/d2"],
        [
          { path: "jobs/d1", id: 11 },
          { path: "keep/k", id: 13 },
        ],
        [],
      ),
    }).counts;
    expect(unrequested.unrequestedDeletions).toBe(1);
    // jobs/d2 is still there, yet its result says recycled: silently kept.
    expect(unrequested.silentlyKept).toBe(1);
  });

  it("counts a recycle-bin item no result names, and a result naming another item than SMH made", () => {
    const base = cleanRun();
    const [a, b] = base.jobs as [PlannedJob, PlannedJob];
    const missing = account({
      ...base,
      results: [
        resultOf(a, { outcome: "recycled", recycledItemId: 11 }),
        resultOf(b, { outcome: "already_absent" }),
      ],
    }).counts;
    expect(missing.missingRecycledIds).toBe(1);
    expect(missing.misjudged).toBe(1);
    const wrong = account({
      ...base,
      results: [
        resultOf(a, { outcome: "recycled", recycledItemId: 11 }),
        resultOf(b, { outcome: "recycled", recycledItemId: 99 }),
      ],
    }).counts;
    expect(wrong.wrongRecycledIds).toBe(1);
    expect(wrong.missingRecycledIds).toBe(1);
  });

  it("drops duplicates by dedupKey, keeping the one with the recycledItemId, and counts what remains", () => {
    const base = cleanRun();
    const [a] = base.jobs as [PlannedJob];
    const recovered = resultOf(a, { outcome: "recovered", recycledItemId: 11, removedAt: at });
    const deduped = account({ ...base, results: [...base.results, recovered] }).counts;
    expect(deduped).toMatchObject({ rawDuplicates: 1, duplicatesAfterDedup: 0 });
    const failed = resultOf(a, { outcome: "failed", error: { message: "given up" } });
    const contradicted = account({ ...base, results: [...base.results, failed] }).counts;
    expect(contradicted.duplicatesAfterDedup).toBe(1);
  });

  it("counts an invalid job that was not rejected as misjudged, and a result for no planned job", () => {
    const base = cleanRun();
    const body = '{"v":1,"path":".."}';
    const parsed = parseJobBody(body);
    if (parsed.ok) throw new Error("parsed");
    const invalid: PlannedJob = {
      index: 3,
      kind: "invalid",
      jobId: parsed.identity.jobId,
      body,
      viaCli: false,
      duplicate: "none",
    };
    const rejected = rejectedDeletion(parsed.identity, parsed.reasons, {
      startedAt: at,
      finishedAt: at,
    });
    expect(
      account({ ...base, jobs: [...base.jobs, invalid], results: [...base.results, rejected] })
        .counts.misjudged,
    ).toBe(0);
    const stranger = resultOf(validJob(9), { outcome: "recycled", recycledItemId: 40 });
    const counts = account({
      ...base,
      results: [...base.results, stranger],
      unreadable: ["not a result"],
    }).counts;
    expect(counts.unexpectedResults).toBe(2);
  });

  it("counts a result on the queue that the ledger lacks, and one in the ledger the queue never carried", () => {
    const base = cleanRun();
    const [a, b] = base.jobs as [PlannedJob, PlannedJob];
    const onlyA = ledgerOf([resultOf(a, { outcome: "recycled", recycledItemId: 11 })]);
    const missing = account({ ...base, ledger: onlyA });
    expect(missing.counts).toMatchObject({ missingFromLedger: 1, ledgerOnlyResults: 0 });
    expect(missing.evidence.missingFromLedger[0]).toContain(b.jobId);
    expect(passed(missing.counts)).toBe(false);

    // A result kept before its publish failed, whose job then ended otherwise.
    const failedB = resultOf(b, { outcome: "failed", error: { message: "given up" } });
    const extra = account({
      ...base,
      ledger: new Map([...base.ledger, ...ledgerOf([failedB])]),
    });
    expect(extra.counts).toMatchObject({ missingFromLedger: 0, ledgerOnlyResults: 1 });
    expect(passed(extra.counts)).toBe(false);

    // A duplicate in the ledger (the same dedupKey twice) is one result: nothing to count.
    const recovered = resultOf(a, { outcome: "recovered", recycledItemId: 11, removedAt: at });
    expect(recovered.dedupKey).toBe(base.results[0]?.dedupKey);
    expect(passed(account({ ...base, results: [...base.results, recovered] }).counts)).toBe(true);
  });

  it("finds library secrets, tokens (known or only token-shaped) and unredacted secret parameters, without repeating them", () => {
    const token = `acctk${"a".repeat(40)}`;
    const other = `acctk${"b".repeat(40)}`;
    const leaks = findLeaks(
      [
        { source: "log 1", text: `{"msg":"minted with library secret s3cr3t-value-1234"}` },
        { source: "log 2", text: `GET /x?access_token=${token}` },
        { source: "log 3", text: `stray ${other}` },
        {
          source: "log 4",
          text: "GET /api/v1/token?library_secret=abcd&x=1 access_token=REDACTED",
        },
        { source: "log 5", text: "nothing here, access_token=REDACTED" },
      ],
      [
        { kind: "library secret", value: "s3cr3t-value-1234" },
        { kind: "access token", value: token },
      ],
    );
    expect(leaks).toEqual([
      { source: "log 1", kind: "library secret" },
      { source: "log 2", kind: "access token" },
      { source: "log 3", kind: "token-shaped string" },
      { source: "log 4", kind: "unredacted library_secret parameter" },
    ]);
    expect(JSON.stringify(leaks)).not.toContain("s3cr3t");
    const counts = account({
      ...cleanRun(),
      secrets: [{ kind: "access token", value: token }],
      haystacks: [{ source: "r", text: token }],
    }).counts;
    expect(counts.secretLeaks).toBe(1);
  });
});

describe("chaos plan", () => {
  it("is the same for the same seed, and every body is what its kind says", () => {
    const plan = planChaos({ jobs: 400, seed: "unit" });
    expect(planChaos({ jobs: 400, seed: "unit" })).toEqual(plan);
    expect(planChaos({ jobs: 400, seed: "other" }).units).not.toEqual(plan.units);
    expect(new Set(plan.jobs.map(({ jobId }) => jobId)).size).toBe(400);
    for (const job of plan.jobs) {
      const parsed = parseJobBody(job.body);
      if (job.kind === "invalid") {
        expect(parsed.ok, job.flaw).toBe(false);
        if (!parsed.ok) expect(parsed.identity.jobId).toBe(job.jobId);
      } else {
        expect(parsed.ok, job.body).toBe(true);
        if (parsed.ok) expect(parsed.job.jobId).toBe(job.jobId);
      }
    }
    const kinds = (kind: string) => plan.jobs.filter((job) => job.kind === kind).length;
    expect(kinds("invalid")).toBe(8);
    expect(kinds("forbidden")).toBe(8);
    expect(plan.jobs.filter((job) => job.duplicate !== "none").length).toBeGreaterThan(0);
  });

  it("packs SendMessageBatch calls of at most 10 entries and 200 KiB, keeping same-batch duplicates together", () => {
    const plan = planChaos({ jobs: 2000, seed: "pack" });
    const calls = packUnits(plan.units);
    expect(calls.flat()).toEqual(plan.units.flat());
    for (const call of calls) {
      expect(call.length).toBeLessThanOrEqual(10);
      expect(call.reduce((sum, body) => sum + Buffer.byteLength(body), 0)).toBeLessThanOrEqual(
        200 * 1024,
      );
    }
    for (const job of plan.jobs.filter((j) => j.duplicate === "same-batch")) {
      expect(calls.some((call) => call.filter((body) => body === job.body).length === 2)).toBe(
        true,
      );
    }
  });
});
