// End to end: `smh-cleaner plan` and `smh-cleaner retention run`, spawned as a user runs them,
// against the local stack (fauxqs, the simulator with the demo data, the delete function in the
// local runner) found through its stack file.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../lib/local/stack.ts";
import { parseResultMessage, type ResultMessage } from "../../lib/messages/result-message.ts";
import { deleteBatch } from "../../lib/queues/acknowledge.ts";
import { receive } from "../../lib/queues/receive.ts";
import { DEMO } from "../../lib/sim/seeds/demo.ts";
import { type CliRun, environmentWithout, spawnCli } from "./helpers/cli.ts";
import { pendingMessages, until as pollUntil, queueUrl } from "./helpers/stack-io.ts";

const EXAMPLE_RULES = fileURLToPath(new URL("../../examples/retention-rules.yml", import.meta.url));
// Variables that would point the CLI somewhere else than the stack file.
const LOCATION_VARIABLES = [
  "SQS_ENDPOINT",
  "AWS_REGION",
  "JOBS_QUEUE_URL",
  "RESULTS_QUEUE_URL",
  "SMH_BASE_URL",
  "SMH_LIBRARY_SECRETS",
  "SMH_POLICY",
  "SMH_POLICY_FILE",
  "SMH_CLEANER_STATE_DIR",
];
// A run at one fixed instant, so the plan and the run are of the same schedule.
const AT = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

let work: string;
let stack: LocalStack;
const results: ResultMessage[] = [];

function cli(args: string[]): Promise<CliRun> {
  const env = {
    ...environmentWithout(LOCATION_VARIABLES),
    SMH_CLEANER_STATE_DIR: join(work, "state"),
  };
  return spawnCli(args, { cwd: work, env });
}

function json(run: CliRun): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

function jobsPending(): Promise<number> {
  return pendingMessages(stack.sqs, queueUrl(stack, "jobs"));
}

/** Reads (and deletes) what is on the results queue into `results`. */
async function readResults(): Promise<void> {
  const url = queueUrl(stack, "results");
  for (;;) {
    const batch = await receive(stack.sqs, url, { waitTimeSeconds: 1 });
    if (batch.length === 0) return;
    for (const message of batch) {
      const parsed = parseResultMessage(message.Body ?? "");
      if (parsed.ok) results.push(parsed.result);
    }
    await deleteBatch(
      stack.sqs,
      url,
      batch.map((m) => ({ id: String(m.MessageId), receiptHandle: String(m.ReceiptHandle) })),
    );
  }
}

/** Polls every 200 ms until `condition` holds; a minute at the most. */
function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  return pollUntil(what, condition, 60_000, 200);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "smh-retention-cli-"));
  stack = await startLocalStack({
    stateDir: join(work, "state"),
    hostEnv: {},
    pollWaitSeconds: 1,
    env: { POWERTOOLS_LOG_LEVEL: "SILENT" },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** What `plan --json` printed, to compare the run with. */
let preview: Record<string, unknown>;

describe("smh-cleaner plan", () => {
  it("prints, per rule, the directories a run would delete with their age, and enqueues nothing", async () => {
    const run = await cli(["plan", "--rules", EXAMPLE_RULES, "--at", AT, "--show", "3"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("rule events-older-than-2y  smhdemo000001/spacedemofiles1/events");
    expect(run.stdout).toMatch(/a run would enqueue \d+ deletion job\(s\) \(to the recycle bin\)/);
    expect(run.stdout).toMatch(/ {4}events\/20\d\d-\d\d-[a-z-]+ +20\d\d-[\d-]+T[\d:.]+Z +\d+d/);
    expect(run.stdout).toContain("rule albums-older-than-900d");
    expect(run.stdout).toContain("preview only (the rule is dryRun)");
    // Disabled rules are not run.
    expect(run.stdout).not.toContain("scratch-after-30d");
    expect(await jobsPending()).toBe(0);
  });

  it("prints every plan as JSON, with every directory it selected", async () => {
    const run = await cli(["plan", "--rules", EXAMPLE_RULES, "--at", AT, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    preview = json(run);
    const plans = preview.plans as {
      ruleId: string;
      paths: string[];
      counts: { selected: number };
    }[];
    const events = plans.find((plan) => plan.ruleId === "events-older-than-2y");
    expect(events?.paths.length).toBe(events?.counts.selected);
    expect(events?.paths.length).toBeGreaterThan(0);
    const twoYearsAgo = Date.parse(AT) - 730 * 86_400_000;
    for (const path of events?.paths ?? []) {
      const created = stack.sim?.tree(
        DEMO.multiTenant.libraryId,
        DEMO.multiTenant.filesSpaceId,
        path,
        0,
      )?.creationTime;
      expect(Date.parse(String(created)), path).toBeLessThan(twoYearsAgo);
    }
    expect(await jobsPending()).toBe(0);
  });

  it("exits 4 as retention run does when a cap would refuse a rule; a dryRun rule refuses nothing", async () => {
    const rule = (id: string, dryRun: boolean) =>
      `  - id: ${id}\n    libraryId: ${DEMO.multiTenant.libraryId}\n    spaces: [${DEMO.multiTenant.filesSpaceId}]\n    parent: events\n    age: { maxAge: 730d }\n    caps: { maxDeletesPerRun: 2 }\n    dryRun: ${dryRun}\n`;
    await writeFile(join(work, "capped.yml"), `v: 1\nrules:\n${rule("capped", false)}`);
    await writeFile(join(work, "previewed.yml"), `v: 1\nrules:\n${rule("previewed", true)}`);

    const capped = await cli(["plan", "--rules", "capped.yml", "--at", AT]);
    expect(capped.code, capped.stderr).toBe(4);
    expect(capped.stdout).toMatch(
      /REFUSED: .*maxDeletesPerRun allows 2.*a run enqueues none of it/,
    );
    const cappedJson = await cli(["plan", "--rules", "capped.yml", "--at", AT, "--json"]);
    expect(cappedJson.code).toBe(4);
    expect((json(cappedJson).plans as { runDecision: string }[])[0]?.runDecision).toBe(
      "cap-breach",
    );

    const previewed = await cli(["plan", "--rules", "previewed.yml", "--at", AT]);
    expect(previewed.code, previewed.stderr).toBe(0);
    expect(previewed.stdout).toMatch(/preview only \(the rule is dryRun\).*it would break a cap/);
    expect(previewed.stdout).not.toContain("REFUSED");
    expect(await jobsPending()).toBe(0);
  });

  it("refuses an invalid rules file with exit 3, naming each bad field by path and line", async () => {
    await writeFile(
      join(work, "bad.yml"),
      "v: 1\nrules:\n  - id: bad\n    libraryId: smhdemo000001\n    spaces: ['-']\n    parent: events\n    age: { maxAge: 6 months }\n    dryrun: true\n",
    );
    const run = await cli(["plan", "--rules", "bad.yml"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("rules[0].age.maxAge (line 7");
    expect(run.stderr).toContain("rules[0].dryrun (line 8");
    expect(run.stdout).toBe("");
  });

  it("refuses rules the deletion policy makes pointless, with exit 3", async () => {
    await writeFile(
      join(work, "elsewhere.yml"),
      "v: 1\nrules:\n  - id: elsewhere\n    libraryId: smhnotinpolicy\n    spaces: ['-']\n    parent: x\n    age: { maxAge: 30d }\n",
    );
    const run = await cli(["plan", "--rules", "elsewhere.yml"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      "rules[0].libraryId: library smhnotinpolicy is not in the deletion policy",
    );
  });
});

describe("smh-cleaner retention run", () => {
  it("refuses a rule whose run would break a cap with exit 4, enqueuing none of it", async () => {
    await writeFile(
      join(work, "tight.yml"),
      `v: 1\nrules:\n  - id: tight\n    libraryId: ${DEMO.multiTenant.libraryId}\n    spaces: [${DEMO.multiTenant.filesSpaceId}]\n    parent: events\n    age: { maxAge: 730d }\n    caps: { maxDeletesPerRun: 2 }\n`,
    );
    const run = await cli(["retention", "run", "--rules", "tight.yml", "--at", AT]);
    expect(run.code).toBe(4);
    expect(run.stdout).toContain("cap-breach");
    expect(run.stderr).toMatch(/ALERT retention rule "tight" .* maxDeletesPerRun allows 2/);
    expect(await jobsPending()).toBe(0);
    await readResults();
    expect(
      results.filter(
        (r) => r.type === "retention-alert" && r.alert === "cap-breach" && r.ruleId === "tight",
      ),
    ).toHaveLength(1);
  });

  it("runs the plan it previewed: the same plan hash, its jobs enqueued and deleted once each", async () => {
    const run = await cli(["retention", "run", "--rules", EXAMPLE_RULES, "--at", AT, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const scans = json(run).scans as {
      ruleId: string;
      decision: string;
      planHash: string;
      counts: { enqueued: number; selected: number };
    }[];
    const events = scans.find((scan) => scan.ruleId === "events-older-than-2y");
    const previewed = (preview.plans as { ruleId: string; planHash: string }[]).find(
      (plan) => plan.ruleId === "events-older-than-2y",
    );
    expect(events?.planHash).toBe(previewed?.planHash);
    expect(events?.decision).toBe("enqueue");
    expect(events?.counts.enqueued).toBe(events?.counts.selected);
    expect(scans.find((scan) => scan.ruleId === "albums-older-than-900d")?.decision).toBe(
      "dry-run",
    );

    await until(
      "the delete function to empty the jobs queue",
      async () => (await jobsPending()) === 0,
    );
    await until("a result for every job", async () => {
      await readResults();
      return (
        results.filter((r) => r.type === "deletion" && r.ruleId === "events-older-than-2y")
          .length >= (events?.counts.enqueued ?? 0)
      );
    });
    const deletions = results.filter(
      (r) => r.type === "deletion" && r.ruleId === "events-older-than-2y",
    );
    expect(deletions).toHaveLength(events?.counts.enqueued ?? -1);
    expect(new Set(deletions.map((r) => (r.type === "deletion" ? r.path : ""))).size).toBe(
      deletions.length,
    );
    expect(deletions.every((r) => r.type === "deletion" && r.outcome === "recycled")).toBe(true);
    const summary = results.find(
      (r) =>
        r.type === "retention-plan" &&
        r.ruleId === "events-older-than-2y" &&
        r.decision === "enqueue",
    );
    expect(summary?.type === "retention-plan" && summary.planHash).toBe(events?.planHash);
  }, 90_000);

  it("run again at the same time finds nothing left and enqueues nothing", async () => {
    const run = await cli(["retention", "run", "--rules", EXAMPLE_RULES, "--at", AT, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const scans = json(run).scans as { ruleId: string; counts: { enqueued: number } }[];
    expect(scans.find((scan) => scan.ruleId === "events-older-than-2y")?.counts.enqueued).toBe(0);
    expect(await jobsPending()).toBe(0);
  });
});
