/**
 * One measurement of the ledger benchmark, in a fresh process so that its peak RSS is its own:
 * `node bench/ledger-query.ts '<LedgerQuerySpec JSON>'`, started by bench/ledger.ts, which reads the
 * measurement from file descriptor 3.
 *
 * - `ledger`: what `smh-cleaner ledger --plan-id P --format ndjson` does — readLedger, then the
 *   NDJSON written out (to /dev/null).
 * - `restore`: what `smh-cleaner restore --plan-id P --dry-run` computes — restorableFromLedger.
 * - `idle`: imports the same modules and reads nothing: the floor under the other two.
 */
import { createWriteStream, readFileSync, writeSync } from "node:fs";
import { createS3Client } from "../lib/aws/s3-client.ts";
import { writeLedgerResults } from "../lib/cli/ledger/render.ts";
import { type LedgerScanStats, readLedger } from "../lib/ledger/read.ts";
import { restorableFromLedger } from "../lib/ledger/restorable.ts";

/** What to measure. */
export interface LedgerQuerySpec {
  query: "ledger" | "restore" | "idle";
  /** Run with V8's old space capped at this many MB (`--max-old-space-size`): proof of a bound. */
  heapLimitMb?: number;
  endpoint: string;
  bucket: string;
  planId: string;
}

/** What one query took. */
export interface LedgerQueryMeasurement {
  query: LedgerQuerySpec["query"];
  heapLimitMb?: number;
  seconds: number;
  /** This process's peak RSS in bytes (see {@link peakRssBytes}). */
  peakRssBytes: number;
  /** The most V8 heap used, and memory outside it (Buffers, zlib), sampled every 100 ms. */
  peakHeapUsedBytes: number;
  peakExternalBytes: number;
  /** ledger: results printed; restore: items to restore. */
  results: number;
  /** restore: distinct items the plan's deletions left, and those left out by reason. */
  selected?: number;
  leftOut?: Record<string, number>;
  duplicates?: number;
  /** Summed over the scans (restore reads deletions, then recycle actions). */
  objectsListed: number;
  objectsRead: number;
  partitionsListed: number;
  partitionsRead: number;
  bytesRead: number;
  linesRead: number;
  matched: number;
  invalidLines: number;
}

/**
 * The peak RSS of this process alone: Linux's `VmHWM`, which starts afresh at exec. Not
 * `process.resourceUsage().maxRSS`: on Linux that keeps the high-water mark of the parent at fork
 * (the bench process, which holds the whole generated ledger in fauxqs), so a fresh child would
 * report its parent's size. Elsewhere, maxRSS is all there is.
 */
function peakRssBytes(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

const spec = JSON.parse(process.argv[2] ?? "") as LedgerQuerySpec;
const s3 = createS3Client({ endpoint: spec.endpoint, region: "us-east-1", env: {} });
const source = { s3, bucket: spec.bucket };
const peaks = { heapUsed: 0, external: 0 };
const sample = () => {
  const usage = process.memoryUsage();
  peaks.heapUsed = Math.max(peaks.heapUsed, usage.heapUsed);
  peaks.external = Math.max(peaks.external, usage.external);
};
const sampler = setInterval(sample, 100);
const started = performance.now();
const scans: LedgerScanStats[] = [];
let extra: Partial<LedgerQueryMeasurement> = { results: 0 };
if (spec.query === "ledger") {
  const read = await readLedger(source, { planId: spec.planId });
  const out = createWriteStream("/dev/null");
  await writeLedgerResults(out, "ndjson", read.results);
  await new Promise((resolve) => out.end(resolve));
  scans.push(read.stats);
  extra = { results: read.results.length, duplicates: read.duplicates };
} else if (spec.query === "restore") {
  const found = await restorableFromLedger(source, { planId: spec.planId });
  scans.push(found.scans.deletions);
  if (found.scans.recycleActions) scans.push(found.scans.recycleActions);
  extra = { results: found.restorable.length, selected: found.selected, leftOut: found.leftOut };
}
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
sample();
s3.destroy();
const sum = (field: keyof LedgerScanStats) =>
  scans.reduce((total, stats) => total + (stats[field] as number), 0);
const measurement: LedgerQueryMeasurement = {
  query: spec.query,
  ...(spec.heapLimitMb === undefined ? {} : { heapLimitMb: spec.heapLimitMb }),
  seconds,
  peakRssBytes: peakRssBytes(),
  peakHeapUsedBytes: peaks.heapUsed,
  peakExternalBytes: peaks.external,
  results: 0,
  ...extra,
  objectsListed: sum("objectsListed"),
  objectsRead: sum("objectsRead"),
  partitionsListed: sum("partitionsListed"),
  partitionsRead: sum("partitionsRead"),
  bytesRead: sum("bytesRead"),
  linesRead: sum("lines"),
  matched: sum("matched"),
  invalidLines: sum("invalidLines"),
};
writeSync(3, JSON.stringify(measurement));
process.exit(0);
