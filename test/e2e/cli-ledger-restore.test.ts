// End to end: the newcomer's session of docs/ledger.md against the local stack — plan a bulk
// album purge, confirm it, export nothing, restore half of it by plan ID from the ledger, then
// purge the rest by plan ID — spawned as a user runs it. The ledger is fauxqs's S3 (the same
// server as the stack's SQS); the test keeps it as the handlers' ledger writer does: every result
// the results queue carries is put into it, one object per type and step, with putLedgerObject.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client } from "../../lib/aws/s3-client.ts";
import type { LedgerKind } from "../../lib/ledger/layout.ts";
import { putLedgerObject } from "../../lib/ledger/object.ts";
import { type LocalStack, startLocalStack } from "../../lib/local/stack.ts";
import { parseResultMessage, type ResultMessage } from "../../lib/messages/result-message.ts";
import { BULK_ALBUMS, BULK_CAMERA_UPLOADS, DEMO } from "../../lib/sim/seeds/demo.ts";
import type { Simulator } from "../../lib/sim/simulator.ts";
import {
  type CliRun,
  environmentWithout,
  QUEUE_LOCATION_VARIABLES,
  spawnCli,
} from "./helpers/cli.ts";
import { drain, queueUrl, until } from "./helpers/stack-io.ts";

const LIBRARY = DEMO.multiTenant.libraryId;
const BULK = DEMO.multiTenant.bulkAlbumSpaceId;
const BUCKET = "newcomer-ledger";
const HALF = BULK_CAMERA_UPLOADS / 2;

let stack: LocalStack;
let sim: Simulator;
let s3: S3Client;
let work: string;
const collecting = new AbortController();
let draining: Promise<void>;
/** Results taken off the results queue and not yet put into the ledger. */
let pending: ResultMessage[] = [];
const printed: string[] = [];

async function cli(args: string[]): Promise<CliRun> {
  const env = {
    ...environmentWithout([
      ...QUEUE_LOCATION_VARIABLES,
      "SMH_BASE_URL",
      "SMH_LIBRARY_SECRETS",
      "SMH_POLICY",
      "SMH_POLICY_FILE",
      "S3_ENDPOINT",
    ]),
    SMH_CLEANER_STATE_DIR: join(work, "state"),
    LEDGER_BUCKET: BUCKET,
    S3_ENDPOINT: stack.sqsEndpoint,
  };
  const run = await spawnCli(args, { cwd: work, env });
  printed.push(run.stdout, run.stderr);
  return run;
}

function json(run: CliRun): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** Waits for `count` results, then puts them into the ledger, one object per type. */
async function recordResults(count: number): Promise<ResultMessage[]> {
  await until(`${count} results`, () => pending.length >= count, 120_000, 200);
  const taken = pending;
  pending = [];
  const byKind = new Map<LedgerKind, ResultMessage[]>();
  for (const result of taken) byKind.set(result.type, [...(byKind.get(result.type) ?? []), result]);
  for (const [kind, results] of byKind) {
    await putLedgerObject({ s3, bucket: BUCKET }, kind, results);
  }
  return taken;
}

function bulkAlbumNames(): string[] {
  return (sim.tree(LIBRARY, BULK, "", 1)?.children ?? []).map((child) => child.name);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "smh-cli-ledger-restore-"));
  stack = await startLocalStack({
    stateDir: join(work, "state"),
    hostEnv: {},
    pollWaitSeconds: 1,
    env: { POWERTOOLS_LOG_LEVEL: "SILENT" },
  });
  if (!stack.sim) throw new Error("the local stack should run the simulator");
  sim = stack.sim;
  s3 = createS3Client({ endpoint: stack.sqsEndpoint, region: stack.region, env: {} });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  draining = drain(stack.sqs, queueUrl(stack, "results"), collecting.signal, (body) => {
    const parsed = parseResultMessage(body);
    if (!parsed.ok) throw new Error(`not a result: ${body}`);
    pending.push(parsed.result);
  });
}, 60_000);

afterAll(async () => {
  collecting.abort();
  await draining;
  s3?.destroy();
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("plan → confirm → restore half by plan ID → purge the rest by plan ID, from the ledger", () => {
  let planId: string;

  it("plans and confirms a bulk purge; every album goes to the recycle bin and its result to the ledger", async () => {
    const filter = ["--name", "*Camera upload*", "--created-before", "2021-01-01"];
    const planned = await cli([
      "purge-albums",
      "--library",
      LIBRARY,
      "--space",
      BULK,
      ...filter,
      "--json",
    ]);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = json(planned);
    planId = plan.planId as string;
    const confirmed = await cli([
      "purge-albums",
      "--library",
      LIBRARY,
      "--space",
      BULK,
      ...filter,
      "--confirm",
      plan.planHash as string,
      "--wait",
      "--json",
    ]);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    const deletions = await recordResults(BULK_CAMERA_UPLOADS);
    expect(deletions.every((r) => r.type === "deletion" && r.outcome === "recycled")).toBe(true);
    expect(bulkAlbumNames()).toHaveLength(BULK_ALBUMS - BULK_CAMERA_UPLOADS);

    const listed = await cli(["ledger", "--plan-id", planId, "--format", "ndjson"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split("\n")).toHaveLength(BULK_CAMERA_UPLOADS);
  }, 180_000);

  it("restore --plan-id --limit --dry-run shows the counts and sends nothing", async () => {
    const run = await cli([
      "restore",
      "--plan-id",
      planId,
      "--limit",
      String(HALF),
      "--dry-run",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({
      selected: HALF,
      beyondLimit: HALF,
      alreadySettled: 0,
      dryRun: true,
      ledger: { selected: BULK_CAMERA_UPLOADS, leftOut: { restored: 0, purged: 0, expired: 0 } },
    });
    expect(bulkAlbumNames()).toHaveLength(BULK_ALBUMS - BULK_CAMERA_UPLOADS);
  }, 60_000);

  it("restore --plan-id --limit restores the oldest half", async () => {
    const run = await cli([
      "restore",
      "--plan-id",
      planId,
      "--limit",
      String(HALF),
      "--wait",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ selected: HALF, enqueued: 1, wait: { drained: true } });
    const restores = await recordResults(HALF);
    expect(restores.every((r) => r.type === "recycle-action" && r.outcome === "restored")).toBe(
      true,
    );
    expect(bulkAlbumNames()).toHaveLength(BULK_ALBUMS - HALF);
  }, 180_000);

  it("purge --plan-id selects the other half from the ledger alone, leaving out the restored ones", async () => {
    const dry = await cli(["purge", "--plan-id", planId, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(
      `holds ${BULK_CAMERA_UPLOADS} recycle-bin items the selected deletions left; left out: ${HALF} already restored, 0 purged, 0 expired; ${HALF} to purge`,
    );
    const run = await cli(["purge", "--plan-id", planId, "--yes", "--wait", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ selected: HALF, alreadySettled: HALF, enqueued: 1 });
    const purges = await recordResults(HALF);
    expect(purges.every((r) => r.type === "recycle-action" && r.outcome === "purged")).toBe(true);
    expect(sim.recycleBin(LIBRARY, BULK)).toEqual([]);

    const after = await cli(["restore", "--plan-id", planId, "--json"]);
    expect(after.code, after.stderr).toBe(0);
    expect(json(after)).toMatchObject({
      selected: 0,
      enqueued: 0,
      ledger: {
        selected: BULK_CAMERA_UPLOADS,
        leftOut: { restored: HALF, purged: HALF, expired: 0 },
      },
    });
  }, 180_000);

  it("never printed a secret", () => {
    const all = printed.join("\n");
    for (const credentials of sim.credentials())
      expect(all).not.toContain(credentials.librarySecret);
  });
});
