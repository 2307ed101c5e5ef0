// End to end: `npm start -- --once --json` reports the ledger, whose results are exactly those the
// results queue carried; `smh-cleaner local --s3-endpoint URL` keeps the ledger on another
// S3-compatible server (here a second fauxqs, a separate process-local server: the stack's own
// fauxqs serves only SQS then), creates its bucket there, and empties and deletes it when it stops,
// leaving others' buckets alone.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client } from "../../lib/aws/s3-client.ts";
import type { DemoSummary } from "../../lib/local/demo.ts";
import { type LocalSqs, startLocalSqs } from "../../lib/local/sqs-server.ts";
import { environmentWithout, QUEUE_LOCATION_VARIABLES, spawnCli } from "./helpers/cli.ts";

let other: LocalSqs;
let s3: S3Client;
let work: string;

const HOST_VARIABLES = [
  ...QUEUE_LOCATION_VARIABLES,
  "SMH_BASE_URL",
  "SMH_LIBRARY_SECRETS",
  "S3_ENDPOINT",
  "LEDGER_BUCKET",
  "LEDGER_PREFIX",
];

beforeAll(async () => {
  other = await startLocalSqs({ port: 0 });
  s3 = createS3Client({ endpoint: other.endpoint, env: {} });
  work = await mkdtemp(join(tmpdir(), "smh-s3-endpoint-"));
});

afterAll(async () => {
  s3?.destroy();
  await other?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function checkLedger(summary: DemoSummary): void {
  expect(summary.ledger.missingFromLedger).toBe(0);
  expect(summary.ledger.ledgerOnly).toBe(0);
  expect(summary.ledger.results).toBe(summary.ledger.resultsOnQueue);
  expect(summary.ledger.results).toBeGreaterThan(summary.results);
}

describe("the demo's ledger", () => {
  it("npm start -- --once --json: the ledger holds exactly the results the queue carried", async () => {
    const run = await spawnCli(["local", "--once", "--json"], {
      cwd: work,
      env: { ...environmentWithout(HOST_VARIABLES), SMH_CLEANER_STATE_DIR: join(work, "s1") },
    });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as DemoSummary;
    expect(summary.ledger.location).toBe("s3://smh-local-ledger/results/");
    checkLedger(summary);
  }, 180_000);

  it("--s3-endpoint keeps the ledger on another S3, in a bucket of its own that it removes", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "theirs" }));
    await s3.send(new PutObjectCommand({ Bucket: "theirs", Key: "results/x", Body: "not ours" }));

    const run = await spawnCli(["local", "--once", "--json", "--s3-endpoint", other.endpoint], {
      cwd: work,
      env: { ...environmentWithout(HOST_VARIABLES), SMH_CLEANER_STATE_DIR: join(work, "s2") },
    });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as DemoSummary;
    expect(summary.ledger.s3Endpoint).toBe(other.endpoint);
    expect(summary.ledger.location).toMatch(/^s3:\/\/smh-local-[0-9a-f]{8}-ledger\/results\/$/);
    checkLedger(summary);

    const left = await s3.send(new ListBucketsCommand({}));
    expect((left.Buckets ?? []).map((bucket) => bucket.Name)).toEqual(["theirs"]);
  }, 180_000);

  it("refuses an S3 endpoint that is not an http(s) URL, as a usage error", async () => {
    const run = await spawnCli(["local", "--once", "--s3-endpoint", "127.0.0.1:4566"], {
      cwd: work,
      env: { ...environmentWithout(HOST_VARIABLES), SMH_CLEANER_STATE_DIR: join(work, "s3") },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the S3 endpoint "127.0.0.1:4566" is not an http(s) URL');
  });
});
