// End to end: a newcomer's session with `smh-cleaner`, spawned as a user runs it, against the
// local stack (fauxqs with the queues of serverless.yml, the SMH simulator's demo seed, the local
// runner invoking the real delete-directories and recycle-actions handlers), found through the
// stack file, the local secrets file and the local policy file in a temporary state directory.
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_POLICY_FILE_NAME, LOCAL_SECRETS_FILE_NAME } from "../../lib/local/local-files.ts";
import { type LocalStack, startLocalStack } from "../../lib/local/stack.ts";
import { createRecycleCommand } from "../../lib/messages/recycle-command.ts";
import {
  isOutcomeResult,
  type OutcomeResult,
  parseResultMessage,
} from "../../lib/messages/result-message.ts";
import { publish } from "../../lib/queues/publish.ts";
import { BULK_ALBUMS, BULK_CAMERA_UPLOADS, DEMO } from "../../lib/sim/seeds/demo.ts";
import type { Simulator } from "../../lib/sim/simulator.ts";
import {
  type CliRun,
  environmentWithout,
  QUEUE_LOCATION_VARIABLES,
  spawnCli,
} from "./helpers/cli.ts";
import { pendingMessages, queueUrl, until } from "./helpers/stack-io.ts";

const LIBRARY = DEMO.multiTenant.libraryId;
const BULK = DEMO.multiTenant.bulkAlbumSpaceId;
const FILES = DEMO.multiTenant.filesSpaceId;
const DAY = 86_400_000;
// What would point the CLI somewhere else than the stack's files (startLocalStack also puts the
// handlers' environment, secrets included, into this process's environment).
const FOREIGN_VARIABLES = [
  ...QUEUE_LOCATION_VARIABLES,
  "SMH_BASE_URL",
  "SMH_LIBRARY_SECRETS",
  "SMH_LIBRARY_SECRETS_SSM_PARAMETER",
  "SMH_POLICY",
  "SMH_POLICY_FILE",
];
const PURGE_FILTER = ["--name", "*Camera upload*", "--created-before", "2021-01-01"];

let stack: LocalStack;
let sim: Simulator;
let work: string;
let state: string;
/** Every line the CLI printed, to check that no secret ever appears. */
const printed: string[] = [];
/** Files of each camera-upload album before anything was deleted. */
const filesBefore = new Map<string, string[]>();

async function cli(args: string[], options: { stdin?: string } = {}): Promise<CliRun> {
  const env = { ...environmentWithout(FOREIGN_VARIABLES), SMH_CLEANER_STATE_DIR: state };
  const run = await spawnCli(args, { cwd: work, env, stdin: options.stdin });
  printed.push(run.stdout, run.stderr);
  return run;
}

/** `smh-cleaner purge-albums` for the camera uploads of the bulk album space. */
function purgeAlbums(...args: string[]): Promise<CliRun> {
  return cli(["purge-albums", "--library", LIBRARY, "--space", BULK, ...PURGE_FILTER, ...args]);
}

function json(run: CliRun): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

function pending(key: string): Promise<number> {
  return pendingMessages(stack.sqs, queueUrl(stack, key));
}

/** Waits (polling every 200 ms, a minute by default) until the queue `key` holds nothing. */
function untilEmpty(key: string, timeoutMs = 60_000): Promise<void> {
  return until(`the ${key} queue to empty`, async () => (await pending(key)) === 0, timeoutMs, 200);
}

/** Drains the results queue to `name` with the CLI and reads the file back. */
async function exportResults(name: string): Promise<OutcomeResult[]> {
  const run = await cli(["results", "--out", name, "--idle-seconds", "1", "--json"]);
  expect(run.code, run.stderr).toBe(0);
  const text = await readFile(join(work, name), "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const parsed = parseResultMessage(line);
      if (!parsed.ok || !isOutcomeResult(parsed.result)) {
        throw new Error(`${name}: not a deletion or recycle-action result: ${line}`);
      }
      return parsed.result;
    });
}

function bulkAlbumNames(): string[] {
  return (sim.tree(LIBRARY, BULK, "", 1)?.children ?? []).map((child) => child.name);
}

function filesOf(album: string): string[] {
  return (sim.tree(LIBRARY, BULK, album, 1)?.children ?? []).map((child) => child.name).sort();
}

function outcomes(results: readonly OutcomeResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "smh-cli-recycle-"));
  state = join(work, "state");
  stack = await startLocalStack({
    stateDir: state,
    hostEnv: {},
    pollWaitSeconds: 1,
    env: { POWERTOOLS_LOG_LEVEL: "SILENT" },
  });
  if (!stack.sim) throw new Error("the local stack should run the simulator");
  sim = stack.sim;
  for (const name of bulkAlbumNames()) {
    if (name.includes("Camera upload")) filesBefore.set(name, filesOf(name));
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the local stack's files for the CLI", () => {
  it("writes the simulator's library secrets only to a file no other user can read, and the policy beside it", async () => {
    const secrets = await stat(join(state, LOCAL_SECRETS_FILE_NAME));
    expect(secrets.mode & 0o777).toBe(0o600);
    const policy = JSON.parse(await readFile(join(state, LOCAL_POLICY_FILE_NAME), "utf8"));
    expect(policy.libraries[LIBRARY].albumSpaces).toContain(BULK);
  });
});

describe("smh-cleaner enqueue against the local stack", () => {
  const lines = Array.from(
    { length: 1000 },
    (_, i) => `events/1999-bulk-${String(i + 1).padStart(4, "0")}`,
  );

  it("lists all 3 bad lines of a 1,000-line file with their line numbers, exits 3 and sends nothing", async () => {
    const bad = [...lines];
    bad[41] = "events/../users";
    bad[499] = "";
    bad[499] = "/";
    bad[998] = "events/\u0007bell";
    await writeFile(join(work, "bad.txt"), `${bad.join("\n")}\n`);
    const run = await cli(["enqueue", "--library", LIBRARY, "--space", FILES, "--file", "bad.txt"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("bad.txt:42: path:");
    expect(run.stderr).toContain("bad.txt:500: path:");
    expect(run.stderr).toContain("bad.txt:999: path:");
    expect(run.stderr).toContain("3 invalid lines; nothing was sent");
    expect(await pending("jobs")).toBe(0);
  });

  it("enqueues the fixed file, and the delete function writes one result for each of the 1,000 jobs", async () => {
    await writeFile(join(work, "good.txt"), `${lines.join("\n")}\n`);
    const run = await cli([
      "enqueue",
      "--library",
      LIBRARY,
      "--space",
      FILES,
      "--file",
      "good.txt",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const jobIds = json(run).jobIds as string[];
    expect(jobIds).toHaveLength(1000);
    await untilEmpty("jobs", 120_000);
    const results = await exportResults("enqueue-results.ndjson");
    const deletions = results.filter((result) => result.type === "deletion");
    expect(new Set(deletions.map((result) => result.jobId))).toEqual(new Set(jobIds));
    expect(deletions).toHaveLength(1000);
    // These event directories never existed: each job's one result says so.
    expect(outcomes(deletions)).toEqual({ already_absent: 1000 });
  }, 180_000);
});

describe("a bulk album purge, then restoring half of it and purging the rest", () => {
  let planHash: string;
  let planId: string;
  let deletions: OutcomeResult[];
  let restored: OutcomeResult[];

  it("plans: lists, filters and checks every album against the policy, writes a plan with its hash, enqueues nothing", async () => {
    const run = await purgeAlbums("--json");
    expect(run.code, run.stderr).toBe(0);
    const plan = json(run);
    expect(plan).toMatchObject({
      listed: BULK_ALBUMS,
      count: BULK_CAMERA_UPLOADS,
      refusedCount: 0,
      permanent: false,
      planHash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    planHash = plan.planHash as string;
    planId = plan.planId as string;
    const stored = JSON.parse(await readFile(plan.planFile as string, "utf8"));
    expect(stored.albums).toHaveLength(BULK_CAMERA_UPLOADS);
    expect(
      stored.albums.every((album: { path: string }) => album.path.includes("Camera upload")),
    ).toBe(true);
    expect(await pending("jobs")).toBe(0);
    expect(bulkAlbumNames()).toHaveLength(BULK_ALBUMS);
  });

  it("enqueues nothing when confirmed with a wrong hash (exit 4)", async () => {
    const wrong = planHash.startsWith("0") ? `1${planHash.slice(1)}` : `0${planHash.slice(1)}`;
    const run = await purgeAlbums("--confirm", wrong);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("Nothing was enqueued");
    expect(await pending("jobs")).toBe(0);
    expect(bulkAlbumNames()).toHaveLength(BULK_ALBUMS);
  });

  it("refuses a plan larger than --max (exit 4), enqueuing nothing", async () => {
    const run = await purgeAlbums("--max", "999", "--confirm", planHash);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("more than --max 999");
    expect(await pending("jobs")).toBe(0);
  });

  it("confirmed with the plan's hash, enqueues one job per album, waits for them, and every album goes to the recycle bin", async () => {
    const run = await purgeAlbums("--confirm", planHash, "--wait", "--json");
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({
      planId,
      planHash,
      enqueued: BULK_CAMERA_UPLOADS,
      alreadyEnqueued: 0,
      failed: [],
      wait: { drained: true, deadLettered: 0 },
    });
    expect(bulkAlbumNames().filter((name) => name.includes("Camera upload"))).toEqual([]);
    expect(bulkAlbumNames()).toHaveLength(BULK_ALBUMS - BULK_CAMERA_UPLOADS);

    deletions = await exportResults("purge.ndjson");
    expect(deletions).toHaveLength(BULK_CAMERA_UPLOADS);
    expect(outcomes(deletions)).toEqual({ recycled: BULK_CAMERA_UPLOADS });
    for (const result of deletions) {
      expect(result).toMatchObject({ type: "deletion", planId, source: "bulk", spaceId: BULK });
    }
  }, 120_000);

  it("a second confirmation of the same plan enqueues nothing: the albums are gone, so its hash no longer matches", async () => {
    const run = await purgeAlbums("--confirm", planHash);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`${BULK_CAMERA_UPLOADS} no longer match`);
    expect(await pending("jobs")).toBe(0);
  });

  it("restoring half of the plan from the results export brings those albums back, with their content", async () => {
    const half = BULK_CAMERA_UPLOADS / 2;
    const run = await cli([
      "restore",
      "--from",
      "purge.ndjson",
      "--plan-id",
      planId,
      "--limit",
      String(half),
      "--wait",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({
      action: "restore",
      selected: half,
      beyondLimit: half,
      enqueued: 1,
      // Progress counts the items the one command carries, not the command.
      wait: { drained: true, done: half, total: half, unit: "items" },
    });

    restored = await exportResults("restores.ndjson");
    expect(outcomes(restored)).toEqual({ restored: half });
    const byId = new Map(
      deletions.map((result) => [
        "recycledItemId" in result ? result.recycledItemId : 0,
        "path" in result ? result.path : "",
      ]),
    );
    for (const result of restored) {
      if (result.type !== "recycle-action" || result.outcome !== "restored")
        throw new Error("not restored");
      // Back where it was, with the files it had (the simulator always reports the path).
      const restoredPath = result.restoredPath ?? "";
      expect(restoredPath).toBe(byId.get(result.recycledItemId));
      expect(filesOf(restoredPath)).toEqual(filesBefore.get(restoredPath));
    }
    // The oldest half (album names start with their date).
    const names = [...filesBefore.keys()].sort();
    expect(new Set(restored.map((r) => ("restoredPath" in r ? r.restoredPath : "")))).toEqual(
      new Set(names.slice(0, half)),
    );
  }, 120_000);

  it("purging the rest makes it unrecoverable: out of the recycle bin for good, and a later restore finds it expired", async () => {
    const refused = await cli(["purge", "--from", "purge.ndjson", "--from", "restores.ndjson"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("--yes");

    const run = await cli([
      "purge",
      "--from",
      "purge.ndjson",
      "--from",
      "restores.ndjson",
      "--yes",
      "--wait",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const half = BULK_CAMERA_UPLOADS / 2;
    expect(json(run)).toMatchObject({
      action: "purge",
      selected: half,
      alreadySettled: half,
      enqueued: 1,
    });
    const purged = await exportResults("purges.ndjson");
    expect(outcomes(purged)).toEqual({ purged: half });

    const purgedIds = new Set(purged.map((r) => ("recycledItemId" in r ? r.recycledItemId : 0)));
    expect(
      sim.recycleBin(LIBRARY, BULK).filter((item) => purgedIds.has(item.recycledItemId)),
    ).toEqual([]);

    const [someId] = [...purgedIds];
    const again = await cli([
      "restore",
      "--library",
      LIBRARY,
      "--space",
      BULK,
      String(someId),
      "--wait",
    ]);
    expect(again.code, again.stderr).toBe(0);
    const late = await exportResults("late.ndjson");
    expect(late.map((result) => result.outcome)).toEqual(["expired"]);
    expect(bulkAlbumNames()).toHaveLength(BULK_ALBUMS - BULK_CAMERA_UPLOADS + half);
  }, 120_000);
});

describe("items whose retention ran out", () => {
  it("come back as expired, for a restore and for a purge", async () => {
    const others = bulkAlbumNames()
      .filter((name) => !name.includes("Camera upload"))
      .slice(0, 3);
    const run = await cli(["enqueue", "--library", LIBRARY, "--space", BULK, ...others, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    await untilEmpty("jobs");
    const deleted = await exportResults("others.ndjson");
    const ids = deleted.map((result) =>
      "recycledItemId" in result ? (result.recycledItemId ?? 0) : 0,
    );
    expect(ids.every((id) => id > 0)).toBe(true);

    sim.advanceClock(31 * DAY); // the demo library keeps recycled items for 30 days

    const restore = await cli([
      "restore",
      "--library",
      LIBRARY,
      "--space",
      BULK,
      ...ids.slice(0, 2).map(String),
      "--wait",
    ]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/^restoring: 2\/2 items done$/m);
    const purge = await cli([
      "purge",
      "--library",
      LIBRARY,
      "--space",
      BULK,
      String(ids[2]),
      "--yes",
      "--wait",
    ]);
    expect(purge.code, purge.stderr).toBe(0);
    const results = await exportResults("expired.ndjson");
    expect(
      results
        .map((r) => (r.type === "recycle-action" ? `${r.action}:${r.outcome}` : r.outcome))
        .sort(),
    ).toEqual(["purge:expired", "restore:expired", "restore:expired"]);
    for (const name of others) expect(bulkAlbumNames()).not.toContain(name);
  }, 120_000);
});

describe("smh-cleaner redrive against the local stack", () => {
  it("empties the recycle-actions DLQ into its source queue, where the function then runs the command", async () => {
    const [album] = bulkAlbumNames().filter((name) => !name.includes("Camera upload"));
    if (!album) throw new Error("no album left");
    const run = await cli(["enqueue", "--library", LIBRARY, "--space", BULK, album]);
    expect(run.code, run.stderr).toBe(0);
    await untilEmpty("jobs");
    const [deleted] = await exportResults("dead.ndjson");
    const id = deleted && "recycledItemId" in deleted ? (deleted.recycledItemId ?? 0) : 0;
    expect(bulkAlbumNames()).not.toContain(album);

    // A command that was dead-lettered earlier (SMH down at the time, say).
    const command = createRecycleCommand({
      action: "restore",
      libraryId: LIBRARY,
      spaceId: BULK,
      recycledItemIds: [id],
    });
    await publish(stack.sqs, queueUrl(stack, "recycle-actions-dlq"), [
      { id: "dead", body: JSON.stringify(command) },
    ]);
    expect(await pending("recycle-actions-dlq")).toBe(1);

    const redrive = await cli([
      "redrive",
      "--queue",
      "recycle-actions",
      "--idle-seconds",
      "1",
      "--json",
    ]);
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(json(redrive)).toMatchObject({ moved: 1, method: "copy" });
    expect(await pending("recycle-actions-dlq")).toBe(0);
    await untilEmpty("recycle-actions");
    const [result] = await exportResults("redriven.ndjson");
    expect(result).toMatchObject({
      outcome: "restored",
      commandId: command.commandId,
      restoredPath: album,
    });
    expect(bulkAlbumNames()).toContain(album);
  }, 120_000);
});

describe("secrets", () => {
  it("never appear in anything the CLI printed", () => {
    const all = printed.join("\n");
    expect(all.length).toBeGreaterThan(0);
    for (const credentials of sim.credentials()) {
      expect(all).not.toContain(credentials.librarySecret);
    }
    expect(all).not.toMatch(/access_token=[^&\s[]/);
  });

  it("the local stack removes its secrets and policy files when it stops", async () => {
    await stack.stop();
    await expect(stat(join(state, LOCAL_SECRETS_FILE_NAME))).rejects.toMatchObject({
      code: "ENOENT",
    });
    await expect(stat(join(state, LOCAL_POLICY_FILE_NAME))).rejects.toMatchObject({
      code: "ENOENT",
    });
  });
});
