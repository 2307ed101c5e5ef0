// End to end: the queue commands of `smh-cleaner`, spawned as a user runs them, against fauxqs
// with the queues of the repository's serverless.yml, found through a local stack file.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PurgeQueueCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { parse as parseCsv } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CreatedQueue, createQueues } from "../../lib/local/queues.ts";
import { type LocalSqs, startLocalSqs } from "../../lib/local/sqs-server.ts";
import {
  type StackInfo,
  type StackQueueKey,
  stackQueueRefs,
  writeStackFile,
} from "../../lib/local/stack-file.ts";
import { readTopology } from "../../lib/local/topology.ts";
import { createDeleteJob, type DeleteJob } from "../../lib/messages/delete-job.ts";
import { deletionResult, rejectedDeletion } from "../../lib/messages/deletion-result.ts";
import { parseJobBody } from "../../lib/messages/job-body.ts";
import { recycleActionResult } from "../../lib/messages/recycle-action-result.ts";
import { createRecycleCommand } from "../../lib/messages/recycle-command.ts";
import type { ResultMessage } from "../../lib/messages/result-message.ts";
import { deleteBatch } from "../../lib/queues/acknowledge.ts";
import { createSqsClient } from "../../lib/queues/client.ts";
import { queueDepths } from "../../lib/queues/depths.ts";
import { publish } from "../../lib/queues/publish.ts";
import { receive } from "../../lib/queues/receive.ts";
import {
  CLI_BIN,
  type CliRun,
  environmentWithout,
  QUEUE_LOCATION_VARIABLES,
  spawnCli,
} from "./helpers/cli.ts";

// Variables that would point the CLI somewhere else than the stack file.
const LOCATION_VARIABLES = [...QUEUE_LOCATION_VARIABLES, "SMH_CLEANER_STATE_DIR"];

let server: LocalSqs;
let sqs: SQSClient;
let queues: Map<string, CreatedQueue>;
let work: string;

function url(key: StackQueueKey): string {
  const queue = queues.get(key);
  if (!queue) throw new Error(`queue ${key} was not created`);
  return queue.url;
}

/** Runs `smh-cleaner …` in `cwd` (the state directory defaults to `<cwd>/.smh-cleaner`). */
function cli(
  args: string[],
  options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const env = { ...environmentWithout(LOCATION_VARIABLES), ...options.env };
  return spawnCli(args, { cwd: options.cwd ?? work, env, stdin: options.stdin });
}

async function depth(key: StackQueueKey) {
  return queueDepths(sqs, url(key));
}

/** Starts a test from an empty queue: drops its messages, in flight ones included. */
async function empty(key: StackQueueKey): Promise<void> {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: url(key) }));
}

/** Receives and deletes every visible message of a queue, returning the messages. */
async function takeAll(key: StackQueueKey) {
  const taken = [];
  for (;;) {
    const batch = await receive(sqs, url(key), { waitTimeSeconds: 0 });
    if (batch.length === 0) return taken;
    taken.push(...batch);
    await deleteBatch(
      sqs,
      url(key),
      batch.map((m) => ({ id: String(m.MessageId), receiptHandle: String(m.ReceiptHandle) })),
    );
  }
}

beforeAll(async () => {
  server = await startLocalSqs();
  sqs = createSqsClient({ endpoint: server.endpoint, env: {} });
  const { queues: definitions } = readTopology();
  queues = await createQueues(sqs, definitions, {
    namePrefix: "smh-batch-cleaner-e2e-",
    visibilityTimeoutOverrideSeconds: 2,
  });
  work = await mkdtemp(join(tmpdir(), "smh-cli-"));
  const stack: StackInfo = {
    v: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    sqs: { endpoint: server.endpoint, region: "us-east-1" },
    queues: stackQueueRefs(queues),
    smh: { baseUrl: "http://127.0.0.1:9", libraries: [{ libraryId: "smh1", spaceIds: ["-"] }] },
  };
  await writeStackFile(join(work, ".smh-cleaner"), stack);
});

afterAll(async () => {
  sqs?.destroy();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("smh-cleaner enqueue", () => {
  const lines = Array.from({ length: 1000 }, (_, i) => `archive/2019/album-${i + 1}`);

  it("lists every bad line of a 1,000-line file, exits 3 and sends nothing", async () => {
    const bad = [...lines];
    bad[6] = "archive/../etc";
    bad[499] = "/";
    bad[999] = "archive/\u0007bell";
    await writeFile(join(work, "bad.txt"), `${bad.join("\n")}\n`);
    const run = await cli(["enqueue", "--library", "smh1", "--file", "bad.txt"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("bad.txt:7: path:");
    expect(run.stderr).toContain("bad.txt:500: path:");
    expect(run.stderr).toContain("bad.txt:1000: path:");
    expect(run.stderr).toContain("3 invalid lines; nothing was sent");
    expect(await depth("jobs")).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("puts all 1,000 jobs of the fixed file on the jobs queue, valid for the delete function", async () => {
    await empty("jobs");
    await writeFile(join(work, "good.txt"), `# albums of 2019\n${lines.join("\r\n")}\r\n`);
    const run = await cli([
      "enqueue",
      "--library",
      "smh1",
      "--space",
      "space1",
      "--reason",
      "retention 2019",
      "--file",
      "good.txt",
      "--json",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const output = JSON.parse(run.stdout);
    expect(output).toMatchObject({ enqueued: 1000, failed: [], queueUrl: url("jobs") });
    expect(output.jobIds).toHaveLength(1000);
    expect(await depth("jobs")).toMatchObject({ visible: 1000 });

    const [message] = await receive(sqs, url("jobs"), { maxMessages: 1, waitTimeSeconds: 0 });
    const parsed = parseJobBody(message?.Body ?? "");
    expect(parsed.ok && parsed.job).toMatchObject({
      libraryId: "smh1",
      spaceId: "space1",
      // Enqueued by hand: the source says so unless --source names another.
      source: "cli",
      reason: "retention 2019",
      permanent: false,
    });
  });

  it("lists the jobs it would send, with their jobIds, on --dry-run, and sends nothing", async () => {
    await empty("jobs");
    const run = await cli(["enqueue", "--library", "smh1", "--dry-run", "-"], {
      stdin: "a/b\nc/d\n",
    });
    expect(run.code, run.stderr).toBe(0);
    const expected = ["a/b", "c/d"].map((path) =>
      createDeleteJob({ libraryId: "smh1", path, source: "cli" }),
    );
    const [header, ...rows] = run.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^jobId\s+library\s+space\s+path\s+deletion\s+source$/);
    for (const job of expected) {
      expect(rows).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${job.jobId}\\s+smh1\\s+-\\s+${job.path}\\s+recycle bin\\s+cli$`),
        ),
      );
    }
    expect(rows.at(-1)).toBe("2 valid jobs (dry run: nothing was sent)");
    expect(await depth("jobs")).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("prints the jobs of --dry-run --json as NDJSON that enqueue reads back unchanged", async () => {
    await empty("jobs");
    const run = await cli(
      ["enqueue", "--library", "smh1", "--permanent", "--dry-run", "--json", "-"],
      { stdin: "a/b\nc/d\n" },
    );
    expect(run.code, run.stderr).toBe(0);
    const jobs = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as DeleteJob);
    expect(jobs).toEqual(
      ["a/b", "c/d"].map((path) =>
        createDeleteJob({
          libraryId: "smh1",
          path,
          permanent: true,
          source: "cli",
          ...(jobs[0]?.requestedBy ? { requestedBy: jobs[0].requestedBy } : {}),
        }),
      ),
    );
    expect(run.stderr).toContain("2 valid jobs (dry run: nothing was sent)");
    expect(await depth("jobs")).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });

    const sent = await cli(["enqueue", "--format", "ndjson", "--json", "-"], {
      stdin: run.stdout,
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout).jobIds).toEqual(jobs.map((job) => job.jobId));
    const bodies = (await takeAll("jobs")).map((m) => JSON.parse(String(m.Body)) as DeleteJob);
    expect(bodies.sort((a, b) => a.path.localeCompare(b.path))).toEqual(jobs);
  });

  it("refuses input with more jobs than --max-jobs, sending nothing", async () => {
    const before = await depth("jobs");
    const run = await cli(["enqueue", "--library", "smh1", "--max-jobs", "1", "x/1", "x/2"]);
    expect(run.code).toBe(4);
    expect((await depth("jobs")).visible + (await depth("jobs")).inFlight).toBe(
      before.visible + before.inFlight,
    );
  });
});

describe("smh-cleaner status", () => {
  it("reports every queue's depth, its DLQ's depth and the oldest message's age as JSON", async () => {
    await empty("jobs");
    await empty("jobs-dlq");
    await publish(
      sqs,
      url("jobs"),
      Array.from({ length: 7 }, (_, i) => ({ id: String(i), body: `j${i}` })),
    );
    await publish(sqs, url("jobs-dlq"), [
      { id: "d1", body: "dead 1" },
      { id: "d2", body: "dead 2" },
    ]);
    const run = await cli(["status", "--json"]);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status.endpoint).toBe(server.endpoint);
    expect(Object.keys(status.queues)).toEqual([
      "jobs",
      "jobs-dlq",
      "results",
      "recycle-actions",
      "recycle-actions-dlq",
      "retention-continuations",
      "retention-continuations-dlq",
    ]);
    expect(status.queues.jobs).toMatchObject({
      url: url("jobs"),
      visible: 7,
      inFlight: 0,
      delayed: 0,
      oldestMessageAgeSeconds: expect.any(Number),
      deadLetter: { queue: "jobs-dlq", visible: 2 },
    });
    expect(status.queues["jobs-dlq"]).toMatchObject({ visible: 2, inFlight: 0 });
    expect(status.queues["recycle-actions"]).toMatchObject({
      deadLetter: { queue: "recycle-actions-dlq" },
    });
    expect(status.queues["retention-continuations"]).toMatchObject({
      url: url("retention-continuations"),
      visible: 0,
      deadLetter: { queue: "retention-continuations-dlq", visible: 0 },
    });

    const monitored = await cli(["status", "--fail-on-dlq", "--json"]);
    expect(monitored.code).toBe(1);
    await empty("jobs-dlq");
  });

  it("prints a table by default", async () => {
    const run = await cli(["status"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^queue\s+visible\s+in flight\s+delayed\s+oldest\s+in DLQ/);
    expect(run.stdout).toMatch(/\njobs\s+\d+\s+\d+\s+0\s+\S+\s+0\n/);
    expect(run.stdout).toMatch(/\njobs-dlq\s+0\s+0\s+0\s+\S+\s*\n/);
  });
});

describe("smh-cleaner results", () => {
  const run = {
    attempts: 1,
    startedAt: new Date("2025-05-01T12:00:00Z"),
    finishedAt: new Date("2025-05-01T12:00:01Z"),
  };
  const job = (path: string): DeleteJob =>
    createDeleteJob({ libraryId: "smh1", path, source: "bulk" });
  const command = createRecycleCommand({
    action: "restore",
    libraryId: "smh1",
    recycledItemIds: [77],
  });
  // 4 unique results; the recycled one also arrives as a later already_absent (same dedupKey).
  const results: ResultMessage[] = [
    deletionResult(job("a"), { outcome: "recycled", recycledItemId: 41 }, run),
    deletionResult(
      job("b"),
      {
        outcome: "failed",
        error: { status: 503, code: "ServerOverloaded", message: "busy, try later" },
      },
      run,
    ),
    rejectedDeletion({ jobId: "body-1" }, [{ path: "path", message: "path names the root" }], run),
    recycleActionResult(command, 77, { outcome: "restored", restoredPath: ["a (1)"] }, run),
  ];
  const absent = deletionResult(job("a"), { outcome: "already_absent" }, run);

  async function publishResults() {
    // Every result twice, the already_absent first so that the drain has to prefer the later one.
    const bodies = [
      JSON.stringify(absent),
      ...[...results, ...results].map((r) => JSON.stringify(r)),
      "not a result",
    ];
    const sent = await publish(
      sqs,
      url("results"),
      bodies.map((body, i) => ({ id: String(i), body })),
    );
    expect(sent.failed).toEqual([]);
    return bodies.length;
  }

  it("drains to CSV with duplicates removed and, with --keep, leaves every message on the queue", async () => {
    await empty("results");
    const published = await publishResults();
    const out = join(work, "export.csv");
    const run = await cli(["results", "--out", out, "--keep", "--idle-seconds", "1", "--json"]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({
      received: published,
      results: 4,
      duplicatesRemoved: 5,
      invalid: 1,
      deleted: 0,
      kept: published,
      outcomes: {
        deletion: { recycled: 1, failed: 1, rejected: 1 },
        "recycle-action": { restored: 1 },
      },
    });
    const rows = parseCsv(await readFile(out, "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows).toHaveLength(4);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      "type",
      "outcome",
      "jobId",
      "commandId",
      "libraryId",
      "spaceId",
      "path",
      "permanent",
      "action",
      "recycledItemId",
      "restoredPath",
      "removedAt",
      "error",
      "reasons",
      "attempts",
      "startedAt",
      "finishedAt",
      "requestedBy",
      "dedupKey",
      "planId",
    ]);
    expect(rows.find((row) => row.path === "a")).toMatchObject({
      outcome: "recycled",
      recycledItemId: "41",
    });
    expect(rows.find((row) => row.outcome === "failed")).toMatchObject({
      error: "503 ServerOverloaded: busy, try later",
    });
    expect(rows.find((row) => row.outcome === "rejected")).toMatchObject({
      reasons: "path: path names the root",
    });
    expect(rows.find((row) => row.type === "recycle-action")).toMatchObject({
      commandId: command.commandId,
      restoredPath: "a (1)",
    });
    const invalid = (await readFile(join(work, "export.invalid.ndjson"), "utf8"))
      .trim()
      .split("\n");
    expect(invalid.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        body: "not a result",
        reasons: [expect.objectContaining({ path: "" })],
      }),
    ]);
    expect(await depth("results")).toMatchObject({ visible: published, inFlight: 0 });
  });

  it("drains to NDJSON, deleting the messages only after the file is written", async () => {
    await empty("results");
    const total = await publishResults();
    const out = join(work, "archive.ndjson");
    const drained = await cli(["results", "--out", out, "--idle-seconds", "1"]);
    expect(drained.code).toBe(0);
    expect(drained.stdout).toContain(`deleted ${total} messages from the queue`);
    const archived = (await readFile(out, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(archived).toHaveLength(4);
    expect(archived.find((r) => r.type === "deletion" && r.path === "a")).toMatchObject({
      outcome: "recycled",
      recycledItemId: 41,
    });
    expect(new Set(archived.map((r) => r.dedupKey)).size).toBe(4);
    expect(await readFile(join(work, "archive.invalid.ndjson"), "utf8")).toContain("not a result");
    expect(await depth("results")).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it("deletes nothing, and leaves every message visible, when the archive cannot be written", async () => {
    await empty("results");
    const published = await publishResults();
    // The final rename fails: a directory stands where the file should go.
    const blocked = join(work, "blocked.ndjson");
    await mkdir(join(blocked, "inside"), { recursive: true });
    const run = await cli(["results", "--out", blocked, "--overwrite", "--idle-seconds", "1"]);
    expect(run.code).toBe(1);
    expect(await depth("results")).toMatchObject({ visible: published, inFlight: 0 });
    const missing = await cli(["results", "--out", join(work, "no-such-dir", "x.ndjson")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot write to the directory");
  });

  it("refuses to overwrite an archive (exit 4) and receives nothing", async () => {
    await empty("results");
    const existing = join(work, "earlier.ndjson");
    await writeFile(existing, `${JSON.stringify(results[0])}\n`);
    await publish(sqs, url("results"), [{ id: "1", body: JSON.stringify(results[0]) }]);
    const run = await cli(["results", "--out", existing, "--idle-seconds", "1"]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("--overwrite");
    expect(await depth("results")).toMatchObject({ visible: 1, inFlight: 0 });
    expect(await readFile(existing, "utf8")).toBe(`${JSON.stringify(results[0])}\n`);
  });

  it("follows the queue with --tail, prints each result once, and stops cleanly on Ctrl-C", async () => {
    await empty("results");
    const published = [results[0], results[1], results[1]].map((result, i) => ({
      id: String(i),
      body: JSON.stringify(result),
    }));
    await publish(sqs, url("results"), published);
    const env = environmentWithout(LOCATION_VARIABLES);
    const child = spawn(process.execPath, [CLI_BIN, "results", "--tail", "--json"], {
      cwd: work,
      env,
    });
    let stdout = "";
    let stderr = "";
    const twoLines = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        if (stdout.split("\n").filter(Boolean).length >= 2) resolve();
      });
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await twoLines;
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const printed = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(printed.map((r) => r.dedupKey).sort()).toEqual(
      [results[0]?.dedupKey, results[1]?.dedupKey].sort(),
    );
    expect(stderr).toContain("(1 duplicates hidden)");
    // Nothing was deleted, and everything it held was released.
    expect(await depth("results")).toMatchObject({ visible: 3, inFlight: 0 });
    await empty("results");
  });
});

describe("smh-cleaner redrive", () => {
  it("moves every dead-lettered command back to its source queue, body and attributes intact", async () => {
    await empty("recycle-actions");
    await empty("recycle-actions-dlq");
    const bodies = Array.from({ length: 25 }, (_, i) => JSON.stringify({ v: 1, n: i }));
    await publish(
      sqs,
      url("recycle-actions-dlq"),
      bodies.map((body, i) => ({
        id: String(i),
        body,
        attributes: { origin: { DataType: "String", StringValue: `dlq-${i}` } },
      })),
    );
    const run = await cli([
      "redrive",
      "--queue",
      "recycle-actions",
      "--idle-seconds",
      "1",
      "--json",
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      method: "copy",
      moved: 25,
      notSent: [],
      notDeleted: [],
    });
    expect(await depth("recycle-actions-dlq")).toMatchObject({ visible: 0, inFlight: 0 });
    const moved = await takeAll("recycle-actions");
    expect(moved.map((m) => m.Body).sort()).toEqual([...bodies].sort());
    for (const message of moved) {
      const n = (JSON.parse(message.Body ?? "{}") as { n: number }).n;
      expect(message.MessageAttributes?.origin?.StringValue).toBe(`dlq-${n}`);
    }
  });

  it("moves at most --max messages, leaving the rest in the DLQ", async () => {
    await empty("jobs");
    await publish(
      sqs,
      url("jobs-dlq"),
      Array.from({ length: 5 }, (_, i) => ({ id: String(i), body: `job ${i}` })),
    );
    const run = await cli(["redrive", "--queue", "jobs", "--max", "2", "--idle-seconds", "1"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("moved 2 messages");
    expect(await depth("jobs")).toMatchObject({ visible: 2 });
    expect(await depth("jobs-dlq")).toMatchObject({ visible: 3, inFlight: 0 });
  });
});

describe("finding the queues", () => {
  it("says the local stack is not running when the stack file's process has exited (exit 5)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smh-cli-stale-"));
    try {
      const exited = spawn(process.execPath, ["-e", ""]);
      const pid = exited.pid ?? 0;
      await new Promise((resolve) => exited.on("close", resolve));
      const stack = JSON.parse(
        await readFile(join(work, ".smh-cleaner", "local-stack.json"), "utf8"),
      );
      await writeStackFile(join(dir, ".smh-cleaner"), { ...stack, pid });
      const run = await cli(["status"], { cwd: dir });
      expect(run.code).toBe(5);
      expect(run.stderr).toContain("the local stack is not running: start it with npm start");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("says what to configure when there is no stack and no queue setting (exit 5)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smh-cli-none-"));
    try {
      const run = await cli(["enqueue", "--library", "smh1", "a/b"], { cwd: dir });
      expect(run.code).toBe(5);
      expect(run.stderr).toContain("no jobs queue is configured: pass --jobs-queue-url");
      expect(run.stderr).toContain("JOBS_QUEUE_URL");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("uses a queue name given by flag, at the endpoint given by flag", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smh-cli-flags-"));
    try {
      await empty("jobs-dlq");
      const name = queues.get("jobs-dlq")?.name ?? "";
      const run = await cli(
        [
          "enqueue",
          "--sqs-endpoint",
          server.endpoint,
          "--jobs-queue-url",
          name,
          "--library",
          "smh1",
          "--json",
          "flagged/1",
        ],
        { cwd: dir },
      );
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ enqueued: 1, queueUrl: url("jobs-dlq") });
      expect((await takeAll("jobs-dlq")).map((m) => parseJobBody(m.Body ?? "").ok)).toContain(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("finds a dead-letter queue through its source queue's redrive policy", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smh-cli-env-"));
    try {
      const run = await cli(["status", "--json"], {
        cwd: dir,
        env: { SQS_ENDPOINT: server.endpoint, JOBS_QUEUE_URL: url("jobs") },
      });
      expect(run.code).toBe(0);
      const status = JSON.parse(run.stdout);
      expect(status.queues.jobs.url).toBe(url("jobs"));
      expect(status.queues["jobs-dlq"]).toMatchObject({ configured: true, url: url("jobs-dlq") });
      expect(status.queues.results).toEqual({ url: null, configured: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
