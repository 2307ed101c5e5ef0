// When `npm start -- --once` may exit 0: every job has exactly one result (no job without one, no
// job with two different ones), every recycledItemId is in a result, no retention scan failed, and
// the ledger holds exactly the results the queue carried.
import { describe, expect, it } from "vitest";
import type { RetentionDemoScan } from "../../../lib/local/demo.ts";
import { type DemoSummary, demoComplete, type RetentionDemo } from "../../../lib/local/demo.ts";

const complete: DemoSummary = {
  jobs: 19,
  results: 19,
  byOutcome: { recycled: 12, rejected: 7 },
  missing: 0,
  duplicates: 0,
  missingRecycledIds: 0,
  rows: [],
  ledger: {
    location: "s3://smh-local-ledger/results/",
    s3Endpoint: "http://127.0.0.1:4566",
    results: 66,
    resultsOnQueue: 66,
    objects: 20,
    missingFromLedger: 0,
    ledgerOnly: 0,
  },
};

const finished = { outcome: "finished" } as unknown as RetentionDemoScan;
const retention: RetentionDemo = {
  rulesFile: "examples/retention-rules.yml",
  scheduledAt: "2026-11-27T00:00:00.000Z",
  dryRun: [finished],
  run: [finished],
  jobs: 44,
  results: 44,
  byOutcome: { recycled: 44 },
  missing: 0,
  duplicates: 0,
  sample: [],
};

describe("demoComplete", () => {
  it("is true when every job has exactly one result and every recycledItemId is reported", () => {
    expect(demoComplete(complete)).toBe(true);
    expect(demoComplete({ ...complete, retention })).toBe(true);
  });

  it("is false when a job has no result, the same result twice, or a recycledItemId is in none", () => {
    expect(demoComplete({ ...complete, missing: 1, results: 18 })).toBe(false);
    expect(demoComplete({ ...complete, duplicates: 1 })).toBe(false);
    expect(demoComplete({ ...complete, missingRecycledIds: 1 })).toBe(false);
  });

  it("is false when a job has two different results (say, failed and then recycled)", () => {
    expect(demoComplete({ ...complete, results: 20 })).toBe(false);
    expect(demoComplete({ ...complete, retention: { ...retention, results: 45 } })).toBe(false);
  });

  it("is false when a retention job has no result or a scan did not finish", () => {
    expect(demoComplete({ ...complete, retention: { ...retention, missing: 1 } })).toBe(false);
    const failed = { outcome: "failed" } as unknown as RetentionDemoScan;
    expect(demoComplete({ ...complete, retention: { ...retention, run: [failed] } })).toBe(false);
  });

  it("is false when the ledger and the results queue disagree", () => {
    const ledger = complete.ledger;
    expect(demoComplete({ ...complete, ledger: { ...ledger, missingFromLedger: 1 } })).toBe(false);
    expect(demoComplete({ ...complete, ledger: { ...ledger, ledgerOnly: 1 } })).toBe(false);
    expect(demoComplete({ ...complete, ledger: { ...ledger, results: 65 } })).toBe(false);
  });
});
