// The outage scenario at a small scale (see chaos/outage.ts and docs/chaos.md): SMH fails every
// call of one of two libraries for 100 s — five and a half visibility timeouts of the local jobs
// queue (18 s: a 2 s function, which a loaded machine does not cut short), more than its
// maxReceiveCount of 5 — while 200 jobs of both arrive, then answers again.
// Before parking, every job of the down library was dead-lettered with a `failed` result; now none
// is, each job ends with exactly one result, the healthy library's jobs are never parked for SMH's
// sake, and SMH hears from the down library only as often as its circuit allows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OutageReport, runOutage } from "../../chaos/outage.ts";

const JOBS = 200;
const OUTAGE_SECONDS = 100;
let report: OutageReport;

beforeAll(async () => {
  report = await runOutage({
    jobs: JOBS,
    outageSeconds: OUTAGE_SECONDS,
    visibilityTimeoutSeconds: 18,
    settleTimeoutMs: 150_000,
  });
}, 300_000);

afterAll(() => {
  if (report && !report.ok) console.error(JSON.stringify(report, null, 2));
});

describe("an SMH outage of one library longer than maxReceiveCount visibility timeouts", () => {
  it("really is one: SMH failed the down library's calls, and its jobs were parked", () => {
    expect(report.outageInVisibilityTimeouts).toBeGreaterThan(5);
    expect(report.down.requestsDuringOutage).toBeGreaterThan(0);
    expect(report.down.parkings).toBeGreaterThan(report.down.jobs);
  });

  it("gives up nothing: no failed result, nothing in the DLQ", () => {
    expect(report.failedResults).toBe(0);
    expect(report.inDlq).toBe(0);
  });

  it("ends every job with exactly one result once SMH answers again, on its own", () => {
    expect(report.drained).toBe(true);
    expect(report.withoutResult).toBe(0);
    expect(report.moreThanOneResult).toBe(0);
    expect(report.finalResults).toBe(JOBS);
    expect(report.outcomes).toEqual({ recycled: JOBS });
  });

  it("never parks the healthy library's jobs for SMH's sake", () => {
    expect(report.healthy.jobs).toBe(JOBS / 2);
    expect(report.healthy.parkedForSmh).toBe(0);
  });

  it("sends the down library no more SMH requests than its circuit's probes allow", () => {
    expect(report.down.requestsDuringOutage).toBeLessThanOrEqual(report.down.requestBound);
  });
});
