// The retention-scan function end to end: fired by the schedule (or invoked by an operator) on the
// local stack, listing the simulator over HTTP, enqueuing on fauxqs, its jobs deleted by the real
// delete-directories function, every plan, alert and result read back from the results queue.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RetentionPlanSummary } from "../../lib/messages/retention-result.ts";
import { queueDepths } from "../../lib/queues/depths.ts";
import type { RefusedRunDescription, RunDescription } from "../../lib/retention/report.ts";
import { type RetentionStack, startRetentionStack } from "./helpers/retention-stack.ts";

const DAY = 86_400_000;
// EventBridge fires on whole seconds.
const scheduledAt = new Date(Math.floor(Date.now() / 1000) * 1000);
const daysAgo = (days: number) => new Date(scheduledAt.getTime() - days * DAY).toISOString();

const SECRETS = {
  events: "e2e-retention-secret-events-91c3",
  capped: "e2e-retention-secret-capped-4d7e",
  preview: "e2e-retention-secret-preview-0a5b",
  every: "e2e-retention-secret-every-6f28",
  listed: "e2e-retention-secret-listed-b3d9",
};

/** `events/`: five old directories to delete, and what each check of a rule leaves alone. */
const EVENTS = [
  { name: "2023-01-launch", created: daysAgo(700) },
  { name: "2023-06-party", created: daysAgo(560) },
  { name: "2024-02-offsite", created: daysAgo(400) },
  { name: "2024-09-summit", created: daysAgo(366) },
  // Created 365 days and 1 ms before the run: older than 365d.
  {
    name: "2024-10-meetup",
    created: new Date(scheduledAt.getTime() - 365 * DAY - 1).toISOString(),
  },
  // Exactly 365 days old: kept (older than means strictly older).
  { name: "2024-10-exactly", created: daysAgo(365) },
  // Written with a +08:00 offset: the same instant, 200 days ago.
  { name: "2025-06-retreat", created: daysAgo(200).replace("Z", "+00:00") },
  { name: "2025-12-demo-day", created: daysAgo(20) },
  { name: "2030-01-future", created: daysAgo(-30) },
  { name: "2022-05-keep", created: daysAgo(900) },
  { name: "archive-old", created: daysAgo(900) },
  { name: "2022-01-legal", created: daysAgo(1200) },
];
const TO_DELETE = [
  "2023-01-launch",
  "2023-06-party",
  "2024-02-offsite",
  "2024-09-summit",
  "2024-10-meetup",
];

const RULES = `v: 1
rules:
  - id: events-yearly
    libraryId: e2eretevents
    spaces: ["-"]
    parent: events
    match:
      include: ["20??-*"]
      exclude: [{ glob: "*-KEEP", ignoreCase: true }]
    age: { maxAge: 365d }
  - id: capped
    libraryId: e2eretcapped
    spaces: ["-"]
    parent: old
    age: { maxAge: 30d }
    caps: { maxDeletesPerRun: 3, maxFractionPerRun: 1 }
  - id: preview-only
    libraryId: e2eretpreview
    spaces: ["-"]
    parent: old
    age: { maxAge: 30d }
    dryRun: true
  - id: every-space
    libraryId: e2eretevery
    spaces: "*"
    parent: albums
    age: { maxAge: 30d }
    caps: { maxDeletesPerRun: 10, maxFractionPerRun: 1 }
  - id: listed-spaces
    libraryId: e2eretlisted
    spaces: "*"
    parent: albums
    age: { maxAge: 30d }
    caps: { maxDeletesPerRun: 10, maxFractionPerRun: 1 }
`;

const dirs = (parent: string, names: string[], created: string) =>
  names.map((name) => ({ path: `${parent}/${name}`, creationTime: created }));

let env: RetentionStack;
/**
 * The scans here are small and each is meant to finish in one invocation (carrying a scan on
 * from its checkpoint is retention-continuation.test.ts's subject): the retention function gets
 * a timeout a loaded machine cannot run out of, not the stack's 1 s.
 */
const ONE_INVOCATION = { timeoutSeconds: 20 } as const;

beforeAll(async () => {
  env = await startRetentionStack({
    captureLogs: true,
    rules: RULES,
    libraries: [
      {
        id: "e2eretevents",
        secret: SECRETS.events,
        multiSpace: false,
        spaces: [
          {
            id: "-",
            directories: EVENTS.map(({ name, created }) => ({
              path: `events/${name}`,
              creationTime: created,
              files: [{ name: "photo.jpg", size: 1024 }],
            })),
          },
        ],
      },
      {
        id: "e2eretcapped",
        secret: SECRETS.capped,
        multiSpace: false,
        spaces: [{ id: "-", directories: dirs("old", ["a", "b", "c", "d"], daysAgo(90)) }],
      },
      {
        id: "e2eretpreview",
        secret: SECRETS.preview,
        multiSpace: false,
        spaces: [{ id: "-", directories: dirs("old", ["a", "b"], daysAgo(90)) }],
      },
      {
        id: "e2eretevery",
        secret: SECRETS.every,
        spaces: [
          { id: "tenant1", userId: "u1", directories: dirs("albums", ["x"], daysAgo(90)) },
          { id: "tenant2", userId: "u2", directories: dirs("albums", ["y"], daysAgo(90)) },
        ],
      },
      {
        id: "e2eretlisted",
        secret: SECRETS.listed,
        spaces: [
          { id: "kept", userId: "u1", directories: dirs("albums", ["x"], daysAgo(90)) },
          { id: "swept", userId: "u2", directories: dirs("albums", ["y"], daysAgo(90)) },
        ],
      },
    ],
    policy: {
      e2eretevents: {
        spaces: ["-"],
        allowedPrefixes: ["events"],
        protectedPaths: ["events/2022-01-legal"],
      },
      e2eretcapped: { spaces: ["-"], allowedPrefixes: ["old"] },
      e2eretpreview: { spaces: ["-"], allowedPrefixes: ["old"] },
      e2eretevery: { spaces: "*", allowedPrefixes: ["albums"] },
      e2eretlisted: { spaces: ["swept"], allowedPrefixes: ["albums"] },
    },
  });
}, 60_000);

afterAll(async () => {
  await env?.stop();
});

function summariesOf(ruleId: string, runId?: string): RetentionPlanSummary[] {
  return env
    .summaries()
    .filter((s) => s.ruleId === ruleId && (runId === undefined || s.runId === runId));
}

/** Waits until the jobs queue holds nothing, in flight included. */
async function jobsQueueDrained(): Promise<void> {
  const url = env.stack.queues.get("jobs")?.url as string;
  const giveUpAt = Date.now() + 60_000;
  for (;;) {
    const depths = await queueDepths(env.stack.sqs, url);
    if (depths.visible + depths.inFlight + depths.delayed === 0) return;
    if (Date.now() > giveUpAt) throw new Error("the jobs queue did not drain");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const eventsDeletions = () =>
  env.deletions().filter((result) => result.libraryId === "e2eretevents");

describe("a retention dry run asked for by an operator", () => {
  let report: RunDescription;

  beforeAll(async () => {
    report = await env.invoke(
      { dryRun: true, scheduledAt: scheduledAt.toISOString(), runId: "preview-1" },
      ONE_INVOCATION,
    );
    await env.until(
      "every dry-run plan",
      () => summariesOf("events-yearly", "preview-1").length > 0,
    );
  });

  it("writes each rule's plan with what it would delete, and enqueues nothing", async () => {
    expect(report.scans.every((scan) => scan.decision === "dry-run")).toBe(true);
    const [plan] = summariesOf("events-yearly", "preview-1");
    expect(plan?.sample).toEqual(TO_DELETE.map((name) => `events/${name}`).sort());
    expect(plan?.counts).toMatchObject({ selected: 5, enqueued: 0 });
    const jobs = await queueDepths(env.stack.sqs, env.stack.queues.get("jobs")?.url as string);
    expect(jobs.visible + jobs.inFlight + jobs.delayed).toBe(0);
    expect(env.jobMessagesDelivered().size).toBe(0);
  });
});

describe("the scheduled retention run, delivered twice by EventBridge", () => {
  const event = { id: "5f9c0d7e-duplicate-delivery" };
  let runs: RunDescription[];

  beforeAll(async () => {
    // Both deliveries plan before the first jobs are deleted: the job IDs go on the queue twice.
    runs = await Promise.all([
      env.fire(scheduledAt, { ...event, ...ONE_INVOCATION }),
      env.fire(scheduledAt, { ...event, ...ONE_INVOCATION }),
    ]);
    // Each delivery enqueued the same 5 job IDs: 10 job messages, 5 directories.
    await env.until(
      "both deliveries' jobs to be handed to the delete function",
      () => env.jobMessagesDelivered().size >= 10,
    );
    await env.until(
      "every directory to be deleted",
      () => new Set(eventsDeletions().map((r) => r.jobId)).size >= 5,
    );
    await jobsQueueDrained();
    await env.until(
      "every rule's plans",
      () => env.summaries().filter((s) => s.runId === event.id).length >= 2 * 6,
    );
  }, 90_000);

  it("deletes each directory older than maxAge once, into the recycle bin, and nothing else", () => {
    const deleted = new Set(eventsDeletions().map((result) => result.path));
    expect([...deleted].sort()).toEqual(TO_DELETE.map((name) => `events/${name}`).sort());
    const recycled = env.sim
      .recycleBin("e2eretevents", "-")
      .map((item) => item.originalPath.join("/"));
    expect(recycled.sort()).toEqual([...deleted].sort());
    for (const name of EVENTS.map((e) => e.name).filter((n) => !TO_DELETE.includes(n))) {
      expect(env.sim.exists("e2eretevents", "-", `events/${name}`), name).toBe(true);
    }
  });

  it("enqueues the same job IDs in both deliveries: after dedup, every job has exactly one result", () => {
    expect(
      runs.map(
        (run) => run.scans.find((scan) => scan.ruleId === "events-yearly")?.counts?.enqueued,
      ),
    ).toEqual([5, 5]);
    const [first, second] = summariesOf("events-yearly", event.id);
    expect(first?.planHash).toBeDefined();
    expect(second?.planHash).toBe(first?.planHash);
    expect(second?.dedupKey).toBe(first?.dedupKey);
    const byJob = new Map<string, Set<string>>();
    for (const result of eventsDeletions()) {
      byJob.set(result.jobId, (byJob.get(result.jobId) ?? new Set()).add(result.dedupKey));
    }
    expect(byJob.size).toBe(TO_DELETE.length);
    for (const keys of byJob.values()) expect(keys.size).toBe(1);
    // The second delivery found each directory gone and recovered its recycledItemId.
    for (const result of eventsDeletions())
      expect(["recycled", "recovered"]).toContain(result.outcome);
  });

  it("counts what each check of the rule left alone: too young, exactly maxAge, future, excluded, refused", () => {
    const [plan] = summariesOf("events-yearly", event.id);
    expect(plan?.counts).toMatchObject({ listed: 12, children: 12, selected: 5, enqueued: 5 });
    expect(plan?.counts.skipped).toMatchObject({
      excluded: 2,
      "too-young": 3,
      "future-time": 1,
      "policy-refused": 1,
    });
    expect(plan?.refusals).toEqual([
      {
        path: "events/2022-01-legal",
        violations: [expect.objectContaining({ rule: "protected-path" })],
      },
    ]);
  });

  it("enqueues nothing for a rule over its caps, and writes and logs an alert naming the rule and the figures", () => {
    expect(runs[0]?.scans.find((scan) => scan.ruleId === "capped")?.decision).toBe("cap-breach");
    expect(env.deletions().filter((result) => result.libraryId === "e2eretcapped")).toEqual([]);
    const alerts = env
      .alerts()
      .filter((alert) => alert.alert === "cap-breach" && alert.ruleId === "capped");
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    expect(alerts[0]?.message).toContain("4 directories selected; maxDeletesPerRun allows 3");
    expect(new Set(alerts.map((alert) => alert.dedupKey)).size).toBe(1);
    const logged = env.logLines.filter((line) => line.includes("RETENTION ALERT cap-breach"));
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(logged[0] as string)).toMatchObject({ level: "ERROR", ruleId: "capped" });
  });

  it("only writes the plan of a rule that is a dry run", () => {
    expect(summariesOf("preview-only", event.id).map((s) => s.decision)).toEqual([
      "dry-run",
      "dry-run",
    ]);
    expect(env.deletions().filter((result) => result.libraryId === "e2eretpreview")).toEqual([]);
    expect(env.sim.exists("e2eretpreview", "-", "old/a")).toBe(true);
  });

  it("runs a rule on every space in each space SMH lists, asking for space_admin only where the policy allows every space", () => {
    expect(
      summariesOf("every-space", event.id)
        .map((s) => s.spaceId)
        .sort(),
    ).toEqual(["tenant1", "tenant1", "tenant2", "tenant2"]);
    expect(summariesOf("listed-spaces", event.id).map((s) => s.spaceId)).toEqual([
      "swept",
      "swept",
    ]);
    const grants = (libraryId: string) =>
      env.sim
        .tokens()
        .filter((token) => token.libraryId === libraryId)
        .flatMap((token) => token.grants);
    expect(grants("e2eretevery")).toContain("space_admin");
    expect(grants("e2eretlisted")).not.toContain("space_admin");
    expect(env.sim.exists("e2eretlisted", "kept", "albums/x")).toBe(true);
  });
});

describe("a re-run of the same schedule", () => {
  it("finds nothing left to delete and enqueues nothing", async () => {
    const before = env.jobMessagesDelivered().size;
    const report = await env.fire(scheduledAt, { id: "rerun", ...ONE_INVOCATION });
    const events = report.scans.find((scan) => scan.ruleId === "events-yearly");
    expect(events?.counts).toMatchObject({ listed: 7, selected: 0, enqueued: 0 });
    expect(events?.planId).toBe(summariesOf("events-yearly")[0]?.planId);
    const jobs = await queueDepths(env.stack.sqs, env.stack.queues.get("jobs")?.url as string);
    expect(jobs.visible + jobs.inFlight).toBe(0);
    expect(env.jobMessagesDelivered().size).toBe(before);
  });
});

describe("a forged schedule: an invoker choosing the clock", () => {
  it("is refused: no rule runs, nothing is enqueued, and an alert on the results queue says why", async () => {
    const delivered = env.jobMessagesDelivered().size;
    const answer = (await env.fire(new Date("2099-01-01T00:00:00Z"), {
      id: "forged-2099",
    })) as unknown as RefusedRunDescription;
    expect(answer).toMatchObject({ refused: true, problem: "schedule-out-of-range" });
    await env.until("the refusal's alert", () =>
      env
        .alerts()
        .some(
          (alert) => alert.alert === "trigger-refused" && alert.claimed.runId === "forged-2099",
        ),
    );
    expect(env.summaries().filter((summary) => summary.runId === "forged-2099")).toEqual([]);
    const jobs = await queueDepths(env.stack.sqs, env.stack.queues.get("jobs")?.url as string);
    expect(jobs.visible + jobs.inFlight + jobs.delayed).toBe(0);
    expect(env.jobMessagesDelivered().size).toBe(delivered);
    expect(
      env.logLines.some((line) =>
        line.includes(
          "RETENTION ALERT trigger-refused problem=schedule-out-of-range run=forged-2099",
        ),
      ),
    ).toBe(true);
  });
});

describe("secrets", () => {
  it("appear in no result and no log line", () => {
    const text = [...env.received.map(({ body }) => body), ...env.logLines].join("\n");
    expect(env.received.length).toBeGreaterThan(0);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/access_token=(?!\[redacted\]|REDACTED)/);
    expect(env.unreadable).toEqual([]);
  });
});
