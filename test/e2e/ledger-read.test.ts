// The ledger reader against fauxqs's S3 (the real S3 wire protocol, path-style): partitions
// pruned by kind and day, objects streamed, bad lines and objects counted, duplicates dropped, and
// what is still restorable worked out from the ledger alone.
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { CreateBucketCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client } from "../../lib/aws/s3-client.ts";
import { ledgerObjectKey } from "../../lib/ledger/layout.ts";
import { putLedgerObject } from "../../lib/ledger/object.ts";
import { readLedger, scanLedger } from "../../lib/ledger/read.ts";
import { restorableFromLedger } from "../../lib/ledger/restorable.ts";
import { type LocalSqs, startLocalSqs } from "../../lib/local/sqs-server.ts";
import {
  alreadyAbsentDeletion,
  recycleAction,
  recycledDeletion,
} from "./helpers/ledger-fixtures.ts";

const PLAN_A = "plan-20260111T090000Z-aaaaaaaa";
const PLAN_B = "plan-20260105T090000Z-bbbbbbbb";
const at = (text: string) => new Date(text);
const NOW = at("2026-01-13T12:00:00Z");

let server: LocalSqs;
let s3: S3Client;
const bucket = "ledger-read-test";
let source: { s3: S3Client; bucket: string };
let objectsWritten = 0;

async function put(
  kind: Parameters<typeof putLedgerObject>[1],
  results: Parameters<typeof putLedgerObject>[2],
  writtenAt: Date,
) {
  objectsWritten += 1;
  await putLedgerObject(source, kind, results, writtenAt);
}

beforeAll(async () => {
  server = await startLocalSqs();
  s3 = createS3Client({ endpoint: server.endpoint, region: "us-east-1", env: {} });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  source = { s3, bucket };
  // Plan B, days earlier.
  await put(
    "deletion",
    [1, 2, 3].map((i) =>
      recycledDeletion(`albums/2018-${i}`, 100 + i, at("2026-01-05T10:00:00Z"), { planId: PLAN_B }),
    ),
    at("2026-01-05T10:00:05Z"),
  );
  // Plan A: six albums in two objects, one of them kept twice (a redelivery found it gone).
  await put(
    "deletion",
    [1, 2, 3].map((i) =>
      recycledDeletion(`albums/2019-${i}`, i, at("2026-01-11T10:00:00Z"), { planId: PLAN_A }),
    ),
    at("2026-01-11T10:00:05Z"),
  );
  await put(
    "deletion",
    [
      ...[4, 5, 6].map((i) =>
        recycledDeletion(`albums/2019-${i}`, i, at("2026-01-11T10:01:00Z"), { planId: PLAN_A }),
      ),
      alreadyAbsentDeletion("albums/2019-1", at("2026-01-11T10:01:00Z"), { planId: PLAN_A }),
    ],
    at("2026-01-11T10:01:05Z"),
  );
  // Something else the same day: another source, another library.
  await put(
    "deletion",
    [
      recycledDeletion("/albums/2019-x", 7, at("2026-01-11T11:00:00Z"), { source: "cli" }),
      recycledDeletion("albums/2019-y", 8, at("2026-01-11T11:00:00Z"), { libraryId: "smh2" }),
    ],
    at("2026-01-11T11:00:05Z"),
  );
  // The restores and purges of the next day, by their own commands.
  await put(
    "recycle-action",
    [
      recycleAction("restore", "restored", 1, at("2026-01-12T09:00:00Z")),
      recycleAction("restore", "restored", 2, at("2026-01-12T09:00:00Z")),
      recycleAction("purge", "purged", 3, at("2026-01-12T09:00:00Z")),
      recycleAction("restore", "expired", 4, at("2026-01-12T09:00:00Z")),
      recycleAction("restore", "failed", 5, at("2026-01-12T09:00:00Z")),
      // A purge after the restore finds item 1 gone: it stays counted as restored.
      recycleAction("purge", "expired", 1, at("2026-01-12T09:30:00Z")),
      // The same ID in another library is another item.
      recycleAction("restore", "restored", 6, at("2026-01-12T09:00:00Z"), { libraryId: "smh2" }),
    ],
    at("2026-01-12T09:30:05Z"),
  );
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
});

describe("readLedger", () => {
  it("selects a plan's deletions, drops the duplicate (keeping the one with the restore handle), and reads only the partitions that can hold them", async () => {
    const read = await readLedger(source, { planId: PLAN_A }, { now: NOW });
    // Oldest first (the first object's three, then the second's), ties by dedupKey.
    const paths = read.results.map((r) => ("path" in r ? r.path : ""));
    expect(paths.slice(0, 3).sort()).toEqual(["albums/2019-1", "albums/2019-2", "albums/2019-3"]);
    expect([...paths].sort()).toEqual([
      "albums/2019-1",
      "albums/2019-2",
      "albums/2019-3",
      "albums/2019-4",
      "albums/2019-5",
      "albums/2019-6",
    ]);
    const first = read.results.find((r) => "path" in r && r.path === "albums/2019-1");
    expect(first).toMatchObject({ outcome: "recycled", recycledItemId: 1 });
    expect(read.duplicates).toBe(1);
    // Plan ids select deletions and retention results, never recycle actions; the plan's own time
    // (less a day) leaves out plan B's day.
    expect(read.stats.kinds).toEqual(["deletion", "retention-plan", "retention-alert"]);
    expect(read.stats.partitionsListed).toBe(2);
    expect(read.stats.partitionsRead).toBe(1);
    expect(read.stats.objectsRead).toBe(3);
    expect(read.stats.objectsRead).toBeLessThan(objectsWritten);
    expect(read.stats.invalidLines).toBe(0);
  });

  it("matches a path prefix exactly as written: 'albums/2019' is not '/albums/2019'", async () => {
    const plain = await readLedger(source, { pathPrefix: "albums/2019" }, { now: NOW });
    expect(plain.results.map((r) => ("path" in r ? r.path : "")).sort()).toEqual([
      "albums/2019-1",
      "albums/2019-2",
      "albums/2019-3",
      "albums/2019-4",
      "albums/2019-5",
      "albums/2019-6",
      "albums/2019-y",
    ]);
    const slash = await readLedger(source, { pathPrefix: "/albums/2019" }, { now: NOW });
    expect(slash.results.map((r) => ("path" in r ? r.path : ""))).toEqual(["/albums/2019-x"]);
  });

  it("combines source, library, space, time and outcome selectors", async () => {
    const cli = await readLedger(source, { source: "cli" }, { now: NOW });
    expect(cli.results).toHaveLength(1);
    const smh2 = await readLedger(source, { libraryId: "smh2" }, { now: NOW });
    expect(smh2.results.map((r) => r.type).sort()).toEqual(["deletion", "recycle-action"]);
    const window = await readLedger(
      source,
      { since: at("2026-01-05T00:00:00Z"), until: at("2026-01-05T23:59:59Z") },
      { now: NOW },
    );
    expect(window.results.map((r) => ("planId" in r ? r.planId : ""))).toEqual([
      PLAN_B,
      PLAN_B,
      PLAN_B,
    ]);
    // One day (and the next, for late writes) of each kind is read, not all of them.
    expect(window.stats.partitionsRead).toBe(1);
    // Inside a day, an object written (its key says when) before --since is not read at all.
    const late = await readLedger(
      source,
      { kinds: ["deletion"], since: at("2026-01-11T10:30:00Z") },
      { now: NOW },
    );
    expect(late.results.map((r) => ("path" in r ? r.path : "")).sort()).toEqual([
      "/albums/2019-x",
      "albums/2019-y",
    ]);
    expect(late.stats).toMatchObject({ partitionsRead: 1, objectsListed: 3, objectsRead: 1 });
    const restored = await readLedger(source, { outcomes: ["restored"] }, { now: NOW });
    expect(restored.stats.kinds).toEqual(["recycle-action"]);
    expect(restored.results).toHaveLength(3);
    const none = await readLedger(source, { spaceId: "other" }, { now: NOW });
    expect(none.results).toEqual([]);
  });
});

describe("restorableFromLedger", () => {
  it("leaves out what was later restored, purged or expired, counted per reason, matching by item and not by plan", async () => {
    const found = await restorableFromLedger(source, { planId: PLAN_A }, { now: NOW });
    expect(found.selected).toBe(6);
    expect(found.leftOut).toEqual({ restored: 2, purged: 1, expired: 1 });
    // Item 5's restore failed: still restorable. Item 6 of smh1 was never acted on (smh2's was).
    expect(found.restorable.map((item) => item.recycledItemId)).toEqual([5, 6]);
    expect(found.restorable[0]).toMatchObject({
      libraryId: "smh1",
      spaceId: "-",
      path: "albums/2019-5",
      planId: PLAN_A,
    });
    expect(found.scans.recycleActions?.kinds).toEqual(["recycle-action"]);
  });

  it("selects nothing, and reads no recycle actions, when no deletion matches", async () => {
    const found = await restorableFromLedger(source, { planId: "plan-none" }, { now: NOW });
    expect(found).toMatchObject({
      selected: 0,
      restorable: [],
      scans: { recycleActions: undefined },
    });
  });
});

describe("bad data", () => {
  it("counts and reports a line that is not a result and an object that is not gzip, and reads the rest", async () => {
    const other = { s3, bucket, prefix: "damaged/" };
    const good = recycledDeletion("albums/ok", 50, at("2026-01-11T10:00:00Z"), { planId: "p-bad" });
    const text = `${JSON.stringify(good)}\n{"type":"deletion"}\nnot json\n`;
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: ledgerObjectKey("deletion", at("2026-01-11T10:00:05Z"), "damaged/"),
        Body: await promisify(gzip)(text),
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: ledgerObjectKey("deletion", at("2026-01-11T10:00:06Z"), "damaged/"),
        Body: "plain text, not gzip",
      }),
    );
    const seen: string[] = [];
    const stats = await scanLedger(other, {}, (result) => seen.push(result.dedupKey), { now: NOW });
    expect(seen).toEqual([good.dedupKey]);
    expect(stats).toMatchObject({ lines: 3, matched: 1, invalidLines: 2, unreadableObjects: 1 });
    expect(stats.problems.map((p) => p.line).sort()).toEqual([0, 2, 3]);
    expect(stats.problems.find((p) => p.line === 0)?.message).toContain("not a gzip");
  });
});
