// End to end: the recycle-actions function as Lambda would run it — commands on the
// recycle-actions queue of the local stack (fauxqs), the local runner invoking
// handlers/recycle-actions.ts, the SMH simulator restoring and purging, results on the results
// queue. Each scenario owns a library, so faults and recycle bins never cross.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPolicy } from "../../lib/local/demo-policy.ts";
import type { RunnerEvent } from "../../lib/local/runner-events.ts";
import { type LocalStack, startLocalStack } from "../../lib/local/stack.ts";
import { readTopology } from "../../lib/local/topology.ts";
import type { RecycleActionResult } from "../../lib/messages/recycle-action-result.ts";
import { createRecycleCommand } from "../../lib/messages/recycle-command.ts";
import { parseResultMessage } from "../../lib/messages/result-message.ts";
import type { DeletionPolicyConfig } from "../../lib/policy/config.ts";
import { queueDepths } from "../../lib/queues/depths.ts";
import { publish } from "../../lib/queues/publish.ts";
import type { Simulator } from "../../lib/sim/simulator.ts";
import { demoLibrarySecrets, drain, until as pollUntil, queueUrl } from "./helpers/stack-io.ts";

interface TestLibrary {
  libraryId: string;
  secret: string;
  allowPurge: boolean;
}

const library = (name: string, allowPurge = true): TestLibrary => ({
  libraryId: `e2erecycle${name}`,
  secret: `secret-${name}-${randomBytes(8).toString("hex")}`,
  allowPurge,
});

const LIBRARIES = {
  conflict: library("conflict"),
  purge: library("purge"),
  many: library("many"),
  transient: library("transient"),
  doomed: library("doomed"),
  restoreOnly: library("restoreonly", false),
};

let stack: LocalStack;
let sim: Simulator;
/** The results, one per dedupKey (see {@link keep}), in the order their keys first arrived. */
const results: RecycleActionResult[] = [];
const resultIndexByKey = new Map<string, number>();
const unreadable: string[] = [];
const deadLetters: string[] = [];
const events: RunnerEvent[] = [];
const draining = new AbortController();
let drains: Promise<void>[] = [];
let maxReceiveCount: number;

const url = (key: string) => queueUrl(stack, key);

/** Polls until `condition` holds; a minute by default. */
function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  return pollUntil(what, condition, timeoutMs);
}

/** Creates `paths` (one photo each) in space `-` and deletes them to the recycle bin; their IDs. */
async function recycle(lib: TestLibrary, paths: readonly string[]): Promise<number[]> {
  for (const path of paths) {
    sim.createDirectory(lib.libraryId, "-", path, {
      files: [{ name: "photo.jpg", size: 2048, contentType: "image/jpeg" }],
    });
  }
  const token = sim.issueToken(lib.libraryId, { grants: ["delete_directory"] });
  const ids: number[] = [];
  for (const path of paths) {
    const target = new URL(
      `/api/v1/directory/${lib.libraryId}/-/${path.split("/").map(encodeURIComponent).join("/")}`,
      sim.url,
    );
    target.searchParams.set("access_token", token);
    const response = await fetch(target, { method: "DELETE" });
    const body = (await response.json()) as { recycledItemId: number };
    ids.push(body.recycledItemId);
  }
  return ids;
}

async function send(input: Parameters<typeof createRecycleCommand>[0] | string): Promise<string> {
  const body = typeof input === "string" ? input : JSON.stringify(createRecycleCommand(input));
  const sent = await publish(stack.sqs, url("recycle-actions"), [{ id: "c", body }]);
  if (sent.failed.length > 0) throw new Error(`not sent: ${JSON.stringify(sent.failed)}`);
  return body;
}

/**
 * Takes a result as a consumer of the results queue does: one per dedupKey, the one with a
 * restoredPath when there is one. On a loaded machine an invocation can hit its deadline (the
 * local function timeout is 1 s) and the command comes back: its items then get the same fact
 * twice (a second conflict; expired after restored, since SMH no longer knows a restored item).
 * The tests assert each item's fact, not how many deliveries it took.
 */
function keep(result: RecycleActionResult): void {
  const at = resultIndexByKey.get(result.dedupKey);
  if (at === undefined) {
    resultIndexByKey.set(result.dedupKey, results.length);
    results.push(result);
    return;
  }
  const kept = results[at];
  if (kept && !restoredPathOf(kept) && restoredPathOf(result)) results[at] = result;
}

function restoredPathOf(result: RecycleActionResult): string | undefined {
  return "restoredPath" in result ? result.restoredPath : undefined;
}

function resultsOf(libraryId: string): RecycleActionResult[] {
  return results.filter((result) => result.libraryId === libraryId);
}

function byItem(libraryId: string): Record<number, string> {
  const map: Record<number, string> = {};
  for (const result of resultsOf(libraryId)) {
    if (result.recycledItemId !== undefined) map[result.recycledItemId] = result.outcome;
  }
  return map;
}

async function queueIsEmpty(key: string): Promise<boolean> {
  const depths = await queueDepths(stack.sqs, url(key));
  return depths.visible + depths.inFlight + depths.delayed === 0;
}

beforeAll(async () => {
  const policy: DeletionPolicyConfig = demoPolicy();
  const secrets = demoLibrarySecrets();
  for (const lib of Object.values(LIBRARIES)) {
    policy.libraries[lib.libraryId] = {
      spaces: ["-"],
      allowedPrefixes: ["albums"],
      allowPurge: lib.allowPurge,
    };
    secrets[lib.libraryId] = lib.secret;
  }
  stack = await startLocalStack({
    // The function timeout is a sixth: 1 s, ample for a simulator with no latency.
    visibilityTimeoutSeconds: 8,
    pollWaitSeconds: 1,
    hostEnv: {},
    onRunnerEvent: (event) => events.push(event),
    env: {
      SMH_POLICY: JSON.stringify(policy),
      SMH_LIBRARY_SECRETS: JSON.stringify(secrets),
      POWERTOOLS_LOG_LEVEL: "SILENT",
      // A command SMH keeps failing is given up after 3 failed attempts (the parking delays are
      // scaled to seconds by the stack). Attempts count only while the library's circuit is
      // closed (a failed probe says SMH is down, not that the command fails): no circuit opens here.
      MAX_SMH_ATTEMPTS: "3",
      CIRCUIT_FAILURE_THRESHOLD: "1000",
    },
  });
  if (!stack.sim) throw new Error("the local stack should run the simulator");
  sim = stack.sim;
  for (const lib of Object.values(LIBRARIES)) {
    sim.addLibrary({
      id: lib.libraryId,
      secret: lib.secret,
      multiSpace: false,
      recycleBin: true,
      spaces: [{ id: "-", directories: [{ path: "albums" }] }],
    });
  }
  const definition = readTopology().queues.find(({ key }) => key === "recycle-actions");
  maxReceiveCount = definition?.deadLetter?.maxReceiveCount ?? 0;
  drains = [
    drain(stack.sqs, url("results"), draining.signal, (body) => {
      const parsed = parseResultMessage(body);
      if (parsed.ok && parsed.result.type === "recycle-action") keep(parsed.result);
      else unreadable.push(body);
    }),
    drain(stack.sqs, url("recycle-actions-dlq"), draining.signal, (body) => deadLetters.push(body)),
  ];
}, 60_000);

afterAll(async () => {
  draining.abort();
  await Promise.all(drains);
  await stack?.stop();
});

describe("the recycle-actions function", () => {
  it("runs with the maxReceiveCount of its own queue, as serverless.yml sets it", () => {
    expect(maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(stack.handlerEnv.RECYCLE_MAX_RECEIVE_COUNT).toBe(String(maxReceiveCount));
  });

  it("reports a same-name clash as conflict when asked to, and renames it otherwise", async () => {
    const lib = LIBRARIES.conflict;
    const [first, second] = await recycle(lib, ["albums/2019 Beach", "albums/2019 Hike"]);
    // Someone made a new "2019 Beach" since.
    sim.createDirectory(lib.libraryId, "-", "albums/2019 Beach");
    await send({
      action: "restore",
      libraryId: lib.libraryId,
      recycledItemIds: [first as number, second as number],
      conflictStrategy: "ask",
    });
    await until("two results", () => resultsOf(lib.libraryId).length === 2);
    expect(byItem(lib.libraryId)).toEqual({
      [first as number]: "conflict",
      [second as number]: "restored",
    });
    const conflict = resultsOf(lib.libraryId).find((r) => r.outcome === "conflict");
    expect(conflict && "error" in conflict && conflict.error).toMatchObject({
      status: 409,
      code: "SameNameDirectoryOrFileExists",
    });

    await send({ action: "restore", libraryId: lib.libraryId, recycledItemIds: [first as number] });
    await until("the renamed restore", () => resultsOf(lib.libraryId).length === 3);
    const renamed = resultsOf(lib.libraryId).at(-1);
    expect(renamed).toMatchObject({ outcome: "restored", restoredPath: "albums/2019 Beach (1)" });
    expect(sim.exists(lib.libraryId, "-", "albums/2019 Beach (1)/photo.jpg")).toBe(true);
  });

  it("restores a command of 120 items through SMH's asynchronous batch (202 and a task), one result each", async () => {
    const lib = LIBRARIES.many;
    const paths = Array.from({ length: 120 }, (_, i) => `albums/a${String(i).padStart(3, "0")}`);
    const ids = await recycle(lib, paths);
    // The local function times out after 1 s: let the task finish well within it.
    sim.setFaults(lib.libraryId, { asyncTaskDelayMs: 50 });
    await send({ action: "restore", libraryId: lib.libraryId, recycledItemIds: ids });
    await until("120 results", () => resultsOf(lib.libraryId).length >= 120);
    expect(Object.values(byItem(lib.libraryId)).every((outcome) => outcome === "restored")).toBe(
      true,
    );
    expect(new Set(resultsOf(lib.libraryId).map((r) => r.recycledItemId))).toEqual(new Set(ids));
    for (const path of paths)
      expect(sim.exists(lib.libraryId, "-", `${path}/photo.jpg`)).toBe(true);
    expect(sim.tasks(lib.libraryId).map((task) => task.kind)).toContain("batchRestore");
  });

  it("when a purge batch fails with 500, learns each item's fate with single purges: purged, or expired", async () => {
    const lib = LIBRARIES.purge;
    const ids = await recycle(lib, ["albums/x", "albums/y"]);
    const unknown = 987_654;
    // SMH fails the whole batch when it names an unknown item: nothing is purged, no per-item detail.
    sim.setOptions({ purgeBatchUnknownIds: "fail" });
    try {
      await send({ action: "purge", libraryId: lib.libraryId, recycledItemIds: [...ids, unknown] });
      await until("three results", () => resultsOf(lib.libraryId).length === 3);
    } finally {
      sim.setOptions({ purgeBatchUnknownIds: "ignore" });
    }
    expect(byItem(lib.libraryId)).toEqual({
      [ids[0] as number]: "purged",
      [ids[1] as number]: "purged",
      [unknown]: "expired",
    });
    expect(sim.recycleBin(lib.libraryId, "-")).toEqual([]);
    const routes = sim.stats().byRoute;
    expect(routes["recycled.purgeBatch"]?.["500"]).toBeGreaterThanOrEqual(1);
    expect(routes["recycled.purge"]?.["204"]).toBeGreaterThanOrEqual(2);
    expect(routes["recycled.purge"]?.["404"]).toBeGreaterThanOrEqual(1);
  });

  it("rejects, without calling SMH, a purge the policy does not allow and a body that is not a command", async () => {
    const lib = LIBRARIES.restoreOnly;
    const ids = await recycle(lib, ["albums/keep"]);
    await send({ action: "purge", libraryId: lib.libraryId, recycledItemIds: ids });
    await send(
      '{"v":1,"action":"purge","libraryId":"e2erecyclerestoreonly","recycledItemIds":[0]}',
    );
    await until("two rejections", () => resultsOf(lib.libraryId).length === 2);
    const [policy, invalid] = resultsOf(lib.libraryId);
    expect(policy).toMatchObject({
      outcome: "rejected",
      recycledItemId: ids[0],
      reasons: [{ rule: "purge-not-allowed" }],
    });
    expect(invalid).toMatchObject({
      outcome: "rejected",
      reasons: [expect.objectContaining({ path: "recycledItemIds.0" })],
    });
    expect(sim.recycleBin(lib.libraryId, "-").map((item) => item.recycledItemId)).toEqual(ids);
  });

  it("parks a command while SMH fails, and restores its items once SMH recovers: one result per item", async () => {
    const lib = LIBRARIES.transient;
    const ids = await recycle(lib, ["albums/t1", "albums/t2", "albums/t3"]);
    sim.setFaults(lib.libraryId, {
      error503Ratio: 1,
      routes: ["recycled.restore", "recycled.restoreBatch"],
    });
    const failedCalls = () =>
      sim.calls().filter((call) => call.libraryId === lib.libraryId && call.status === 503).length;
    await send({ action: "restore", libraryId: lib.libraryId, recycledItemIds: ids });
    await until("SMH to fail a restore of the command", () => failedCalls() > 0);
    expect(resultsOf(lib.libraryId)).toEqual([]);
    sim.setFaults(lib.libraryId, { error503Ratio: 0 });
    await until("three results", () => resultsOf(lib.libraryId).length >= 3, 45_000);
    await until("the queue to empty", () => queueIsEmpty("recycle-actions"));
    expect(resultsOf(lib.libraryId)).toHaveLength(3);
    expect(byItem(lib.libraryId)).toEqual(Object.fromEntries(ids.map((id) => [id, "restored"])));
    // Parked, not dead-lettered: nothing of this library in the DLQ.
    expect(deadLetters.filter((body) => body.includes(lib.libraryId))).toEqual([]);
  }, 60_000);

  it("after MAX_SMH_ATTEMPTS failed attempts writes a failed result for each item, then sends the command to the DLQ", async () => {
    const lib = LIBRARIES.doomed;
    const ids = await recycle(lib, ["albums/d1", "albums/d2"]);
    sim.setFaults(lib.libraryId, {
      error503Ratio: 1,
      routes: ["recycled.restore", "recycled.restoreBatch"],
    });
    const body = await send({ action: "restore", libraryId: lib.libraryId, recycledItemIds: ids });
    await until("the command in the DLQ", () => deadLetters.includes(body), 90_000);
    const failed = resultsOf(lib.libraryId);
    expect(failed.map((r) => r.outcome)).toEqual(["failed", "failed"]);
    for (const result of failed) {
      expect("error" in result && result.error.message).toContain(
        "given up after 3 failed SMH attempts (MAX_SMH_ATTEMPTS 3); moving to the DLQ",
      );
    }
    // Nothing was restored, and the items are still in the recycle bin for a redrive later.
    expect(
      sim
        .recycleBin(lib.libraryId, "-")
        .map((item) => item.recycledItemId)
        .sort(),
    ).toEqual([...ids].sort());
  }, 120_000);

  it("publishes nothing but recycle-action results", () => {
    expect(unreadable).toEqual([]);
  });
});
