// The reduced chaos run (see chaos/ and docs/chaos.md): a few hundred jobs through the local
// stack — fauxqs, the local runner invoking the real delete-directories handler, the SMH simulator
// over HTTP — with every fault at once, every result compared with the simulator's ground truth.
//
// `npm run chaos` runs the same scenario at 2,000 jobs (20,000 with --jobs 20000), with the faults
// spread along the run. Here they all fire at the first invocation (the "early" schedule), so the
// run needs one redelivery round, and in that first round two libraries reset half their calls and
// accept-then-fail all of them, so that these rare faults happen even in a few hundred jobs. The
// test first checks that every fault really happened — a quiet run would prove nothing — and then
// that every invariant holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MUST_BE_ZERO } from "../../chaos/accounting.ts";
import { type ChaosReport, runChaos } from "../../chaos/scenario.ts";

const JOBS = 300;
let report: ChaosReport;

beforeAll(async () => {
  report = await runChaos({
    jobs: JOBS,
    seed: "ci",
    visibilityTimeoutSeconds: 18,
    schedule: "early",
    timeoutMs: 75_000,
  });
}, 100_000);

afterAll(() => {
  // A failed run's report says why; print it (it holds no secret: secretLeaks counts, never shows).
  if (report && !report.ok) console.error(JSON.stringify(report, null, 2));
});

describe("chaos run (reduced): every fault at once", () => {
  it("really injects every fault: SMH errors, resets, accept-then-fail, 429 bursts, Failed[] entries, S3 errors, throttling, an outage and slow answers, handler deaths, a timeout mid-batch, token invalidation and duplicates", () => {
    const { faults, sent } = report;
    expect(faults.smh.error500 ?? 0).toBeGreaterThan(0);
    expect(faults.smh.error503 ?? 0).toBeGreaterThan(0);
    expect(faults.smh.reset ?? 0).toBeGreaterThan(0);
    expect(faults.smh.acceptThenFail ?? 0).toBeGreaterThan(0);
    expect(faults.smh.throttleBurst ?? 0).toBeGreaterThan(0);
    expect(faults.resultsQueue.failedEntries).toBeGreaterThan(0);
    // The ledger's S3: errors and throttling, an outage that fails whole ledger writes (their
    // batches publish nothing and come back), and slow answers.
    expect(faults.ledger.errors500 + faults.ledger.errors503).toBeGreaterThan(0);
    expect(faults.ledger.slowDowns).toBeGreaterThan(0);
    expect(faults.ledger.writeFailures).toBeGreaterThan(0);
    expect(faults.ledger.slowAnswers).toBeGreaterThan(0);
    expect(faults.handlerDeaths).toBeGreaterThan(0);
    expect(faults.jobsCutByDeadline).toBeGreaterThan(0);
    expect(faults.tokens.invalidated).toBeGreaterThan(0);
    expect(faults.tokens.remintedAfterInvalidation).toBe(true);
    expect(sent.sameBatchDuplicates).toBeGreaterThan(0);
    expect(sent.lateDuplicates).toBeGreaterThan(0);
    expect(faults.events.map(({ name }) => name)).toContain("late duplicate deliveries");
    // The CLI enqueued its share of the jobs.
    expect(report.cli).toEqual({ exitCode: 0, enqueued: sent.viaCli });
  });

  it("drains every queue, and accounts for every job with a result or a dead letter", () => {
    expect(report.drained).toBe(true);
    expect(report.jobs).toBe(JOBS);
    expect(report.lost).toBe(0);
    expect(report.withResult + report.inDlq).toBeGreaterThanOrEqual(JOBS);
  });

  it("deletes nothing no job asked for, keeps nothing a job asked for without saying it failed, and loses no recycledItemId", () => {
    expect(report.unrequestedDeletions).toBe(0);
    expect(report.silentlyKept).toBe(0);
    expect(report.missingRecycledIds).toBe(0);
    expect(report.wrongRecycledIds).toBe(0);
    // Deaths and the timeout mid-batch were recovered from the recycle bin.
    expect(report.outcomes.recovered ?? 0).toBeGreaterThan(0);
  });

  it("leaves one result per job once duplicates are dropped by dedupKey", () => {
    expect(report.rawDuplicates).toBeGreaterThan(0);
    expect(report.duplicatesAfterDedup).toBe(0);
  });

  it("rejects every invalid and forbidden job, and only those", () => {
    expect(report.misjudged).toBe(0);
    expect(report.outcomes.rejected).toBe(report.sent.invalid + report.sent.forbidden);
    expect(report.unexpectedResults).toBe(0);
  });

  it("keeps every result the results queue carried in the ledger, and nothing else", () => {
    expect(report.missingFromLedger).toBe(0);
    expect(report.ledgerOnlyResults).toBe(0);
  });

  it("never writes a library secret or an access token in a log line, result, error or CLI output", () => {
    expect(report.secretLeaks).toBe(0);
  });

  it("passes as a whole", () => {
    expect(Object.fromEntries(MUST_BE_ZERO.map((name) => [name, report[name]]))).toEqual(
      Object.fromEntries(MUST_BE_ZERO.map((name) => [name, 0])),
    );
    expect(report.ok).toBe(true);
  });
});
