// End to end: `smh-cleaner ledger`, `restore`/`purge` by selectors (dry runs) and `results` with
// filters, spawned as a user runs them, against fauxqs (its S3 for the ledger, its SQS for the
// results queue) found through LEDGER_BUCKET / S3_ENDPOINT and the queue variables.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client } from "../../lib/aws/s3-client.ts";
import { putLedgerObject } from "../../lib/ledger/object.ts";
import { type LocalSqs, startLocalSqs } from "../../lib/local/sqs-server.ts";
import { encodeMessageBody } from "../../lib/messages/encode.ts";
import { parseResultMessage, type ResultMessage } from "../../lib/messages/result-message.ts";
import { createSqsClient } from "../../lib/queues/client.ts";
import { queueDepths } from "../../lib/queues/depths.ts";
import { publish } from "../../lib/queues/publish.ts";
import {
  type CliRun,
  environmentWithout,
  QUEUE_LOCATION_VARIABLES,
  spawnCli,
} from "./helpers/cli.ts";
import { recycleAction, recycledDeletion } from "./helpers/ledger-fixtures.ts";
import { until } from "./helpers/stack-io.ts";

const BUCKET = "cli-ledger-test";
// Recent, so an open --until (now) covers every day written.
const DAY = 86_400_000;
const today = Date.UTC(
  new Date().getUTCFullYear(),
  new Date().getUTCMonth(),
  new Date().getUTCDate(),
);
const day = (n: number, hour = 10) => new Date(today - n * DAY + hour * 3_600_000);
const stamp = (date: Date) => date.toISOString().slice(0, 19).replace(/[-:]/g, "");
const PLAN = `plan-${stamp(day(2, 9))}Z-aaaaaaaa`;
const OLD_PLAN = `plan-${stamp(day(9, 9))}Z-bbbbbbbb`;

let server: LocalSqs;
let s3: S3Client;
let sqs: SQSClient;
let work: string;
let resultsQueueUrl: string;
const planResults: ResultMessage[] = [];

function cli(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const env = {
    ...environmentWithout([...QUEUE_LOCATION_VARIABLES, "LEDGER_BUCKET", "S3_ENDPOINT"]),
    SMH_CLEANER_STATE_DIR: join(work, "state"),
    LEDGER_BUCKET: BUCKET,
    S3_ENDPOINT: server.endpoint,
    SQS_ENDPOINT: server.endpoint,
    AWS_REGION: "us-east-1",
    RESULTS_QUEUE_URL: resultsQueueUrl,
    ...extra,
  };
  return spawnCli(args, { cwd: work, env });
}

function results(run: CliRun): ResultMessage[] {
  return run.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const parsed = parseResultMessage(line);
      if (!parsed.ok) throw new Error(`not a result: ${line}`);
      return parsed.result;
    });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "smh-cli-ledger-"));
  server = await startLocalSqs();
  s3 = createS3Client({ endpoint: server.endpoint, region: "us-east-1", env: {} });
  sqs = createSqsClient({ endpoint: server.endpoint, region: "us-east-1", env: {} });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const created = await sqs.send(new CreateQueueCommand({ QueueName: "cli-ledger-results" }));
  resultsQueueUrl = created.QueueUrl ?? "";
  const ledger = { s3, bucket: BUCKET };
  // An old plan, nine days ago; the plan of interest two days ago, in 4 objects of 5; its
  // restores yesterday; the same day, deletions of another source.
  await putLedgerObject(
    ledger,
    "deletion",
    [1, 2].map((i) => recycledDeletion(`albums/2017-${i}`, 900 + i, day(9), { planId: OLD_PLAN })),
    day(9),
  );
  for (let object = 0; object < 4; object++) {
    const batch = [0, 1, 2, 3, 4].map((i) => {
      const n = object * 5 + i + 1;
      return recycledDeletion(`albums/2019-${String(n).padStart(2, "0")}`, n, day(2), {
        planId: PLAN,
      });
    });
    planResults.push(...batch);
    await putLedgerObject(ledger, "deletion", batch, day(2));
  }
  await putLedgerObject(
    ledger,
    "deletion",
    [recycledDeletion("=cmd|'calc'!A0", 500, day(2), { source: "cli" })],
    day(2),
  );
  await putLedgerObject(
    ledger,
    "recycle-action",
    [
      ...[1, 2, 3, 4, 5].map((id) => recycleAction("restore", "restored", id, day(1))),
      recycleAction("purge", "purged", 6, day(1)),
      recycleAction("restore", "expired", 7, day(1)),
    ],
    day(1),
  );
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  sqs?.destroy();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("smh-cleaner ledger", () => {
  it("prints a plan's results as NDJSON, exactly as kept, reading only the partitions that can hold them", async () => {
    const run = await cli(["ledger", "--plan-id", PLAN, "--format", "ndjson"]);
    expect(run.code, run.stderr).toBe(0);
    const found = results(run);
    expect(found).toHaveLength(20);
    expect(new Set(found.map((r) => r.dedupKey))).toEqual(
      new Set(planResults.map((r) => r.dedupKey)),
    );
    expect(found).toContainEqual(planResults[0]);
    // 6 deletion objects and 1 recycle-action object exist; the old plan's day and the recycle
    // actions are not read.
    expect(run.stderr).toContain("20 results (0 duplicates removed)");
    expect(run.stderr).toMatch(
      /read 5 of 5 objects in 1 of 2 day partitions \(deletion, retention-plan, retention-alert\)/,
    );
  });

  it("prints a table, and CSV with the export's columns and formulas escaped", async () => {
    const table = await cli(["ledger", "--source", "cli"]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^FINISHED\s+TYPE\s+OUTCOME\s+LIBRARY\s+SPACE\s+PATH\s+ITEM\s+PLAN$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("deletion");
    expect(lines[1]).toContain("500");

    const csv = await cli(["ledger", "--source", "cli", "--format", "csv"]);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: "deletion", outcome: "recycled", recycledItemId: "500" });
    expect(rows[0]?.path).toBe("'=cmd|'calc'!A0");
  });

  it("selects by path prefix exactly, by outcome and by time", async () => {
    const prefix = await cli(["ledger", "--path-prefix", "albums/2019-0", "--format", "ndjson"]);
    expect(results(prefix)).toHaveLength(9);
    const none = await cli(["ledger", "--path-prefix", "/albums/2019", "--format", "ndjson"]);
    expect(none.code).toBe(0);
    expect(results(none)).toEqual([]);
    const restored = await cli(["ledger", "--outcome", "restored,purged", "--format", "ndjson"]);
    expect(
      results(restored)
        .map((r) => ("outcome" in r ? r.outcome : ""))
        .sort(),
    ).toEqual(["purged", "restored", "restored", "restored", "restored", "restored"]);
    expect(restored.stderr).toContain("(recycle-action)");
    const old = await cli([
      "ledger",
      "--until",
      day(8).toISOString().slice(0, 10),
      "--format",
      "ndjson",
    ]);
    expect(results(old).map((r) => ("planId" in r ? r.planId : ""))).toEqual([OLD_PLAN, OLD_PLAN]);
  });

  it("refuses bad selectors with exit 2, and says how to configure a missing bucket (exit 5)", async () => {
    const badOutcome = await cli(["ledger", "--outcome", "gone"]);
    expect(badOutcome.code).toBe(2);
    expect(badOutcome.stderr).toContain('"gone" is not an outcome');
    const localTime = await cli(["ledger", "--since", "2025-05-01T10:00:00"]);
    expect(localTime.code).toBe(2);
    expect(localTime.stderr).toContain("with its offset");
    const noBucket = await cli(["ledger"], { LEDGER_BUCKET: "" });
    expect(noBucket.code).toBe(5);
    expect(noBucket.stderr).toContain("no ledger bucket is configured: pass --bucket");
    const missing = await cli(["ledger", "--bucket", "no-such-bucket"]);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain("the ledger bucket no-such-bucket does not exist");
  });
});

describe("restore and purge by selectors from the ledger", () => {
  it("restore --plan-id --dry-run counts what later restores, purges and expiries settled, and sends nothing", async () => {
    const run = await cli(["restore", "--plan-id", PLAN, "--dry-run", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({
      action: "restore",
      selected: 13,
      alreadySettled: 7,
      dryRun: true,
      ledger: { selected: 20, leftOut: { restored: 5, purged: 1, expired: 1 } },
      commands: [{ libraryId: "smh1", spaceId: "-", items: 13 }],
    });
    expect(summary.bodies[0].recycledItemIds).toEqual([
      8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    ]);

    const text = await cli(["restore", "--plan-id", PLAN, "--limit", "3", "--dry-run"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toContain(
      "holds 20 recycle-bin items the selected deletions left; left out: 5 already restored, 1 purged, 1 expired, 10 left out by --limit; 3 to restore",
    );
    expect(text.stdout).toContain("would send restore command");
    expect(text.stdout).toContain("3 items in smh1/-");
  });

  it("purge by plan without --yes refuses (exit 4); selectors cannot be mixed with IDs or --from", async () => {
    const refused = await cli(["purge", "--plan-id", PLAN], {});
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("--yes");
    const mixed = await cli(["restore", "--library", "smh1", "--plan-id", PLAN, "7"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("--plan-id select items from the ledger or --from");
    const withFrom = await cli(["restore", "--from", "x.ndjson", "--source", "bulk"]);
    expect(withFrom.code).toBe(2);
    expect(withFrom.stderr).toContain("--source read the ledger: not with --from");
    const nothing = await cli(["restore"]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("give selectors to read the ledger");
  });
});

describe("smh-cleaner results with filters", () => {
  it("takes only the plan's results and leaves every other message on the queue, visible again", async () => {
    const mine = planResults.slice(0, 3);
    const others = [
      recycledDeletion("albums/other", 77, day(0), { planId: "plan-other" }),
      recycleAction("restore", "restored", 78, day(0)),
    ];
    await publish(sqs, resultsQueueUrl, [
      ...[...mine, ...others].map((result, i) => ({
        id: `m${i}`,
        body: encodeMessageBody(result),
      })),
      { id: "junk", body: "not a result" },
    ]);
    const run = await cli([
      "results",
      "--plan-id",
      PLAN,
      "--out",
      "plan.ndjson",
      "--idle-seconds",
      "1",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      results: 3,
      deleted: 3,
      leftOnQueue: 3,
      invalid: 0,
      notAcknowledged: [],
    });
    const written = (await readFile(join(work, "plan.ndjson"), "utf8")).trim().split("\n");
    expect(written.map((line) => JSON.parse(line).dedupKey).sort()).toEqual(
      mine.map((r) => r.dedupKey).sort(),
    );
    // Visible again without waiting out the 900 s visibility timeout.
    await until("the others to be visible again", async () => {
      const depths = await queueDepths(sqs, resultsQueueUrl);
      return depths.visible === 3 && depths.inFlight === 0;
    });
  }, 60_000);
});
