// What the handlers may do in SMH, end to end: jobs and recycle commands on the queues in fauxqs,
// the local runner invoking the real delete-directories and recycle-actions handlers, the SMH
// simulator over HTTP behind a relay that counts every request.
//
// - A job for a library, space or prefix outside the deletion policy, for a protected path or an
//   ancestor of one, too deep, or permanent where the policy does not allow it, is rejected — with
//   exactly the rules an independent model of the policy predicts — and SMH never hears of it: no
//   request, no token, no deletion. So is a purge where the policy does not allow it. A library
//   whose secret the handler holds but which the policy does not list is refused all the same.
// - What the policy allows is done (the positive controls: otherwise "nothing was sent" would
//   prove nothing), and every token the handlers mint carries the least grant the call needs, for
//   the one space it acts in, for a short period — as the simulator's token log shows.
import { randomBytes } from "node:crypto";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeletionResult } from "../../lib/messages/deletion-result.ts";
import type { RecycleActionResult } from "../../lib/messages/recycle-action-result.ts";
import { parseResultMessage } from "../../lib/messages/result-message.ts";
import type { DeletionPolicyConfig } from "../../lib/policy/config.ts";
import type { TokenLogEntry } from "../../lib/sim/state/tokens.ts";
import { dedupe, type PipelineStack, startPipelineStack } from "../e2e/helpers/pipeline-stack.ts";

/** Libraries of this file, each with its own secret. */
const LIB = {
  /** Multi-tenant; positive controls: deletes, a permanent delete, a restore, a purge. */
  multi: "e2esecmulti",
  /** The same policy as `multi`; only forbidden jobs are sent for it. */
  guard: "e2esecguard",
  /** Single-tenant; no permanent deletion, no purge; only forbidden work is sent for it. */
  strict: "e2esecstrict",
  /** In SMH, its secret known to the handler, not in the policy. */
  foreign: "e2esecforeign",
} as const;
const SECRETS = Object.fromEntries(
  Object.values(LIB).map((id) => [id, `sec-${id}-${randomBytes(12).toString("hex")}`]),
);
const OK_SPACE = "spaceok";
const OTHER_SPACE = "spacenot";
const MAX_DEPTH = 5;

const guarded = {
  spaces: [OK_SPACE],
  allowedPrefixes: ["jobs"],
  protectedPaths: ["jobs/protected"],
  protectedGlobs: ["jobs/cases/*/evidence"],
  permanentPrefixes: ["jobs/perm"],
  maxDepth: MAX_DEPTH,
  allowPurge: true,
};
const POLICY: DeletionPolicyConfig = {
  libraries: {
    [LIB.multi]: guarded,
    [LIB.guard]: guarded,
    [LIB.strict]: { spaces: ["-"], allowedPrefixes: ["jobs"] },
  },
};

/** Directories both guarded libraries hold, in both spaces. */
const GUARDED_DIRECTORIES = [
  "jobs/m1",
  "jobs/m2",
  "jobs/m3",
  "jobs/perm/p1",
  "jobs/protected/x",
  "jobs/cases/c1/evidence",
  "jobs/cases/c1/notes",
  "jobs/a/b/c/d",
  "keep/k",
];

type Rule =
  | "library-not-allowed"
  | "space-not-allowed"
  | "prefix-not-allowed"
  | "protected-path"
  | "protects-descendant"
  | "path-too-deep"
  | "permanent-not-allowed"
  | "purge-not-allowed";

/**
 * The policy of the guarded libraries, modelled independently of lib/policy from its documented
 * rules: allowing compares segments exactly; protecting compares them folded (lower case), and
 * protects the path, everything in it and everything above it.
 */
function expectedRules(job: { spaceId: string; path: string; permanent: boolean }): Set<Rule> {
  const segments = job.path.split("/");
  const folded = segments.map((segment) => segment.toLowerCase());
  const rules = new Set<Rule>();
  if (job.spaceId !== OK_SPACE) rules.add("space-not-allowed");
  if (segments.length > MAX_DEPTH) rules.add("path-too-deep");
  const underJobs = segments.length > 1 && segments[0] === "jobs";
  if (!underJobs) rules.add("prefix-not-allowed");
  // jobs/protected, and every path jobs/cases/<any>/evidence.
  const protectedCovers =
    (folded[0] === "jobs" && folded[1] === "protected") ||
    (folded[0] === "jobs" &&
      folded[1] === "cases" &&
      folded.length >= 4 &&
      folded[3] === "evidence");
  const protectedBelow =
    (folded[0] === "jobs" && folded.length === 1) ||
    (folded[0] === "jobs" && folded[1] === "cases" && folded.length <= 3);
  if (protectedCovers) rules.add("protected-path");
  if (protectedBelow) rules.add("protects-descendant");
  const underPerm = segments.length > 2 && segments[0] === "jobs" && segments[1] === "perm";
  if (job.permanent && !underPerm) rules.add("permanent-not-allowed");
  return rules;
}

const segment = fc.constantFrom(
  "jobs",
  "JOBS",
  "keep",
  "protected",
  "Protected",
  "cases",
  "c1",
  "evidence",
  "EVIDENCE",
  "perm",
  "m1",
  "x",
);
/** Forbidden jobs for the guard library, with the rules the model predicts. */
const forbiddenJobs = fc
  .record({
    spaceId: fc.constantFrom(OK_SPACE, OK_SPACE, OK_SPACE, OTHER_SPACE, "-"),
    path: fc.array(segment, { minLength: 1, maxLength: 7 }).map((s) => s.join("/")),
    permanent: fc.boolean(),
  })
  .map((job) => ({ ...job, rules: expectedRules(job) }))
  .filter(({ rules }) => rules.size > 0);

let p: PipelineStack;
const resultsByJob = new Map<string, DeletionResult[]>();
const recycleResults: RecycleActionResult[] = [];
let sampled: {
  jobId: string;
  spaceId: string;
  path: string;
  permanent: boolean;
  rules: Set<Rule>;
}[];
const recycledIds: Record<string, number> = {};

/**
 * A job's results once duplicates are dropped by dedupKey: a batch redelivered after its results
 * were written (a loaded machine) writes them again, which consumers are told to expect.
 */
function deletionResultsOf(jobId: string): DeletionResult[] {
  return dedupe(
    p.results.filter(({ result }) => result.jobId === jobId).map(({ result }) => result),
  );
}

async function sendTo(queueUrl: string, bodies: readonly Record<string, unknown>[]) {
  for (let start = 0; start < bodies.length; start += 10) {
    const chunk = bodies.slice(start, start + 10);
    const answer = await p.stack.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((body, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(body),
        })),
      }),
    );
    if ((answer.Failed ?? []).length > 0) throw new Error(JSON.stringify(answer.Failed));
  }
}

function job(libraryId: string, jobId: string, fields: Record<string, unknown>) {
  return { v: 1, jobId, libraryId, source: "security-test", ...fields };
}

function recycleCommands(): RecycleActionResult[] {
  return p.unreadable.flatMap((body) => {
    const parsed = parseResultMessage(body);
    return parsed.ok && parsed.result.type === "recycle-action" ? [parsed.result] : [];
  });
}

beforeAll(async () => {
  p = await startPipelineStack({
    libraries: [],
    captureLogs: true,
    // 9 s functions: nothing here is about timeouts, and a 1 s invocation on a loaded machine
    // may die after its deletes and before its results (then the job is `recovered`).
    visibilityTimeoutSeconds: 60,
    env: {
      SMH_POLICY: JSON.stringify(POLICY),
      SMH_LIBRARY_SECRETS: JSON.stringify(SECRETS),
      // The demo's retention rules name libraries this policy does not list: no rules here.
      RETENTION_RULES: '{"v":1,"rules":[]}',
    },
  });
  const files = [{ name: "photo.jpg", size: 1024, contentType: "image/jpeg" }];
  for (const libraryId of [LIB.multi, LIB.guard]) {
    p.sim.addLibrary({
      id: libraryId,
      secret: SECRETS[libraryId] as string,
      multiSpace: true,
      recycleBin: true,
      spaces: [OK_SPACE, OTHER_SPACE].map((id) => ({
        id,
        directories: GUARDED_DIRECTORIES.map((path) => ({ path, files })),
      })),
    });
  }
  for (const libraryId of [LIB.strict, LIB.foreign]) {
    p.sim.addLibrary({
      id: libraryId,
      secret: SECRETS[libraryId] as string,
      multiSpace: false,
      recycleBin: true,
      spaces: [{ id: "-", directories: ["jobs/s1", "jobs/s2"].map((path) => ({ path, files })) }],
    });
  }

  // Forbidden work: every job for the guard library (sampled, with the model's rules), jobs for the
  // strict and foreign libraries, and a purge the strict library does not allow.
  sampled = fc
    .sample(forbiddenJobs, { numRuns: 400, seed: 7_501 })
    .map((candidate, index) => ({ jobId: `guard-${index}`, ...candidate }))
    .slice(0, 150);
  const forbidden = [
    ...sampled.map(({ jobId, spaceId, path, permanent }) =>
      job(LIB.guard, jobId, { spaceId, path, permanent }),
    ),
    job(LIB.strict, "strict-permanent", { path: "jobs/s1", permanent: true }),
    job(LIB.strict, "strict-space", { spaceId: OK_SPACE, path: "jobs/s1" }),
    job(LIB.foreign, "foreign", { path: "jobs/s1" }),
  ];
  // Allowed work in the multi library: the positive controls.
  const allowed = [
    job(LIB.multi, "multi-m1", { spaceId: OK_SPACE, path: "jobs/m1" }),
    job(LIB.multi, "multi-m2", { spaceId: OK_SPACE, path: "jobs/m2" }),
    job(LIB.multi, "multi-m3", { spaceId: OK_SPACE, path: "jobs/m3" }),
    job(LIB.multi, "multi-perm", { spaceId: OK_SPACE, path: "jobs/perm/p1", permanent: true }),
  ];
  await sendTo(p.jobsUrl, [...forbidden, ...allowed]);
  const jobIds = [...forbidden, ...allowed].map(({ jobId }) => jobId);
  await p.until("a result for every job", () =>
    jobIds.every((id) => p.results.some(({ result }) => result.jobId === id)),
  );
  for (const id of jobIds) resultsByJob.set(id, deletionResultsOf(id));
  for (const name of ["multi-m1", "multi-m2"]) {
    const result = resultsByJob.get(name)?.[0];
    if (result?.outcome !== "recycled") throw new Error(`${name}: ${result?.outcome}`);
    recycledIds[name] = result.recycledItemId;
  }

  // Recycle commands: a restore and a purge the policy allows, a purge and a restore it refuses.
  const recycleUrl = p.stack.queues.get("recycle-actions")?.url;
  if (!recycleUrl) throw new Error("no recycle-actions queue");
  const command = (
    commandId: string,
    libraryId: string,
    spaceId: string,
    action: string,
    ids: number[],
  ) => ({
    v: 1,
    commandId,
    action,
    libraryId,
    spaceId,
    recycledItemIds: ids,
  });
  await sendTo(recycleUrl, [
    command("restore-m1", LIB.multi, OK_SPACE, "restore", [recycledIds["multi-m1"] as number]),
    command("purge-m2", LIB.multi, OK_SPACE, "purge", [recycledIds["multi-m2"] as number]),
    command("purge-strict", LIB.strict, "-", "purge", [1]),
    command("restore-foreign", LIB.foreign, "-", "restore", [1]),
  ]);
  await p.until("a result for every recycle command", () => {
    const ids = new Set(recycleCommands().map((result) => result.commandId));
    return ["restore-m1", "purge-m2", "purge-strict", "restore-foreign"].every((id) => ids.has(id));
  });
  recycleResults.push(...dedupe(recycleCommands()));
}, 90_000);

afterAll(async () => {
  await p?.stop();
}, 60_000);

function rulesOf(result: DeletionResult | undefined): string[] {
  if (result?.outcome !== "rejected") return [`not rejected: ${result?.outcome}`];
  return result.reasons
    .map((reason) => ("rule" in reason ? reason.rule : `field ${reason.path}`))
    .sort();
}

describe("jobs outside the deletion policy", () => {
  it("rejects each sampled forbidden job with exactly the rules the policy model predicts", () => {
    expect(sampled.length).toBe(150);
    const kinds = new Set(sampled.flatMap(({ rules }) => [...rules]));
    expect([...kinds].sort()).toEqual(
      [
        "path-too-deep",
        "permanent-not-allowed",
        "prefix-not-allowed",
        "protected-path",
        "protects-descendant",
        "space-not-allowed",
      ].sort(),
    );
    for (const { jobId, path, spaceId, permanent, rules } of sampled) {
      const results = resultsByJob.get(jobId) ?? [];
      expect(results, jobId).toHaveLength(1);
      expect(rulesOf(results[0]), `${spaceId}/${path}${permanent ? " (permanent)" : ""}`).toEqual(
        [...rules].sort(),
      );
    }
  });

  it("rejects a permanent deletion where the library allows none, and a space the library does not list", () => {
    expect(rulesOf(resultsByJob.get("strict-permanent")?.[0])).toEqual(["permanent-not-allowed"]);
    expect(rulesOf(resultsByJob.get("strict-space")?.[0])).toEqual(["space-not-allowed"]);
  });

  it("rejects a library the policy does not list, even though the handler holds its secret", () => {
    expect(rulesOf(resultsByJob.get("foreign")?.[0])).toEqual(["library-not-allowed"]);
  });

  it("rejects a purge the policy does not allow, and any recycle action in a library it does not list", () => {
    const byCommand = (id: string) => recycleResults.filter((result) => result.commandId === id);
    const purge = byCommand("purge-strict");
    expect(purge.map((result) => result.outcome)).toEqual(["rejected"]);
    expect(JSON.stringify(purge[0])).toContain("purge-not-allowed");
    const restore = byCommand("restore-foreign");
    expect(restore.map((result) => result.outcome)).toEqual(["rejected"]);
    expect(JSON.stringify(restore[0])).toContain("library-not-allowed");
  });

  it("never sends SMH anything for them: no request, no token, no deletion, every directory still there", () => {
    for (const libraryId of [LIB.guard, LIB.strict, LIB.foreign]) {
      expect(
        p.sim.calls().filter((call) => call.libraryId === libraryId),
        libraryId,
      ).toEqual([]);
      expect(
        p.sim.tokens().filter((token) => token.libraryId === libraryId),
        libraryId,
      ).toEqual([]);
      expect(
        p.sim.groundTruth().deletions.filter((deletion) => deletion.libraryId === libraryId),
      ).toEqual([]);
    }
    for (const spaceId of [OK_SPACE, OTHER_SPACE]) {
      for (const path of GUARDED_DIRECTORIES) {
        expect(p.sim.exists(LIB.guard, spaceId, path), `${spaceId}/${path}`).toBe(true);
      }
    }
  });
});

describe("what the policy allows", () => {
  it("is done: deletes to the recycle bin, a permanent delete under the permanent prefix, a restore and a purge", () => {
    for (const name of ["multi-m1", "multi-m2", "multi-m3"]) {
      expect(resultsByJob.get(name)?.map(({ outcome }) => outcome)).toEqual(["recycled"]);
    }
    expect(resultsByJob.get("multi-perm")?.map(({ outcome }) => outcome)).toEqual(["deleted"]);
    expect(p.sim.exists(LIB.multi, OK_SPACE, "jobs/perm/p1")).toBe(false);
    expect(p.sim.findRecycled(LIB.multi, OK_SPACE, "jobs/perm/p1")).toEqual([]);
    const outcomes = Object.fromEntries(
      recycleResults.map((result) => [result.commandId, result.outcome]),
    );
    expect(outcomes).toMatchObject({ "restore-m1": "restored", "purge-m2": "purged" });
    expect(p.sim.exists(LIB.multi, OK_SPACE, "jobs/m1")).toBe(true);
  });

  it("mints every token with the least grant its call needs, bound to the one space, for at most an hour", () => {
    const minted = p.sim.tokens();
    expect(minted.length).toBeGreaterThan(0);
    // Only the library that had allowed work has tokens at all.
    expect(new Set(minted.map(({ libraryId }) => libraryId))).toEqual(new Set([LIB.multi]));
    const grantSets = new Set(
      minted.map((token: TokenLogEntry) => [...token.grants].sort().join(",")),
    );
    // Recycle: delete_directory; permanent (bin on): both directory grants; restore and purge
    // their own; listing the bin (recovering a lost handle) nothing at all.
    const allowed = new Set([
      "delete_directory",
      "delete_directory,delete_directory_permanent",
      "restore_recycled",
      "delete_recycled",
      "",
    ]);
    for (const grants of grantSets) expect(allowed.has(grants), `grants "${grants}"`).toBe(true);
    for (const needed of [
      "delete_directory",
      "delete_directory,delete_directory_permanent",
      "restore_recycled",
      "delete_recycled",
    ]) {
      expect(grantSets.has(needed), `a token with ${needed}`).toBe(true);
    }
    for (const token of minted) {
      expect(token.spaceIds).toEqual([OK_SPACE]);
      expect(token.periodSeconds).toBeLessThanOrEqual(3600);
    }
  });
});
