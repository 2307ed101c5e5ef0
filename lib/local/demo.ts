/**
 * The embedded demo: a mix of deletion jobs sent through the local stack — valid ones (single and
 * batch deletes), invalid ones, ones the policy forbids, one already gone, one whose earlier
 * deletion lost its result (recovered from the recycle bin), permanent ones — then a wait until
 * every job has its result, and a summary built from the results queue alone. Then the retention
 * rules of `examples/retention-rules.yml`: their dry-run plan, the scheduled run, and the results
 * of the jobs it enqueued.
 *
 * The results are left on the results queue (made visible again), so `smh-cleaner results` can
 * still export them. Last, the ledger is read and compared with the results queue: every result
 * read from the queue must be in the ledger, and the ledger must hold nothing else.
 */
import type { Message } from "@aws-sdk/client-sqs";
import { tallyLedger } from "../ledger/count.ts";
import { createDeleteJob, type DeleteJob } from "../messages/delete-job.ts";
import type { DeletionResult } from "../messages/deletion-result.ts";
import { parseJobBody } from "../messages/job-body.ts";
import { parseResultMessage } from "../messages/result-message.ts";
import { changeVisibilityBatch } from "../queues/acknowledge.ts";
import { publish } from "../queues/publish.ts";
import { receive } from "../queues/receive.ts";
import type { RunDescription, ScanDescription } from "../retention/report.ts";
import { DEMO } from "../sim/seeds/demo.ts";
import type { Simulator } from "../sim/simulator.ts";
import type { LocalStack } from "./stack.ts";

/** One job the demo sends, and what it shows. */
export interface DemoJob {
  readonly jobId: string;
  readonly label: string;
  readonly body: string;
}

/** One line of the summary. */
export interface DemoRow {
  readonly jobId: string;
  readonly label: string;
  readonly path: string | undefined;
  readonly outcome: string | undefined;
  readonly recycledItemId: number | undefined;
  readonly detail: string | undefined;
}

/** What `npm start -- --once --json` prints. */
export interface DemoSummary {
  readonly jobs: number;
  /** Distinct results (by dedupKey) of those jobs: more than `jobs` when a job has two different ones. */
  readonly results: number;
  readonly byOutcome: Record<string, number>;
  /** Jobs with no result. */
  readonly missing: number;
  /** Results beyond the first for a job (the same dedupKey twice). */
  readonly duplicates: number;
  /** Recycle-bin items created during the demo whose recycledItemId appears in no result. */
  readonly missingRecycledIds: number;
  readonly rows: DemoRow[];
  /** The retention run, when the demo ran the retention rules. */
  readonly retention?: RetentionDemo;
  /** The ledger compared with the results queue, after everything else. */
  readonly ledger: LedgerDemo;
}

/**
 * What the ledger holds after the demo, against what the results queue carried (every type: the
 * demo's deletions, the retention run's deletions, plan summaries and alerts), by dedupKey.
 */
export interface LedgerDemo {
  /** `s3://<bucket>/<prefix>`. */
  readonly location: string;
  readonly s3Endpoint: string;
  /** Distinct results in the ledger. */
  readonly results: number;
  /** Distinct results read from the results queue; equal to `results` when all is well. */
  readonly resultsOnQueue: number;
  /** Objects the ledger holds (one per kind per publish call). */
  readonly objects: number;
  /** Results read from the queue that the ledger does not hold (must be 0). */
  readonly missingFromLedger: number;
  /** Results in the ledger never seen on the queue (must be 0). */
  readonly ledgerOnly: number;
}

const m = DEMO.multiTenant;
const single = DEMO.singleTenant;

function job(label: string, fields: Parameters<typeof createDeleteJob>[0]): DemoJob {
  const built: DeleteJob = createDeleteJob(fields);
  return { jobId: built.jobId, label, body: JSON.stringify(built) };
}

function raw(label: string, body: string): DemoJob {
  const parsed = parseJobBody(body);
  const jobId = parsed.ok ? parsed.job.jobId : parsed.identity.jobId;
  return { jobId, label, body };
}

function childrenOf(sim: Simulator, libraryId: string, spaceId: string, path: string): string[] {
  const tree = sim.tree(libraryId, spaceId, path, 1);
  return (tree?.children ?? [])
    .filter((child) => child.type === "dir")
    .map((child) => child.path.join("/"));
}

/**
 * The demo's jobs over the simulator's demo seed. Picks real paths from the simulator, so the
 * valid jobs delete directories that exist.
 */
export function demoJobs(sim: Simulator): DemoJob[] {
  const events = childrenOf(sim, m.libraryId, m.filesSpaceId, "events");
  const albums = childrenOf(sim, m.libraryId, m.albumSpaceId, "");
  const years = childrenOf(sim, m.libraryId, m.archiveSpaceId, "archive");
  const months = years.flatMap((year) => childrenOf(sim, m.libraryId, m.archiveSpaceId, year));
  const cases = childrenOf(sim, m.libraryId, m.filesSpaceId, "cases");
  const pick = (list: string[], index: number, what: string): string => {
    const path = list[index];
    if (path === undefined) throw new Error(`the demo seed has no ${what} #${index}`);
    return path;
  };
  const base = { v: 1 as const, libraryId: m.libraryId, source: "demo", requestedBy: "demo" };
  return [
    job("event directory → recycle bin", {
      ...base,
      spaceId: m.filesSpaceId,
      path: pick(events, 0, "event"),
    }),
    job("user's photos → recycle bin", {
      ...base,
      spaceId: m.filesSpaceId,
      path: "users/u1008/photos",
    }),
    ...[0, 1, 2, 3, 4, 5].map((index) =>
      job(`album purge (batch delete) #${index + 1}`, {
        ...base,
        spaceId: m.albumSpaceId,
        path: pick(albums, index, "album"),
        source: "bulk",
      }),
    ),
    job("archive month, permanent", {
      ...base,
      spaceId: m.archiveSpaceId,
      path: pick(months, 0, "archive month"),
      permanent: true,
    }),
    job("single-tenant library, no recycle bin", {
      ...base,
      libraryId: single.libraryId,
      spaceId: "-",
      path: "scratch/3",
    }),
    job("already deleted earlier, result lost → recovered", {
      ...base,
      spaceId: m.filesSpaceId,
      path: pick(events, 1, "event"),
      source: "event",
    }),
    job("never existed → already absent", {
      ...base,
      spaceId: m.filesSpaceId,
      path: "events/1999-01-never-existed",
      source: "event",
    }),
    job("forbidden: protected user", {
      ...base,
      spaceId: m.filesSpaceId,
      path: "users/u1001/photos",
    }),
    job("forbidden: case with evidence under legal hold", {
      ...base,
      spaceId: m.filesSpaceId,
      path: pick(cases, 0, "case"),
    }),
    job("forbidden: permanent outside archive", {
      ...base,
      spaceId: m.filesSpaceId,
      path: pick(events, 2, "event"),
      permanent: true,
    }),
    job("forbidden: library not in the policy", {
      ...base,
      libraryId: "smhunknown0001",
      spaceId: "-",
      path: "anything/here",
    }),
    raw("invalid: not JSON", '{"v":1,"libraryId":"smhdemo000001","path":'),
    raw(
      "invalid: path climbs with ..",
      JSON.stringify({ ...base, spaceId: m.filesSpaceId, path: "events/../users" }),
    ),
    raw(
      "invalid: permanent as a string, unknown key",
      JSON.stringify({
        ...base,
        spaceId: m.filesSpaceId,
        path: "events/x",
        permanent: "false",
        dryRun: true,
      }),
    ),
  ];
}

/**
 * Deletes, through the simulator's own HTTP API, the directory of the "recovered" job before the
 * jobs are sent: as if an earlier delivery had deleted it and died before writing its result.
 */
export async function prepareLostResult(sim: Simulator, jobs: readonly DemoJob[]): Promise<void> {
  const lost = jobs.find((candidate) => candidate.label.includes("recovered"));
  if (!lost) return;
  const parsed = parseJobBody(lost.body);
  if (!parsed.ok) return;
  const { libraryId, spaceId, path } = parsed.job;
  const credentials = sim.credentials().find((library) => library.libraryId === libraryId);
  if (!credentials) throw new Error(`the simulator has no library ${libraryId}`);
  const token = sim.issueToken(libraryId, { grants: ["delete_directory"], spaceIds: [spaceId] });
  const url = new URL(
    `/api/v1/directory/${libraryId}/${spaceId}/${path.split("/").map(encodeURIComponent).join("/")}`,
    sim.url,
  );
  url.searchParams.set("access_token", token);
  const response = await fetch(url, { method: "DELETE" });
  await response.arrayBuffer();
  if (response.status !== 200) {
    throw new Error(`preparing the demo: deleting ${path} answered HTTP ${response.status}`);
  }
}

/** One retention scan as the demo shows it (see `lib/retention/report.ts`). */
export type RetentionDemoScan = ScanDescription;

/**
 * The retention part of the demo: the rules of `examples/retention-rules.yml` run by the
 * retention-scan function, first as a dry run (its plan, nothing enqueued), then as the schedule
 * runs it; and the results of the deletion jobs that run enqueued.
 */
export interface RetentionDemo {
  readonly rulesFile: string;
  /** The run's scheduled time: ages are measured at it. */
  readonly scheduledAt: string;
  /** The dry run: each rule's plan. */
  readonly dryRun: readonly RetentionDemoScan[];
  /** The scheduled run: what each rule did. */
  readonly run: readonly RetentionDemoScan[];
  /** Deletion jobs the scheduled run enqueued. */
  readonly jobs: number;
  /** Their distinct results (by dedupKey): more than `jobs` when a job has two different ones. */
  readonly results: number;
  readonly byOutcome: Record<string, number>;
  /** Enqueued jobs with no result. */
  readonly missing: number;
  /** Results beyond the first for a job (the same dedupKey twice). */
  readonly duplicates: number;
  /** The first deletions, by path. */
  readonly sample: readonly {
    readonly path: string;
    readonly outcome: string;
    readonly recycledItemId: number | undefined;
  }[];
}

/** How the demo runs the retention rules: through the stack's retention-scan function. */
export interface RetentionDemoOptions {
  /** The rules file the stack's function runs (shown in the summary). */
  readonly rulesFile: string;
  /** Ages are measured at this instant. @default now */
  readonly scheduledAt?: Date;
}

/**
 * Sends `jobs` to the stack's jobs queue and waits until each has a result on the results queue
 * (or `timeoutMs` passes). With `retention`, then runs the retention rules — a dry run, then the
 * scheduled run — and waits for the results of the jobs that run enqueued. Finally makes every
 * result visible again for `smh-cleaner results`.
 */
export async function runDemo(
  stack: LocalStack,
  jobs: readonly DemoJob[],
  options: { timeoutMs?: number; startedAt?: number; retention?: RetentionDemoOptions } = {},
): Promise<DemoSummary> {
  const jobsUrl = queueUrl(stack, "jobs");
  const resultsUrl = queueUrl(stack, "results");
  const startedAt = options.startedAt ?? Date.now();
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const sent = await publish(
    stack.sqs,
    jobsUrl,
    jobs.map((demoJob, index) => ({ id: String(index), body: demoJob.body })),
  );
  if (sent.failed.length > 0) {
    throw new Error(`${sent.failed.length} demo jobs could not be enqueued`);
  }

  const inbox = new ResultsInbox(stack, resultsUrl);
  try {
    const expected = new Set(jobs.map(({ jobId }) => jobId));
    await inbox.readUntil(() => [...expected].every((jobId) => inbox.byJob.has(jobId)), deadline);
    let retention: RetentionDemo | undefined;
    if (options.retention !== undefined) {
      retention = await runRetentionDemo(stack, inbox, options.retention, deadline);
    }
    const ledger = await compareLedger(stack, inbox, deadline);
    return { ...summarize(jobs, inbox.byJob, stack.sim, startedAt, retention), ledger };
  } finally {
    // Leave the results on the queue for `smh-cleaner results`.
    await inbox.release();
  }
}

/**
 * Reads the ledger and the rest of the results queue: a result is kept in the ledger before it is
 * published, so everything the ledger holds is on the queue by now; the queue is read until each
 * ledger result is seen (or `deadline`).
 */
async function compareLedger(
  stack: LocalStack,
  inbox: ResultsInbox,
  deadline: number,
): Promise<LedgerDemo> {
  const tally = await tallyLedger({ s3: stack.s3, ...stack.ledger });
  const inLedger = new Set(tally.results.keys());
  await inbox.readUntil(() => [...inLedger].every((key) => inbox.keys.has(key)), deadline);
  return {
    location: `s3://${stack.ledger.bucket}/${stack.ledger.prefix}`,
    s3Endpoint: stack.s3Endpoint,
    results: inLedger.size,
    resultsOnQueue: inbox.keys.size,
    objects: tally.objects,
    missingFromLedger: [...inbox.keys].filter((key) => !inLedger.has(key)).length,
    ledgerOnly: [...inLedger].filter((key) => !inbox.keys.has(key)).length,
  };
}

/** Reads the results queue, keeping every message until {@link release}. */
class ResultsInbox {
  readonly byJob = new Map<string, DeletionResult[]>();
  /** The dedupKey of every result read, of every type. */
  readonly keys = new Set<string>();
  readonly #received = new Map<string, Message>();
  readonly #stack: LocalStack;
  readonly #url: string;

  constructor(stack: LocalStack, url: string) {
    this.#stack = stack;
    this.#url = url;
  }

  /** Reads until `done()` holds or `deadline` (epoch ms) passes. */
  async readUntil(done: () => boolean, deadline: number): Promise<void> {
    while (!done() && Date.now() < deadline) {
      const messages = await receive(this.#stack.sqs, this.#url, {
        maxMessages: 10,
        waitTimeSeconds: 1,
        visibilityTimeoutSeconds: 120,
      });
      for (const message of messages) {
        if (!message.MessageId || this.#received.has(message.MessageId)) continue;
        this.#received.set(message.MessageId, message);
        const parsed = parseResultMessage(message.Body ?? "");
        if (parsed.ok) this.keys.add(parsed.result.dedupKey);
        if (!parsed.ok || parsed.result.type !== "deletion") continue;
        const list = this.byJob.get(parsed.result.jobId) ?? [];
        list.push(parsed.result);
        this.byJob.set(parsed.result.jobId, list);
      }
    }
  }

  /** Makes every message read visible again. */
  async release(): Promise<void> {
    await changeVisibilityBatch(
      this.#stack.sqs,
      this.#url,
      [...this.#received.values()].flatMap((message) =>
        message.MessageId && message.ReceiptHandle
          ? [
              {
                id: message.MessageId,
                receiptHandle: message.ReceiptHandle,
                visibilityTimeoutSeconds: 0,
              },
            ]
          : [],
      ),
    );
  }
}

/** The retention-scan function, as `aws lambda invoke` and as the schedule would call it. */
const RETENTION_FUNCTION = "retentionScan";

async function runRetentionDemo(
  stack: LocalStack,
  inbox: ResultsInbox,
  options: RetentionDemoOptions,
  deadline: number,
): Promise<RetentionDemo> {
  // EventBridge writes whole seconds; the dry run is asked for the very same instant.
  const scheduledAt = new Date(
    Math.floor((options.scheduledAt ?? new Date()).getTime() / 1000) * 1000,
  );
  const dryRun = await stack.invoke(RETENTION_FUNCTION, {
    dryRun: true,
    scheduledAt: scheduledAt.toISOString(),
    runId: `demo-dry-run-${scheduledAt.toISOString()}`,
  });
  const run = await stack.invokeScheduled(RETENTION_FUNCTION, { time: scheduledAt });
  const dryScans = (dryRun.response as RunDescription).scans;
  const scans = (run.response as RunDescription).scans;
  const enqueuedBy = new Map(
    scans.flatMap((scan) =>
      scan.counts && scan.counts.enqueued > 0 ? [[scan.planId, scan.counts.enqueued] as const] : [],
    ),
  );
  const retentionResults = () =>
    [...inbox.byJob.values()].filter(([first]) => first && enqueuedBy.has(first.planId ?? ""));
  const jobs = [...enqueuedBy.values()].reduce((sum, count) => sum + count, 0);
  await inbox.readUntil(() => retentionResults().length >= jobs, deadline);

  const byOutcome: Record<string, number> = {};
  let duplicates = 0;
  let results = 0;
  const sample: RetentionDemo["sample"][number][] = [];
  const received = retentionResults();
  for (const list of received) {
    const keys = new Set(list.map((result) => result.dedupKey)).size;
    duplicates += list.length - keys;
    results += keys;
    const result = list.find((candidate) => "recycledItemId" in candidate) ?? list[0];
    if (result === undefined) continue;
    byOutcome[result.outcome] = (byOutcome[result.outcome] ?? 0) + 1;
    sample.push({
      path: result.path ?? "",
      outcome: result.outcome,
      recycledItemId: "recycledItemId" in result ? (result.recycledItemId as number) : undefined,
    });
  }
  sample.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    rulesFile: options.rulesFile,
    scheduledAt: scheduledAt.toISOString(),
    dryRun: dryScans,
    run: scans,
    jobs,
    results,
    byOutcome,
    missing: Math.max(0, jobs - received.length),
    duplicates,
    sample: sample.slice(0, 5),
  };
}

function summarize(
  jobs: readonly DemoJob[],
  byJob: ReadonlyMap<string, DeletionResult[]>,
  sim: Simulator | undefined,
  startedAt: number,
  retention: RetentionDemo | undefined,
): Omit<DemoSummary, "ledger"> {
  const byOutcome: Record<string, number> = {};
  let duplicates = 0;
  let results = 0;
  const rows = jobs.map((demoJob): DemoRow => {
    const list = byJob.get(demoJob.jobId) ?? [];
    const keys = new Set(list.map((result) => result.dedupKey));
    duplicates += list.length - keys.size;
    results += keys.size;
    const result = list.find((candidate) => "recycledItemId" in candidate) ?? list[0];
    if (result) byOutcome[result.outcome] = (byOutcome[result.outcome] ?? 0) + 1;
    const parsed = parseJobBody(demoJob.body);
    return {
      jobId: demoJob.jobId,
      label: demoJob.label,
      path: parsed.ok ? parsed.job.path : undefined,
      outcome: result?.outcome,
      recycledItemId:
        result && "recycledItemId" in result ? (result.recycledItemId as number) : undefined,
      detail: result ? detailOf(result) : undefined,
    };
  });
  // Every recycledItemId in a result, the retention run's deletions included.
  const reported = new Set(
    [...byJob.values()].flatMap((list) =>
      list.flatMap((result) =>
        "recycledItemId" in result ? [result.recycledItemId as number] : [],
      ),
    ),
  );
  const missingRecycledIds = sim
    ? sim
        .credentials()
        .flatMap(({ libraryId, spaceIds }) =>
          spaceIds.flatMap((spaceId) => sim.recycleBin(libraryId, spaceId)),
        )
        .filter((item) => Date.parse(item.removalTime) >= startedAt - 1000)
        .filter((item) => !reported.has(item.recycledItemId)).length
    : 0;
  return {
    jobs: jobs.length,
    results,
    byOutcome,
    missing: rows.filter(({ outcome }) => outcome === undefined).length,
    duplicates,
    missingRecycledIds,
    rows,
    ...(retention === undefined ? {} : { retention }),
  };
}

/**
 * True when the demo is complete: every job (the demo's and the retention run's) has exactly one
 * result, every recycled directory's recycledItemId is in one, no retention scan failed, and the
 * ledger holds exactly the results the queue carried.
 */
export function demoComplete(summary: DemoSummary): boolean {
  const retention = summary.retention;
  const retentionComplete =
    retention === undefined ||
    (retention.missing === 0 &&
      retention.duplicates === 0 &&
      retention.results === retention.jobs &&
      [...retention.dryRun, ...retention.run].every((scan) => scan.outcome === "finished"));
  return (
    summary.missing === 0 &&
    summary.duplicates === 0 &&
    // Two different results for one job (say, failed and then recycled) are not "exactly one".
    summary.results === summary.jobs &&
    summary.missingRecycledIds === 0 &&
    retentionComplete &&
    summary.ledger.missingFromLedger === 0 &&
    summary.ledger.ledgerOnly === 0 &&
    summary.ledger.results === summary.ledger.resultsOnQueue
  );
}

/** The retention part of the summary, as lines for the terminal. */
export function describeRetentionDemo(retention: RetentionDemo): string[] {
  // The scheduled run enqueues; a scan that still writes a dry-run plan is a dryRun rule's.
  const dryRunRules = new Set(
    retention.run.filter((scan) => scan.decision === "dry-run").map((scan) => scan.ruleId),
  );
  const scanLine = (scan: RetentionDemoScan) => {
    const counts = scan.counts;
    const figures = counts
      ? `listed ${counts.listed}, selected ${counts.selected} of ${counts.children}, enqueued ${counts.enqueued}${counts.capped > 0 ? `, capped ${counts.capped}` : ""}`
      : `${scan.pageCount} page(s) read`;
    const what = scan.outcome === "finished" ? scan.decision : scan.outcome.toUpperCase();
    // A rule that is itself a dry run writes its plan on every run, and never enqueues.
    const preview = dryRunRules.has(scan.ruleId) ? "  (the rule is dryRun: preview only)" : "";
    const hash = scan.planHash ? `  plan ${scan.planHash.slice(0, 12)}` : "";
    return `  ${scan.ruleId.padEnd(24)} ${`${scan.spaceId}/${scan.parent === "/" ? "" : scan.parent}`.padEnd(23)} ${String(what).padEnd(8)} ${figures}${hash}${preview}${scan.alert ? `\n    ALERT ${scan.alert}` : ""}`;
  };
  const wouldDelete = (scan: RetentionDemoScan) =>
    (scan.sample ?? []).slice(0, 3).map((path) => `    would delete ${path}`);
  const outcomes = Object.entries(retention.byOutcome)
    .map(([outcome, count]) => `${outcome} ${count}`)
    .join(", ");
  return [
    `retention rules (${retention.rulesFile}), scheduled at ${retention.scheduledAt}:`,
    "dry run (the plans; nothing enqueued):",
    ...retention.dryRun.flatMap((scan) => [
      scanLine(scan),
      ...wouldDelete(scan),
      ...((scan.counts?.selected ?? 0) > 3
        ? [`    … ${(scan.counts?.selected ?? 0) - 3} more`]
        : []),
    ]),
    "scheduled run (the same plans, now enqueued; then their deletion results):",
    ...retention.run.map(scanLine),
    ...retention.sample.map(
      (row) =>
        `    ${row.outcome.padEnd(9)} ${String(row.recycledItemId ?? "").padEnd(6)} ${row.path}`,
    ),
    `${retention.jobs} retention jobs, ${retention.results} results (${outcomes || "none"}); missing ${retention.missing}, duplicates ${retention.duplicates}`,
  ];
}

function detailOf(result: DeletionResult): string | undefined {
  if (result.outcome === "rejected" && "reasons" in result) {
    return result.reasons
      .map((reason) =>
        "rule" in reason ? reason.rule : `${reason.path || "body"}: ${reason.message}`,
      )
      .join("; ");
  }
  if (result.outcome === "failed" && "error" in result) return result.error.message;
  return undefined;
}

function queueUrl(stack: LocalStack, key: string): string {
  const queue = stack.queues.get(key);
  if (!queue) throw new Error(`the local stack has no ${key} queue`);
  return queue.url;
}
